"""Run the rules on crafted documents and check which side of a threshold they land."""
import numpy as np
import pyarrow as pa

from refinery.config import load_config
from refinery.filters.config import CleanConfig
from refinery.filters.evaluate import CONTEXT_COLUMNS, FAMILY_OF, RULES_BY_NAME, _column, measure_context, row_thresholds
from refinery.filters.text_view import TextView
from refinery.ingest.script_ratios import script_ratios


def documents(texts, lang, lang_score=0.95, category=None):
    arr = pa.array(texts, pa.string())
    cols = {"text": arr, "lang": [lang] * len(texts), "lang_score": [lang_score] * len(texts), **script_ratios(arr)}
    if category is not None:
        cols["category"] = [category] * len(texts)
    return pa.table(cols)


def make_judge():
    def run(texts, lang, rule, overrides=None, **kw):
        """Only the rule's family is measured (as ``evaluate`` does, with the lang's profile)."""
        cfg = load_config(None, CleanConfig, overrides or {})
        batch = documents(texts, lang, **kw)
        profile = cfg.resolved[cfg.profile_of(lang)]
        columns = {c: _column(batch, c) for c in CONTEXT_COLUMNS}
        rows = np.arange(len(texts))
        ctx = measure_context(profile, columns, rows, cfg.languages.allow)
        values = np.asarray(FAMILY_OF[rule].measure(TextView(batch.column("text"), profile.tokens), ctx)[rule])
        thresholds = row_thresholds(cfg, profile, _column(batch, "category"), rows)[rule]
        return values, RULES_BY_NAME[rule].fails(values, thresholds), thresholds

    return run


def assert_sides(judge, rule, lang, passing, failing, **kw):
    values, fails, thr = judge([passing, failing], lang, rule, **kw)
    assert not fails[0], f"{rule}: passing doc measured {values[0]} against {thr[0]}"
    assert fails[1], f"{rule}: failing doc measured {values[1]} against {thr[1]}"
    assert not np.isnan(values).any()
    return values
