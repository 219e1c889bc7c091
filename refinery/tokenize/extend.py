"""Extend an existing byte-level BPE tokenizer with tokens learned on new data.

    python -m refinery.tokenize.extend --base BASE_DIR --new TRAINED_DIR --out DIR [--max-new 20000] [--cjk-only]

For continue-pretraining an English model on Chinese. New tokens are added as BPE merges
appended after the base merges, in the order the new tokenizer learned them (a merge is
taken only when both its parts exist in the extended vocabulary). Appended merges have the
lowest priority, so they only join pieces the base merges leave over: every token the base
tokenizer produced is still produced (practitioner note 000 warns that adding "中华人民" the
naive way can stop "中华人民共和国" from ever being encoded).

Every old id (added and special tokens included) keeps its meaning; new tokens take the ids
after the highest existing one. ``extension.json`` next to the tokenizer tells the
trainer how many embedding rows the model needs (the trainer initialises the new rows with
the mean of the old ones).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

from tokenizers import Tokenizer

from refinery.tokenize.dirty_tokens import token_text

EXTENSION_FILE = "extension.json"
EMBEDDING_MULTIPLE = 128
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _model_json(tok: Tokenizer) -> dict:
    data = json.loads(tok.to_str())
    if data["model"].get("type") != "BPE":
        raise ValueError(f"only BPE tokenizers can be extended with merges (got {data['model'].get('type')})")
    return data


def _is_byte_level(data: dict) -> bool:
    return "ByteLevel" in json.dumps(data.get("pre_tokenizer"))


def extend_tokenizer(base_dir: str, new_dir: str, out_dir: str, max_new: int | None = None,
                     cjk_only: bool = False) -> dict:
    base = Tokenizer.from_file(os.path.join(base_dir, "tokenizer.json"))
    new = Tokenizer.from_file(os.path.join(new_dir, "tokenizer.json"))
    base_json, new_json = _model_json(base), _model_json(new)
    if not (_is_byte_level(base_json) and _is_byte_level(new_json)):
        raise ValueError("both tokenizers must be byte-level BPE (same byte alphabet)")
    vocab: dict[str, int] = base_json["model"]["vocab"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in base_json["model"]["merges"]]
    old_size = base.get_vocab_size()  # includes added tokens, whose ids may sit above the model vocab
    # tokenizers renumbers added tokens that are not in the model vocabulary (to follow it), so
    # pin them there under their ids before new ids are handed out
    for added_token in base_json.get("added_tokens", []):
        vocab.setdefault(added_token["content"], added_token["id"])
    next_id = max([old_size - 1, *vocab.values()]) + 1
    first_new = next_id
    added: list[str] = []
    for a, b in (tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in new_json["model"]["merges"]):
        if max_new is not None and len(added) >= max_new:
            break
        product = a + b
        if product in vocab or a not in vocab or b not in vocab:
            continue
        # partial UTF-8 byte pieces decode to "": they are the building blocks of CJK tokens
        if cjk_only and token_text(product) and not CJK.search(token_text(product)):
            continue
        vocab[product] = next_id
        merges.append((a, b))
        added.append(product)
        next_id += 1
    base_json["model"]["vocab"] = vocab
    base_json["model"]["merges"] = [list(m) for m in merges]
    extended = Tokenizer.from_str(json.dumps(base_json))
    new_size = extended.get_vocab_size()
    os.makedirs(out_dir, exist_ok=True)
    _save_like_base(extended, base_dir, out_dir)
    # a new token is reachable when its own text encodes to exactly that token
    reachable = sum(1 for t in added if extended.encode(token_text(t), add_special_tokens=False).tokens == [t])
    info = {
        "base_tokenizer": os.path.abspath(base_dir),
        "new_tokens_from": os.path.abspath(new_dir),
        "base_vocab_size": old_size,
        "new_vocab_size": new_size,
        "num_new_tokens": len(added),
        "num_new_tokens_reachable": reachable,
        "first_new_id": first_new,
        # rows of the embedding (and LM head) the model needs: the vocabulary rounded up to 128
        "embedding_rows": -(-new_size // EMBEDDING_MULTIPLE) * EMBEDDING_MULTIPLE,
        "new_rows_init": "mean",
    }
    with open(os.path.join(out_dir, EXTENSION_FILE), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2, ensure_ascii=False)
    return info


def _save_like_base(tok: Tokenizer, base_dir: str, out_dir: str) -> None:
    """Save with the base's special-token settings, loadable by ``AutoTokenizer``."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    base_hf = AutoTokenizer.from_pretrained(base_dir)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=base_hf.bos_token, eos_token=base_hf.eos_token,
                                 pad_token=base_hf.pad_token, unk_token=base_hf.unk_token,
                                 model_max_length=base_hf.model_max_length)
    hf.save_pretrained(out_dir)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m refinery.tokenize.extend", description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="the model's Hugging Face tokenizer directory (byte-level BPE)")
    p.add_argument("--new", required=True, help="a tokenizer trained on the new data (train_tokenizer output)")
    p.add_argument("--out", required=True)
    p.add_argument("--max-new", type=int, help="add at most this many tokens")
    p.add_argument("--cjk-only", action="store_true", help="add only tokens holding a CJK character")
    args = p.parse_args(argv)
    try:
        info = extend_tokenizer(args.base, args.new, args.out, args.max_new, args.cjk_only)
    except (ValueError, FileNotFoundError, OSError) as e:
        print(f"extend: {e}", file=sys.stderr)
        return 2
    print(json.dumps(info, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
