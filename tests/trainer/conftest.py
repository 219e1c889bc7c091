"""The ZeRO-3 run two e2e modules share (session scope, so its deepspeed launches run once):
test_train_e2e checks its resume, spikes and export; test_curriculum_e2e continues from the export."""
import pytest

from tests.trainer.launch import check, deepspeed, metrics, zero3_args
from trainer.synthetic import write_synthetic_shards


@pytest.fixture(scope="session")
def zero3_shards(tmp_path_factory):
    out = tmp_path_factory.mktemp("shards")
    # 3 small chunks: the runs cross chunk boundaries (checkpoints there) and epochs
    write_synthetic_shards(str(out), n_chunks=3, tokens_per_chunk=6000, vocab_size=512, seed=0)
    return str(out)


@pytest.fixture(scope="session")
def zero3_run(zero3_shards, tmp_path_factory):
    """(run_dir, the first launch's metrics up to its SIGKILL): the resumed, spiked, rolled-back run to step 14."""
    run_dir = tmp_path_factory.mktemp("zero3")
    killed = deepspeed(zero3_args(zero3_shards, run_dir, "debug.kill_at_step=9"))
    assert killed.returncode != 0
    before_kill = metrics(run_dir)
    # relaunch: auto-resume; a `save` request is waiting; loss spikes are injected at steps 11–13
    (run_dir / "save").touch()
    check(deepspeed(zero3_args(zero3_shards, run_dir, "debug.spike_steps=[11,12,13]", "stability.rollback_after=3")))
    return run_dir, before_kill


@pytest.fixture(scope="session")
def zero3_export(zero3_run, tmp_path_factory):
    """(Hugging Face directory, export info) of the ZeRO-3 run's ckpt-14."""
    from trainer.export import export

    out = tmp_path_factory.mktemp("zero3-hf") / "hf"
    return out, export(str(zero3_run[0] / "ckpt-14"), str(out))
