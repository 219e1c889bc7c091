"""The one input rule and the one error rule of every jobs/<stage>.py (no Spark starts here).

Oracle: the directory layouts the tests build (what a stage output, a mix output, a Parquet
dataset look like on disk) and the exit status / stderr a user sees.
"""
from __future__ import annotations

import importlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from refinery.spark.inputs import InputError, resolve_inputs
from refinery.spark.paths import qualify


def _parquet(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"doc_id": ["a"], "text": ["x"]}), path)
    return path


@pytest.fixture
def layouts(tmp_path):
    stage = tmp_path / "ingest"
    _parquet(stage / "kept" / "part-0.parquet")
    _parquet(stage / "rejected" / "reason=r" / "part-0.parquet")
    mix = tmp_path / "mix"
    _parquet(mix / "data" / "part-0.parquet")
    dataset = tmp_path / "docs"
    _parquet(dataset / "a.parquet")
    _parquet(dataset / "sub" / "b.parquet")
    return tmp_path, stage, mix, dataset


def test_stage_mix_and_dataset_inputs_resolve_to_their_documents(layouts):
    root, stage, mix, dataset = layouts
    assert resolve_inputs([str(stage)]) == [qualify(str(stage / "kept"))]
    assert resolve_inputs([str(mix)]) == [qualify(str(mix / "data"))]
    assert resolve_inputs([str(dataset)]) == [qualify(str(dataset))]
    assert resolve_inputs([str(dataset / "a.parquet")]) == [qualify(str(dataset / "a.parquet"))]


def test_glob_and_list_inputs_expand_by_the_same_rule(layouts):
    root, stage, mix, dataset = layouts
    assert resolve_inputs([str(root / "[im]*")]) == [qualify(str(stage / "kept")), qualify(str(mix / "data"))]
    listing = root / "inputs.txt"
    listing.write_text(f"# two inputs\n{stage}\n\n{dataset}/*.parquet\n")
    assert resolve_inputs(["@" + str(listing)]) == [qualify(str(stage / "kept")), qualify(str(dataset / "a.parquet"))]


@pytest.mark.parametrize("make, problem", [
    (lambda root: root / "missing", "no such file or directory"),
    (lambda root: (root / "empty").mkdir() or root / "empty", "no Parquet files"),
    (lambda root: (root / "f.txt").write_text("x") and root / "f.txt", "not a .parquet file"),
    (lambda root: _parquet(root / "s" / "rejected" / "p.parquet").parent.parent, "without kept/"),
    (lambda root: str(root / "nothing*"), "matches nothing"),
    (lambda root: "@" + str(root / "no-list.txt"), "does not exist"),
])
def test_anything_else_is_one_line_naming_the_path(tmp_path, make, problem):
    path = str(make(tmp_path))
    with pytest.raises(InputError) as e:
        resolve_inputs([path])
    message = str(e.value)
    assert "\n" not in message and path in message and problem in message
    assert "expected a stage output directory" in message


def _tokenizer(tmp_path):
    d = tmp_path / "tok"
    d.mkdir(exist_ok=True)
    (d / "tokenizer.json").write_text("{}")  # only its presence is checked before Spark
    return str(d)


# job module, args with a bad input, args with a bad config (each also valid otherwise)
CASES = {
    "ingest": (["--input", "{root}/missing"], ["--input", "{root}", "--set", "batch_size=-3"]),
    "clean": (["--input", "{root}/missing"], ["--input", "{docs}", "--steps", "lines,dedup"]),
    "score": (["--input", "{root}/missing"], ["--input", "{docs}", "--set", "cascade.mode=nonsense"]),
    "dedup": (["--input", "{root}/missing"], ["--input", "{docs}", "--set", "lsh.threshold=7"]),
    "mix": (["--input", "{root}/missing", "--config", "{mixcfg}"], ["--input", "{docs}", "--config", "{root}/no.yaml"]),
    "shards": (["--input", "{root}/missing", "--tokenizer", "{tok}", "--chunk-tokens", "10"],
                 ["--input", "{docs}", "--tokenizer", "{tok}", "--chunk-tokens", "0"]),
    "crawl": (["--seeds", "{root}/no-seeds.txt"], ["--seeds", "{seeds}", "--set", "per_host_concurrency=0"]),
}


@pytest.mark.parametrize("job", sorted(CASES))
@pytest.mark.parametrize("which", ["bad input", "bad config"])
def test_every_job_exits_2_with_one_line_before_spark(job, which, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("refinery.spark.session.build_session",
                        lambda *a, **k: pytest.fail(f"{job}: Spark started for a {which}"))
    docs = tmp_path / "docs"
    _parquet(docs / "a.parquet")
    mixcfg = tmp_path / "mix.yaml"
    mixcfg.write_text("total_tokens: 100\nchannels:\n  - {name: all, ratio: 1.0}\n")
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("http://localhost:9/\n")
    fill = {"root": tmp_path, "docs": docs, "tok": _tokenizer(tmp_path), "mixcfg": mixcfg, "seeds": seeds}
    argv = [a.format(**fill) for a in CASES[job][0 if which == "bad input" else 1]] + ["--output", str(tmp_path / "out")]
    main = importlib.import_module(f"jobs.{job}").main
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"{job}: ") and "Traceback" not in captured.err
    assert ("input error" in lines[0]) == (which == "bad input"), lines[0]
    assert captured.out == ""


def test_set_takes_several_overrides_and_repeats(tmp_path):
    from refinery.spark.stages import stage
    from refinery.spark.job import parser_for

    args = parser_for(stage("dedup")).parse_args(["--input", "x", "--output", "y", "--set", "a=1", "b=2", "--set", "c=3"])
    assert args.set == ["a=1", "b=2", "c=3"]
