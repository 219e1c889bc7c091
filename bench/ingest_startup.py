"""Where the ingest job's fixed cost goes: ``bench/ingest.py --startup`` runs this in a fresh, pinned process.

    python bench/ingest_startup.py WARC_FOLDER OUTPUT     (BENCH_LAUNCH = the parent's time.time() at launch)

The steps of ``jobs/ingest.py`` (refinery/spark/job.py) one by one, timed: driver imports, the
SparkSession, a first Python task, the ingest ``run()`` twice (cold, then warm worker), ``stop()``;
then, in a fresh interpreter, the operator's load and its first page without Spark. Prints one JSON line.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

t_first_line = time.time()
launch = float(os.environ.get("BENCH_LAUNCH", t_first_line))
folder, output = sys.argv[1], sys.argv[2]
marks = {"interpreter": t_first_line - launch}

t = time.perf_counter()
import refinery.spark.ingest as ingest_stage  # noqa: E402  what jobs/ingest.py imports before Spark
from refinery.ingest.config import IngestConfig  # noqa: E402
from refinery.ingest.readers import list_input_files  # noqa: E402
from refinery.spark.session import build_session  # noqa: E402

files = list_input_files([folder])
marks["imports"] = time.perf_counter() - t

t = time.perf_counter()
spark = build_session("refinery-ingest", master="local[1]")
marks["session"] = time.perf_counter() - t

t = time.perf_counter()
spark.range(0, 1, 1, numPartitions=1).mapInArrow(lambda batches: batches, "id long").collect()
marks["python_worker"] = time.perf_counter() - t

for key in ("first_job", "second_job"):
    t = time.perf_counter()
    ingest_stage.run(spark, files, output, IngestConfig())
    marks[key] = time.perf_counter() - t

t = time.perf_counter()
spark.stop()
marks["stop"] = time.perf_counter() - t

operator = r"""
import json, sys, time
t = time.perf_counter()
import pyarrow as pa
from refinery.ingest.config import IngestConfig
from refinery.ingest.pipeline import FILE_INDEX_COLUMN, make_file_ingester
ingest = make_file_ingester(IngestConfig(), tuple(sys.argv[1:]))
loaded = time.perf_counter() - t
t = time.perf_counter()
rows = sum(b.num_rows for b in ingest(pa.RecordBatch.from_pydict({FILE_INDEX_COLUMN: pa.array([0], pa.int64())})))
print(json.dumps({"operator_load": loaded, "first_record": time.perf_counter() - t, "rows": rows}))
"""
proc = subprocess.run([sys.executable, "-c", operator, *files], capture_output=True, text=True, check=True)
marks.update(json.loads(proc.stdout.strip().splitlines()[-1]))
print(json.dumps(marks))
