"""The clean job's `category_model`: documents without a category get the domain classifier's
before the rules, so code is judged by the code thresholds, not by prose rules."""
import pyarrow as pa
import pytest

from refinery.config import ConfigError, load_config
from refinery.filters.config import CleanConfig
from refinery.filters.pipeline import make_cleaner
from refinery.scoring.domain import DomainClassifier
from tests.scoring.corpus import documents


def test_missing_categories_come_from_the_domain_model(tiny_models):
    model = str(tiny_models[0] / "domain.bin")
    rows = documents(30, seed=7)
    given = ["news" if i == 0 else None for i in range(len(rows))]  # a category already present wins
    batch = pa.RecordBatch.from_pydict({"doc_id": [f"d{i}" for i in range(len(rows))],
                                        "text": [r["text"] for r in rows], "category": pa.array(given, pa.string())})
    cfg = load_config(None, CleanConfig, {"category_model": model, "steps": ["rules"]})
    out = make_cleaner(cfg)(batch)
    expected, _ = DomainClassifier(model).classify(batch.column("text"))
    got = out.column("category").to_pylist()
    assert got[0] == "news" and got[1:] == expected.to_pylist()[1:]
    truth = [r["category"] for r in rows]
    assert sum(g == t for g, t in zip(got[1:], truth[1:])) >= 0.8 * (len(rows) - 1)
    without = make_cleaner(load_config(None, CleanConfig, {"steps": ["rules"], "category_model": None}))(batch)
    assert without.column("category").to_pylist() == given


def test_missing_category_model_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="^category_model: no model file"):
        load_config(None, CleanConfig, {"category_model": str(tmp_path / "nope.ftz")})
