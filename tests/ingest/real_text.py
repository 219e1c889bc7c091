"""Real text for reader tests: source files of the Python packages installed beside the tests.

Archives made only of strings a test generated hid the bug of issue 13 (members of 3-50 KB,
one per record, as Common Crawl writes them); these are files nobody here wrote.
"""
from __future__ import annotations

import functools
import pathlib
import sysconfig

# Packages every environment that runs the tests has (install_requires and the dev extra).
_PACKAGES = ("pyarrow", "warcio", "zstandard", "trafilatura", "pytest", "_pytest", "yaml", "charset_normalizer")


@functools.lru_cache(maxsize=None)
def real_files(min_bytes: int = 0, max_bytes: int = 1 << 30) -> tuple[pathlib.Path, ...]:
    """Installed ``.py`` files with a size in [min_bytes, max_bytes], sorted (deterministic)."""
    root = pathlib.Path(sysconfig.get_paths()["purelib"])
    found = []
    for package in _PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if min_bytes <= path.stat().st_size <= max_bytes:
                found.append(path)
    if not found:
        raise RuntimeError("no installed .py files between %d and %d bytes under %s" % (min_bytes, max_bytes, root))
    return tuple(found)


@functools.lru_cache(maxsize=1)
def real_text_blob() -> bytes:
    """All of real_files() concatenated: slices of it are real payloads of any length."""
    return b"".join(p.read_bytes() for p in real_files())
