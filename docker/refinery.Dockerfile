# The refinery image: Java 17 + Spark (from PySpark's wheel) + the project with its Spark extras.
# Used for the standalone cluster in compose.yaml and as a spark-submit client.
#   docker build -f docker/refinery.Dockerfile -t llm-refinery .
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless procps tini \
 && rm -rf /var/lib/apt/lists/*

ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /opt/refinery
# Dependencies first (setup.cfg changes rarely) so code edits rebuild only the last layers.
COPY setup.cfg pyproject.toml README.md ./
RUN mkdir -p refinery schemas jobs \
 && touch refinery/__init__.py schemas/__init__.py jobs/__init__.py \
 && pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && pip install '.[spark,report]' \
 && pip uninstall -y llm-refinery
COPY refinery refinery
COPY schemas schemas
COPY jobs jobs
COPY conf conf
COPY sample sample
RUN pip install --no-deps '.' 

# Spark's own scripts ship inside the pyspark wheel.
ENV SPARK_HOME=/usr/local/lib/python3.11/site-packages/pyspark \
    PYSPARK_PYTHON=/usr/local/bin/python \
    SPARK_CONF_DIR=/opt/refinery/conf/spark
ENV PATH=$SPARK_HOME/bin:$PATH
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["spark-submit", "--help"]
