"""spark-submit jobs/ingest.py --input PATH [PATH ...] --output DIR [--config ingest.yaml] [--set key=value ...]

The stage lives in refinery/spark/ingest.py; `--help` lists its flags."""
from refinery.spark.job import entry

main = entry("ingest", __name__)
