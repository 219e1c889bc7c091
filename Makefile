# Two commands a newcomer types: `make setup demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# PyTorch's CPU wheel index; when empty, pip resolves torch==$(TORCH_VERSION) from its
# configured indexes (on our CI image that is a local CPU build).
TORCH_CPU_INDEX ?=
TORCH_VERSION ?= 2.13.0
HAS_GPU := $(shell command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && echo 1)
export SPARK_LOCAL_IP ?= 127.0.0.1
export PYSPARK_PYTHON := $(abspath $(PY))
export PYSPARK_DRIVER_PYTHON := $(abspath $(PY))

.PHONY: setup demo test test-fast fuzz bench sample clean dist models corpus corpus-slice

setup: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
ifeq ($(HAS_GPU),1)
	$(PIP) install -q torch==$(TORCH_VERSION)
	$(PIP) install -q -e '.[spark,train,report,dev,gpu]' || $(PIP) install -q -e '.[spark,train,report,dev]'
else
	$(PIP) install -q torch==$(TORCH_VERSION) $(if $(TORCH_CPU_INDEX),--index-url $(TORCH_CPU_INDEX))
	$(PIP) install -q -e '.[spark,train,report,dev]'
endif
	$(PY) -c "import torch; print('torch', torch.__version__, 'cuda' if torch.cuda.is_available() else 'cpu')"
	touch $@

demo: setup
	$(PY) -m refinery.demo --out runs/demo

# Two pytest-xdist workers (2 cores): most cases wait on a JVM, a launcher or one Python thread.
# A module's cases stay on one worker (tests/conftest.py), so its fixtures are built once.
PYTEST_WORKERS ?= 2
test: setup corpus-slice
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

test-fast: setup corpus-slice
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder -m "not slow"

# The readers' differential tests with many more hypothesis examples (and 5 MB records).
FUZZ_EXAMPLES ?= 500
fuzz: setup
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q tests/ingest/test_differential.py

# datatrove (the yardstick of bench/ingest.py) lives in its own virtualenv, never in $(VENV).
BENCH_DT_VENV ?= .bench/venv-datatrove
BENCH_ARGS ?=

bench: setup $(BENCH_DT_VENV)/.installed
	$(PY) bench/ingest.py --datatrove-python $(BENCH_DT_VENV)/bin/python $(BENCH_ARGS)

$(BENCH_DT_VENV)/.installed: bench/requirements-datatrove.txt
	test -x $(BENCH_DT_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_DT_VENV)
	$(BENCH_DT_VENV)/bin/pip install -q --upgrade pip
	$(BENCH_DT_VENV)/bin/pip install -q -r bench/requirements-datatrove.txt
	touch $@

# What spark-submit ships to a cluster (README: "Running on a cluster"):
#   dist/refinery.zip         the code, for --py-files
#   dist/refinery-env.tar.gz  a packed virtualenv of the executors' dependencies, for --archives / spark.archives
# The env holds the project's runtime dependencies plus DIST_EXTRAS, not the project itself (that is
# the zip) and not PySpark (the cluster's Spark provides it).
DIST_EXTRAS ?= executor
DIST_VENV ?= .dist/venv
DIST_DIR ?= dist
DIST_COMPRESS ?= 4

dist: setup
	rm -rf $(DIST_VENV) $(DIST_DIR)/refinery-env.tar.gz
	$(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/pip install -q --upgrade pip
ifneq ($(filter executor,$(DIST_EXTRAS)),)
	$(DIST_VENV)/bin/pip install -q torch==$(TORCH_VERSION) $(if $(TORCH_CPU_INDEX),--index-url $(TORCH_CPU_INDEX))
endif
	$(DIST_VENV)/bin/pip install -q '.$(if $(DIST_EXTRAS),[$(DIST_EXTRAS)])'
	$(DIST_VENV)/bin/pip uninstall -q -y llm-refinery
	mkdir -p $(DIST_DIR)
	$(PY) -m venv_pack -q --compress-level $(DIST_COMPRESS) -p $(DIST_VENV) -o $(DIST_DIR)/refinery-env.tar.gz
	$(PY) -m refinery.deploy --out $(DIST_DIR)/refinery.zip
	tar -czf $(DIST_DIR)/models.tar.gz -C models .
	@ls -la $(DIST_DIR)

# The real corpus (corpus/README.md): Debian documentation packages + the venv's Python sources,
# cached under $(REFINERY_CORPUS) and never committed; tests use its slice.
export REFINERY_CORPUS ?= $(abspath .corpus)
corpus: setup
	$(PY) -m corpus.build --out $(REFINERY_CORPUS)
	$(PY) -m corpus.warc --corpus $(REFINERY_CORPUS)
	$(PY) -m corpus.literature --out $(REFINERY_CORPUS)
	$(PY) -m corpus.readmes --out $(REFINERY_CORPUS)

# What the tests read: the documents, the slice's archives (the whole site's crawl takes minutes)
# and the literature (4 MB) and README (1 MB) parts.
corpus-slice: setup
	$(PY) -m corpus.build --out $(REFINERY_CORPUS)
	$(PY) -m corpus.warc --corpus $(REFINERY_CORPUS) --only slice
	$(PY) -m corpus.literature --out $(REFINERY_CORPUS)
	$(PY) -m corpus.readmes --out $(REFINERY_CORPUS)

sample: setup
	$(PY) sample/generate.py --out sample/data

clean:
	rm -rf runs .pytest_cache build *.egg-info dist .dist

# Rebuild the default scoring models shipped in models/ from the real corpus (reproducible, seeded;
# 105 s measured on 2 idle cores in s25, BERT 60 s of it; 32.5 min at load ~20 in s20). It reads the documentation corpus and its literature and README parts.
models: setup
	$(PY) -m corpus.build --out $(REFINERY_CORPUS)
	$(PY) -m corpus.literature --out $(REFINERY_CORPUS)
	$(PY) -m corpus.readmes --out $(REFINERY_CORPUS)
	$(PY) -m refinery.scoring.build_default_models --out models
