"""The clean job's configuration (``--config clean.yaml``, see conf/clean.yaml), validated
before any Spark work: an unknown rule id, profile, step or category pattern names its key."""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Any, Literal

from refinery.config import check
from refinery.filters.evaluate import RULES_BY_NAME
from refinery.filters.lines import LineEditConfig
from refinery.filters.profiles import BUILTIN, CATEGORY_OVERRIDES
from refinery.filters.rule import shipped_wordlist
from refinery.filters.structure import CODE_FALLBACK_CATEGORY, CODE_MIN_CODE_LINES, check_code_routing
from refinery.scoring.config import find_model_path, is_uri, model_candidates

try:  # PII scrubbing lives in refinery/pii (its own issue); the config nests its section
    from refinery.pii import PiiConfig
except ImportError:  # pragma: no cover - until refinery.pii is merged
    PiiConfig = None

STEPS = ("lines", "rules", "pii")
DEFAULT_CATEGORY_MODEL = "models/domain.ftz"


def flatten_thresholds(tree: dict, key: str, prefix: str = "") -> dict:
    """``{"gopher": {"min_words": 30}}`` -> ``{"gopher.min_words": 30.0}``; values: a number or null."""
    out = {}
    for k, v in tree.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten_thresholds(v, key, name + "."))
            continue
        ok = v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
        check(ok, f"{key}.{name}", f"expected a number or null, got {v!r}")
        out[name] = None if v is None else float(v)
    return out


@dataclass
class ProfileConfig:
    """A threshold profile. For a built-in name (en, zh, default) or with ``base``, the listed
    thresholds override the built-in ones; null switches a rule off."""

    base: str | None = None
    tokens: Literal["words", "cjk_chars"] | None = None
    stop_words: str | None = None  # file name in refinery/filters/wordlists, or a path
    dirty_words: str | None = None
    short_line_length: int = 30
    # Prose rules measure the document's prose (code lines and markup left out, see
    # refinery/filters/structure.py); false: the whole text, as datatrove's filters do. None: the base's.
    prose_view: bool | None = None
    # rule id -> threshold; nested mappings ({gopher: {min_words: 30}}, what a dotted --set makes) are flattened
    thresholds: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.thresholds = flatten_thresholds(self.thresholds, "thresholds")


@dataclass
class ResolvedProfile:
    name: str
    tokens: str
    stop_words: str | None
    dirty_words: str | None
    short_line_length: int
    thresholds: dict  # rule id -> float, enabled rules only, in no particular order
    prose_view: bool = True


@dataclass
class LanguageConfig:
    # Languages kept (``general.lang_allowed``); empty: every language.
    allow: list[str] = field(default_factory=list)
    # Detected language (ingest's ``lang``) -> threshold profile.
    profiles: dict[str, str] = field(default_factory=lambda: {"en": "en", "zh": "zh"})
    default_profile: str = "default"
    # A document whose label's profile expects a script its text lacks (a zh page that is English)
    # is judged by the profile of the language lid.176 finds in its text (refinery/filters/text_language.py).
    judge_by_text: bool = True


def is_wordlist_path(name: str) -> bool:
    """A word list given by path (or URI), not by the name of one shipped in refinery/filters/wordlists."""
    return os.path.sep in name or is_uri(name)


def _check_wordlist(name: str | None, key: str) -> None:
    if name is None:
        return
    if not is_wordlist_path(name):
        check(shipped_wordlist(name).is_file(), key, f"no such word list: {name}")
    else:  # a path is looked up where it is used, like a model (refinery.spark.model_files)
        check(is_uri(name) or find_model_path(name) is not None, key, f"no such word list: {name}")


@dataclass
class CleanConfig:
    # filter: split kept/rejected; annotate: keep every document with every rule's value.
    mode: Literal["filter", "annotate"] = "filter"
    steps: list[str] = field(default_factory=lambda: list(STEPS))
    languages: LanguageConfig = field(default_factory=LanguageConfig)
    profiles: dict[str, ProfileConfig] = field(default_factory=dict)
    # category -> {rule id or glob (gopher.*) -> threshold, null = off}; applied over the profile.
    categories: dict[str, dict[str, Any]] = field(default_factory=lambda: {
        c: dict(o) for c, o in CATEGORY_OVERRIDES.items()})
    lines: LineEditConfig = field(default_factory=LineEditConfig)
    pii: (PiiConfig if PiiConfig is not None else dict) = field(  # type: ignore[valid-type]
        default_factory=(PiiConfig if PiiConfig is not None else dict))
    # The fastText domain model: documents without a `category` get one before the rules, so code
    # and markdown take their category's thresholds, not prose rules. The shipped model by default
    # (the recommended setup, the pipeline's too); null: per-language profiles only.
    category_model: str | None = DEFAULT_CATEGORY_MODEL
    # A document the model calls ``code`` takes the code overrides only when at least this share
    # of its lines are code lines (refinery/filters/structure.py); else it is judged as
    # ``code_fallback_category`` (the model calls some cookie banners and word salad code, and more
    # often technical documentation: catalog tables, function lists). 0: trust the model.
    code_min_code_lines: float = CODE_MIN_CODE_LINES
    # The category such a page takes: documentation (on the real corpus 97 PostgreSQL pages the
    # model calls code, with no code line, were lost to web-prose rules); null: its language's rules.
    code_fallback_category: str | None = CODE_FALLBACK_CATEGORY
    # Documents per Arrow batch handed to the operator (spark.sql.execution.arrow.maxRecordsPerBatch).
    batch_size: int = 1024
    # Files per reason under rejected/ (see refinery.spark.stage.write_outcomes).
    rejected_buckets: int = 4
    # Who writes kept/: "workers" (the Python workers, with pyarrow, as ingest does; Spark carries
    # only rejected rows and accounting; refinery.spark.worker_parquet) or "spark".
    kept_writer: Literal["workers", "spark"] = "workers"
    spark: dict[str, str] = field(default_factory=dict)
    resolved: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        check(bool(self.steps), "steps", f"at least one of {list(STEPS)}")
        bad = [s for s in self.steps if s not in STEPS]
        check(not bad, "steps", f"unknown steps {bad} (known: {list(STEPS)})")
        check(len(set(self.steps)) == len(self.steps), "steps", "a step is listed twice")
        check(self.rejected_buckets > 0, "rejected_buckets", "must be positive")
        check(self.batch_size > 0, "batch_size", "must be positive")
        check_code_routing(self.code_min_code_lines, self.code_fallback_category)
        if self.category_model is not None and not is_uri(self.category_model):
            # left relative: it is looked up where it is used (an executor's models/, refinery.spark.model_files)
            check(find_model_path(self.category_model) is not None, "category_model",
                  f"no model file at {', '.join(model_candidates(self.category_model))}")
        self.steps = [s for s in STEPS if s in self.steps]  # the order is fixed: lines, rules, pii
        self.categories = {c: flatten_thresholds(o, f"categories.{c}") for c, o in self.categories.items()}
        self.resolved = {name: self._resolve(name) for name in sorted(set(BUILTIN) | set(self.profiles))}
        for lang, prof in self.languages.profiles.items():
            check(prof in self.resolved, f"languages.profiles.{lang}", f"unknown profile {prof!r} (have {sorted(self.resolved)})")
        check(self.languages.default_profile in self.resolved, "languages.default_profile",
              f"unknown profile {self.languages.default_profile!r}")
        for cat, overrides in self.categories.items():
            for pattern, value in overrides.items():
                check(any(fnmatch.fnmatchcase(r, pattern) for r in RULES_BY_NAME), f"categories.{cat}.{pattern}",
                      "matches no rule id")
                check(value is None or value == value, f"categories.{cat}.{pattern}", "must be a number or null")

    def _resolve(self, name: str) -> ResolvedProfile:
        given = self.profiles.get(name, ProfileConfig())
        base_name = given.base or (name if name in BUILTIN else None)
        check(base_name in BUILTIN, f"profiles.{name}.base", f"a new profile needs base: one of {sorted(BUILTIN)}")
        base = BUILTIN[base_name]
        thresholds = dict(base["thresholds"])
        for rule, value in given.thresholds.items():
            check(rule in RULES_BY_NAME, f"profiles.{name}.thresholds.{rule}", "unknown rule id")
            thresholds[rule] = value
        stop = given.stop_words or base["stop_words"]
        dirty = given.dirty_words or base["dirty_words"]
        _check_wordlist(stop, f"profiles.{name}.stop_words")
        _check_wordlist(dirty, f"profiles.{name}.dirty_words")
        check(given.short_line_length > 0, f"profiles.{name}.short_line_length", "must be positive")
        return ResolvedProfile(name, given.tokens or base["tokens"], stop, dirty, given.short_line_length,
                               {r: float(v) for r, v in thresholds.items() if v is not None},
                               base["prose_view"] if given.prose_view is None else bool(given.prose_view))

    def model_paths(self) -> dict[tuple, str]:
        """Config key -> path of the domain model and of every word list given by path."""
        out = {} if self.category_model is None else {("category_model",): self.category_model}
        for name, prof in self.resolved.items():
            for kind in ("stop_words", "dirty_words"):
                path = getattr(prof, kind)
                if path is not None and is_wordlist_path(path):
                    out[("resolved", name, kind)] = path
        return out

    def profile_of(self, lang: str | None) -> str:
        return self.languages.profiles.get(lang or "", self.languages.default_profile)

    def category_thresholds(self, category: str, profile: ResolvedProfile) -> dict:
        """Rule id -> threshold (None: off) that ``category`` changes in ``profile``; a
        ``category_only`` rule, off in every profile, is switched on by its number here."""
        out = {}
        for pattern, value in self.categories.get(category, {}).items():
            for rule in RULES_BY_NAME:
                if fnmatch.fnmatchcase(rule, pattern) and (rule in profile.thresholds or RULES_BY_NAME[rule].category_only):
                    out[rule] = value
        return out
