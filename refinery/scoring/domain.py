"""The domain classifier at inference: a fastText model over ``CATEGORIES``."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from refinery.scoring.categories import CATEGORIES
from refinery.scoring.fasttext_model import LABEL_PREFIX, ModelLoadError, load_fasttext, predict_top, prepare_text


class DomainClassifier:
    """``classify(texts) -> (category, category_score)``; loads and checks the model once."""

    def __init__(self, path: str, max_chars: int = 4000):
        self.model = load_fasttext(path)
        labels = [lab[len(LABEL_PREFIX):] for lab in self.model.get_labels()]
        unknown = sorted(set(labels) - set(CATEGORIES))
        if unknown:
            raise ModelLoadError(f"domain model {path!r} has labels outside {list(CATEGORIES)}: {unknown}")
        self.labels = labels
        self.max_chars = max_chars

    def classify(self, texts: pa.Array | list) -> tuple[pa.Array, pa.Array]:
        category, score = predict_top(self.model, prepare_text(texts, self.max_chars))
        category = np.where(category == "", "other", category)
        return pa.array(category.tolist(), pa.string()), pa.array(score, pa.float32())
