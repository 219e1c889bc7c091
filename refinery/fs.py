"""pyarrow filesystems from the URIs users pass (a local path, file://, hdfs://, s3://): the one
place that turns a job's --input or --output into a filesystem and a path on it, for the ingest
readers and for the workers that write Parquet themselves."""
from __future__ import annotations

import os
import urllib.parse

import pyarrow.fs as pafs


def split_uri(path: str) -> tuple[pafs.FileSystem, str, str]:
    """(filesystem, path on it, prefix that turns such a path back into the caller's form)."""
    if "://" not in path:
        fs, fs_path = pafs.FileSystem.from_uri(os.path.abspath(path))
        return fs, fs_path, ""
    fs, fs_path = pafs.FileSystem.from_uri(path)
    parsed = urllib.parse.urlparse(path)
    # hdfs://nn:8020/a -> "/a" (authority dropped); s3://bucket/a -> "bucket/a" (kept in the path)
    prefix = "%s://%s" % (parsed.scheme, parsed.netloc if fs_path.startswith("/") else "")
    return fs, fs_path, prefix


def path_on_filesystem(path: str, prefix: str) -> str:
    """The path ``split_uri`` gives for ``path``, knowing the ``prefix`` it gave for another
    path of the same filesystem: many paths resolved with one filesystem (one HDFS connection,
    not one per file). A query (``s3://b/k?region=…``) configures the filesystem; it is not
    part of the path."""
    if not prefix:
        return os.path.abspath(path)
    return path.split("?", 1)[0][len(prefix):]
