"""Greedy generation with stop strings and ``max_new_tokens`` (the notes: if the model does not stop,
cap the new tokens or use a StoppingCriteria that stops at the newline).

Prompts are batched with left padding; a row is finished when its new text contains a stop string
or it emits EOS, and generation ends when every row is. The returned text is cut before the first
stop string. A prompt longer than the model's context loses its oldest tokens (counted).
"""
from __future__ import annotations

import os

import torch


class TextTokenizer:
    """encode / decode / eos over an HF tokenizer directory or a bare ``tokenizer.json``."""

    def __init__(self, path: str):
        if os.path.isfile(path):
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(path)
            self.encode = lambda text: tok.encode(text, add_special_tokens=False).ids
            self.decode = lambda ids: tok.decode(list(ids), skip_special_tokens=True)
            eos = next((t for t in ("<|end_of_text|>", "</s>", "<|endoftext|>", "<eos>") if tok.token_to_id(t) is not None),
                       None)
            self.eos_id = tok.token_to_id(eos) if eos else None
        else:
            from transformers import AutoTokenizer

            tok = AutoTokenizer.from_pretrained(path)
            self.encode = lambda text: tok.encode(text, add_special_tokens=False)
            self.decode = lambda ids: tok.decode(list(ids), skip_special_tokens=True)
            self.eos_id = tok.eos_token_id


class _StopOnStrings:
    """A ``transformers`` StoppingCriteria: per row, done once the new text holds a stop string."""

    def __init__(self, decode, prompt_len: int, stops: tuple[str, ...]):
        self.decode, self.prompt_len, self.stops = decode, prompt_len, stops

    def __call__(self, input_ids, scores, **kwargs):
        done = [any(s in self.decode(row[self.prompt_len:].tolist()) for s in self.stops) for row in input_ids]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


def cut_at_stop(text: str, stops) -> str:
    cut = min((text.index(s) for s in stops if s and s in text), default=len(text))
    return text[:cut]


class GreedyGenerator:
    """``generator(prompts) -> texts``; ``generated_tokens`` holds, per prompt of the last call, how many
    tokens the model produced before it stopped."""

    def __init__(self, model, tokenizer: TextTokenizer, max_new_tokens: int = 16, stop=("\n",), batch_size: int = 8):
        self.model, self.tok = model, tokenizer
        self.max_new_tokens, self.stop, self.batch_size = max_new_tokens, tuple(s for s in stop if s), batch_size
        self.context = getattr(model.config, "max_position_embeddings", None)
        self.truncated = 0
        self.generated_tokens: list[int] = []

    def _encode(self, prompt: str) -> list[int]:
        ids = self.tok.encode(prompt)
        if not ids:
            raise ValueError("a prompt tokenizes to nothing")
        if self.context and len(ids) + self.max_new_tokens > self.context:
            ids = ids[len(ids) + self.max_new_tokens - self.context:]
            self.truncated += 1
        return ids

    @torch.no_grad()
    def __call__(self, prompts: list[str]) -> list[str]:
        from transformers import StoppingCriteriaList

        out, self.generated_tokens = [], []
        device = next(self.model.parameters()).device
        pad = self.tok.eos_id if self.tok.eos_id is not None else 0
        for start in range(0, len(prompts), self.batch_size):
            encoded = [self._encode(p) for p in prompts[start:start + self.batch_size]]
            width = max(len(e) for e in encoded)
            ids = torch.tensor([[pad] * (width - len(e)) + e for e in encoded], device=device)
            mask = torch.tensor([[0] * (width - len(e)) + [1] * len(e) for e in encoded], device=device)
            criteria = StoppingCriteriaList([_StopOnStrings(self.tok.decode, width, self.stop)] if self.stop else [])
            result = self.model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=self.max_new_tokens,
                                         do_sample=False, stopping_criteria=criteria, pad_token_id=pad,
                                         eos_token_id=self.tok.eos_id, num_beams=1)
            for row in result[:, width:].tolist():
                new = row
                if self.tok.eos_id is not None and self.tok.eos_id in row:
                    new = row[:row.index(self.tok.eos_id)]
                text = self.tok.decode(new)
                self.generated_tokens.append(self._tokens_until_stop(new))
                out.append(cut_at_stop(text, self.stop))
        return out

    def _tokens_until_stop(self, new: list[int]) -> int:
        """Tokens up to (and including) the one that completed a stop string."""
        for n in range(1, len(new) + 1):
            if any(s in self.tok.decode(new[:n]) for s in self.stop):
                return n
        return len(new)
