"""Where a job finds its models (refinery.spark.model_files) and what it does when the input's
filesystem cannot be read at all (hdfs:// here: no libjvm/libhdfs on this machine)."""
import os
import shutil

import pytest

from refinery.scoring.config import REPO
from refinery.scoring.fasttext_model import ModelLoadError
from refinery.spark.ingest_files import unreadable_filesystem
from refinery.spark.inputs import InputError
from refinery.spark.job import job_main
from refinery.spark.model_files import local_copy

UNREACHABLE = "hdfs://127.0.0.1:9"  # nothing listens there, and pyarrow has no libhdfs here


def test_a_relative_model_path_is_looked_up_where_it_is_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # no models/ here: the checkout's (a local run from any directory)
    assert local_copy("models/domain.ftz") == str(REPO / "models" / "domain.ftz")
    # models/ in the working directory (what --archives models.tar.gz#models gives an executor) wins
    (tmp_path / "models").mkdir()
    shutil.copy(REPO / "models" / "domain.ftz", tmp_path / "models" / "domain.ftz")
    assert local_copy("models/domain.ftz") == str(tmp_path / "models" / "domain.ftz")
    assert local_copy(str(REPO / "models" / "lid.176.ftz")) == str(REPO / "models" / "lid.176.ftz")
    with pytest.raises(ModelLoadError, match=r"models/nope\.ftz not found on this machine \(looked in .*"
                                              + str(tmp_path / "models" / "nope.ftz")):
        local_copy("models/nope.ftz")


def test_the_job_config_keeps_model_paths_relative(tmp_path, monkeypatch):
    from refinery.config import ConfigError, load_config
    from refinery.filters.config import CleanConfig
    from refinery.ingest.config import IngestConfig
    from refinery.scoring.config import ScoreConfig

    monkeypatch.chdir(tmp_path)
    score = load_config(None, ScoreConfig)
    assert score.model_paths() == {("models", "domain"): "models/domain.ftz", ("models", "fasttext_quality"): "models/quality.ftz",
                                   ("models", "bert_quality"): "models/quality_bert"}
    assert load_config(None, CleanConfig).model_paths() == {("category_model",): "models/domain.ftz"}
    assert load_config(None, IngestConfig).model_paths() == {("langid_model",): "models/lid.176.ftz"}
    # a URI is not looked at before Spark; a local path that exists nowhere is a config error
    assert load_config(None, CleanConfig, {"category_model": f"{UNREACHABLE}/m/domain.ftz"}).category_model.startswith("hdfs://")
    with pytest.raises(ConfigError, match="^category_model: no model file at .*nope.ftz"):
        load_config(None, CleanConfig, {"category_model": "models/nope.ftz"})


def test_a_word_list_path_resolves_like_a_model(tmp_path, monkeypatch):
    from refinery.config import load_config
    from refinery.filters.config import CleanConfig
    from refinery.filters.rule import load_wordlist
    from refinery.spark.model_files import localized

    monkeypatch.chdir(tmp_path)
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "stop.txt").write_text("# mine\nthe\nand\n", encoding="utf-8")
    cfg = load_config(None, CleanConfig, {"profiles": {"en": {"stop_words": "lists/stop.txt"}}})
    assert cfg.model_paths()[("resolved", "en", "stop_words")] == "lists/stop.txt"
    here = localized(cfg)  # what each executor's cleaner is built from
    assert here.resolved["en"].stop_words == str(tmp_path / "lists" / "stop.txt")
    assert here.category_model == str(REPO / "models" / "domain.ftz") and cfg.resolved["en"].stop_words == "lists/stop.txt"
    assert load_wordlist(here.resolved["en"].stop_words) == ("the", "and")
    assert "the" in load_wordlist("en_stopwords.txt")  # a shipped list, read through the package


def test_an_unreadable_input_filesystem_on_the_driver_is_one_line_before_spark(monkeypatch, capsys, tmp_path):
    def no_spark(*a, **k):
        raise AssertionError("Spark must not start")

    monkeypatch.setattr("refinery.spark.session.build_session", no_spark)
    rc = job_main(__import__("refinery.spark.ingest", fromlist=["STAGE"]).STAGE,
                  ["--input", f"{UNREACHABLE}/crawl/", "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1
    assert err[0].startswith(f"ingest: input error: --input {UNREACHABLE}/crawl/: cannot read {UNREACHABLE}: OSError: ")


def test_an_input_filesystem_the_executors_cannot_read_fails_the_job(spark, tmp_path):
    """The driver listed the files (here: given them); every executor open fails the same way,
    so the job raises one line naming the filesystem and commits nothing, instead of one
    ingest.read_error row per file."""
    from refinery.ingest.config import IngestConfig
    from refinery.spark.ingest import run

    files = [f"{UNREACHABLE}/crawl/a.warc.gz", f"{UNREACHABLE}/crawl/b.jsonl.gz", f"{UNREACHABLE}/crawl/c.parquet"]
    with pytest.raises(InputError, match=rf"^cannot read {UNREACHABLE} where the job runs: every input file \(3\) "
                                         r"failed to open with OSError: "):
        run(spark, files, str(tmp_path / "out"), IngestConfig(files_per_task=3))  # one task
    assert not (tmp_path / "out").exists() and not [n for n in os.listdir(tmp_path) if n.startswith(".out")]


def test_damaged_files_are_rows_not_a_dead_filesystem():
    fail = {"failed": True, "bytes_read": None, "error": "OSError: Unable to load libjvm"}
    assert unreadable_filesystem({f"{UNREACHABLE}/a.warc": fail, f"{UNREACHABLE}/b.warc": fail}).startswith(
        f"cannot read {UNREACHABLE} where the job runs: every input file (2)")
    # the path in a message is not a different cause
    assert unreadable_filesystem({p: dict(fail, error=f"PermissionError: [Errno 13] {p}") for p in ("/d/a.warc", "/d/b.warc")})
    assert unreadable_filesystem({"/d/a.warc": fail, "/d/b.warc": dict(fail, bytes_read=100)}) is None  # one was read
    assert unreadable_filesystem({"/d/a.warc": fail, "/d/b.warc": dict(fail, failed=False)}) is None
    assert unreadable_filesystem({"/d/a.warc": fail, "/d/b.warc": dict(fail, error="ValueError: not gzip")}) is None
    assert unreadable_filesystem({"/d/a.warc": fail, f"{UNREACHABLE}/b.warc": fail}) is None  # two filesystems
    assert unreadable_filesystem({}) is None


def test_shipped_word_lists_are_read_from_the_code_zip(tmp_path):
    """An executor imports the code from make dist's --py-files zip, where ``open(__file__…)``
    cannot reach a data file: the tokenizer's dirty-word list must come through the package (clean's
    lists do, and the standalone-cluster test runs clean from the zip). ``-S``: no site-packages, so
    nothing but the zip can supply the module."""
    import subprocess
    import sys

    from refinery.deploy import pack_code

    zipped = tmp_path / "refinery.zip"
    pack_code(str(REPO), str(zipped))
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import refinery.tokenize.dirty_tokens as d; "
             "assert d.__file__.startswith(sys.argv[1]), d.__file__; "
             "print(len(d.load_dirty_words()))")
    out = subprocess.run([sys.executable, "-S", "-c", probe, str(zipped)], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    with open(REPO / "refinery" / "tokenize" / "data" / "dirty_words.txt", encoding="utf-8") as f:  # the source file is the oracle
        dirty = {w.strip().lower() for w in f if w.strip() and not w.startswith("#")}
    assert int(out.stdout) == len(dirty) > 0
