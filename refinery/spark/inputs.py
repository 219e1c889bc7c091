"""The one input rule every document job follows (clean, score, dedup, mix, tokenize).

An ``--input`` is one of:
  * a stage output directory: its ``kept/`` is read (``data/`` for a mix output);
  * a Parquet dataset: a ``.parquet`` file or a directory holding Parquet files;
  * a glob (``*``, ``?``, ``[``), each match resolved by these rules;
  * ``@list``: a text file of such inputs, one a line (``#`` starts a comment).
Anything else is an :class:`InputError` whose message is one line naming the path and what was
expected. Local paths are checked on the driver before Spark starts; remote URIs
(``hdfs://`` …) are resolved through Hadoop's FileSystem once a session exists.
"""
from __future__ import annotations

import glob
import os

from refinery.spark.paths import local_path, qualify

EXPECTED = "expected a stage output directory (with kept/ or data/), a Parquet dataset, a glob or an @list file"
STAGE_DIRS = ("kept", "data")  # what a stage output exposes as its documents, in this order
GLOB_CHARS = set("*?[")


class InputError(ValueError):
    """An input that is not documents the job can read (one line, names the path)."""


def _error(path: str, problem: str) -> InputError:
    return InputError(f"--input {path}: {problem}; {EXPECTED}")


def _has_parquet(directory: str) -> bool:
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        if any(f.endswith(".parquet") and not f.startswith((".", "_")) for f in files):
            return True
    return False


def _resolve_local(path: str, shown: str) -> str:
    if os.path.isfile(path):
        if path.endswith(".parquet"):
            return qualify(path)
        raise _error(shown, "is a file but not a .parquet file")
    if not os.path.isdir(path):
        raise _error(shown, "no such file or directory")
    for sub in STAGE_DIRS:
        if os.path.isdir(os.path.join(path, sub)):
            return qualify(os.path.join(path, sub))
    if os.path.isdir(os.path.join(path, "rejected")):
        raise _error(shown, "a stage output without kept/")
    # an empty kept/ or data/ (every row rejected upstream) is still documents: zero of them
    if not _has_parquet(path) and os.path.basename(os.path.normpath(path)) not in STAGE_DIRS:
        raise _error(shown, "a directory with no Parquet files")
    return qualify(path)


def _resolve_remote(uri: str, fs) -> str:
    if fs is None:
        return uri
    for sub in STAGE_DIRS:
        if fs.exists(uri.rstrip("/") + "/" + sub):
            return uri.rstrip("/") + "/" + sub
    if not fs.exists(uri):
        raise _error(uri, "no such file or directory")
    return uri


def resolve_inputs(paths: list[str] | str, hadoop_fs=None) -> list[str]:
    """The Parquet URIs ``paths`` name, by the rule above; raises InputError.

    ``hadoop_fs(uri)`` (a ``HadoopFS`` factory) resolves remote URIs; without it they pass through
    unchanged, to be resolved once Spark runs.
    """
    out: list[str] = []
    for path in [paths] if isinstance(paths, str) else paths:
        if path.startswith("@"):
            listing = path[1:]
            if not os.path.isfile(listing):
                raise _error(path, f"list file {listing} does not exist")
            with open(listing, encoding="utf-8") as f:
                entries = [line.strip() for line in f if line.strip() and not line.strip().startswith("#")]
            if not entries:
                raise _error(path, "the list file names no inputs")
            out.extend(resolve_inputs(entries, hadoop_fs))
            continue
        local = local_path(path)
        if local is None:
            out.append(_resolve_remote(path, hadoop_fs(path) if hadoop_fs else None))
        elif GLOB_CHARS & set(path):
            matches = sorted(glob.glob(local, recursive=True))
            if not matches:
                raise _error(path, "the glob matches nothing")
            out.extend(_resolve_local(m, m) for m in matches)
        else:
            out.append(_resolve_local(local, path))
    if not out:
        raise InputError(f"no --input given; {EXPECTED}")
    return list(dict.fromkeys(out))


def read_documents(spark, paths: list[str] | str, required=("doc_id", "text")):
    """The DataFrame of the resolved inputs; an empty ``kept/`` (every row rejected upstream)
    reads as an empty DOCUMENT frame; a dataset without ``required`` columns is an InputError."""
    from refinery.spark.paths import HadoopFS

    uris = resolve_inputs(paths, hadoop_fs=lambda uri: HadoopFS(spark, uri))
    try:
        df = spark.read.parquet(*uris)
    except Exception as e:
        text = str(e)
        if "UNABLE_TO_INFER_SCHEMA" not in text and "Unable to infer schema" not in text:
            raise InputError(f"--input {', '.join(paths if isinstance(paths, list) else [paths])}: "
                             f"{text.strip().splitlines()[0] if text.strip() else type(e).__name__}") from None
        from refinery.spark.arrow_apply import spark_schema
        from schemas import DOCUMENT

        df = spark.read.schema(spark_schema(DOCUMENT)).parquet(*uris)
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(f"--input {', '.join(uris)}: no column(s) {missing}: expected documents (schemas.DOCUMENT)")
    return df
