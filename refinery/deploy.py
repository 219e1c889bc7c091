"""Pack the refinery's code for ``spark-submit --py-files`` (``make dist`` calls this).

The code zip is separate from the packed virtualenv (``--archives``) so a code change ships
in seconds without re-packing hundreds of MB of dependencies.
"""
from __future__ import annotations

import argparse
import os
import sys
import zipfile

PACKAGES = ("refinery", "schemas", "jobs")
SKIP_DIRS = {"__pycache__", ".pytest_cache"}


def pack_code(repo: str, out: str) -> int:
    """Zip the importable packages (with their data files: word lists, default configs, models)."""
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    count = 0
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for package in PACKAGES:
            for root, dirs, files in os.walk(os.path.join(repo, package)):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                for name in sorted(files):
                    if name.endswith((".pyc", ".pyo")):
                        continue
                    path = os.path.join(root, name)
                    zf.write(path, os.path.relpath(path, repo))
                    count += 1
    os.replace(tmp, out)
    return count


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default="dist/refinery.zip")
    p.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = p.parse_args(argv)
    n = pack_code(args.repo, args.out)
    print(f"{args.out}: {n} files from {', '.join(PACKAGES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
