# The trainer image: CUDA + torch + DeepSpeed + flash-attn, the project's `train` and `gpu` extras.
#   docker build -f docker/trainer.Dockerfile -t llm-trainer .
#   docker run --gpus all --ipc=host -v /data:/data llm-trainer \
#     deepspeed trainer/pretrain.py --config trainer/configs/1b.yaml data.shards=/data/shards run_dir=/data/runs/1b
FROM nvidia/cuda:12.8.1-cudnn-devel-ubuntu22.04

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.11 python3.11-dev python3.11-venv git ninja-build openssh-client pdsh \
 && rm -rf /var/lib/apt/lists/* \
 && python3.11 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    TORCH_CUDA_ARCH_LIST="8.0;9.0"

WORKDIR /opt/refinery
COPY setup.cfg pyproject.toml README.md ./
RUN mkdir -p refinery schemas jobs trainer \
 && touch refinery/__init__.py schemas/__init__.py jobs/__init__.py trainer/__init__.py \
 && pip install --upgrade pip wheel packaging \
 && pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128 \
 && pip install '.[train]' \
 && pip install --no-build-isolation '.[gpu]' \
 && pip uninstall -y llm-refinery
COPY . .
RUN pip install --no-deps '.' \
 && python -c "import torch, deepspeed, flash_attn; print(torch.__version__, deepspeed.__version__, flash_attn.__version__)"
CMD ["bash"]
