"""The shipped default models (models/, built by `make models` from the real corpus) on the
real slice, whose labels come from the source (a Python distribution is code, a documentation
package's pages are docs); and the pieces of their build."""
import json
import pathlib

import numpy as np
import pyarrow.compute as pc

from refinery.scoring.domain import DomainClassifier

MODELS = pathlib.Path(__file__).resolve().parents[2] / "models"


def test_shipped_domain_model_routes_real_code_and_docs(real_slice):
    model = DomainClassifier(str(MODELS / "domain.ftz"))
    assert sorted(model.labels) == ["ads_spam", "code", "literature", "markdown_docs"]
    predicted = np.array(model.classify(real_slice.column("text"))[0].to_pylist(), dtype=object)
    code = np.array(real_slice.column("kind").to_pylist()) == "code"
    assert code.sum() > 500 and (~code).sum() > 400
    assert (predicted[code] == "code").mean() >= 0.97
    assert (predicted[~code] == "markdown_docs").mean() >= 0.85
    # per documentation source too, so one large package cannot hide a missed one
    sources = np.array(real_slice.column("source").to_pylist(), dtype=object)
    # floors under what the shipped model does (1.0, 0.855, 0.933, 0.591: session 30). The character
    # n-gram model (s21) that met the macro-F1 goal routes docs worse than the word model before
    # it (1.0, 0.915, 0.867, 0.68): emacs-common's multilingual tutorials go to literature and
    # ads_spam. perl-doc and emacs-common were held out of its training (BUILD_REPORT.json).
    for src, floor in (("debian-handbook", 0.97), ("postgresql-doc-15", 0.78), ("perl-doc", 0.8), ("emacs-common", 0.25)):
        here = sources == src
        assert here.sum() >= 20 and (predicted[here] == "markdown_docs").mean() >= floor, src


def test_build_report_meets_the_held_out_goals():
    report = json.loads((MODELS / "BUILD_REPORT.json").read_text())
    domain = report["domain"]
    assert domain["per_class"]["code"]["recall"] >= 0.95
    assert domain["macro_f1"] >= 0.85  # issue 14's goal on the held-out sources (0.8565 shipped)
    assert sum(f.stat().st_size for f in MODELS.rglob("*") if f.is_file()) <= 20e6  # all models, lid.176 too
    assert set(domain["per_class"]) == {"code", "markdown_docs", "literature", "ads_spam"}
    held = set(report["data"]["held_out_sources"])
    assert {"perl-doc", "dict-devil"} <= held and not held & {"debian-handbook", "postgresql-doc-15", "fortunes-zh"}
    meta = json.loads((MODELS / "quality_bert" / "refinery_quality.json").read_text())
    assert meta["thresholds"] == report["quality"]["cascade"]["thresholds"]
    # held-out Chinese manuals (KiCad, LinuxCNC, the Emacs tutorials) kept by score with the shipped
    # thresholds: 8/11 while the domain model saw 66 Chinese documentation pages, 10/11 with all 256
    kept = report["quality"]["cascade"]["held_out_kept"]
    assert kept["markdown_docs/zh"]["docs"] >= 10 and kept["markdown_docs/zh"]["kept_rate"] >= 0.8
    assert kept["negatives"]["docs"] >= 1000 and kept["negatives"]["kept_rate"] <= 0.15
    # README pages of held-out Python distributions: 74/100 with a BERT trained on heads only
    # (title and badges), 87/100 trained on random windows of the first four
    assert kept["markdown_docs/-"]["docs"] >= 80 and kept["markdown_docs/-"]["kept_rate"] >= 0.8
    assert meta["training"]["params"]["windows"] > 1


def test_negative_generator_halves_share_no_vocabulary():
    from refinery.scoring import negatives

    a = negatives.generate(60, half=0, seed=0)
    b = negatives.generate(60, half=1, seed=0)
    assert [r["family"] for r in a] == [r["family"] for r in b]
    assert set(r["family"] for r in a) == set(negatives.FAMILIES) - {"spun"}  # no texts to spin given
    train_words = " ".join(r["text"] for r in a)
    for kw in negatives._EN_SPAM[1::2] + negatives._ZH_SPAM[1::2]:  # half 1's keywords
        assert kw not in train_words, kw
    assert negatives.generate(60, half=0, seed=0) == a  # deterministic
    spun = negatives.generate(7, half=0, seed=0, spun_from=["the cat sat on the mat and the dog sat on the log"] * 3)
    assert spun[5]["family"] == "spun" and set(spun[5]["text"].split()) <= set("the cat sat on mat and dog log".split())


def test_calibrated_thresholds_keep_the_asked_share_of_real_text():
    from refinery.scoring.build_default_models import calibrate

    rng = np.random.default_rng(0)
    pos = rng.uniform(0.3, 1.0, 1000)
    neg = rng.uniform(0.0, 0.4, 1000)
    scores = np.concatenate([pos, neg])
    positive = np.r_[np.ones(1000, bool), np.zeros(1000, bool)]
    category = np.array(["code"] * 500 + ["literature"] * 500 + ["ads_spam"] * 1000, dtype=object)
    cut, glob = calibrate(scores, category, positive, keep=0.85)
    for c, sl in (("code", slice(0, 500)), ("literature", slice(500, 1000))):
        kept = (pos[sl] >= cut[c]).mean()
        assert 0.84 <= kept <= 0.86, (c, kept)
    assert cut["ads_spam"] == max(cut["code"], cut["literature"])  # no real text was sent there: the strictest
    assert cut["news"] == glob and 0.3 <= glob <= 0.4


def test_stratified_sample_draws_across_sources():
    import pyarrow as pa

    from refinery.scoring.real_training_set import held_out_source, stratified_sample

    rows = [{"label": "code", "source": "big", "lang": None}] * 900 + [{"label": "code", "source": "small", "lang": None}] * 30
    t = pa.Table.from_pylist([dict(r, text=str(i)) for i, r in enumerate(rows)])
    s = stratified_sample(t, 100)
    assert s.num_rows == 100 and s.column("source").to_pylist().count("small") == 30
    assert held_out_source("perl-doc") and not held_out_source("debian-handbook")
    dists = [f"python:d{i}" for i in range(200)]
    assert 20 < sum(map(held_out_source, dists)) < 60
