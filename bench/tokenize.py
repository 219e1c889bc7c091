"""python bench/tokenize.py [--repeat-corpus 4] [--passes 3] [--spark]

Tokens/s per core of the tokenize job's path against raw ``tokenizers`` ``encode_batch``; the
benchmark lives in ``bench/tokenize_bench.py``. Like ``jobs/tokenize.py``, this file shadows the
standard library's ``tokenize`` for any script run from ``bench/``, so when imported under that
name it loads the real module in its place.
"""
import os
import sys

if __name__ == "tokenize":
    import importlib.util
    import sysconfig

    _spec = importlib.util.spec_from_file_location("tokenize", os.path.join(sysconfig.get_paths()["stdlib"], "tokenize.py"))
    _stdlib_tokenize = importlib.util.module_from_spec(_spec)
    sys.modules["tokenize"] = _stdlib_tokenize
    _spec.loader.exec_module(_stdlib_tokenize)
elif __name__ == "__main__":
    import runpy

    sys.argv[0] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokenize_bench.py")
    runpy.run_path(sys.argv[0], run_name="__main__")
