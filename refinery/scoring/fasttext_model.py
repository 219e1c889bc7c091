"""fastText supervised models (domain classifier, quality model): text preparation,
training, loading with a clear error, and batched prediction.

fastText splits on whitespace only, so Chinese (no spaces) would be one token per
sentence; each Han character is spaced out first, as the Chinese fastText setups do,
and word bigrams (``wordNgrams=2``) then see character bigrams. The preparation is one
pass of pyarrow regex kernels over the whole column.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

LABEL_PREFIX = "__label__"


class ModelLoadError(RuntimeError):
    """A model path that is missing or does not hold a loadable model."""


def prepare_text(texts: pa.Array | pa.ChunkedArray | list, max_chars: int = 4000) -> list[str]:
    """Lower-cased, Han characters spaced out, one line, first ``max_chars`` only.

    A newline would end fastText's input (an EOS token); other whitespace only separates words,
    however long the run, so newlines become spaces and the rest is left for fastText to skip (the
    same words as collapsing every run, without a regex match per run: 8 ns per character)."""
    arr = texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else pa.array(texts, pa.string())
    arr = pc.fill_null(arr.cast(pa.string()), "")
    arr = pc.utf8_slice_codeunits(arr, 0, max_chars)
    arr = pc.utf8_lower(arr)
    arr = pc.replace_substring_regex(arr, r"(\p{Han})", r" \1 ")
    arr = pc.replace_substring(arr, "\n", " ")
    return pc.utf8_trim_whitespace(arr).to_pylist()


@dataclass
class FastTextParams:
    """Small defaults: the classes are coarse and the models ship in the repo (quantized)."""

    dim: int = 32
    epoch: int = 15
    lr: float = 0.5
    word_ngrams: int = 2
    # character n-gram lengths (fastText's supervised default 0/0: none); subwords let a model
    # recognise words it never saw whole (held-out sources, inflected or rare words)
    minn: int = 0
    maxn: int = 0
    min_count: int = 2
    bucket: int = 200_000
    threads: int = 1  # one thread: training is then reproducible bit for bit
    seed: int = 0
    quantize: bool = True
    cutoff: int = 50_000  # words/ngrams kept when quantizing (bounds the .ftz size)
    max_chars: int = 4000


def _train_and_save(train_file: str, kwargs: dict, quantize_cutoff: int | None, out_path: str) -> None:
    import fasttext

    model = fasttext.train_supervised(input=train_file, **kwargs)
    if quantize_cutoff is not None:
        model.quantize(input=train_file, qnorm=True, retrain=False, cutoff=quantize_cutoff)
    model.save_model(out_path)


def train_supervised(texts, labels: list[str], params: FastTextParams, out_path: str | None = None):
    """Train on prepared texts with string labels; save to ``out_path`` (.ftz when quantized).

    Training runs in a fresh (spawned) process: fastText's training reads memory it has not
    initialised, and in a long-lived process whose heap holds earlier work (we saw it after a
    NumPy MinHash pass) it diverged with "Encountered NaN". A clean process trains the same model
    bit for bit every time.
    """
    import multiprocessing

    import fasttext

    prepared = prepare_text(texts, params.max_chars)
    tmp_dir = tempfile.mkdtemp(prefix="fasttext-train-")
    train_file = os.path.join(tmp_dir, "train.txt")
    model_file = out_path or os.path.join(tmp_dir, "model.ftz" if params.quantize else "model.bin")
    with open(train_file, "w", encoding="utf-8") as f:
        for text, label in zip(prepared, labels):
            f.write(f"{LABEL_PREFIX}{label} {text}\n")
    kwargs = dict(dim=params.dim, epoch=params.epoch, lr=params.lr, wordNgrams=params.word_ngrams, minn=params.minn, maxn=params.maxn,
                  minCount=params.min_count, bucket=params.bucket, thread=params.threads, seed=params.seed, verbose=0)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(model_file)), exist_ok=True)
        proc = multiprocessing.get_context("spawn").Process(
            target=_train_and_save, args=(train_file, kwargs, params.cutoff if params.quantize else None, model_file))
        proc.start()
        proc.join()
        if proc.exitcode != 0:
            raise RuntimeError(f"fastText training failed (exit code {proc.exitcode}) on {len(prepared)} documents")
        return fasttext.load_model(model_file)
    finally:
        os.unlink(train_file)
        if out_path is None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        else:
            os.rmdir(tmp_dir)


def load_fasttext(path: str):
    """Load a fastText model or raise ModelLoadError naming the path and what is wrong."""
    import fasttext

    if not path or not os.path.isfile(path):
        raise ModelLoadError(f"fastText model not found: {path!r}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = fasttext.load_model(path)
    except Exception as e:  # fastText raises ValueError/RuntimeError on a corrupt file
        raise ModelLoadError(f"fastText model {path!r} cannot be loaded: {e}") from None
    if not model.get_labels():
        raise ModelLoadError(f"fastText model {path!r} is not a supervised model (no labels)")
    return model


def predict_top(model, prepared: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(label without prefix, probability) of the top class of each prepared text."""
    if not prepared:
        return np.array([], dtype=object), np.array([], dtype=np.float32)
    labels, probs = model.f.multilinePredict(prepared, 1, 0.0, "replace")
    top = np.array([ls[0][len(LABEL_PREFIX):] if ls else "" for ls in labels], dtype=object)
    p = np.array([ps[0] if len(ps) else 0.0 for ps in probs], dtype=np.float32)
    return top, np.clip(p, 0.0, 1.0)


def predict_binary(model, prepared: list[str], positive: str) -> np.ndarray:
    """P(positive label) of each text from a two-label model."""
    top, p = predict_top(model, prepared)
    return np.where(top == positive, p, 1.0 - p).astype(np.float32)
