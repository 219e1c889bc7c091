"""Run the rule families over a batch: every document judged by its language's profile, with its
category's overrides; the first failing rule (in family order, cheap families first) is the
document's reason.

In ``filter`` mode a family only measures the documents still alive, so the expensive n-gram
repetition rules run on what the cheap rules let through. In ``annotate`` mode every family
measures every document, and all values are returned.

Rules marked ``prose`` measure the document's prose (``structure.prose_texts``: code lines and
markup left out) when the profile's ``prose_view`` is on (the default); the others, and every
rule with ``prose_view: false`` (datatrove's exact behaviour), measure the whole text.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.filters import c4, chinese, coherence, fineweb, general, gopher_quality, gopher_repetition
from refinery.filters.rule import MeasureContext, load_wordlist
from refinery.filters.structure import code_without_code_lines, prose_texts
from refinery.filters.text_language import route_by_text
from refinery.filters.text_view import TextView, subset_view

# Evaluation order: cheap document-level checks, then line/token rules, n-gram repetition last.
FAMILIES = [general.FAMILY, chinese.FAMILY, gopher_quality.FAMILY, c4.FAMILY, fineweb.FAMILY, coherence.FAMILY,
            gopher_repetition.FAMILY]
RULES_BY_NAME = {rule.name: rule for fam in FAMILIES for rule in fam.rules}
FAMILY_OF = {rule.name: fam for fam in FAMILIES for rule in fam.rules}
CONTEXT_COLUMNS = ("lang", "lang_score", "char_count", "digit_ratio", "cjk_ratio")


@dataclass
class Decisions:
    reason: np.ndarray  # object: rule id or None
    value: np.ndarray  # float64, NaN when kept
    threshold: np.ndarray
    profile: np.ndarray  # object: profile name per row
    text_lang: np.ndarray  # object: the text's language where it overrode the label (text_language.py), else None
    values: dict  # rule id -> float64 per row (NaN: not measured)
    thresholds: dict  # rule id -> float64 per row (NaN: rule off for that row)


def _column(batch, name):
    if name not in batch.schema.names:
        return None
    col = batch.column(name)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_dictionary(col.type):
        return np.asarray(col.cast(pa.string()).to_pylist(), dtype=object)
    return pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)


def measure_context(profile, columns: dict, rows: np.ndarray, allowed) -> MeasureContext:
    return MeasureContext(
        columns={k: v[rows] for k, v in columns.items() if v is not None},
        stop_words=load_wordlist(profile.stop_words) if profile.stop_words else (),
        dirty_words=load_wordlist(profile.dirty_words) if profile.dirty_words else (),
        allowed_languages=tuple(allowed),
        short_line_length=profile.short_line_length,
    )


def row_thresholds(cfg, profile, categories, rows: np.ndarray) -> dict:
    """Rule id -> threshold per row of ``rows`` (NaN where the row's category turns it off)."""
    out = {r: np.full(len(rows), t) for r, t in profile.thresholds.items()}
    if categories is None:
        return out
    cats = categories[rows]
    for cat in cfg.categories:
        hit = cats == cat
        if not hit.any():
            continue
        for rule, value in cfg.category_thresholds(cat, profile).items():
            out.setdefault(rule, np.full(len(rows), np.nan))[hit] = np.nan if value is None else value
    return out


class _Views:
    """The TextView of a profile group's texts (or of their prose view), made for the rows the
    first family that reads it measures, then narrowed to the rows still alive: splits already
    computed are reused (``subset_view``) as families measure fewer and fewer documents."""

    def __init__(self, texts: pa.Array, tokens: str, prose: bool):
        self.texts, self.tokens, self.prose = texts, tokens, prose
        self.view, self.rows = None, None

    def _make(self, rows: np.ndarray) -> TextView:
        texts = self.texts.take(pa.array(rows))
        # the prose view (code lines and markup left out) costs ~0.25 ms per page: made only for
        # the rows a prose rule judges, not for pages already rejected or whose category turns them off
        return TextView(prose_texts(texts)[0] if self.prose else texts, tokens=self.tokens)

    def of(self, live: np.ndarray) -> TextView:
        if self.rows is None or not np.isin(live, self.rows).all():
            self.view, self.rows = self._make(live), live
        elif len(live) != len(self.rows) or not np.array_equal(live, self.rows):
            self.view, self.rows = subset_view(self.view, np.searchsorted(self.rows, live)), live
        return self.view


def evaluate(batch: pa.RecordBatch | pa.Table, cfg, texts: pa.Array | None = None, measure_all: bool = False) -> Decisions:
    """Judge every row of ``batch`` (``texts`` overrides its text column, e.g. after line edits)."""
    n = batch.num_rows
    texts = batch.column("text") if texts is None else texts
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    columns = {c: _column(batch, c) for c in CONTEXT_COLUMNS}
    langs = columns["lang"] if columns["lang"] is not None else np.full(n, None, dtype=object)
    categories = _column(batch, "category")
    profile_of = np.asarray([cfg.profile_of(lang) for lang in langs], dtype=object) if n else np.zeros(0, dtype=object)
    if columns["lang"] is not None:
        columns["lang"] = columns["lang"].copy()
    text_lang = route_by_text(cfg, texts, profile_of, columns)
    if categories is not None:
        categories = code_without_code_lines(categories, texts, cfg.code_min_code_lines, cfg.code_fallback_category)

    reason = np.full(n, None, dtype=object)
    value = np.full(n, np.nan)
    threshold = np.full(n, np.nan)
    values, thresholds = {}, {}
    for pname in sorted(set(profile_of)):
        profile = cfg.resolved[pname]
        rows = np.flatnonzero(profile_of == pname)
        thr = row_thresholds(cfg, profile, categories, rows)
        group_texts = texts.take(pa.array(rows))
        views = {}  # False: the whole texts, True: their prose view; made when a family first needs one
        for family in FAMILIES:
            rules = [r for r in family.rules if r.name in thr]
            if not rules:
                continue
            live = np.arange(len(rows)) if measure_all else np.flatnonzero(reason[rows] == None)  # noqa: E711
            live = live[np.any([~np.isnan(thr[r.name][live]) for r in rules], axis=0)] if len(live) and not measure_all else live
            if len(live) == 0:
                continue
            ctx = measure_context(profile, columns, rows[live], cfg.languages.allow)
            if not measure_all:
                ctx.needed = {r.name: ~np.isnan(thr[r.name][live]) for r in rules}
            by_view = {}
            for rule in rules:
                by_view.setdefault(rule.prose and profile.prose_view, []).append(rule)
            measured = {}
            for prose, view_rules in sorted(by_view.items()):
                if prose not in views:
                    views[prose] = _Views(group_texts, profile.tokens, prose)
                values_here = family.measure(views[prose].of(live), ctx)
                measured.update({r.name: values_here[r.name] for r in view_rules})
            for rule in rules:
                v = np.asarray(measured[rule.name], dtype=np.float64)
                t = thr[rule.name][live]
                full_v = values.setdefault(rule.name, np.full(n, np.nan))
                full_v[rows[live]] = v
                full_t = thresholds.setdefault(rule.name, np.full(n, np.nan))
                full_t[rows[live]] = t
                fail = rule.fails(v, t) & (reason[rows[live]] == None)  # noqa: E711
                hit = rows[live][fail]
                reason[hit] = rule.name
                value[hit] = v[fail]
                threshold[hit] = t[fail]
    return Decisions(reason, value, threshold, profile_of, text_lang, values, thresholds)
