"""LSH banding: choose bands × rows for a Jaccard threshold.

Two documents with Jaccard ``s`` share at least one of ``b`` bands of ``r`` rows with
probability ``1 - (1 - s^r)^b`` (Leskovec, Rajaraman, Ullman, *Mining of Massive
Datasets*, ch. 3.4). Like datasketch's ``MinHashLSH._optimal_param``, we take the
(b, r) with ``b * r <= num_perm`` that minimises the weighted area under that curve
below the threshold (false positives) plus the area above it missed (false negatives).
Integrals are Simpson's rule on a fine grid, vectorised over every (b, r) at once.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np


@dataclasses.dataclass(frozen=True)
class BandParams:
    threshold: float
    bands: int
    rows: int

    def collision_probability(self, s):
        return 1.0 - (1.0 - np.asarray(s, dtype=np.float64) ** self.rows) ** self.bands


def _simpson(y: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Simpson's rule along the last axis (an odd number of equally spaced samples)."""
    h = (hi - lo) / (y.shape[-1] - 1)
    return h / 3 * (y[..., 0] + y[..., -1] + 4 * y[..., 1:-1:2].sum(-1) + 2 * y[..., 2:-1:2].sum(-1))


@functools.lru_cache(maxsize=64)
def optimal_bands(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5,
                  samples: int = 1001) -> BandParams:
    """(bands, rows) minimising ``fp_weight * FP area + fn_weight * FN area``."""
    pairs = np.array([(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)], dtype=np.float64)
    b, r = pairs[:, :1], pairs[:, 1:]
    below = np.linspace(0.0, threshold, samples)[None, :]
    above = np.linspace(threshold, 1.0, samples)[None, :]
    fp = _simpson(1.0 - (1.0 - below**r) ** b, 0.0, threshold)
    fn = _simpson((1.0 - above**r) ** b, threshold, 1.0)
    error = fp * fp_weight + fn * fn_weight
    best = int(np.argmin(error))  # first minimum, the same tie-break as datasketch's loop order
    return BandParams(threshold, int(pairs[best, 0]), int(pairs[best, 1]))
