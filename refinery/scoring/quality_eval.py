"""Held-out evaluation of a quality model and the per-category threshold suggestions it
writes into its metadata (the score job's default thresholds)."""
from __future__ import annotations

import math

import numpy as np

from refinery.scoring.metrics import best_threshold, roc_auc

# With only positives held out for a category, keep the best 90% of them: a threshold
# at their 10th percentile (practitioner rule: a scorer is one signal, not a verdict).
POSITIVE_QUANTILE = 0.10


def evaluate(labels: np.ndarray, scores: np.ndarray, categories: np.ndarray) -> dict:
    """ROC-AUC, accuracy at 0.5, a global threshold and one per category."""
    labels = np.asarray(labels).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    categories = np.asarray(categories, dtype=object)
    global_cut = best_threshold(labels, scores)
    global_cut = 0.5 if math.isnan(global_cut) else global_cut
    out = {"roc_auc": roc_auc(labels, scores), "accuracy": float(((scores >= 0.5) == labels).mean()) if len(labels) else math.nan,
           "held_out": int(len(labels)), "global_threshold": round(global_cut, 4), "per_category": {}, "thresholds": {}}
    for cat in sorted(set(categories)):
        m = categories == cat
        pos, neg = scores[m & labels], scores[m & ~labels]
        if len(pos) and len(neg):
            cut = best_threshold(labels[m], scores[m])
        elif len(pos):
            cut = float(np.quantile(pos, POSITIVE_QUANTILE))
        else:
            cut = global_cut
        out["thresholds"][cat] = round(float(np.clip(cut, 0.01, 0.99)), 4)
        out["per_category"][cat] = {"n_pos": int(len(pos)), "n_neg": int(len(neg)), "roc_auc": roc_auc(labels[m], scores[m]),
                                    "mean_pos": float(pos.mean()) if len(pos) else None,
                                    "mean_neg": float(neg.mean()) if len(neg) else None}
    return out


def format_evaluation(ev: dict) -> str:
    lines = [f"held-out ROC-AUC {ev['roc_auc']:.4f}  accuracy@0.5 {ev['accuracy']:.4f}  on {ev['held_out']} documents",
             f"global threshold suggestion {ev['global_threshold']}",
             f"{'category':<15}{'n_pos':>6}{'n_neg':>6}{'auc':>8}{'threshold':>10}"]
    for cat, e in ev["per_category"].items():
        lines.append(f"{cat:<15}{e['n_pos']:>6}{e['n_neg']:>6}{e['roc_auc']:>8.3f}{ev['thresholds'][cat]:>10.3f}")
    return "\n".join(lines)
