"""spark-submit jobs/mix.py --config mix.yaml --input DIR [DIR ...] --output DIR [--set key=value ...]

The stage lives in refinery/spark/mix.py; `--help` lists its flags."""
from refinery.spark.job import entry

main = entry("mix", __name__)
