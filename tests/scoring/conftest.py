"""Tiny models trained once per test session on generated documents (seconds on 2 cores)."""
import pyarrow as pa
import pytest

from tests.scoring.corpus import documents

TINY_BERT = dict(vocab_size=600, hidden=32, layers=1, heads=2, max_length=64, epochs=4, batch_size=16, threads=1, lr=3e-3)


@pytest.fixture(scope="session")
def corpus():
    return pa.Table.from_pylist(documents(300, seed=1))


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory, corpus):
    """(model dir, domain report, BERT metadata): domain.ftz, quality.ftz, quality_bert/."""
    import pyarrow.compute as pc

    from refinery.scoring.fasttext_model import FastTextParams
    from refinery.scoring.train_domain import train_domain
    from refinery.scoring.train_quality import BertTrainParams, train_quality

    root = tmp_path_factory.mktemp("models")
    ft = FastTextParams(dim=16, epoch=20, quantize=False)
    report = train_domain(corpus, str(root / "domain.bin"), ft, holdout=0.25)
    good = pc.equal(corpus.column("label"), "hq")
    meta = train_quality(corpus.filter(good), corpus.filter(pc.invert(good)), str(root / "quality_bert"),
                         BertTrainParams(**TINY_BERT), degrade_fill=False, fasttext_out=str(root / "quality.bin"),
                         fasttext_params=ft, log=lambda *_: None)
    return root, report, meta


@pytest.fixture(scope="session")
def score_config(tiny_models):
    from refinery.config import load_config
    from refinery.scoring.config import ScoreConfig

    root = tiny_models[0]

    def make(**overrides):
        base = {"models": {"domain": str(root / "domain.bin"), "fasttext_quality": str(root / "quality.bin"),
                           "bert_quality": str(root / "quality_bert")}, "bert": {"max_length": 64}}
        for k, v in overrides.items():
            base[k] = {**base.get(k, {}), **v} if isinstance(v, dict) else v
        return load_config(None, ScoreConfig, base)

    return make
