"""Finding and opening input files on any filesystem pyarrow knows (local, file://, hdfs://).

Decompression is done here, in Python over the raw pyarrow stream, rather than by pyarrow
or the ``gzip`` module, because a reader must know *how* a stream ended: a gzip member or
zstd frame cut short is a truncated file (one ``ingest.truncated_file`` row), not an
ordinary end of input, and a WARC reader needs the compressed offset of each gzip member.
"""
from __future__ import annotations

import fnmatch
import io
import os
import posixpath
import urllib.parse
import zlib

import pyarrow.fs as pafs
import zstandard

from refinery.fs import path_on_filesystem, split_uri

# Longest first: the first suffix a name ends with decides.
KNOWN_SUFFIXES = (
    ".warc.wet.gz", ".warc.gz", ".wet.gz", ".warc.wet.zst", ".warc.zst", ".wet.zst", ".warc", ".wet",
    ".jsonl.gz", ".jsonl.zst", ".json.gz", ".json.zst", ".jsonl",
    ".parquet",
)
_GLOB_CHARS = "*?["
_RAW_CHUNK = 1 << 20
_FEED_BYTES = 1 << 14  # also bounds zstd's output per call (it has no max_length)
# Raw bytes of the current member kept across refills, so a resync after a corrupt member
# can search from the member's start; a longer member is searched from the buffer's start.
_KEEP_MEMBER_BYTES = 4 << 20
_MAGIC = {"gzip": b"\x1f\x8b\x08", "zstd": b"\x28\xb5\x2f\xfd"}
_PROBE_BYTES = 4096  # a candidate header must decode this far to be a member/frame start


def has_known_suffix(path: str) -> bool:
    return path.lower().endswith(KNOWN_SUFFIXES)


def detect_format(path: str) -> str:
    """"warc" | "wet" | "jsonl" | "parquet", from the file name."""
    name = posixpath.basename(path.split("?", 1)[0]).lower()
    if ".wet" in name:
        return "wet"
    if ".warc" in name:
        return "warc"
    if name.endswith(".parquet"):
        return "parquet"
    if ".jsonl" in name or ".json" in name:
        return "jsonl"
    raise ValueError("unknown input format: %s" % path)


def source_name(path: str) -> str:
    """Default source name of a file: the name of the directory holding it."""
    if "://" in path:
        parsed = urllib.parse.urlparse(path)
        return posixpath.basename(posixpath.dirname(parsed.path)) or parsed.netloc or "unknown"
    return posixpath.basename(posixpath.dirname(os.path.abspath(path))) or "unknown"


def open_input(path: str):
    """Raw binary stream over ``path`` (no decompression; pyarrow would guess from the name)."""
    fs, fs_path, _ = split_uri(path)
    return fs.open_input_stream(fs_path, compression=None)


def file_size(path: str) -> int | None:
    """Size of ``path`` in bytes, or None when it is not a file that can be looked at."""
    return file_sizes([path])[0]


def file_sizes(paths: list[str]) -> list[int | None]:
    """``file_size`` of many paths: one listing call per filesystem, not one per file (a
    namenode round trip each on HDFS)."""
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(paths):
        parsed = urllib.parse.urlparse(p) if "://" in p else None
        groups.setdefault(f"{parsed.scheme}://{parsed.netloc}" if parsed else "", []).append(i)
    out: list[int | None] = [None] * len(paths)
    for members in groups.values():
        try:
            fs, _, prefix = split_uri(paths[members[0]])
            infos = fs.get_file_info([path_on_filesystem(paths[i], prefix) for i in members])
        except Exception:
            continue  # the readers report what cannot be opened, file by file
        for i, info in zip(members, infos):
            out[i] = info.size if info.type == pafs.FileType.File else None
    return out


def open_random_access(path: str):
    """Seekable binary file over ``path`` (Parquet needs its footer first)."""
    fs, fs_path, _ = split_uri(path)
    return fs.open_input_file(fs_path)


def codec_of(path: str) -> str | None:
    """"gzip" | "zstd" | None (not compressed), from the file name."""
    lower = path.lower()
    return "gzip" if lower.endswith(".gz") else "zstd" if lower.endswith((".zst", ".zstd")) else None


def open_decompressed(path: str) -> "DecompressedStream":
    """Binary stream over ``path``, decompressed by extension (.gz, .zst)."""
    return DecompressedStream(open_input(path), codec_of(path))


class DecompressedStream(io.RawIOBase):
    """Streaming decompression of a multi-member gzip or multi-frame zstd stream.

    It never raises for a damaged stream: it ends early and says why in ``truncated`` (the
    input ended inside a member/frame) or ``error`` (corrupt data, an IO error). After
    corrupt data (``corrupt``) the caller may call ``skip_corrupt()`` to go on at the next
    member/frame header. ``members`` lists ``(decompressed_start, compressed_start)`` for
    every gzip member / zstd frame begun, so a caller can map a position in the output
    back to the member holding it.
    """

    def __init__(self, raw, codec: str | None):
        self._raw = raw
        self.codec = codec
        self.pos = 0  # decompressed bytes delivered
        self.members: list[tuple[int, int]] = []
        self.truncated = False
        self.error: str | None = None  # why the stream ended early, when it did
        self.corrupt = False  # error is bad compressed data (not an IO failure)
        self.member_head = b""  # first raw bytes of the latest member: salvage when it is cut
        self._raw_buf = b""  # raw input read ahead; _raw_pos: the next byte to decompress
        self._raw_pos = 0
        self._raw_offset = 0  # file offset of _raw_buf[0]
        self._member_raw = 0  # file offset of the latest member begun
        self._plain_read = 0
        self._dec = None
        self._eof = False
        self._spill = b""  # zstd output beyond what the last read asked for (it has no max_length)

    def readable(self) -> bool:
        return True

    @property
    def at_eof(self) -> bool:
        return self._eof

    @property
    def bytes_consumed(self) -> int:
        """Bytes of the file read and used so far (read-ahead not counted)."""
        if self.codec is None:
            return self._plain_read
        return self._raw_offset + self._raw_pos

    @property
    def open_member(self) -> tuple[int, int] | None:
        """The member the input ended inside, when it is truncated."""
        return self.members[-1] if self.truncated and self.members else None

    def readinto(self, buf) -> int:
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            return b"".join(iter(lambda: self.read(_RAW_CHUNK), b""))
        if self._eof or n == 0:
            return b""
        try:
            out = self._read_plain(n) if self.codec is None else self._read_codec(n)
        except (KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:  # corrupt data or IO error: end the stream, keep the reason
            self.error = "%s: %s" % (type(exc).__name__, exc)
            self.corrupt = isinstance(exc, (zlib.error, zstandard.ZstdError))
            out = b""
        if not out:
            self._eof = True
        self.pos += len(out)
        return out

    def _raw_read(self, size: int) -> bytes:
        data = self._raw.read(size)
        return bytes(data) if data else b""

    def _read_plain(self, n: int) -> bytes:
        if not self.members:
            self.members.append((0, 0))
        data = self._raw_read(n)
        self._plain_read += len(data)
        return data

    def _fill(self) -> bool:
        """Make sure raw input is buffered; False at the end of the raw stream."""
        if self._raw_pos < len(self._raw_buf):
            return True
        keep = len(self._raw_buf)
        member = self._member_raw - self._raw_offset
        if self._dec is not None and 0 <= member and keep - member <= _KEEP_MEMBER_BYTES:
            keep = member
        return self._append_raw(keep)

    def _append_raw(self, keep: int) -> bool:
        """Read more raw input onto the buffer, dropping the bytes before index ``keep``."""
        data = self._raw_read(_RAW_CHUNK)
        if not data:
            return False
        self._raw_offset += keep
        self._raw_buf = self._raw_buf[keep:] + data
        self._raw_pos = max(self._raw_pos - keep, 0)
        return True

    def _read_codec(self, n: int) -> bytes:
        if self._spill:
            out, self._spill = self._spill[:n], self._spill[n:]
            return out
        while True:
            if not self._fill():
                if self._dec is not None:
                    self.truncated = True  # the input ended inside a member / frame
                return b""
            if self._dec is None:
                self._dec = self._new_decompressor()
                self._member_raw = self._raw_offset + self._raw_pos
                self.members.append((self.pos, self._member_raw))
                self.member_head = self._raw_buf[self._raw_pos: self._raw_pos + 256]
            # Feed small slices: zlib copies the unfed rest into unused_data/unconsumed_tail,
            # which would be quadratic with one-record members and a big input buffer.
            feed = memoryview(self._raw_buf)[self._raw_pos: self._raw_pos + _FEED_BYTES]
            if self.codec == "gzip":
                out = self._dec.decompress(feed, n)
                left = len(self._dec.unconsumed_tail)
            else:
                out = self._dec.decompress(feed)
                left = 0
            if self._dec.eof:
                # unused_data holds every byte past the member's end; when the member ended in a
                # call limited by max_length, unconsumed_tail repeats those same bytes (CPython).
                left = len(self._dec.unused_data)
                self._dec = None
            self._raw_pos += len(feed) - left
            if len(out) > n:  # never more than asked: FastWARC and readinto() rely on it
                out, self._spill = out[:n], out[n:]
            if out:
                return out

    def skip_corrupt(self) -> tuple[int, int]:
        """After corrupt data: go on at the next member/frame header that decodes.

        Returns the file byte range ``(start, end)`` skipped: from the start of the member
        that failed to the next good header, or to the end of the file when there is none
        (then the stream stays at its end). Reading resumes with a new member.
        """
        if not self.corrupt or self.codec is None:
            raise ValueError("skip_corrupt() needs a compressed stream that ended on corrupt data")
        start = self._member_raw
        magic = _MAGIC[self.codec]
        i = max(start + 1 - self._raw_offset, 0)
        while True:
            j = self._raw_buf.find(magic, i)
            if j < 0:
                keep = max(len(self._raw_buf) - len(magic) + 1, i)
                if not self._append_raw(keep):
                    self._raw_pos = len(self._raw_buf)
                    end, found = self._raw_offset + self._raw_pos, False
                    break
                i = 0
                continue
            if j + _PROBE_BYTES > len(self._raw_buf) and self._append_raw(j):
                j = 0
            if self._probe(j):
                self._raw_pos = j
                end, found = self._raw_offset + j, True
                break
            i = j + 1
        self.error, self.corrupt, self._dec = None, False, None
        self._eof = not found
        return start, end

    def _probe(self, i: int) -> bool:
        """Does a member/frame start at ``_raw_buf[i]``? (it decodes its first bytes)"""
        try:
            dec = self._new_decompressor()
            head = self._raw_buf[i: i + _PROBE_BYTES]
            if self.codec == "gzip":
                dec.decompress(head, 1 << 16)
            else:
                dec.decompress(head[:512])
        except (zlib.error, zstandard.ZstdError):
            return False
        return True

    def _new_decompressor(self):
        if self.codec == "gzip":
            return zlib.decompressobj(31)
        if self.codec == "zstd":
            return zstandard.ZstdDecompressor().decompressobj()
        raise ValueError("unknown codec %r" % self.codec)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def _walk(fs: pafs.FileSystem, base: str) -> list[str]:
    """Files under ``base``, skipping anything whose name (below base) starts with _ or ."""
    found = []
    for info in fs.get_file_info(pafs.FileSelector(base, recursive=True)):
        if info.type != pafs.FileType.File:
            continue
        rel = posixpath.relpath(info.path, base)
        if any(part.startswith(("_", ".")) for part in rel.split("/")):
            continue
        found.append(info.path)
    return found


def _expand_glob(fs: pafs.FileSystem, pattern: str) -> list[str]:
    parts = pattern.split("/")
    first = next(i for i, p in enumerate(parts) if any(c in p for c in _GLOB_CHARS))
    base = "/".join(parts[:first]) or "/"
    if fs.get_file_info(base).type != pafs.FileType.Directory:
        return []
    depth = len(parts)
    return [
        p for p in _walk(fs, base)
        if (len(p.split("/")) == depth or "**" in pattern) and fnmatch.fnmatchcase(p, pattern)
    ]


def _expand_one(spec: str) -> list[str]:
    spec = spec.strip()
    if spec.startswith("@"):
        with open_input(spec[1:]) as fh:
            lines = fh.read().decode("utf-8").splitlines()
        out = []
        for line in lines:
            line = line.split("#", 1)[0].strip()
            if line:
                out.extend(_expand_one(line))
        return out
    fs, fs_path, prefix = split_uri(spec)
    if any(c in fs_path for c in _GLOB_CHARS):
        paths = [p for p in _expand_glob(fs, fs_path) if has_known_suffix(p)]
    else:
        info = fs.get_file_info(fs_path)
        if info.type == pafs.FileType.Directory:
            paths = [p for p in _walk(fs, fs_path) if has_known_suffix(p)]
        elif info.type == pafs.FileType.File:
            if not has_known_suffix(fs_path):
                raise ValueError("not a known input format (%s): %s" % (", ".join(KNOWN_SUFFIXES), spec))
            paths = [fs_path]
        else:
            raise FileNotFoundError(spec)
    return [prefix + p for p in paths]


def list_input_files(spec: str | list[str]) -> list[str]:
    """Input files named by ``spec``, sorted and without duplicates.

    ``spec`` is a directory (walked recursively, skipping names starting with ``_`` or
    ``.``), a glob (``*``, ``?``, ``[``; ``**`` crosses directories), one file, ``@list``
    (a file of such specs, one a line, ``#`` comments), or a list of any of these. Only
    names with a known suffix are kept. Local paths come back absolute, URIs as URIs.
    """
    specs = [spec] if isinstance(spec, str) else list(spec)
    return sorted({path for s in specs for path in _expand_one(s)})
