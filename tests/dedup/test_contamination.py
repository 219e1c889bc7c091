"""Decontamination index: n-gram overlap with eval sets, and eval-set file formats."""
import gzip
import json

import pyarrow as pa
import pytest

from refinery.config import ConfigError, load_config
from refinery.dedup.config import DedupConfig
from refinery.dedup.contamination import EvalNgramIndex, read_eval_texts
from refinery.dedup.minhash import ShingleSpec

QUESTION = "Which planet in the solar system has the largest number of confirmed moons as of this year"


def test_overlap_counts_and_names():
    index = EvalNgramIndex({"trivia": [QUESTION], "zh": ["床前明月光疑是地上霜举头望明月低头思故乡"]},
                           ShingleSpec(word_ngram=8, char_ngram=8, mode="word"))
    docs = pa.array([
        "Quiz night! " + QUESTION.upper() + "? Answer below.",  # contains the whole question
        "which planet in the solar system has the largest number",  # 10 words: 3 shared 8-grams
        "A text about planets that shares only a few words: the solar system has moons.",
        "诗曰：床前明月光，疑是地上霜。举头望明月，低头思故乡。",
        None,
    ])
    counts, names = index.matches(docs)
    assert counts[0] == len(QUESTION.split()) - 7 and names[0] == "trivia"
    assert counts[1] == 3 and counts[2] == 0 and names[2] is None
    assert counts[3] > 0 and names[3] == "zh"
    assert counts[4] == 0


def test_eval_files(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"question": "q one"}) + "\n\n" + json.dumps({"question": "q two"}) + "\n")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as f:
        f.write(json.dumps({"text": "gz item"}) + "\n")
    (tmp_path / "c.txt").write_text("line one\n\nline two\n")
    assert read_eval_texts(str(tmp_path / "a.jsonl"), "question") == ["q one", "q two"]
    assert read_eval_texts(str(tmp_path / "b.jsonl.gz")) == ["gz item"]
    assert read_eval_texts(str(tmp_path / "c.txt")) == ["line one", "line two"]
    with pytest.raises(ValueError, match="no string field 'text'"):
        read_eval_texts(str(tmp_path / "a.jsonl"))


@pytest.mark.parametrize("override, key", [
    ({"lsh": {"threshold": 1.5}}, "lsh.threshold"),
    ({"lsh": {"category_thresholds": {"news": 0}}}, "lsh.category_thresholds.news"),
    ({"lsh": {"verify": "maybe"}}, "lsh.verify"),
    ({"minhash": {"num_perm": 1}}, "minhash.num_perm"),
    ({"contamination": {"eval_sets": ["/nonexistent.jsonl"]}}, "contamination.eval_sets[0]"),
    ({"shingle": {}}, "shingle"),
])
def test_bad_config_names_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        load_config(None, DedupConfig, override)


def test_job_exits_2_on_bad_config_before_spark(tmp_path, capsys):
    import jobs.dedup as job

    assert job.main(["--input", str(tmp_path), "--output", str(tmp_path / "o"), "--set", "lsh.threshold=2"]) == 2
    assert "lsh.threshold" in capsys.readouterr().err
