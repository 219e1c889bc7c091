"""`refinery run pipeline.yaml`: ingest → clean → score → dedup → tokenizer → mix → shards
(→ train → export → evaluate → report) in one Spark session, one run directory.

The mix sets aside a held-out split per channel; the shards stage writes it to
``RUN_DIR/shards/heldout/`` and the anneal mixture (when the mix writes one) to
``RUN_DIR/shards/anneal/``. Training evaluates on the held-out shards every ``eval.every_steps``
(``eval_loss/<channel>`` rows in ``train/metrics.jsonl``), trains the anneal shards as its last
phase from the WSD decay start, and the final ``trainer.evaluate`` reports held-out perplexity
on them: none of it is ever trained on.

Each Spark stage of the registry (``refinery.spark.stages.stages()``) writes ``RUN_DIR/<stage>/`` through
its ``Stage.run`` (the same code its spark-submit job runs) and commits it atomically. After a stage succeeds, ``RUN_DIR/_pipeline/<stage>.json`` records
its fingerprint: a hash of the stage's resolved config and of its input's fingerprint (the raw
inputs' names, sizes and mtimes for ingest). A rerun skips every stage whose output is committed
with the same fingerprint, so a pipeline killed in dedup resumes at dedup, and changing the clean
config reruns clean and everything after it.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

from refinery.config import ConfigError, _merge, load_config, parse_overrides
from refinery.pipeline.config import PipelineConfig, StageSpec

from refinery.spark.stages import stage as registered_stage, stages

SPARK_STAGES = [s.name for s in stages()]  # run by the registry's Stage.run, in this order
CONFIGURED = [s.name for s in stages() if s.config_cls is not None]  # take a stage config; commit atomically
ALL_STAGES = ["ingest", "clean", "score", "dedup", "tokenizer", "mix", "shards", "train", "report"]
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _stage_config_class(stage: str):
    return registered_stage(stage).config_cls


def load_stage_config(stage: str, spec: StageSpec, extra: dict | None = None):
    """The stage's config exactly as its job would load it; errors name ``stage.key``."""
    overrides = parse_overrides([f"{k}={json.dumps(v)}" for k, v in spec.set.items()])
    try:
        return load_config(spec.config, _stage_config_class(stage), _merge(overrides, extra or {}))
    except ConfigError as e:
        raise ConfigError(f"{stage}.{e}") from None


def _fingerprint(*parts) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def input_fingerprint(files: list[str]) -> str:
    """Names, sizes and mtimes of the raw inputs: cheap, and changes when a file does."""
    return _fingerprint(sorted((f, os.path.getsize(f), int(os.path.getmtime(f))) for f in files))


def _vocab_size(tokenizer_json: dict) -> int:
    """Model rows the tokenizer needs, rounded up to a multiple of 128 (tensor-core friendly)."""
    ids = list(tokenizer_json["model"]["vocab"].values()) + [t["id"] for t in tokenizer_json.get("added_tokens", [])]
    return -(-(max(ids) + 1) // 128) * 128


class Pipeline:
    def __init__(self, cfg: PipelineConfig, from_stage: str | None = None, until: str | None = None, log=print):
        self.cfg = cfg
        self.run_dir = os.path.abspath(cfg.run_dir)
        self.state_dir = os.path.join(self.run_dir, "_pipeline")
        self.log = log
        stages = [s for s in ALL_STAGES if self._enabled(s)]
        lo = ALL_STAGES.index(from_stage) if from_stage else 0
        hi = ALL_STAGES.index(until) if until else len(ALL_STAGES) - 1
        self.stages = [s for s in stages if lo <= ALL_STAGES.index(s) <= hi]
        self.forced = {s for s in self.stages if from_stage and s == from_stage}
        # every stage config is validated before any work starts
        self.stage_cfgs = {s: load_stage_config(s, getattr(cfg, s), self._pipeline_settings(s, early=True))
                           for s in CONFIGURED if self._enabled(s)}
        self._check_anneal_schedule()
        self.spark = None
        self.fingerprints: dict[str, str] = {}

    def _pipeline_settings(self, stage: str, early: bool = False) -> dict:
        """What the pipeline decides for a stage: the mix keeps its usage table in the run
        directory and counts tokens with the tokenizer this run trains (which does not exist
        yet when configs are validated, so the early check counts characters)."""
        if stage != "mix":
            return {}
        spec = self.cfg.mix
        settings = {}
        if "usage.table" not in spec.set and "usage" not in spec.set:
            settings["usage"] = {"table": os.path.join(self.run_dir, "usage")}
        if self._enabled("tokenizer") and "tokens.tokenizer" not in spec.set:
            settings["tokens"] = {"method": "chars"} if early else {"tokenizer": self.tokenizer_dir()}
        return settings

    def _check_anneal_schedule(self) -> None:
        """An anneal mixture trains from the WSD decay start: refuse another schedule before any work."""
        mix = self.stage_cfgs.get("mix")
        if not (mix and mix.anneal.tokens and self._enabled("shards") and self._enabled("train")):
            return
        kind = ((self.trainer_settings().get("schedule") or {}).get("kind")) or "cosine"
        if kind != "wsd":
            raise ConfigError(f"train.set: the mix writes anneal/ (mix anneal.tokens), which trains as the last phase "
                              f"from the WSD decay start; schedule.kind is {kind!r}, set schedule.kind=wsd")

    def trainer_settings(self) -> dict:
        """The trainer config as the launch will read it (its YAML plus ``train.set``), unvalidated."""
        import yaml

        spec = self.cfg.train
        path = spec.config if os.path.isfile(spec.config) else os.path.join(REPO, spec.config)
        try:
            with open(path, encoding="utf-8") as f:
                base = yaml.safe_load(f) or {}
        except OSError as e:
            raise ConfigError(f"train.config: {path}: {e.strerror}") from None
        return _merge(base, parse_overrides(spec.set))

    def train_overrides(self) -> list[str]:
        """The trainer overrides the pipeline decides, then ``train.set`` (which wins), then the phases:
        the held-out shards are ``data.eval_shards``; the anneal shards, when the mix wrote them, are
        the last phase, from the WSD decay start."""
        shards = self.out("shards")
        with open(os.path.join(self.tokenizer_dir(), "tokenizer.json"), encoding="utf-8") as f:
            vocab_size = _vocab_size(json.load(f))
        out = [f"data.shards={shards}", f"run_dir={self.out('train')}", f"data.tokenizer={self.tokenizer_dir()}",
               f"model.vocab_size={vocab_size}"]
        heldout, anneal = self.heldout_shards(), self.part_shards("anneal")
        if heldout:
            out.append(f"data.eval_shards={heldout}")
        out += self.cfg.train.set
        if anneal:
            phases = self.trainer_settings().get("phases") or [{"name": "main"}]
            phases = [*phases, {"name": "anneal", "shards": anneal, "start": "decay_start"}]
            out.append(f"phases={json.dumps(phases)}")
        return out

    def part_shards(self, part: str) -> str | None:
        """``RUN_DIR/shards/<part>`` when the shards stage wrote chunks there (mix heldout/, anneal/)."""
        from refinery.tokenize.shards import list_chunks

        path = os.path.join(self.out("shards"), part)
        return path if list_chunks(path) else None

    def heldout_shards(self) -> str | None:
        return self.part_shards("heldout")

    def _enabled(self, stage: str) -> bool:
        if stage == "report":
            return self.cfg.report
        return getattr(self.cfg, stage).enabled

    def out(self, stage: str) -> str:
        return os.path.join(self.run_dir, stage)

    def kept(self, stage: str) -> str:
        """A stage's documents (its ``kept/``): what the next stage reads."""
        return os.path.join(self.out(stage), "kept")

    # -- state -------------------------------------------------------------------------------
    def _state_path(self, stage: str) -> str:
        return os.path.join(self.state_dir, f"{stage}.json")

    def _recorded(self, stage: str) -> dict | None:
        try:
            with open(self._state_path(stage)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _record(self, stage: str, fingerprint: str, seconds: float, summary: dict) -> None:
        os.makedirs(self.state_dir, exist_ok=True)
        tmp = self._state_path(stage) + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"stage": stage, "fingerprint": fingerprint, "seconds": round(seconds, 2),
                       "finished": time.strftime("%Y-%m-%dT%H:%M:%S"), "summary": summary}, f, indent=2)
        os.replace(tmp, self._state_path(stage))

    def _start(self, stage: str, fingerprint: str) -> None:
        """Before a non-Spark stage runs: keep a partial output of the same inputs (the shards job
        skips its committed chunks, training resumes from its last checkpoint), drop one made from
        other inputs. Spark stages replace their output atomically and need neither."""
        out, marker = self.out(stage), os.path.join(self.state_dir, f"{stage}.started")
        if stage not in CONFIGURED and stage != "report" and os.path.isdir(out):
            try:
                with open(marker) as f:
                    same = f.read().strip() == fingerprint
            except OSError:
                same = False
            if not same:
                self.log(f"[{stage:9s}] removing {out}: made from other inputs")
                shutil.rmtree(out)
        os.makedirs(self.state_dir, exist_ok=True)
        with open(marker, "w") as f:
            f.write(fingerprint)

    def _committed(self, stage: str) -> bool:
        out = self.out(stage)
        if stage in SPARK_STAGES:
            return os.path.isfile(os.path.join(out, "_stats.json"))
        marker = {"tokenizer": "tokenizer.json", "train": "eval.json",
                  "report": None}[stage]
        return marker is not None and os.path.isfile(os.path.join(out, marker))

    # -- running -----------------------------------------------------------------------------
    def session(self):
        if self.spark is None:
            from refinery.spark.session import build_session, ui_address

            # the pipeline prints its own progress; Spark's console bars would interleave with it
            conf = {"spark.ui.showConsoleProgress": "false", **self.cfg.spark}
            self.spark = build_session("refinery-pipeline", conf=conf, master=self.cfg.master)
            self.log(f"Spark UI: {ui_address(self.spark)}")
        return self.spark

    def upstream(self, stage: str) -> str | None:
        """The stage whose output this stage reads (the nearest enabled one before it)."""
        chain = {"clean": ["ingest"], "score": ["clean", "ingest"], "dedup": ["score", "clean", "ingest"],
                 "tokenizer": ["dedup", "score", "clean", "ingest"], "mix": ["dedup", "score", "clean", "ingest"],
                 "shards": ["mix"], "train": ["shards"], "report": []}[stage]
        for s in chain:
            if self._enabled(s):
                return s
        return None

    def fingerprint(self, stage: str) -> str:
        if stage == "ingest":
            from refinery.ingest.readers import list_input_files

            files = list_input_files(self.cfg.input)
            return _fingerprint(stage, dataclasses.asdict(self.stage_cfgs[stage]), input_fingerprint(files))
        up = self.upstream(stage)
        up_fp = self.fingerprints.get(up) or (self._recorded(up) or {}).get("fingerprint") if up else None
        if stage in CONFIGURED:
            own = dataclasses.asdict(self.stage_cfgs[stage])
        elif stage == "report":
            return _fingerprint(stage, time.time())  # cheap: always re-made
        else:
            own = dataclasses.asdict(getattr(self.cfg, stage))
        extra = self.fingerprints.get("tokenizer") if stage == "shards" else None
        return _fingerprint(stage, own, up_fp, extra)

    def run(self) -> dict:
        os.makedirs(self.run_dir, exist_ok=True)
        started = time.time()
        done = {}
        for stage in self.stages:
            fp = self.fingerprint(stage)
            self.fingerprints[stage] = fp
            rec = self._recorded(stage)
            if stage not in self.forced and rec and rec["fingerprint"] == fp and self._committed(stage):
                self.log(f"[{stage:9s}] skipped: committed with the same config and input ({self.out(stage)})")
                done[stage] = "skipped"
                continue
            self.log(f"[{stage:9s}] running → {self.out(stage)}")
            self._start(stage, fp)
            t0 = time.time()
            summary = self.run_stage(stage) if stage in SPARK_STAGES else getattr(self, f"run_{stage}")()
            seconds = time.time() - t0
            self._record(stage, fp, seconds, summary)
            rows = (f"rows in {summary['rows_in']:,}, kept {summary.get('rows_kept', 0):,}, "
                    if "rows_in" in summary else "")
            self.log(f"[{stage:9s}] done: {rows}{seconds:.1f} s (pipeline {time.time() - started:.0f} s)")
            done[stage] = "ran"
        if self.spark is not None:
            self.spark.stop()
        return done

    # -- the stages ----------------------------------------------------------------------------
    def stage_args(self, stage: str) -> argparse.Namespace:
        """What the stage's job would have parsed: its input is the upstream stage's output directory."""
        from refinery.spark.inputs import resolve_inputs

        args = argparse.Namespace(output=self.out(stage))
        if stage == "ingest":
            from refinery.ingest.readers import list_input_files

            args.files = list_input_files(self.cfg.input)
        else:
            args.input = resolve_inputs([self.out(self.upstream(stage))])
        if stage == "shards":
            args.tokenizer, args.chunk_tokens, args.eos_token = self.tokenizer_dir(), self.cfg.shards.chunk_tokens, None
        return args

    def stage_config(self, stage: str):
        if stage == "mix":  # now the tokenizer exists
            return load_stage_config("mix", self.cfg.mix, self._pipeline_settings("mix"))
        return self.stage_cfgs.get(stage)

    def run_stage(self, stage: str) -> dict:
        """One registered Spark stage; its summary is the row and token counts of its stats."""
        stats = registered_stage(stage).run(self.session(), self.stage_args(stage), self.stage_config(stage))
        keys = ("rows_in", "rows_kept", "rows_rejected", "rows_duplicate") if stage != "shards" else ("num_tokens", "num_chunks")
        return {k: stats[k] for k in keys if k in stats}

    def tokenizer_dir(self) -> str:
        return self.cfg.tokenizer.path or self.out("tokenizer")

    def run_tokenizer(self) -> dict:
        spec = self.cfg.tokenizer
        if spec.path:
            return {"path": spec.path}
        from refinery.tokenize import train_tokenizer

        kept = self.kept(self.upstream("tokenizer"))
        argv = ["--input", kept, "--vocab-size", str(spec.vocab_size), "--out", self.out("tokenizer"),
                "--sample-chars", str(spec.sample_chars), *spec.args]
        if train_tokenizer.main(argv) != 0:
            raise RuntimeError(f"tokenizer training failed: train_tokenizer {' '.join(argv)}")
        return {"path": self.out("tokenizer")}

    def run_train(self) -> dict:
        """Train through the deepspeed launcher (a separate process, as on GPU nodes), export, evaluate."""
        spec = self.cfg.train
        train_dir = self.out("train")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])))
        if spec.cpu:
            env.update(DS_ACCELERATOR="cpu", OMP_NUM_THREADS=env.get("OMP_NUM_THREADS", "1"))
        launcher = [sys.executable, "-m", "deepspeed.launcher.runner", "--num_gpus", str(spec.ranks)]
        self._call(launcher + [os.path.join(REPO, "trainer", "pretrain.py"), "--config", spec.config,
                              *self.train_overrides()], env, spec.timeout_s, "training")
        ckpts = sorted(d for d in os.listdir(train_dir) if d.startswith("ckpt-"))
        if not ckpts:
            raise RuntimeError(f"training wrote no checkpoint under {train_dir}")
        hf_dir = os.path.join(train_dir, "hf")
        self._call([sys.executable, "-m", "trainer.export", "--ckpt", os.path.join(train_dir, ckpts[-1]),
                    "--out", hf_dir], env, spec.timeout_s, "export")
        # perplexity on the mix's held-out split only: without one there is no held-out number to give
        heldout = self.heldout_shards()
        seq_len = (self.trainer_settings().get("data") or {}).get("seq_len")  # the in-loop eval's windows
        eval_cmd = [sys.executable, "-m", "trainer.evaluate", "--model", hf_dir, "--out", os.path.join(train_dir, "eval.json"),
                    *(["--shards", heldout] if heldout else []), *(["--seq-len", str(seq_len)] if heldout and seq_len else [])]
        if spec.probes:
            eval_cmd += ["--probes", spec.probes, "--tokenizer", self.tokenizer_dir()]
        extra = [a for b in spec.benchmarks for a in ("--benchmark", b)]
        if extra:
            extra += ["--shots", str(spec.shots), "--tokenizer", self.tokenizer_dir()]
            extra += ["--transform", spec.transforms] if spec.transforms else []
        if heldout or spec.probes or extra:
            self._call(eval_cmd + extra, env, spec.timeout_s, "evaluation")
        else:
            self.log("    no held-out shards, probes or benchmarks: nothing to evaluate (mix heldout.docs_per_channel is 0)")
            with open(os.path.join(train_dir, "eval.json"), "w") as f:
                json.dump({"heldout": None}, f)
        if spec.history and (spec.probes or extra):  # every kept checkpoint, for the report's trends
            # held-out loss comes from the run's data.eval_shards when it has one (never the training shards)
            history_cmd = [sys.executable, "-m", "trainer.evaluate", "--run", train_dir,
                           *(["--probes", spec.probes] if spec.probes else []), *extra]
            self._call(history_cmd, env, spec.timeout_s, "checkpoint history")
        with open(os.path.join(train_dir, "eval.json")) as f:
            return json.load(f)

    def _call(self, cmd: list[str], env: dict, timeout: int, what: str) -> None:
        self.log("    $ " + " ".join(cmd))
        proc = subprocess.run(cmd, env=env, cwd=REPO, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{what} failed with exit code {proc.returncode}: {' '.join(cmd)}")

    def run_report(self) -> dict:
        from refinery.report.page import write_report

        path = write_report(self.run_dir)
        self.log(f"report: {path}")
        return {"path": path}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="refinery run", description=__doc__)
    p.add_argument("config", help="pipeline.yaml (see conf/pipeline.yaml)")
    p.add_argument("--from", dest="from_stage", choices=ALL_STAGES, help="start here (this stage reruns)")
    p.add_argument("--until", choices=ALL_STAGES, help="stop after this stage")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override a pipeline key")
    args = p.parse_args(argv)
    try:
        cfg = load_config(args.config, PipelineConfig, parse_overrides(args.set))
        pipeline = Pipeline(cfg, args.from_stage, args.until, log=lambda m: print(m, flush=True))
    except ConfigError as e:
        print(f"refinery run: config error: {e}", file=sys.stderr)
        return 2
    pipeline.run()
    print(f"outputs under {pipeline.run_dir}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
