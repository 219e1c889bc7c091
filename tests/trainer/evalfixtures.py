"""Small things the evaluation tests share: a byte-level BPE tokenizer trained in-process, and
checkpoint directories in DeepSpeed's ZeRO-0 layout (``mp_rank_00_model_states.pt`` holding the
module, plus the trainer's metadata and COMPLETE marker) so the exporter reads them as it reads a
real run's."""
import json
import os

import torch

from trainer.config import ModelConfig

MODEL = ModelConfig(num_kv_heads=2)   # the tiny trainer model: vocab 512, context 128


def train_tokenizer(path, texts) -> str:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=500, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|end_of_text|>"])
    tok.train_from_iterator(texts, trainer)
    tok.save(str(path))
    return str(path)


def write_checkpoint(run_dir, step: int, seed: int, tokenizer: str | None, complete: bool = True,
                     micro_batch_size: int = 4, world_size: int = 2, seq_len: int = 64):
    """A checkpoint of the tiny model with weights from ``seed``; returns the model."""
    from trainer.model import build_model

    model = build_model(MODEL, seed=seed).eval()
    path = os.path.join(run_dir, f"ckpt-{step}")
    os.makedirs(path, exist_ok=True)
    torch.save({"module": model.state_dict()}, os.path.join(path, "mp_rank_00_model_states.pt"))
    with open(os.path.join(path, "config.json"), "w") as f:
        f.write(model.config.to_json_string())
    trainer_config = {"train": {"micro_batch_size": micro_batch_size, "grad_accum": 1, "precision": "fp32"},
                      "data": {"seq_len": seq_len, "tokenizer": tokenizer, "eval_shards": None}}
    with open(os.path.join(path, "trainer_config.json"), "w") as f:
        json.dump(trainer_config, f)
    if complete:
        with open(os.path.join(path, "COMPLETE"), "w") as f:
            json.dump({"step": step, "world_size": world_size}, f)
    return model
