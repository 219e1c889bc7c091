"""spark-submit jobs/score.py --input DOCS [DOCS ...] --output DIR [--config score.yaml] [--set key=value ...]

The stage lives in refinery/spark/score.py; `--help` lists its flags."""
from refinery.spark.job import entry

main = entry("score", __name__)
