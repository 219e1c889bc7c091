"""spark-submit jobs/dedup.py --input DOCS [DOCS ...] --output DIR [--config dedup.yaml] [--set key=value ...]

The stage lives in refinery/spark/dedup.py; `--help` lists its flags."""
from refinery.spark.job import entry

main = entry("dedup", __name__)
