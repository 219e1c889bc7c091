"""Phases, windowed chunk shuffle, drop detection, the rollback plan, window text — without a launch."""
import json
import math
import os
import statistics

import numpy as np
import pytest

from refinery.config import ConfigError, load_config, parse_overrides
from trainer import rollback
from trainer.config import StabilityConfig, TrainerConfig
from trainer.data import chunk_order
from trainer.phases import phase_at, resolve_phases
from trainer.schedule import build_schedule
from trainer.stability import SpikeDetector


def _cfg(tmp_path, *overrides):
    return load_config("trainer/configs/tiny.yaml", TrainerConfig,
                       parse_overrides([f"data.shards={tmp_path}", f"run_dir={tmp_path}/run", *overrides]))


def test_chunk_order_follows_the_mix_unless_asked_and_shuffles_only_inside_windows():
    assert chunk_order(10, False, 0, 1, 0).tolist() == list(range(10))
    full = chunk_order(10, True, 0, 1, 0)
    assert sorted(full.tolist()) == list(range(10)) and full.tolist() != list(range(10))
    local = chunk_order(10, True, 4, 1, 0)
    blocks = [local[0:4], local[4:8], local[8:10]]
    assert [sorted(b.tolist()) for b in blocks] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert local.tolist() != list(range(10))
    assert chunk_order(10, True, 4, 1, 0).tolist() == local.tolist()      # seeded: resumable
    assert chunk_order(10, True, 4, 1, 1).tolist() != local.tolist()      # another epoch, another order


def test_phases_resolve_decay_start_and_validate(tmp_path):
    (tmp_path / "b").mkdir()
    phases = json.dumps([{"name": "main"}, {"name": "anneal", "shards": str(tmp_path / "b"), "start": "decay_start"}])
    cfg = _cfg(tmp_path, f"phases={phases}", "schedule.kind=wsd", "schedule.decay_fraction=0.2",
               "schedule.total_steps=100", "train.max_steps=30")
    schedule = build_schedule(cfg.schedule, cfg.optimizer.lr, cfg.schedule.total_steps, 1)
    resolved = resolve_phases(cfg, schedule.decay_start)
    assert [p.start for p in resolved] == [0, 80]   # WSD decays over the last 20 of 100 steps
    assert schedule.lr_at(79) == cfg.optimizer.lr and schedule.lr_at(80) < cfg.optimizer.lr
    assert [phase_at(resolved, s).name for s in (0, 79, 80, 99)] == ["main", "main", "anneal", "anneal"]
    assert resolved[1].shards == str(tmp_path / "b") and resolved[0].shards == str(tmp_path)

    with pytest.raises(ConfigError, match=r"^phases\[1\]\.start: decay_start needs schedule.kind wsd"):
        _cfg(tmp_path, f"phases={phases}")
    with pytest.raises(ConfigError, match=r"^phases\[0\]\.start: the first phase starts at step 0"):
        _cfg(tmp_path, 'phases=[{"start": 5}]')
    with pytest.raises(ConfigError, match=r"^phases\[0\]\.seq_len: longer than"):
        _cfg(tmp_path, 'phases=[{"seq_len": 4096}]')
    with pytest.raises(ConfigError, match=r"^phases\[0\]\.shards: not a directory"):
        _cfg(tmp_path, f'phases=[{{"shards": "{tmp_path}/missing"}}]')
    with pytest.raises(ConfigError, match=r"^data\.eval_shards: overlaps the training shards"):
        _cfg(tmp_path, f"data.eval_shards={tmp_path}")
    # the mix's held-out shards live in SHARDS/heldout/: another directory's chunks, accepted ...
    (tmp_path / "chunk-00000").mkdir()
    (tmp_path / "heldout" / "chunk-00000").mkdir(parents=True)
    assert _cfg(tmp_path, f"data.eval_shards={tmp_path}/heldout").data.eval_shards == f"{tmp_path}/heldout"
    # ... unless one of their chunks is a training chunk
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "chunk-00003").symlink_to(tmp_path / "chunk-00000")
    with pytest.raises(ConfigError, match=r"^data\.eval_shards: overlaps the training shards"):
        _cfg(tmp_path, f"data.eval_shards={tmp_path}/linked")
    with pytest.raises(ConfigError, match=r"^schedule\.total_steps: must be positive"):
        _cfg(tmp_path, "schedule.total_steps=0")
    # a long-context phase may go past model.max_seq_len when its RoPE scaling allows it
    ok = _cfg(tmp_path, 'phases=[{"seq_len": 256, "rope": {"type": "linear", "factor": 2.0}}]')
    assert resolve_phases(ok, 0)[0].seq_len == 256


def test_drops_and_spikes_are_judged_against_the_healthy_window():
    det = SpikeDetector(StabilityConfig(window=10, min_history=5, sigma=3.0, drop_sigma=3.0))
    history = [2.0, 2.1, 1.9, 2.05, 1.95, 2.0, 2.02, 1.98]
    for x in history:
        assert det.classify(x) == "ok"
        det.record_loss(x)
    mean, sd = statistics.mean(history), statistics.stdev(history)      # the oracle: the statistics module
    assert det.drop_threshold() == pytest.approx(mean - 3 * sd) and det.threshold() == pytest.approx(mean + 3 * sd)
    assert det.classify(mean - 3.1 * sd) == "drop"
    assert det.classify(mean - 2.9 * sd) == "ok"
    assert det.classify(mean + 3.1 * sd) == "spike" and det.classify(math.nan) == "spike"
    det.reset_history()
    assert det.classify(0.1) == "ok"   # a new phase: no verdict before min_history


def _fake_checkpoint(run_dir, step, phase, sampler):
    path = run_dir / f"ckpt-{step}"
    path.mkdir(parents=True)
    (path / "loop.json").write_text(json.dumps({"step": step, "phase": phase, "sampler": sampler}))
    (path / "trainer_config.json").write_text(json.dumps({"data": {"shards": str(run_dir.parent / "shards")},
                                                          "phases": []}))
    (path / "COMPLETE").write_text("{}")


def test_rollback_plan_skips_to_the_newest_position_or_k_chunks_and_the_trainer_applies_it(tmp_path):
    from trainer.synthetic import write_synthetic_shards

    write_synthetic_shards(str(tmp_path / "shards"), n_chunks=3, tokens_per_chunk=300)
    run = tmp_path / "run"
    _fake_checkpoint(run, 10, 0, {"epoch": 0, "chunk_pos": 1, "window_pos": 5, "seed": 7})
    _fake_checkpoint(run, 20, 0, {"epoch": 0, "chunk_pos": 2, "window_pos": 3, "seed": 7})
    (run / "ckpt-25").mkdir()  # a cut-short save: moved aside too
    default = rollback.plan(str(run), "ckpt-10", None)
    assert default["sampler"] == {"epoch": 0, "chunk_pos": 2, "window_pos": 3, "seed": 7}
    assert default["moved"] == ["ckpt-20", "ckpt-25"]
    wrapped = rollback.plan(str(run), "ckpt-10", 2)   # chunk 1 + 2 of 3 chunks: the next epoch's first
    assert wrapped["sampler"] == {"epoch": 1, "chunk_pos": 0, "window_pos": 0, "seed": 7}
    rollback.apply(str(run), wrapped)
    assert sorted(os.listdir(run / "rolled_back")) == ["ckpt-20", "ckpt-25"] and not (run / "ckpt-20").exists()
    assert rollback.pending(str(run), str(run / "ckpt-10"))["sampler"] == wrapped["sampler"]
    assert rollback.pending(str(run), str(run / "ckpt-30")) is None     # a later checkpoint carries its own
    assert rollback.main([str(run), "--to", "ckpt-99"]) == 2


def test_window_text_decodes_the_window_from_the_source_text(tmp_path, capsys):
    from tokenizers import Tokenizer, models, pre_tokenizers

    from refinery.tokenize.shards import ChunkWriter
    from trainer.window_text import main

    texts = ["the cat sat on the mat and purred", "a dog ran in the park after a ball", "birds sing at dawn"]
    words = sorted({w for t in texts for w in t.split()}) + ["<eos>"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<eos>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.save(str(tmp_path / "tokenizer.json"))
    eos = words.index("<eos>")
    writer = ChunkWriter(str(tmp_path / "shards" / "chunk-00000"), ["en"], len(words), "test")
    for i, t in enumerate(texts):
        writer.add_document(np.array(tok.encode(t).ids + [eos]), "en", f"doc-{i}")
    writer.close()
    assert main(["--shards", str(tmp_path / "shards"), "--seq-len", "4", "--tokenizer",
                 str(tmp_path / "tokenizer.json"), "chunk-00000:2"]) == 0
    out = capsys.readouterr().out.splitlines()
    # tokens 8..12 of the stream "the cat sat on the mat and purred <eos> a dog …": "<eos> a dog ran in"
    assert out[1] == "<eos> a dog ran in"
    assert "doc-0 [en], doc-1 [en]" in out[0]
    assert main(["--shards", str(tmp_path / "shards"), "--seq-len", "4", "chunk-00000:99"]) == 2
