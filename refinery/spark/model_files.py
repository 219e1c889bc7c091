"""Model and word-list files where a job uses them: on the driver and on every executor.

A path in a config (``models.domain``, ``category_model``, ``langid_model``, a word list) is:
  * relative (the default ``models/…``): looked up where the file is used, in the working
    directory (an executor's, where ``--archives models.tar.gz#models`` unpacks), then Spark's
    files directory (where the driver and a local master unpack ``--archives``), then this
    checkout's ``models/`` (a local run from any directory);
  * absolute: the same path on every machine (a shared filesystem);
  * a URI (``hdfs://``, ``file://``, ``s3a://``, any filesystem the cluster's Hadoop knows): the
    driver checks it exists (Hadoop FileSystem, through the JVM) and ships it with
    ``SparkContext.addFile`` (directories recursively); each executor fetches it once, not per
    task, and reads its own copy (``SparkFiles.get``).

A config names its files in ``model_paths()``: ``{key: path}``, a key being the tuple of
attribute (or dict key) names that leads to the path in the config.
"""
from __future__ import annotations

import copy
import functools
import posixpath
from urllib.parse import urlparse

from refinery.scoring.config import find_model_path, is_uri, model_candidates
from refinery.scoring.fasttext_model import ModelLoadError


def key_name(key: tuple) -> str:
    return ".".join(str(k) for k in key)


def shipped_name(uri: str) -> str:
    """The name a shipped URI has in ``SparkFiles`` (its last path component)."""
    return posixpath.basename(urlparse(uri).path.rstrip("/"))


def _files_root() -> str | None:
    """Spark's files directory of this process (driver or executor); None outside Spark."""
    try:
        from pyspark import SparkFiles

        if SparkFiles._is_running_on_worker or SparkFiles._sc is not None:
            return SparkFiles.getRootDirectory()
    except Exception:  # no pyspark, or a stopped context
        pass
    return None


def check_found(paths: dict) -> None:
    """Before Spark: every local path exists here (URIs are checked once Spark runs, by ``ship``)."""
    for key, path in paths.items():
        if not is_uri(path) and find_model_path(path) is None:
            raise ModelLoadError(f"{key_name(key)}: {path} not found (looked in {', '.join(model_candidates(path))})")


def ship(spark, paths: dict) -> None:
    """On the driver, before the job: each URI exists and is added to the job's files."""
    from refinery.spark.paths import HadoopFS

    named: dict[str, str] = {}
    for key, uri in paths.items():
        if not is_uri(uri):
            continue
        name = shipped_name(uri)
        if named.setdefault(name, uri) != uri:
            raise ModelLoadError(f"{key_name(key)}: {uri} and {named[name]} would both be shipped as {name!r}; rename one")
        try:
            exists = HadoopFS(spark, uri).exists(uri)
        except Exception as e:
            raise ModelLoadError(f"{key_name(key)}: {uri}: its filesystem cannot be read: {_one_line(e)}") from None
        if not exists:
            raise ModelLoadError(f"{key_name(key)}: {uri} does not exist")
        try:
            spark.sparkContext.addFile(uri, recursive=True)
        except Exception as e:  # e.g. a file:// directory on a non-local master
            raise ModelLoadError(f"{key_name(key)}: {uri} cannot be shipped: {_one_line(e)}") from None


def local_copy(path: str) -> str:
    """Where ``path`` is on this machine: the fetched copy of a shipped URI, else the first
    candidate that exists; ModelLoadError naming where it looked."""
    if is_uri(path):
        from pyspark import SparkFiles

        return SparkFiles.get(shipped_name(path))
    root = _files_root()
    extra = (root,) if root else ()
    found = find_model_path(path, extra)
    if found is None:
        raise ModelLoadError(f"{path} not found on this machine (looked in {', '.join(model_candidates(path, extra))}); "
                             "ship models/ with --archives models.tar.gz#models or give an hdfs:// path")
    return found


def _set(obj, key: tuple, value) -> None:
    for k in key[:-1]:
        obj = obj[k] if isinstance(obj, dict) else getattr(obj, k)
    if isinstance(obj, dict):
        obj[key[-1]] = value
    else:
        setattr(obj, key[-1], value)


def localized(cfg, keep=lambda path: False):
    """A copy of ``cfg`` whose file paths are this machine's (``keep(path)``: left as is)."""
    out = copy.deepcopy(cfg)
    for key, path in cfg.model_paths().items():
        if not keep(path):
            _set(out, key, local_copy(path))
    return out


def _build_with_local_files(factory, cfg, *args, **kwargs):
    return factory(localized(cfg), *args, **kwargs)


def with_local_files(factory, cfg, *args, **kwargs):
    """A picklable ``map_batches`` factory: ``factory(cfg, …)`` with ``cfg``'s files resolved
    where it runs (an executor), not on the driver."""
    return functools.partial(_build_with_local_files, factory, cfg, *args, **kwargs)


def _one_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
