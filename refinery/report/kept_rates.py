"""Kept rate per (category, language) and the warning lines a stage prints when a category
loses more than half its documents (issue 14: "thresholds that do no harm by default").

Shared by the clean and the score job: each job counts on its executors (a group-by on its
outcome rows, see ``refinery.spark.clean.kept_rate_stats``), and only these counts — a few dozen
groups — come here. No Spark: the functions take plain rows and return plain dicts.

    rows = [{"category": "code", "lang": "en", "rows_in": 120, "rows_kept": 118}, ...]
    table = kept_rates(rows)                    # {"by_category_lang": ..., "by_category": ...}
    for line in loss_warnings(table, "clean"):  # one line per category that lost > 50%
        print(line)
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

UNKNOWN = "unknown"  # a null category or language (no model, code without a language)
MAX_LOSS = 0.5  # warn when a category keeps less than half its documents


def _label(value) -> str:
    return UNKNOWN if value is None or value == "" else str(value)


def _entry(rows_in: int, rows_kept: int) -> dict:
    return {"rows_in": rows_in, "rows_kept": rows_kept, "rows_lost": rows_in - rows_kept,
            "kept_rate": round(rows_kept / rows_in, 4)}


def kept_rates(rows: Iterable[Mapping]) -> dict:
    """Fold count rows (``category``, ``lang``, ``rows_in``, ``rows_kept``; several rows of one
    pair add up) into ``{"by_category_lang": {"<category>/<lang>": entry}, "by_category":
    {category: entry with "by_lang": {lang: entry}}}``; entries carry rows_in, rows_kept,
    rows_lost and kept_rate; groups with no rows are left out. Keys are sorted; nulls are "unknown"."""
    pairs: dict = defaultdict(lambda: [0, 0])
    for r in rows:
        rows_in, rows_kept = int(r["rows_in"]), int(r["rows_kept"])
        if rows_kept < 0 or rows_kept > rows_in:
            raise ValueError(f"rows_kept {rows_kept} outside 0..rows_in {rows_in} for {dict(r)}")
        if rows_in == 0:
            continue  # an empty group says nothing (and has no rate)
        c = pairs[(_label(r.get("category")), _label(r.get("lang")))]
        c[0] += rows_in
        c[1] += rows_kept
    by_pair, by_cat = {}, {}
    for (cat, lang), (n_in, n_kept) in sorted(pairs.items()):
        by_pair[f"{cat}/{lang}"] = dict(_entry(n_in, n_kept), category=cat, lang=lang)
        e = by_cat.setdefault(cat, {"rows_in": 0, "rows_kept": 0, "by_lang": {}})
        e["rows_in"] += n_in
        e["rows_kept"] += n_kept
        e["by_lang"][lang] = _entry(n_in, n_kept)
    by_cat = {cat: dict(_entry(e["rows_in"], e["rows_kept"]), by_lang=e["by_lang"]) for cat, e in by_cat.items()}
    return {"by_category_lang": by_pair, "by_category": by_cat}


def loss_warnings(table: Mapping, stage: str, max_loss: float = MAX_LOSS) -> list[str]:
    """One line per category of ``kept_rates(...)`` that lost more than ``max_loss`` of its
    documents, naming its languages from the worst kept rate up, e.g.

    ``[clean] WARNING: category markdown_docs lost 61.0% of its documents (kept 390 of 1,000;
    zh kept 19.0% of 300, en kept 56.0% of 700)``
    """
    if not 0.0 <= max_loss < 1.0:
        raise ValueError(f"max_loss must be in [0, 1), got {max_loss}")
    lines = []
    for cat, e in table["by_category"].items():
        if e["rows_lost"] / e["rows_in"] <= max_loss:
            continue
        langs = sorted(e["by_lang"].items(), key=lambda kv: (kv[1]["kept_rate"], -kv[1]["rows_in"], kv[0]))
        per_lang = ", ".join(f"{lang} kept {le['kept_rate']:.1%} of {le['rows_in']:,}" for lang, le in langs)
        lines.append(f"[{stage}] WARNING: category {cat} lost {e['rows_lost'] / e['rows_in']:.1%} of its documents "
                     f"(kept {e['rows_kept']:,} of {e['rows_in']:,}; {per_lang})")
    return lines


def format_kept_rates(table: Mapping, limit: int = 20) -> list[str]:
    """The per-(category, language) kept rates as report lines, largest groups first."""
    pairs = sorted(table["by_category_lang"].items(), key=lambda kv: (-kv[1]["rows_in"], kv[0]))
    lines = [f"  kept rate by category/lang ({len(pairs)} groups"
             + (f", largest {limit} shown)" if len(pairs) > limit else ")")]
    for key, e in pairs[:limit]:
        lines.append(f"    {key:<28} in {e['rows_in']:>8,}  kept {e['rows_kept']:>8,}  ({e['kept_rate']:.1%})")
    return lines
