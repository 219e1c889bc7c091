"""Clean config validation, category overrides, and the batch evaluator's consistency."""
import dataclasses
import os

import numpy as np
import pytest

from refinery.config import ConfigError, load_config
from refinery.filters.config import CleanConfig
from refinery.filters.evaluate import evaluate
from tests.filters.docs import EN_BASE, ZH_BASE, words
from tests.filters.helpers import documents

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CODE = "def add(a, b):\n    return {'sum': a + b}\n\nfor i in range(3):\n    print(add(i, i))\n" * 3


def test_shipped_yaml_is_the_default_config():
    shipped = load_config(os.path.join(REPO, "conf", "clean.yaml"), CleanConfig)
    assert shipped.resolved == CleanConfig().resolved
    assert shipped.categories == CleanConfig().categories


@pytest.mark.parametrize("override,key", [
    ({"profiles": {"en": {"thresholds": {"gopher.min_wrds": 3}}}}, "profiles.en.thresholds.gopher.min_wrds"),
    ({"categories": {"code": {"nope.*": None}}}, "categories.code.nope.*"),
    ({"steps": ["lines", "dedup"]}, "steps"),
    ({"languages": {"profiles": {"fr": "french"}}}, "languages.profiles.fr"),
    ({"profiles": {"fr": {"thresholds": {}}}}, "profiles.fr.base"),
    ({"lines": {"kinds": ["bylines"]}}, "lines.kinds"),
    ({"mode": "dry"}, "mode"),
])
def test_bad_config_names_the_key(override, key):
    with pytest.raises(ConfigError) as e:
        load_config(None, CleanConfig, override)
    assert str(e.value).startswith(key)


def test_profile_override_and_new_profile():
    cfg = load_config(None, CleanConfig, {"profiles": {"en": {"thresholds": {"gopher.min_words": 10, "c4.min_sentences": None}},
                                                       "fr": {"base": "en", "stop_words": "en_stopwords.txt"}},
                                          "languages": {"profiles": {"fr": "fr"}}})
    assert cfg.resolved["en"].thresholds["gopher.min_words"] == 10
    assert "c4.min_sentences" not in cfg.resolved["en"].thresholds
    assert cfg.resolved["en"].thresholds["gopher.max_words"] == 100_000  # the rest stays published
    d = evaluate(documents([words(20)], "fr"), cfg)
    assert d.profile[0] == "fr"


def test_code_category_is_not_judged_by_prose_rules():
    cfg = CleanConfig()
    plain = evaluate(documents([CODE], "en"), cfg)
    assert plain.reason[0] is not None and plain.reason[0].split(".")[0] in ("gopher", "c4", "fineweb", "general")
    as_code = evaluate(documents([CODE], "en", category="code"), cfg)
    assert as_code.reason[0] is None
    forum = "\n".join([EN_BASE] + ["Thanks a lot!", "Same here.", "Great post."] * 10)
    assert evaluate(documents([forum], "en"), cfg).reason[0] == "fineweb.short_line_ratio"
    assert evaluate(documents([forum], "en", category="forum_qa"), cfg).reason[0] != "fineweb.short_line_ratio"


def test_filter_mode_gives_the_reasons_annotate_mode_would_and_batches_do_not_matter():
    """Filter mode measures families on shrinking subsets (cheap rules first); the first failing
    rule must be the one annotate mode (every rule on every doc) names, and a doc's decision must
    not depend on its batch-mates."""
    rng = np.random.default_rng(0)
    pool = [EN_BASE, ZH_BASE, words(30), words(60), CODE, EN_BASE + "\n" + "\n".join(["- item"] * 40),
            ZH_BASE + "赌博网赌百家乐" * 20, "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 10,
            EN_BASE + " " + EN_BASE, "短", ""]
    texts = [pool[i] for i in rng.integers(0, len(pool), 60)]
    langs = ["zh" if t.startswith(ZH_BASE[:3]) or t == "短" else "en" for t in texts]
    import pyarrow as pa
    from refinery.ingest.script_ratios import script_ratios

    arr = pa.array(texts)
    table = pa.table({"text": arr, "lang": langs, "lang_score": [0.9] * len(texts), **script_ratios(arr)})
    cfg = CleanConfig()
    filt = evaluate(table, cfg)
    ann = evaluate(table, cfg, measure_all=True)
    assert list(filt.reason) == list(ann.reason)
    assert len(set(filt.reason)) >= 5
    single = [evaluate(table.slice(i, 1), cfg).reason[0] for i in range(0, 60, 7)]
    assert single == list(filt.reason[::7])
    failed = ~np.equal(filt.reason, None)
    assert np.allclose(filt.value[failed], [ann.values[r][i] for i, r in enumerate(filt.reason) if r is not None])


def test_dotted_command_line_overrides_reach_dotted_rule_ids():
    from refinery.config import parse_overrides

    cfg = load_config(None, CleanConfig, parse_overrides(["profiles.en.thresholds.gopher.min_words=30",
                                                          "categories.news.fineweb.*=null"]))
    assert cfg.resolved["en"].thresholds["gopher.min_words"] == 30
    assert cfg.categories["news"] == {"fineweb.*": None}
    with pytest.raises(ConfigError, match="profiles.en.thresholds.gopher.min_words: expected a number"):
        load_config(None, CleanConfig, parse_overrides(["profiles.en.thresholds.gopher.min_words=many"]))


def test_job_defaults_are_the_pipelines():
    """`spark-submit jobs/clean.py` without options, conf/clean.yaml, and the pipeline's clean stage
    with an empty section are one config: category routing with the shipped domain model."""
    from refinery.config import parse_overrides
    from refinery.spark.job import parser_for
    from refinery.spark.stages import stage
    from refinery.pipeline.config import StageSpec
    from refinery.pipeline.run import load_stage_config

    from refinery.pipeline.config import PipelineConfig

    def effective(cfg):  # what the job runs with: the resolved profiles, not how the YAML spelled them
        d = dataclasses.asdict(cfg)
        d.pop("profiles")
        return d, {k: dataclasses.asdict(v) for k, v in cfg.resolved.items()}

    clean = stage("clean")  # exactly what job_main loads for `jobs/clean.py --input x --output y`
    args = parser_for(clean).parse_args(["--input", "x", "--output", "y"])
    job = load_config(args.config, clean.config_cls, {**parse_overrides(args.set), **clean.overrides(args)})
    pipeline = load_stage_config("clean", StageSpec())
    shipped = load_config(os.path.join(REPO, "conf", "clean.yaml"), CleanConfig)
    demo = load_config(os.path.join(REPO, "conf", "pipeline.demo.yaml"), PipelineConfig)
    assert effective(job) == effective(pipeline) == effective(shipped) == effective(load_stage_config("clean", demo.clean))
    # left relative: looked up where it is used (an executor's models/, else this checkout's)
    assert job.category_model == "models/domain.ftz" and os.path.isfile(os.path.join(REPO, "models", "domain.ftz"))


def test_symbol_ratio_is_counted_only_where_a_threshold_judges_it():
    """Filter mode leaves the symbol share of code and documentation unmeasured (their categories
    switch the rule off); where it is judged, its value is the share ``re`` counts."""
    import re

    import pyarrow as pa

    noisy = EN_BASE + " " + "#$%&*+<>|~^@!?" * 40
    batch = pa.concat_tables([documents([noisy], "en", category="news"), documents([noisy], "en", category="code")])
    d = evaluate(batch, CleanConfig())
    chars = len(re.findall(r"\S", noisy))
    want = len(re.findall(r"[^\w\s]", noisy)) / chars  # ASCII text: every non-word, non-space character is P or S
    assert d.reason[0] == "general.symbol_ratio" and d.value[0] == pytest.approx(want)
    assert np.isnan(d.values["general.symbol_ratio"][1]) and d.reason[1] != "general.symbol_ratio"
    annotated = evaluate(batch, CleanConfig(), measure_all=True)  # annotate mode measures every value
    assert annotated.values["general.symbol_ratio"] == pytest.approx([want, want])


def test_filter_mode_reasons_on_real_pages_of_every_category(real_slice):
    """The same on the real slice, with the shipped domain model's categories: filter mode makes
    the prose view only for the rows a prose rule still judges and counts the symbol share only
    where it is on; its reasons and values are annotate mode's first failing rule."""
    import pyarrow as pa

    from refinery.ingest.script_ratios import script_ratios
    from refinery.scoring.domain import DomainClassifier

    texts = real_slice.column("text").combine_chunks()
    langs = real_slice.column("lang").to_pylist()
    category = DomainClassifier(CleanConfig().category_model).classify(texts)[0]
    table = pa.table({"text": texts, "lang": langs, "lang_score": [0.9] * len(texts), "category": category,
                      **script_ratios(texts)})
    cfg = CleanConfig()
    filt, ann = evaluate(table, cfg), evaluate(table, cfg, measure_all=True)
    assert len(set(category.to_pylist())) >= 3 and len(set(filt.reason)) >= 4
    assert list(filt.reason) == list(ann.reason)
    failed = ~np.equal(filt.reason, None)
    assert np.allclose(filt.value[failed], [ann.values[r][i] for i, r in enumerate(filt.reason) if r is not None])
