"""Held-out metrics the training commands print: ROC-AUC, accuracy, per-class
precision/recall and the confusion matrix (NumPy only, no scikit-learn dependency)."""
from __future__ import annotations

import numpy as np


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Mann-Whitney U form of the ROC-AUC (ties count half); nan when one class is absent."""
    labels = np.asarray(labels).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = labels.sum(), (~labels).sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def best_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The cut that maximises Youden's J (TPR - FPR); used for threshold suggestions."""
    labels = np.asarray(labels).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    cuts = np.unique(scores)
    if len(cuts) == 0 or labels.all() or (~labels).all():
        return float("nan")
    pos, neg = np.sort(scores[labels]), np.sort(scores[~labels])
    tpr = 1 - np.searchsorted(pos, cuts, side="left") / len(pos)
    fpr = 1 - np.searchsorted(neg, cuts, side="left") / len(neg)
    i = int(np.argmax(tpr - fpr))
    lower = scores[scores < cuts[i]].max() if (scores < cuts[i]).any() else cuts[i]
    return float((lower + cuts[i]) / 2)  # halfway between the last reject and the first keep


def confusion(true: list[str], pred: list[str], classes: list[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    m = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for t, p in zip(true, pred):
        m[index[t], index[p]] += 1
    return m


def classification_report(true: list[str], pred: list[str], classes: list[str]) -> tuple[str, dict]:
    """Per-class precision/recall/support and the confusion matrix, as text and as a dict."""
    m = confusion(true, pred, classes)
    lines = [f"{'class':<15}{'precision':>10}{'recall':>8}{'support':>9}"]
    per_class = {}
    for i, c in enumerate(classes):
        tp, predicted, support = m[i, i], m[:, i].sum(), m[i, :].sum()
        p = tp / predicted if predicted else float("nan")
        r = tp / support if support else float("nan")
        per_class[c] = {"precision": round(float(p), 4), "recall": round(float(r), 4), "support": int(support)}
        lines.append(f"{c:<15}{p:>10.3f}{r:>8.3f}{support:>9d}")
    accuracy = float(np.trace(m) / m.sum()) if m.sum() else float("nan")
    lines.append(f"accuracy {accuracy:.4f} over {int(m.sum())} held-out documents")
    short = [c[:6] for c in classes]
    lines.append("confusion (rows = weak label, columns = predicted):")
    lines.append(" " * 15 + "".join(f"{s:>7}" for s in short))
    for i, c in enumerate(classes):
        lines.append(f"{c:<15}" + "".join(f"{v:>7d}" for v in m[i]))
    return "\n".join(lines), {"accuracy": accuracy, "per_class": per_class, "confusion": m.tolist(), "classes": classes}
