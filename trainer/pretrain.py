"""Pretrain or continue-pretrain a LLaMA-style model with DeepSpeed ZeRO from token shards.

    deepspeed [--num_gpus N | --hostfile H] trainer/pretrain.py --config trainer/configs/<name>.yaml \
        [--init-from HF_DIR] [dotted.key=value ...]

Read top to bottom: config → process group → model → engine → resume → data → the loop. Each
concern (data, schedule, checkpoint, stability, metrics) is a small module the loop calls.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from dataclasses import asdict

if __package__ in (None, ""):  # run as a script by the deepspeed launcher
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from refinery.config import ConfigError, load_config, parse_overrides  # noqa: E402
from trainer.config import TrainerConfig  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(prog="trainer/pretrain.py", description=__doc__.splitlines()[0])
    p.add_argument("--config", required=True, help="trainer/configs/<name>.yaml")
    p.add_argument("--init-from", help="Hugging Face model directory to continue pretraining from")
    p.add_argument("--local_rank", type=int, default=None, help=argparse.SUPPRESS)  # set by the launcher
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="e.g. train.max_steps=1000")
    return p.parse_args(argv)


def load_trainer_config(argv) -> TrainerConfig:
    args = parse_args(argv)
    overrides = parse_overrides(args.overrides)
    if args.init_from:
        overrides["init_from"] = args.init_from
    return load_config(args.config, TrainerConfig, overrides)


def launch_time() -> float:
    """When the run was launched: the oldest ``deepspeed`` launcher process above this rank (or
    this process under plain python / torchrun), so time-to-first-loss includes the launcher."""
    import psutil  # light: no torch

    proc = psutil.Process()
    start = proc.create_time()
    try:
        for parent in proc.parents():
            if any("deepspeed" in part or "torchrun" in part for part in parent.cmdline()[:3]):
                start = parent.create_time()
    except (psutil.Error, OSError):
        pass
    return start


def forward_loss(engine, batch, device, z_loss: float):
    """Mean next-token loss (+ PaLM z-loss) and the per-token losses for the channel metrics."""
    from trainer.attention import model_inputs
    from trainer.loss import causal_lm_loss

    t = {k: batch.tensors[k].to(device, non_blocking=True) for k in ("labels", "channels")}
    loss, token_losses = causal_lm_loss(engine, model_inputs(batch.tensors, device), t["labels"], z_loss)
    return loss, token_losses, t["channels"]


def global_mean(value, world: int) -> float:
    """All-reduce a scalar loss across ranks and read it to the host (a sync: only when needed)."""
    import torch.distributed as dist

    v = value.detach().clone().float().reshape(1)
    if world > 1:
        dist.all_reduce(v)
    return v.item() / world


def main(argv=None) -> int:
    # ---- config: every key validated before any heavy import or distributed work ----
    try:
        cfg = load_trainer_config(argv)
    except ConfigError as e:
        print(f"pretrain: config error: {e}", file=sys.stderr)
        return 2

    launched = launch_time()
    startup = {"config": time.time() - launched}

    import torch

    from trainer import checkpoint, rollback
    from trainer.data import ChannelRegistry, SamplerState, make_loader
    from trainer.eval_loop import HeldOutEval
    from trainer.engine import build_engine, init_distributed, set_lr
    from trainer.metrics import LossTracker, MetricsLogger, memory_gb, peak_flops
    from trainer.loss import install_fused_cross_entropy
    from trainer.model import build_model, compile_layers, count_params, flops_per_token, load_pretrained
    from trainer.phases import apply_rope, phase_at, resolve_phases
    from trainer.schedule import build_schedule
    from trainer import shard_info
    from trainer.spike_gate import DeviceSpikeGate, apply_drained
    from trainer.stability import SpikeDetector

    # ---- process group, model, engine ----
    startup["imports"] = time.time() - launched
    rank, world, device = init_distributed(cfg)
    t_cfg = cfg.train
    startup["process_group"] = time.time() - launched
    os.makedirs(cfg.run_dir, exist_ok=True)
    chunk_paths = shard_info.broadcast_chunks(cfg.data.shards)   # rank 0 lists, every rank gets the same
    shards = shard_info.describe(cfg.data.shards, chunk_paths)
    if cfg.init_from:
        model = load_pretrained(cfg.init_from, cfg.model,
                                torch.bfloat16 if cfg.train.precision == "bf16" else torch.float32,
                                document_mask=cfg.data.document_mask)
    else:
        model = build_model(cfg.model, cfg.train.seed, device, document_mask=cfg.data.document_mask)
    eos = shard_info.eos_id(chunk_paths)
    if eos is not None:   # to config.json / generation_config.json at export
        model.config.eos_token_id = eos
    if t_cfg.compile:
        compile_layers(model)
    if t_cfg.fused_ce:
        install_fused_cross_entropy(model, t_cfg.z_loss)
    n_params = count_params(model)
    startup["model"] = time.time() - launched
    engine = build_engine(model, cfg, world)
    startup["engine"] = time.time() - launched

    t = cfg.train
    sequences_per_step = t.micro_batch_size * t.grad_accum * world
    schedule = build_schedule(cfg.schedule, cfg.optimizer.lr, cfg.schedule.total_steps or t.max_steps,
                              sequences_per_step * cfg.data.seq_len)
    phases = resolve_phases(cfg, schedule.decay_start)
    metrics = MetricsLogger(cfg.run_dir, rank, cfg.log.tensorboard)
    save_requests = checkpoint.SaveRequests(cfg.run_dir)

    # ---- resume: newest complete checkpoint; the schedule is a function of the step, so no re-warm ----
    loop = {"step": 0, "phase": 0, "sampler": SamplerState(seed=t.seed).to_dict(), "consumed_tokens": 0,
            "spikes": None, "skipped_batches": 0}
    if rank == 0:
        checkpoint.remove_partial(cfg.run_dir)
    torch.distributed.barrier()
    resume_from = checkpoint.latest_complete(cfg.run_dir) if cfg.checkpoint.resume else None
    if resume_from:
        loop = checkpoint.load(engine, resume_from)
        try:
            shard_info.check_resume(loop.get("shards"), shards, resume_from)
        except ValueError as e:
            if rank == 0:
                print(f"pretrain: {e}", file=sys.stderr)
            return 2
        metrics.event(loop["step"], "resume", checkpoint=resume_from)
        manual = rollback.pending(cfg.run_dir, resume_from)  # python -m trainer.rollback: data to skip
        if manual:
            loop["phase"], loop["sampler"] = manual["phase"], manual["sampler"]
            metrics.event(loop["step"], "manual_rollback", **manual)
    elif cfg.init_from:
        metrics.event(0, "init_from", path=cfg.init_from)
    startup["resume"] = time.time() - launched
    step = loop["step"]
    spikes = SpikeDetector(cfg.stability, loop["spikes"])
    # stability decided on the device: no host read per micro-batch (trainer.spike_gate)
    gate = (DeviceSpikeGate(world, device, spikes.threshold())
            if cfg.stability.enabled and cfg.stability.decide_on == "device" else None)
    registry = ChannelRegistry(cfg.data.max_channels)  # one id per channel name across phases
    phase = phases[loop.get("phase", 0)]
    loader = None                                # built at the top of the loop for the step's phase
    position = SamplerState(**loop["sampler"])   # sampler state (within the phase) after the last consumed batch
    tracker = LossTracker(cfg.data.max_channels, device)
    held_out = None
    if cfg.data.eval_shards:
        held_out = HeldOutEval(cfg.data.eval_shards, cfg.data.seq_len, cfg.eval.max_tokens, t.micro_batch_size,
                               rank, world, device, cfg.data.document_mask)
    if rank == 0:
        print(f"[trainer] {n_params['total'] / 1e6:.1f}M params, world {world}, {len(phases)} phase(s), "
              f"ZeRO-{cfg.deepspeed.zero_stage}, {schedule}, tensorboard: "
              f"{'off (package not installed)' if metrics.tb_missing else cfg.log.tensorboard}", flush=True)

    def loop_state() -> dict:
        return {"step": step, "phase": phase.index, "sampler": position.to_dict(),
                "consumed_tokens": loop["consumed_tokens"],
                "spikes": spikes.state_dict(), "skipped_batches": loop["skipped_batches"], "shards": shards}

    metadata = {"config.json": json.loads(model.config.to_json_string()), "trainer_config.json": asdict(cfg)}

    def save(reason: str) -> None:
        state = loop_state()  # loop.json: readable without torch (trainer.rollback)
        path = checkpoint.save(engine, cfg.run_dir, step, state, cfg.checkpoint.keep_last, reason,
                               {**metadata, "loop.json": state})
        metrics.event(step, "checkpoint", path=path, reason=reason)

    peak = peak_flops(cfg.log.peak_flops)
    injected: set[tuple] = set()
    first_loss_logged = False
    waited_before = 0.0   # data wait of the loaders of earlier phases

    def waited() -> float:
        return waited_before + (loader.wait_seconds if loader else 0.0)

    interval_start, wait_at_start, steps_in_interval = time.perf_counter(), 0.0, 0

    # ---- the loop ----
    while step < t.max_steps:
        # ---- phases: the step says which data; a new phase starts at its first chunk ----
        wanted = phase_at(phases, step)
        if wanted.index != phase.index:
            phase, position = wanted, SamplerState(seed=t.seed)
            spikes.reset_history()
            if loader is not None:
                waited_before += loader.wait_seconds
                loader.close()
                loader = None
        if loader is None:
            # the main phase walks the chunk list rank 0 broadcast; later phases list their own shards
            loader, _ = make_loader(cfg, position, rank, world, phase, registry,
                                    chunk_paths if phase.shards == cfg.data.shards else None)
            if apply_rope(model, cfg.model, phase.rope):
                metadata["config.json"] = json.loads(model.config.to_json_string())
            tokens_per_step = sequences_per_step * phase.seq_len
            flops_tok = flops_per_token(cfg.model, phase.seq_len)
            if cfg.phases:
                metrics.event(step, "phase", index=phase.index, phase=phase.name, shards=phase.shards,
                              seq_len=phase.seq_len, rope_theta=phase.rope.theta, position=position.to_dict())
        step_number = step + 1
        lr = schedule.lr_at(step) * phase.lr_scale
        set_lr(engine, lr)
        chunk_before = (position.epoch, position.chunk_pos)
        force_rollback = False
        for micro in range(t.grad_accum):
            for attempt in range(cfg.stability.max_skips_per_step + 1):
                batch = loader.next()
                position = batch.state
                loss, token_losses, channels = forward_loss(engine, batch, device, t.z_loss)
                if not cfg.stability.enabled:
                    break
                checked = loss
                if step_number in cfg.debug.spike_steps and ("spike", step_number) not in injected:
                    injected.add(("spike", step_number))   # test hook: a spike, once per step number
                    checked = loss * cfg.debug.spike_factor
                if step_number in cfg.debug.drop_steps and ("drop", step_number) not in injected:
                    injected.add(("drop", step_number))    # test hook: a sudden drop
                    checked = loss * cfg.debug.drop_factor
                if gate is not None:
                    loss = gate.gate(loss, step_number, batch.where, checked)
                    break
                value = global_mean(checked, world)
                verdict = spikes.classify(value)
                if verdict == "drop":
                    metrics.event(step_number, "loss_drop", loss=value, threshold=spikes.drop_threshold(),
                                  phase=phase.name, data=batch.where, action=cfg.stability.drop_action)
                if verdict == "ok":
                    spikes.record_loss(value)
                    break
                if verdict == "drop" and cfg.stability.drop_action == "log":
                    break  # trained on, but kept out of the healthy history it is judged against
                if verdict == "spike":
                    spikes.record_spike(step_number)
                loop["skipped_batches"] += 1
                metrics.event(step_number, "skip_batch", reason=verdict, loss=value,
                              threshold=spikes.threshold() if verdict == "spike" else spikes.drop_threshold(),
                              phase=phase.name, data=batch.where, attempt=attempt)
            else:  # every replacement spiked too: let this step through with no gradient, then roll back
                loss, force_rollback = loss * 0.0, True
            engine.backward(loss)
            engine.step()
            tracker.add(token_losses, channels)
        step += 1
        steps_in_interval += 1
        loop["consumed_tokens"] += tokens_per_step

        grad_norm = None
        is_log_step = step % cfg.log.every_steps == 0 or step == t.max_steps
        if gate is not None:
            gate.record_grad_norm(step, engine.get_global_grad_norm())
        if (cfg.stability.enabled and gate is None) or is_log_step:
            norm = engine.get_global_grad_norm()
            grad_norm = float(norm) if norm is not None else None
        if cfg.stability.enabled and gate is None:
            if spikes.is_grad_spike(grad_norm):
                spikes.record_spike(step)
                metrics.event(step, "grad_norm_spike", grad_norm=grad_norm)
            else:
                spikes.record_grad_norm(grad_norm)

        # ---- log (the only place the loss comes to the host when stability is off) ----
        if is_log_step:
            if gate is not None:
                loop["skipped_batches"] += apply_drained(gate, spikes, metrics, phase.name)
            mean_loss, per_channel, tokens = tracker.reduce_and_reset()
            elapsed = time.perf_counter() - interval_start
            waited_s = waited() - wait_at_start
            tokens_per_s = tokens / elapsed
            record = {"step": step, "loss": mean_loss, "lr": lr, "grad_norm": grad_norm,
                      "tokens_per_s": tokens_per_s, "tokens_per_s_per_device": tokens_per_s / world,
                      "seconds_since_launch": time.time() - launched,
                      "consumed_tokens": loop["consumed_tokens"], "data_wait_fraction": waited_s / elapsed,
                      "step_seconds": elapsed / steps_in_interval, **memory_gb(device)}
            if peak:
                record["mfu"] = tokens_per_s * flops_tok / (world * peak)
            for cid, value in per_channel.items():
                record[f"loss/{registry.names[cid]}"] = value
            metrics.log(record)
            if not first_loss_logged:
                startup["first_loss"] = record["seconds_since_launch"]
                metrics.event(step, "startup", seconds_since_launch=startup)
            first_loss_logged = True
            interval_start, wait_at_start, steps_in_interval = time.perf_counter(), waited(), 0

        # ---- held-out loss: the same windows every time, on all ranks ----
        if held_out is not None and (step % cfg.eval.every_steps == 0 or step == t.max_steps):
            metrics.log({"step": step, **held_out.run(engine, lambda b: forward_loss(engine, b, device, 0.0)[1:])})

        # ---- stability: repeated spikes → back to the last good checkpoint, data position kept ----
        if cfg.stability.enabled and (force_rollback or spikes.should_roll_back(step)):
            good = checkpoint.latest_complete(cfg.run_dir)
            if good is None:
                metrics.event(step, "rollback_impossible", reason="no complete checkpoint yet")
                spikes.events.clear()
            else:
                restored = checkpoint.load(engine, good)
                metrics.event(step, "rollback", to_checkpoint=good, to_step=restored["step"],
                              skipped_from=restored["sampler"], skipped_to=position.to_dict())
                step = restored["step"]
                loop["consumed_tokens"] = restored["consumed_tokens"]
                if restored.get("phase", 0) != phase.index:  # back into an earlier phase: its own position
                    phase, position = phases[restored.get("phase", 0)], SamplerState(**restored["sampler"])
                    waited_before += loader.wait_seconds
                    loader.close()
                    loader = None
                spikes = SpikeDetector(cfg.stability, restored["spikes"])
                spikes.events.clear()
                if gate is not None:
                    gate.drain()
                    gate.set_threshold(spikes.threshold())
                tracker.reduce_and_reset()
                continue

        # ---- checkpoints: every N steps, at chunk boundaries, on request ----
        crossed_chunk = (position.epoch, position.chunk_pos) != chunk_before
        if save_requests.requested():
            save("requested")
            save_requests.done()
        elif step % cfg.checkpoint.every_steps == 0 or step == t.max_steps:
            save("interval" if step < t.max_steps else "final")
        elif crossed_chunk and cfg.checkpoint.at_chunk_boundary:
            save("chunk_boundary")

        if cfg.debug.kill_at_step == step and rank == 0:  # test hook: a hard crash
            os.kill(os.getpid(), signal.SIGKILL)

    if loader is not None:  # None when the run resumed at its last step (refinery run --from train)
        loader.close()
    metrics.close()
    torch.distributed.barrier()
    return 0


if __name__ == "__main__":
    sys.exit(main())
