"""`refinery report RUN_DIR`: one self-contained HTML page (inline SVG, no scripts, no network)."""
from __future__ import annotations

import html
import os
from datetime import datetime, timezone

from refinery.report import eval_plots, plots
from refinery.report.collect import collect_run

SECTIONS = [
    ("Funnel", plots.funnel),
    ("Rejections per reason", plots.rejections_by_reason),
    ("Kept rate per language", lambda run: plots.kept_rate_by(run, "lang")),
    ("Kept rate per source", lambda run: plots.kept_rate_by(run, "source")),
    ("Kept rate per category", lambda run: plots.kept_rate_by(run, "category")),
    ("Length distribution before / after", plots.length_distribution),
    ("Quality score per category", plots.quality_by_category),
    ("Dedup cluster sizes", plots.dedup_cluster_sizes),
    ("Mixture", plots.mixture),
    ("Tokenizer compression", plots.tokenizer_compression),
    ("Training", plots.training_curves),
    ("Held-out loss per channel during training", eval_plots.heldout_during_training),
    ("Benchmark accuracy vs tokens seen", eval_plots.benchmark_accuracy),
    ("Probes vs tokens seen", eval_plots.probe_trends),
    ("Held-out loss per channel vs tokens seen", eval_plots.heldout_loss),
]

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
h1{font-size:1.5em} h2{font-size:1.1em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em} td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left} .missing{color:#888;font-style:italic}
figure{margin:0} svg{max-width:100%;height:auto}
"""


def _stage_table(run: dict) -> str:
    rows = []
    for name, s in run["stages"].items():
        rows_in = s.get("rows_in", 0)
        removed = s.get("rows_rejected", 0) + s.get("rows_duplicate", 0)
        rate = f"{s.get('rows_kept', 0) / rows_in:.1%}" if rows_in else "–"
        secs = (s.get("run") or {}).get("seconds")
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{rows_in:,}</td><td>{s.get('rows_kept', 0):,}</td>"
            f"<td>{removed:,}</td><td>{rate}</td><td>{'' if secs is None else f'{secs:.1f} s'}</td>"
            f"<td>{html.escape(s['_dir'])}</td></tr>")
    head = "<tr><th>stage</th><th>rows in</th><th>kept</th><th>removed</th><th>kept rate</th><th>time</th><th>output</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>" if rows else '<p class="missing">no stage output found</p>'


def render(run: dict) -> str:
    parts = [f"<h1>Refinery run report</h1><p>{html.escape(run['run_dir'])} · generated "
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC</p>", "<h2>Stages</h2>", _stage_table(run)]
    for title, draw in SECTIONS:
        svg = draw(run)
        body = f"<figure>{svg}</figure>" if svg else '<p class="missing">not in this run</p>'
        parts.append(f"<h2>{html.escape(title)}</h2>{body}")
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refinery report</title>"
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")


def write_report(run_dir: str, out: str | None = None) -> str:
    """Write the report (default ``RUN_DIR/report.html``) and return its path."""
    out = out or os.path.join(run_dir, "report.html")
    page = render(collect_run(run_dir))
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, out)
    return out
