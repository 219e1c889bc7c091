"""spark-submit jobs/shards.py --input DOCS --tokenizer DIR --output SHARDS --chunk-tokens N

The stage lives in refinery/spark/shards.py; `--help` lists its flags."""
from refinery.spark.job import entry

main = entry("shards", __name__)
