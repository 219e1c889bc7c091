"""Print filtered-out samples of a stage output: what a rule threw away, with its measure.

Reads ``rejected/reason=R/`` directly (the partition layout makes one reason cheap) with
pyarrow's filesystems (a local path, ``file://`` or ``hdfs://``), so it needs no Spark and
works on a laptop against a copied or mounted output. For the clean stage's rules it also
shows what the rule measures and highlights the lines that made it fire.
"""
from __future__ import annotations

import json
import os
import sys

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from schemas import validate_stats

MARK = "▶ "


def _fs(output: str):
    """(filesystem, path inside it) for a local path or a URI."""
    if "://" in output and not output.startswith("file://"):
        fs, path = pafs.FileSystem.from_uri(output)
        return fs, path.rstrip("/")
    local = output[len("file://"):] if output.startswith("file://") else output
    return pafs.LocalFileSystem(), os.path.abspath(local)


def read_stats(output: str) -> dict:
    fs, root = _fs(output)
    try:
        with fs.open_input_stream(f"{root}/_stats.json") as f:
            stats = json.loads(f.read().decode("utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{output} has no _stats.json (is it a stage output?)") from None
    return validate_stats(stats)


def rejected_dataset(output: str, reason: str | None = None):
    """The rejected rows of one reason (only its partition is listed and read), or of all."""
    fs, root = _fs(output)
    path = f"{root}/rejected" + (f"/reason={reason}" if reason else "")
    if fs.get_file_info(path).type == pafs.FileType.NotFound:
        raise FileNotFoundError(f"{output} has no {path[len(root) + 1:]}/ directory")
    return ds.dataset(path, format="parquet", filesystem=fs, partitioning=None if reason else "hive")


def sample_rejected(output: str, reason: str | None, n: int, seed: int = 0, lang: str | None = None) -> list[dict]:
    """Up to ``n`` rejected rows of ``reason`` (all reasons when None), optionally of one
    language, chosen deterministically by ``seed``; only the sampled rows' columns are read."""
    import numpy as np

    data = rejected_dataset(output, reason)
    filt = (ds.field("lang") == lang) if lang else None
    total = data.count_rows(filter=filt)
    idx = np.arange(total)
    if total > n:
        idx = np.sort(np.random.default_rng(seed).choice(total, n, replace=False))
    table = data.take(pa.array(idx, pa.int64()), filter=filt) if total else data.to_table(filter=filt)
    rows = table.to_pylist()
    for row in rows:
        if reason:
            row["reason"] = reason
    return rows


def reason_counts(output: str) -> dict:
    return read_stats(output)["rejected_by_reason"]


def format_summary(stats: dict) -> str:
    """Reasons with counts and rates, then what the stage edited and how each group fared."""
    rows_in = stats["rows_in"] or 1
    out = [f"[{stats['stage']}] rows in {stats['rows_in']:,}  kept {stats['rows_kept']:,} "
           f"({stats['rows_kept'] / rows_in:.1%})  rejected {stats['rows_rejected']:,} ({stats['rows_rejected'] / rows_in:.1%})"]
    out.append(f"  {'reason':<36} {'rows':>10} {'rate':>8}")
    for reason, n in sorted(stats["rejected_by_reason"].items(), key=lambda kv: -kv[1]):
        out.append(f"  {reason:<36} {n:>10,} {n / rows_in:>8.2%}")
    if "line_edits" in stats:
        le = stats["line_edits"]
        out.append(f"  line edits (documents kept, lines dropped): {le['lines_removed']:,} lines in {le['docs_edited']:,} docs")
        for kind, v in le["by_kind"].items():
            out.append(f"    {kind:<34} {v['total']:>10,} lines in {v['rows']:,} docs")
    if "pii" in stats:
        out.append(f"  pii replaced: {stats['pii']['items_replaced']:,}")
        for kind, v in stats["pii"]["by_type"].items():
            out.append(f"    {kind:<34} {v['total']:>10,} in {v['rows']:,} docs")
    for key in sorted(k for k in stats if k.startswith("by_")):
        out.append(f"  kept rate {key[3:]}: " + ", ".join(
            f"{k}={v['kept_rate']:.2f} ({v['rows_in']:,})" for k, v in sorted(stats[key].items(), key=lambda kv: -kv[1]["rows_in"])[:12]))
    return "\n".join(out)


def triggering_lines(row: dict, stats: dict | None) -> list[tuple[str, bool]] | None:
    """The lines of the rule's split, each with whether it made the rule fire; None when the
    reason is not a line-based clean rule."""
    from refinery.filters.evaluate import FAMILY_OF, RULES_BY_NAME
    from refinery.filters.rule import MeasureContext, load_wordlist
    from refinery.filters.text_view import TextView

    rule = RULES_BY_NAME.get(row.get("reason") or "")
    if rule is None or rule.lines is None or not row.get("text"):
        return None
    detail = row.get("detail") or ""
    profile_name = detail.split("profile=", 1)[1].split()[0] if "profile=" in detail else None
    profiles = ((stats or {}).get("run", {}).get("config", {}) or {}).get("resolved", {})
    profile = profiles.get(profile_name) or {}
    tokens = profile.get("tokens") or ("cjk_chars" if row.get("lang") == "zh" else "words")
    ctx = MeasureContext(
        stop_words=load_wordlist(profile["stop_words"]) if profile.get("stop_words") else (),
        dirty_words=load_wordlist(profile["dirty_words"]) if profile.get("dirty_words") else (),
        short_line_length=profile.get("short_line_length", 30),
    )
    texts = pa.array([row["text"]], pa.string())
    if rule.prose and profile.get("prose_view", True):  # the rule measured the prose view, not the whole text
        from refinery.filters.structure import prose_texts

        texts = prose_texts(texts)[0]
    view = TextView(texts, tokens=tokens)
    flags = FAMILY_OF[rule.name].line_flags(view, ctx, rule.name)
    lines = getattr(view, rule.lines).values.to_pylist()
    return list(zip(lines, [bool(f) for f in flags]))


def format_row(row: dict, max_chars: int = 400, stats: dict | None = None, color: bool = False) -> str:
    text = row.get("text")
    head = f"── {row['reason']}  value={row.get('value')}  threshold={row.get('threshold')}"
    if row.get("detail"):
        head += f"  detail={row['detail']}"
    where = f"   {row.get('url') or ''}  {row.get('source_file')}@{row.get('offset')}  doc_id={row.get('doc_id')}  lang={row.get('lang')}"
    out = [head, where]
    from refinery.filters.evaluate import RULES_BY_NAME

    rule = RULES_BY_NAME.get(row["reason"])
    if rule is not None:
        side = "at least" if rule.bound == "min" else "at most"
        out.append(f"   measured {rule.about}: {row.get('value')!r}; the rule wants {side} {row.get('threshold')!r}")
    lines = triggering_lines(row, stats) if rule is not None else None
    if lines and any(flag for _, flag in lines):
        hits = [i for i, (_, flag) in enumerate(lines) if flag]
        out.append(f"   {len(hits)} of {len(lines)} lines trigger it ({MARK.strip()} marks them):")
        shown = 0
        for i, (line, flag) in enumerate(lines):
            if shown >= max_chars:
                out.append("   …")
                break
            if not flag and not any(abs(i - h) <= 1 for h in hits):
                continue  # context: one line around each hit
            body = line if len(line) <= 160 else line[:160] + "…"
            prefix = MARK if flag else "  "
            if flag and color:
                body = f"\033[1;31m{body}\033[0m"
            out.append(f"   {i + 1:>4} {prefix}{body}")
            shown += len(body)
        return "\n".join(out)
    body = (text[:max_chars] + ("…" if len(text) > max_chars else "")) if text else ""
    if not body and row.get("raw_prefix"):
        body = "raw bytes: " + repr(bytes(row["raw_prefix"])[:120])
    return "\n".join(out + [body])


def main_inspect(args) -> int:
    """``refinery inspect``: see refinery/cli.py for the flags."""
    stats = read_stats(args.output)
    counts = stats["rejected_by_reason"]
    if args.summary:
        print(format_summary(stats))
        return 0
    if not args.reason:
        for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            print(f"{n:>10,}  {reason}")
        return 0
    if args.reason not in counts:
        print(f"no rows rejected for {args.reason!r}; reasons here: {sorted(counts)}", file=sys.stderr)
        return 1
    rows = sample_rejected(args.output, args.reason, args.n, args.seed, args.lang)
    if not rows:
        print(f"no rows of {args.reason!r} with lang={args.lang!r}", file=sys.stderr)
        return 1
    color = sys.stdout.isatty()
    for row in rows:
        print(format_row(row, args.max_chars, stats, color))
    return 0
