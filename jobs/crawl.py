"""spark-submit jobs/crawl.py --seeds urls.txt --output DIR [--config crawl.yaml] [--max-pages N]

The stage lives in refinery/spark/crawl.py; `--help` lists its flags."""
from refinery.spark.job import entry

main = entry("crawl", __name__)
