"""The report's figures, drawn with matplotlib and inlined as SVG (the page needs no network).

Each function takes the collected run (see `collect.py`) and returns an SVG string, or None
when the run holds nothing to draw for it.
"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a cluster edge node
import matplotlib.pyplot as plt  # noqa: E402

LENGTH_BUCKET_ORDER = ["0", "<64", "<128", "<256", "<512", "<1024", "<2048", "<4096", "<8192",
                       "<16384", "<32768", ">=32768"]


def _svg(fig) -> str:
    buf = io.StringIO()
    # no RDF metadata block: smaller pages, identical bytes for identical runs
    fig.savefig(buf, format="svg", bbox_inches="tight",
                metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog so the SVG can sit inside HTML


def funnel(run: dict) -> str | None:
    stages = [(name, s) for name, s in run["stages"].items() if "rows_in" in s]
    if not stages:
        return None
    fig, ax = plt.subplots(figsize=(7, 3))
    names = [n for n, _ in stages]
    ax.bar(names, [s["rows_in"] for _, s in stages], color="#c8d6e5", label="rows in")
    ax.bar(names, [s.get("rows_kept", 0) for _, s in stages], color="#2e86de", label="kept")
    for i, (_, s) in enumerate(stages):
        ax.annotate(f"{s.get('rows_kept', 0):,}", (i, s.get("rows_kept", 0)), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("documents")
    ax.set_title("Rows through each stage")
    ax.legend()
    return _svg(fig)


def rejections_by_reason(run: dict) -> str | None:
    counts: dict[str, int] = {}
    for s in run["stages"].values():
        for reason, n in (s.get("rejected_by_reason") or {}).items():
            counts[reason] = counts.get(reason, 0) + int(n)
        for reason, n in (s.get("duplicate_by_reason") or {}).items():
            counts[reason] = counts.get(reason, 0) + int(n)
    if not counts:
        return None
    items = sorted(counts.items(), key=lambda kv: kv[1])[-30:]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(items) + 1))
    ax.barh([k for k, _ in items], [v for _, v in items], color="#ee5253")
    ax.set_xlabel("documents removed")
    ax.set_title("Rejections per reason (all stages)")
    return _svg(fig)


def kept_rate_by(run: dict, dim: str) -> str | None:
    """Kept rate per value of ``dim`` (lang, source, category) for each stage that reports it."""
    series = {name: s[f"by_{dim}"] for name, s in run["stages"].items() if s.get(f"by_{dim}")}
    if not series:
        return None
    keys = sorted({k for table in series.values() for k in table},
                  key=lambda k: -max(t.get(k, {}).get("rows_in", 0) for t in series.values()))[:15]
    fig, ax = plt.subplots(figsize=(7, 3))
    width = 0.8 / len(series)
    for i, (name, table) in enumerate(series.items()):
        rates = [table.get(k, {}).get("kept_rate", float("nan")) for k in keys]
        ax.bar([j + i * width for j in range(len(keys))], rates, width, label=name)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(keys))], keys, rotation=45, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("kept rate")
    ax.set_title(f"Kept rate per {dim}")
    ax.legend(fontsize=7)
    return _svg(fig)


def length_distribution(run: dict) -> str | None:
    stages = {name: s["length_histogram"] for name, s in run["stages"].items() if s.get("length_histogram")}
    if not stages:
        return None
    fig, axes = plt.subplots(1, len(stages), figsize=(3.2 * len(stages), 2.8), squeeze=False)
    for ax, (name, hist) in zip(axes[0], stages.items()):
        buckets = [b for b in LENGTH_BUCKET_ORDER if b in hist.get("before", {}) or b in hist.get("after", {})]
        for when, color in (("before", "#c8d6e5"), ("after", "#2e86de")):
            ax.bar(buckets, [hist.get(when, {}).get(b, 0) for b in buckets], color=color, label=when, alpha=0.9)
        ax.set_title(name, fontsize=9)
        ax.tick_params(axis="x", rotation=60, labelsize=7)
    axes[0][0].set_ylabel("documents (by characters)")
    axes[0][0].legend(fontsize=7)
    return _svg(fig)


def quality_by_category(run: dict) -> str | None:
    data = {k: v for k, v in run["quality_by_category"].items() if v}
    if not data:
        return None
    fig, ax = plt.subplots(figsize=(7, 3))
    names = sorted(data)
    ax.boxplot([data[n] for n in names], tick_labels=names, showfliers=False)
    ax.tick_params(axis="x", rotation=45)
    ax.set_ylabel("quality_score")
    ax.set_title("Quality score per category (kept documents)")
    return _svg(fig)


def _first_int(label) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in str(label)).split()
    return int(digits[0]) if digits else 0


def dedup_cluster_sizes(run: dict) -> str | None:
    """``cluster_size_histogram``: bucket label ("2", "3-4", …) → {clusters, documents} (or a count)."""
    hist = run["stages"].get("dedup", {}).get("cluster_size_histogram")
    if not hist:
        return None
    items = sorted(hist.items(), key=lambda kv: _first_int(kv[0]))
    counts = [v.get("clusters", 0) if isinstance(v, dict) else v for _, v in items]
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.bar([str(k) for k, _ in items], counts, color="#10ac84")
    ax.set_yscale("log")
    ax.set_xlabel("cluster size (documents)")
    ax.set_ylabel("clusters")
    ax.set_title("Duplicate cluster sizes")
    return _svg(fig)


def mixture(run: dict) -> str | None:
    """The mix stage's ``channels.<name>.{target_ratio, achieved_ratio}``."""
    channels = run["stages"].get("mix", {}).get("channels") or {}
    target = {n: c.get("target_ratio", 0) for n, c in channels.items()}
    achieved = {n: c.get("achieved_ratio", 0) for n, c in channels.items()}
    if not channels:
        return None
    names = sorted(channels)
    fig, ax = plt.subplots(figsize=(6, 2.8))
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], [target[n] for n in names], 0.4, label="target", color="#c8d6e5")
    ax.bar([x + 0.2 for x in xs], [achieved[n] for n in names], 0.4, label="achieved", color="#5f27cd")
    ax.set_xticks(list(xs), names)
    ax.set_ylabel("share of tokens")
    ax.set_title("Mixture: target vs achieved")
    ax.legend()
    return _svg(fig)


def tokenizer_compression(run: dict) -> str | None:
    """``compression.json``: tokenizer name → channel → {chars_per_token, bytes_per_token, …}."""
    report = run["tokenizer"] or {}
    tokenizers = {name: chans for name, chans in report.items() if isinstance(chans, dict) and chans}
    if not tokenizers:
        return None
    channels = sorted({c for chans in tokenizers.values() for c in chans})
    fig, ax = plt.subplots(figsize=(6, 2.8))
    width = 0.8 / len(tokenizers)
    for i, (name, chans) in enumerate(sorted(tokenizers.items())):
        ax.bar([j + i * width for j in range(len(channels))],
               [chans.get(c, {}).get("chars_per_token", 0) for c in channels], width, label=name)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(channels))], channels)
    ax.set_ylabel("characters per token")
    ax.set_title("Tokenizer compression per channel")
    ax.legend(fontsize=7)
    return _svg(fig)


def training_curves(run: dict) -> str | None:
    rows = [r for r in run["training"] if "loss" in r and "step" in r]
    if not rows:
        return None
    fig, (ax_loss, ax_lr) = plt.subplots(1, 2, figsize=(9, 3))
    steps = [r["step"] for r in rows]
    ax_loss.plot(steps, [r["loss"] for r in rows], label="all", color="black")
    channels = sorted({k for r in rows for k in r if k.startswith("loss/")})
    for key in channels:
        pts = [(r["step"], r[key]) for r in rows if r.get(key) is not None]
        ax_loss.plot([p[0] for p in pts], [p[1] for p in pts], label=key.split("/", 1)[1])
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("Training loss per channel")
    ax_loss.legend(fontsize=7)
    ax_lr.plot(steps, [r.get("lr", 0) for r in rows], color="#576574")
    ax_lr.set_xlabel("step")
    ax_lr.set_title("Learning rate")
    return _svg(fig)
