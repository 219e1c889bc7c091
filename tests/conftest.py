"""Shared fixtures: one local[2] Spark session for the whole test run."""
import os
import sys

import io
import random

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from refinery.spark.session import SHORT_LIVED_JVM

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
if os.environ.get("PYTEST_XDIST_WORKER"):
    # a world-of-one trainer (plain ``python``) binds MASTER_PORT: one port per xdist worker
    os.environ.setdefault("MASTER_PORT", str(29512 + int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))))

TEST_SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "2g",
    "spark.driver.extraJavaOptions": SHORT_LIVED_JVM,
}


@pytest.fixture(scope="session")
def real_slice():
    """The real corpus slice (``make corpus``) as a pyarrow Table; fails, never skips, when absent."""
    import corpus

    try:
        return corpus.load(slice=True)
    except corpus.CorpusMissing as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def spark():
    from refinery.spark.session import build_session

    session = build_session("refinery-tests", conf=TEST_SPARK_CONF, master="local[2]")
    yield session
    session.stop()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under ``pytest -n 2 --dist loadgroup`` (``make test``) a module's tests stay on one worker, so
    its module fixtures are built once; modules that share a session fixture name one group."""
    for item in items:
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # longest first (with --no-loadscope-reorder): the slow end-to-end modules start at once
        # instead of one of them running alone at the end
        slow = {item.module.__name__ for item in items if item.get_closest_marker("slow")}
        items.sort(key=lambda item: item.module.__name__ not in slow)


def _write_garbage_page(path):
    """A 200 text/html response that says utf-8 but is binary noise: a decode error."""
    rng = random.Random(7)
    body = bytes(rng.randrange(128, 256) for _ in range(4000))
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        rec = writer.create_warc_record("http://garbage.example/x", "response", payload=io.BytesIO(body),
                                        http_headers=headers, warc_headers_dict={"WARC-Date": "2024-01-01T00:00:00Z"})
        writer.write_record(rec)


@pytest.fixture(scope="session")
def fault_output(spark, tmp_path_factory):
    """The ingest job over the fault corpus plus one undecodable page: (expected, stats, out)."""
    import refinery.spark.ingest as ingest_job
    from refinery.config import load_config
    from refinery.ingest.config import IngestConfig
    from refinery.ingest.readers import list_input_files
    from tests.ingest.fault_corpus import write_fault_corpus

    root = tmp_path_factory.mktemp("faults")
    expected = write_fault_corpus(root / "in")
    _write_garbage_page(root / "in" / "e.warc.gz")
    out = root / "out"
    cfg = load_config(None, IngestConfig)
    stats = ingest_job.run(spark, list_input_files(str(root / "in")), str(out), cfg)
    return expected, stats, out




# --- mix / tokenize (issue 7): the bundled sample as documents, a tokenizer, one mix -------------


@pytest.fixture(scope="session")
def sample_documents(tmp_path_factory):
    """DOCUMENT-schema Parquet of the bundled sample's JSONL (ingest operator, no Spark) + quality_score."""
    from tests.mix.fixtures import write_sample_documents

    return write_sample_documents(tmp_path_factory.mktemp("sample_docs") / "kept")


@pytest.fixture(scope="session")
def sample_tokenizer(sample_documents, tmp_path_factory):
    from tests.mix.fixtures import train_sample_tokenizer

    return train_sample_tokenizer(sample_documents, tmp_path_factory.mktemp("sample_tok") / "tok")


@pytest.fixture(scope="session")
def sample_mix(spark, sample_documents, sample_tokenizer, tmp_path_factory):
    """jobs/mix.py over the sample at zh:en:code = 4:4:2: (output dir, stats, config, usage table)."""
    import refinery.spark.mix as mix_job
    from refinery.config import load_config
    from refinery.mix.config import MixConfig
    from tests.mix.fixtures import write_mix_config

    root = tmp_path_factory.mktemp("mix")
    cfg = load_config(str(write_mix_config(root / "mix.yaml", sample_tokenizer, root / "usage")), MixConfig)
    stats = mix_job.run(spark, [str(sample_documents)], str(root / "out"), cfg)
    return root / "out", stats, cfg, root / "usage"
