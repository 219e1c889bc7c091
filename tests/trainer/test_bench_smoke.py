"""bench/train.py --smoke: the GPU benchmark's code path on CPU (one launch, tiny config)."""
import glob
import json
import os
import sys
import tempfile

import pytest

pytestmark = pytest.mark.slow


def test_bench_train_smoke_writes_the_figures_and_deletes_its_files(tmp_path):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
    import train as bench_train

    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "bench-train-*")))
    out = tmp_path / "result.json"
    assert bench_train.main(["--smoke", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["steps"] == 4 and result["device"] == "cpu" and "data.document_mask=true" in result["overrides"]
    assert 0 < result["first_loss_wall_s"] <= result["total_wall_s"]
    assert result["tokens_per_s"] > 0 and 0 <= result["loader_wait_percent"] <= 100
    assert result["startup_s"]["first_loss"] > 0
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "bench-train-*"))) == before
