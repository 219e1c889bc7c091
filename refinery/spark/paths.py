"""Driver-side file operations through Hadoop's FileSystem, so local paths, ``file://``
and ``hdfs://`` (or any scheme the cluster's Hadoop knows) behave the same."""
from __future__ import annotations

import os
from urllib.parse import urlparse


def qualify(path: str) -> str:
    """A URI Spark and Hadoop agree on: plain local paths become absolute ``file://`` URIs."""
    if urlparse(path).scheme and not (len(urlparse(path).scheme) == 1 and os.name == "nt"):
        return path.rstrip("/") or path
    return "file://" + os.path.abspath(path)


def local_path(uri: str) -> str | None:
    """The local filesystem path of a ``file://`` or plain path; None for remote URIs."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return parsed.path if parsed.scheme else os.path.abspath(uri)
    return None


class HadoopFS:
    """The handful of operations the jobs need, on the JVM's Hadoop FileSystem."""

    def __init__(self, spark, uri: str):
        jvm = spark.sparkContext._jvm
        self._jvm = jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()
        self._fs = jvm.org.apache.hadoop.fs.Path(qualify(uri)).getFileSystem(self._conf)

    def _path(self, uri: str):
        return self._jvm.org.apache.hadoop.fs.Path(qualify(uri))

    def exists(self, uri: str) -> bool:
        return bool(self._fs.exists(self._path(uri)))

    def delete(self, uri: str) -> None:
        self._fs.delete(self._path(uri), True)

    def rename(self, src: str, dst: str) -> None:
        if not self._fs.rename(self._path(src), self._path(dst)):
            raise OSError(f"rename {src} -> {dst} failed")

    def mkdirs(self, uri: str) -> None:
        self._fs.mkdirs(self._path(uri))

    def list_names(self, uri: str) -> list[str]:
        if not self.exists(uri):
            return []
        return sorted(s.getPath().getName() for s in self._fs.listStatus(self._path(uri)))

    def write_text(self, uri: str, text: str) -> None:
        out = self._fs.create(self._path(uri), True)
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()

    def read_text(self, uri: str) -> str:
        stream = self._fs.open(self._path(uri))
        try:
            reader = self._jvm.java.io.BufferedReader(self._jvm.java.io.InputStreamReader(stream, "UTF-8"))
            lines = []
            while (line := reader.readLine()) is not None:
                lines.append(line)
            return "\n".join(lines)
        finally:
            stream.close()


def parent_and_name(uri: str) -> tuple[str, str]:
    uri = qualify(uri)
    head, _, name = uri.rstrip("/").rpartition("/")
    return head, name
