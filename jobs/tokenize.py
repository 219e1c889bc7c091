"""spark-submit jobs/tokenize.py --input MIXED --tokenizer DIR --output SHARDS --chunk-tokens N

The job lives in ``jobs/tokenize_job.py``. This file is only its entry point, and it has to be
careful: ``spark-submit jobs/<any>.py`` puts ``jobs/`` first on ``sys.path``, so this file shadows
the standard library's ``tokenize`` (imported by ``inspect``, ``linecache``, numpy …). When it
is imported under that name it loads the real standard-library module in its place.
"""
import sys

if __name__ == "tokenize":
    import importlib.util
    import os
    import sysconfig

    _spec = importlib.util.spec_from_file_location("tokenize", os.path.join(sysconfig.get_paths()["stdlib"], "tokenize.py"))
    _stdlib_tokenize = importlib.util.module_from_spec(_spec)
    sys.modules["tokenize"] = _stdlib_tokenize
    _spec.loader.exec_module(_stdlib_tokenize)
else:
    from jobs.tokenize_job import main, run  # noqa: F401

    if __name__ == "__main__":
        sys.exit(main())
