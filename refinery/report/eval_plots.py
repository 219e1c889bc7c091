"""The report's evaluation trends, from ``eval_history.jsonl`` (``python -m trainer.evaluate --run``):
benchmark accuracy, probe values and held-out loss per channel against tokens seen. The notes
read all three as trends, so each is a line over checkpoints."""
from __future__ import annotations

import html

from matplotlib import font_manager

from refinery.report.plots import _svg, plt

_CJK_FONTS = [f.name for f in font_manager.fontManager.ttflist
              if any(k in f.name for k in ("CJK", "WenQuanYi", "Noto Sans SC", "Source Han", "SimHei"))]
if _CJK_FONTS:  # Chinese probe names in legends, where the machine has a font for them
    plt.rcParams["font.sans-serif"] = [_CJK_FONTS[0], *plt.rcParams["font.sans-serif"]]


def _legend_label(name: str, index: int) -> str:
    """The name, or ``p<index>`` when no installed font can draw it (the table below names it)."""
    return name if _CJK_FONTS or all(ord(ch) < 0x2000 for ch in name) else f"p{index}"


def _series(rows: list[dict], pick) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        for name, value in pick(r).items():
            if value is not None:
                out.setdefault(name, []).append((r["tokens"], value))
    return out


def _lines(ax, series, marker="o", index=None):
    for name, pts in sorted(series.items()):
        label = _legend_label(name, index[name]) if index else name
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, markersize=3, label=label)
    ax.set_xlabel("tokens seen")
    if series:
        ax.legend(fontsize=7)


def benchmark_accuracy(run: dict) -> str | None:
    rows = run.get("eval_history") or []
    series = _series(rows, lambda r: {f"{b}/{v}": acc for b, variants in (r.get("benchmarks") or {}).items()
                                      for v, acc in variants.items()})
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(7, 3))
    _lines(ax, series)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("accuracy")
    ax.set_title("Benchmark accuracy per paper variant")
    return _svg(fig)


def probe_trends(run: dict) -> str | None:
    rows = run.get("eval_history") or []
    kinds: dict[str, str] = {}
    for r in rows:
        kinds.update(r.get("probe_kinds") or {})
    panels = [(k, title, ylabel) for k, title, ylabel in (
        ("target", "P(target | prompt)", "probability"), ("ppl", "Sentence perplexity", "PPL"),
        ("contrast", "Contrastive pairs", "log PPL(worse) − log PPL(better)")) if k in kinds.values()]
    if not panels:
        return None
    index = {name: i for i, name in enumerate(sorted(kinds), 1)}
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3), squeeze=False)
    for ax, (kind, title, ylabel) in zip(axes[0], panels):
        series = _series(rows, lambda r, kind=kind: {n: v for n, v in (r.get("probes") or {}).items()
                                                      if kinds.get(n) == kind})
        _lines(ax, series, index=index)
        if kind in ("target", "ppl"):
            ax.set_yscale("log")
        else:
            ax.axhline(0, color="#888", linewidth=0.8)  # above the line: the expected order holds
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(ylabel, fontsize=8)
    return _svg(fig) + _probe_table(rows, kinds, index)


def _probe_table(rows: list[dict], kinds: dict[str, str], index: dict[str, int]) -> str:
    """First and last value of each probe, so the direction is read without the plot."""
    body = []
    for name in sorted(kinds):
        values = [r["probes"][name] for r in rows if (r.get("probes") or {}).get(name) is not None]
        if not values:
            continue
        better = {"target": values[-1] > values[0], "ppl": values[-1] < values[0],
                  "contrast": values[-1] > values[0]}[kinds[name]]
        arrow = "=" if values[-1] == values[0] else ("↑" if values[-1] > values[0] else "↓")
        body.append(f"<tr><td>p{index[name]}</td><td>{html.escape(name)}</td><td>{kinds[name]}</td>"
                    f"<td>{values[0]:.4g}</td><td>{values[-1]:.4g}</td><td>{arrow}{' ✓' if better else ''}</td></tr>")
    head = "<tr><th>#</th><th>probe</th><th>kind</th><th>first</th><th>last</th><th>trend</th></tr>"
    return f"<table>{head}{''.join(body)}</table>"


def heldout_loss(run: dict) -> str | None:
    rows = run.get("eval_history") or []
    series = _series(rows, lambda r: {**(r.get("heldout") or {}).get("channels", {}),
                                      **({"all": r["heldout"]["loss"]} if r.get("heldout") else {})})
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(7, 3))
    _lines(ax, series)
    ax.set_ylabel("held-out loss (nats/token)")
    ax.set_title("Held-out loss per channel")
    return _svg(fig)


def heldout_during_training(run: dict) -> str | None:
    """``eval_loss`` rows of ``metrics.jsonl`` (the trainer's in-loop eval on the mix's held-out split)
    per channel against steps, with the training loss for comparison and a line where a phase
    starts: held-out loss should follow the training curve (the seed notes' daily test-set loss)."""
    rows = run.get("training") or []
    evals = [r for r in rows if r.get("eval_loss") is not None and "step" in r]
    if not evals:
        return None
    series: dict[str, list[tuple[float, float]]] = {}
    for r in evals:
        series.setdefault("all", []).append((r["step"], r["eval_loss"]))
        for key, value in r.items():
            if key.startswith("eval_loss/") and value is not None:
                series.setdefault(key.split("/", 1)[1], []).append((r["step"], value))
    fig, ax = plt.subplots(figsize=(7, 3))
    train = [(r["step"], r["loss"]) for r in rows if r.get("loss") is not None and "step" in r]
    if train:
        ax.plot([p[0] for p in train], [p[1] for p in train], color="#bbb", linewidth=1, label="training loss")
    for name, pts in sorted(series.items()):
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", markersize=3, label=f"held-out {name}",
                **({"color": "black"} if name == "all" else {}))
    for r in rows:
        if r.get("event") == "phase" and r.get("index"):
            ax.axvline(r["step"], color="#888", linestyle=":", linewidth=1)
            ax.annotate(str(r.get("phase", "")), (r["step"], 1), xycoords=("data", "axes fraction"),
                        fontsize=7, va="top", ha="left", color="#555")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats/token)")
    ax.set_title("Held-out loss per channel during training (mix heldout/, never trained on)")
    ax.legend(fontsize=7)
    return _svg(fig)
