"""One ``main()`` for every ``jobs/<stage>.py`` (``Stage``: what a stage is to a job and to ``refinery run``): the same flags, the same error rule.

The rule: a config error, a missing or unreadable input and a missing model exit 2 with one
line on stderr *before* Spark starts; an input or a model that only Spark can judge (a remote
URI, a dataset that is not documents, a filesystem the executors cannot read) exits 2 with one
line once it has. ``--set key=value`` takes
one or more overrides and may be repeated.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any, Callable

from refinery.config import ConfigError, load_config, parse_overrides
from refinery.spark.inputs import InputError, resolve_inputs


class JobError(ValueError):
    """A check a job makes on its arguments (e.g. ``--chunk-tokens`` must be positive)."""


def _none(*_args):
    return None


@dataclasses.dataclass(frozen=True)
class Stage:
    """A stage: its name, config class, ``run``, what it reads (``inputs``) and how it reports."""

    name: str
    doc: str  # the job module's docstring; its first line is the usage line
    run: Callable[[Any, argparse.Namespace, Any], dict]  # (spark, args, cfg) -> stats
    report: Callable[[dict], str]
    config_cls: type | None = None  # None: the job takes no --config/--set
    config_required: bool = False
    inputs: str = "documents"  # documents: the rule of refinery.spark.inputs; files: ingest's; none
    input_help: str = "a stage output directory (its kept/, or data/ for a mix), a Parquet dataset, a glob or @list"
    arguments: Callable[[argparse.ArgumentParser], None] = _none  # job-specific flags
    overrides: Callable[[argparse.Namespace], dict] = lambda args: {}  # flags that set config keys
    check: Callable[[argparse.Namespace, Any], None] = _none  # raises before Spark starts
    spark_conf: Callable[[Any], dict] = lambda cfg: dict(getattr(cfg, "spark", None) or {})
    arrow_batch_size: Callable[[Any], int | None] = lambda cfg: None
    exit_code: Callable[[dict, argparse.Namespace], int] = lambda stats, args: 0


def parser_for(job: Stage) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"jobs/{job.name}.py", description=job.doc.strip().splitlines()[0])
    if job.inputs != "none":
        p.add_argument("--input", nargs="+", required=True, help=job.input_help)
    p.add_argument("--output", required=True, help="output directory (local, file:// or hdfs://)")
    if job.config_cls is not None:
        p.add_argument("--config", required=job.config_required, help=f"{job.name}.yaml (see conf/)")
        p.add_argument("--set", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                       help="override config keys (dotted.key=value, value parsed as YAML); repeatable")
    p.add_argument("--master", help="Spark master when not run through spark-submit (default local[*])")
    job.arguments(p)
    return p


def _one_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def prepare(job: Stage, args: argparse.Namespace):
    """Config and inputs, checked without Spark; raises ConfigError, InputError, JobError, ModelLoadError."""
    cfg = None
    if job.config_cls is not None:
        cfg = load_config(args.config, job.config_cls, {**parse_overrides(args.set), **job.overrides(args)})
    if job.inputs == "documents":
        args.input = resolve_inputs(args.input)
    elif job.inputs == "files":
        args.files = _list_files(args.input)
        if not args.files:
            raise InputError(f"--input {' '.join(args.input)}: no input files matched "
                             "(expected WARC/WET/JSONL/Parquet files, a directory, a glob or @list)")
    job.check(args, cfg)
    return cfg


def _list_files(specs: list[str]) -> list[str]:
    """Ingest's input files; a filesystem this machine cannot read is one InputError naming it."""
    from refinery.ingest.readers import list_input_files
    from refinery.spark.ingest_files import filesystem_of

    try:
        return list_input_files(specs)
    except FileNotFoundError:
        raise
    except OSError as e:  # e.g. hdfs:// without libhdfs/libjvm, a permission denied
        fs = sorted({filesystem_of(s.lstrip("@")) for s in specs})
        raise InputError(f"--input {' '.join(specs)}: cannot read {', '.join(fs)}: "
                         f"{type(e).__name__}: {_one_line(e)}") from None


def _pre_spark_errors():
    from refinery.scoring.fasttext_model import ModelLoadError

    return {ConfigError: "config error", InputError: "input error", JobError: "error",
            ModelLoadError: "model error", FileNotFoundError: "input error"}


def _classify(e: BaseException, kinds: dict) -> str | None:
    for cls, kind in kinds.items():
        if isinstance(e, cls):
            return kind
    return None


def job_main(job: Stage, argv: list[str] | None = None) -> int:
    """Parse, check, start Spark, run, report; the exit status of the job."""
    args = parser_for(job).parse_args(argv)
    kinds = _pre_spark_errors()
    try:
        cfg = prepare(job, args)
    except Exception as e:
        kind = _classify(e, kinds)
        if kind is None:
            raise
        print(f"{job.name}: {kind}: {_one_line(e)}", file=sys.stderr)
        return 2

    from refinery.spark.session import build_session, ui_address

    spark = build_session(f"refinery-{job.name}", conf=job.spark_conf(cfg), master=args.master,
                          arrow_batch_size=job.arrow_batch_size(cfg))
    shown = getattr(args, "input", None)
    print(f"{job.name}: {shown if shown is not None else ''} -> {args.output}  (Spark UI: {ui_address(spark)})", flush=True)
    from pyspark.errors import AnalysisException

    from refinery.scoring.fasttext_model import ModelLoadError

    try:
        stats = job.run(spark, args, cfg)
    except (ValueError, AnalysisException, ModelLoadError) as e:  # what only Spark could tell (a shipped model, a remote input)
        kind = ("input error" if isinstance(e, (InputError, AnalysisException))
                else "model error" if isinstance(e, ModelLoadError) else "error")
        print(f"{job.name}: {kind}: {_one_line(e)}", file=sys.stderr)
        return 2
    print(job.report(stats), flush=True)
    return job.exit_code(stats, args)


def entry(name: str, module: str):
    """``jobs/<stage>.py``'s whole body: ``main = entry("clean", __name__)``; runs when executed."""
    from refinery.spark.stages import stage

    def main(argv: list[str] | None = None) -> int:
        return job_main(stage(name), argv)

    if module == "__main__":
        sys.exit(main())
    return main
