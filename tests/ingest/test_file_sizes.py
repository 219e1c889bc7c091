"""File sizes listed in one call per filesystem (ingest's task packing) against the oracle
of the OS and of pyarrow's own URI parsing (refinery.fs.split_uri resolves one path at a time)."""
import os

import pytest

from refinery.fs import path_on_filesystem, split_uri
from refinery.ingest.readers.files import file_size, file_sizes


@pytest.mark.parametrize("uri", ["file:///tmp/a/b.warc.gz", "s3://bucket/dir/b.warc.gz?region=us-east-1",
                                 "relative/b.jsonl", "/abs/b.parquet"])
def test_a_path_on_a_filesystem_is_the_one_split_uri_gives(uri):
    _, fs_path, prefix = split_uri(uri)
    assert path_on_filesystem(uri, prefix) == fs_path


def test_sizes_of_real_files_in_every_spelling(tmp_path):
    import corpus.warc

    files = sorted(str(p) for p in corpus.warc.archives(slice=True).rglob("*.warc.gz"))[:4]
    assert files
    spellings = (files + ["file://" + os.path.abspath(f) for f in files]
                 + [os.path.relpath(files[0]), str(tmp_path / "missing.warc.gz"), str(tmp_path)])
    expected = [os.path.getsize(f) for f in files] * 2 + [os.path.getsize(files[0]), None, None]
    assert file_sizes(spellings) == expected
    assert [file_size(p) for p in spellings] == expected
