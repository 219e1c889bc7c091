"""spark-submit jobs/clean.py --input INGESTED --output DIR [--config clean.yaml] [--mode filter|annotate]

The stage lives in refinery/spark/clean.py; `--help` lists its flags."""
from refinery.spark.job import entry

main = entry("clean", __name__)
