"""Kept rate of the clean stage's default config on the real corpus, per source family, language
and category, with the top rejection reasons: what each rule family rejects on good real text.

    REFINERY_CORPUS=/work/corpus python bench/clean_real.py [--slice | --part literature] [--set key=value ...]
                                                            [--json out.json] [--category-from-source]

No Spark: ``refinery.filters.pipeline.make_cleaner`` (the clean job's operator, with its default
``category_model``) over Arrow batches of the corpus's ``text``. The corpus's language comes from
its source (``lang_score`` 1.0; code has none: ``default`` profile).

``--category-from-source`` gives every document the category its source says (code -> ``code``,
manuals, reference pages, tutorials and POD -> ``markdown_docs``, the documentation class) instead
of the shipped domain model's guess: what the clean rules do once the classifier routes real
documentation right, apart from how well it does.
"""
from __future__ import annotations

import argparse
import collections
import functools
import json

import pyarrow as pa

import corpus
from refinery.config import load_config, parse_overrides
from refinery.filters.config import CleanConfig
from refinery.filters.pipeline import make_cleaner
from refinery.ingest.script_ratios import script_ratios


def family(source: str, genre: str) -> str:
    if source.startswith("python:"):
        return "python code"
    return {"perl-doc": "perl pod", "emacs-common": "emacs tutorials"}.get(source, source)


def source_category(genre: str) -> str:
    return "code" if genre == "code" else "markdown_docs"


def run(table: pa.Table, cfg: CleanConfig, batch_size: int = 512, category_from_source: bool = False):
    clean = make_cleaner(cfg)
    rows = []
    for batch in table.to_batches(max_chunksize=batch_size):
        texts = batch.column("text")
        ratios = script_ratios(texts)
        n = len(texts)
        extra = {"category": pa.array([source_category(g) for g in batch.column("genre").to_pylist()])} \
            if category_from_source else {}
        docs = pa.RecordBatch.from_pydict({
            "doc_id": batch.column("doc_id"), "text": texts, "lang": batch.column("lang"),
            "lang_score": pa.array([1.0] * n, pa.float32()), **ratios, **extra})
        out = clean(docs)
        for src, genre, lang, cat, reason, text, detail in zip(
                batch.column("source").to_pylist(), batch.column("genre").to_pylist(), batch.column("lang").to_pylist(),
                out.column("category").to_pylist(), out.column("reason").to_pylist(), out.column("text").to_pylist(),
                out.column("detail").to_pylist()):
            rows.append((family(src, genre), lang or "-", cat or "-", reason, text if reason else None, detail))
    return rows


def triggering_lines(cfg: CleanConfig, rule_id: str, text: str, detail: str, k: int = 2) -> list[str]:
    """The first ``k`` lines that make ``rule_id`` fire, on the view it measured (prose or whole)."""
    from refinery.filters.evaluate import FAMILY_OF, RULES_BY_NAME, measure_context
    from refinery.filters.structure import prose_texts
    from refinery.filters.text_view import TextView

    import numpy as np

    rule = RULES_BY_NAME.get(rule_id)
    if rule is None:
        return []
    profile = cfg.resolved[detail.split("profile=", 1)[1].split()[0]]
    texts = pa.array([text])
    if rule.prose and profile.prose_view:
        texts = prose_texts(texts)[0]
    if rule.lines is None:  # a whole-document measure: the lines with the most tokens that are not words
        lines = [line for line in texts[0].as_py().split("\n") if line.strip()]
        if not lines:
            return []
        tok = TextView(pa.array(lines), tokens=profile.tokens).tokens
        non_alpha = tok.counts - tok.per_doc(tok.flags(r"\pL"))
        return [lines[i][:100] for i in np.argsort(-non_alpha, kind="stable")[:k]]
    view = TextView(texts, tokens=profile.tokens)
    flags = FAMILY_OF[rule_id].line_flags(view, measure_context(profile, {}, np.arange(1), cfg.languages.allow), rule_id)
    lines = getattr(view, rule.lines).values.to_pylist()
    return [lines[i][:100] for i in np.flatnonzero(flags)[:k]]


def rejection_examples(rows, cfg: CleanConfig, per_reason: int = 3) -> dict:
    """Per rule family, the rejected count per reason and a few documents' triggering lines."""
    import random

    by_reason = collections.defaultdict(list)
    for r in rows:
        if r[3] is not None:
            by_reason[r[3]].append(r)
    out = collections.defaultdict(dict)
    rng = random.Random(0)
    for reason, rs in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        fam = reason.split(".")[0]
        picks = rng.sample(rs, min(per_reason, len(rs)))
        out[fam][reason] = {"rejected": len(rs), "by_group": collections.Counter(f"{r[0]} / {r[1]}" for r in rs).most_common(3),
                            "examples": [triggering_lines(cfg, reason, r[4], r[5] or "profile=default") for r in picks]}
    return out


def summarise(rows, key) -> dict:
    agg = collections.defaultdict(lambda: [0, 0, collections.Counter()])
    for r in rows:
        e = agg[key(r)]
        e[0] += 1
        if r[3] is None:
            e[1] += 1
        else:
            e[2][r[3]] += 1
    return {k: {"docs": e[0], "kept": e[1] / e[0], "top": e[2].most_common(3)} for k, e in sorted(agg.items())}


def run_negatives(cfg: CleanConfig, n_per_kind: int) -> dict:
    """Rejection rate of the generated spam/boilerplate pages (tests/filters/negatives.py), per kind;
    their category comes from the domain model (no source to tell it)."""
    from tests.filters.negatives import negatives

    docs = negatives(n_per_kind)
    texts = pa.array([d["text"] for d in docs])
    batch = pa.RecordBatch.from_pydict({"doc_id": [f"neg{i}" for i in range(len(docs))], "text": texts,
                                        "lang": [d["lang"] for d in docs],
                                        "lang_score": pa.array([1.0] * len(docs), pa.float32()), **script_ratios(texts)})
    out = make_cleaner(cfg)(batch)
    per = collections.defaultdict(lambda: [0, 0, collections.Counter()])
    for d, reason in zip(docs, out.column("reason").to_pylist()):
        e = per[d["kind"]]
        e[0] += 1
        if reason is not None:
            e[1] += 1
            e[2][reason] += 1
    total = sum(e[0] for e in per.values())
    rejected = sum(e[1] for e in per.values())
    return {"docs": total, "rejected": rejected / total,
            "by_kind": {k: {"docs": e[0], "rejected": e[1] / e[0], "top": e[2].most_common(3)} for k, e in per.items()}}


def time_prose_view(table: pa.Table, cfg_sets: dict, runs: int = 3) -> dict:
    """Seconds of the rules step with the prose view on and off (alternating runs, same documents,
    categories from the source): the cost of measuring prose rules on the prose view."""
    import statistics
    import time

    from refinery.filters.pipeline import clean_batch

    batches = []
    for batch in table.to_batches(max_chunksize=512):
        texts = batch.column("text")
        batches.append(pa.RecordBatch.from_pydict({
            "doc_id": batch.column("doc_id"), "text": texts, "lang": batch.column("lang"),
            "lang_score": pa.array([1.0] * len(texts), pa.float32()), **script_ratios(texts),
            "category": pa.array([source_category(g) for g in batch.column("genre").to_pylist()])}))
    cfgs = {}
    for on in (True, False):
        prof = {"prose_view": on}
        cfgs[on] = load_config(None, CleanConfig, {**cfg_sets, "steps": ["rules"],
                                                    "profiles": {"en": prof, "zh": prof, "default": prof}})
    times = {True: [], False: []}
    for _ in range(runs):
        for on in (True, False):
            start = time.perf_counter()
            for b in batches:
                clean_batch(b, cfgs[on])
            times[on].append(time.perf_counter() - start)
    return {("on" if k else "off"): {"min": min(v), "median": statistics.median(v), "max": max(v)} for k, v in times.items()}


def datatrove_agreement(cache: str, variants: int, seed: int) -> dict:
    """Decision agreement with datatrove's four filters on bench/clean.py's documents (decisions
    cached by ``bench/clean.py --cache``: ``--variants``/``--seed`` must match)."""
    bench_clean = _bench_clean()
    texts = bench_clean.build_corpus(argparse.Namespace(docs=None, real=None, variants=variants, seed=seed, repeat=1,
                                                        readmes=True))
    with open(cache) as f:
        dt = json.load(f)["decisions"]
    assert len(dt["c4"]) == len(texts), "the cache was made for other documents (--variants / --seed)"
    return agreement_with(texts, dt)


@functools.lru_cache(maxsize=None)
def _bench_clean():
    """bench/clean.py as a module (loaded once: its corpus builder and filter names)."""
    import importlib.util
    import os

    spec = importlib.util.spec_from_file_location("bench_clean", os.path.join(os.path.dirname(__file__), "clean.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def agreement_with(texts: list[str], dt: dict) -> dict:
    """Share of ``texts`` on which our keep/drop decision per datatrove filter family equals
    datatrove's (``dt``: per family, ``True`` or datatrove's reason per text), with the prose view
    on and off, on all texts and on those the prose view leaves unchanged (no code line, no
    markup: web prose, where ours measure exactly what datatrove measures)."""
    import numpy as np

    from refinery.filters.evaluate import FAMILY_OF, RULES_BY_NAME, evaluate
    from refinery.filters.structure import prose_texts

    arr = pa.array(texts, pa.string())
    unchanged = np.asarray([a == b for a, b in zip(texts, prose_texts(arr)[0].to_pylist())])
    out = {"docs": len(texts), "web_prose_docs": int(unchanged.sum())}
    families = _bench_clean().FILTERS
    for on in (True, False):
        cfg = load_config(None, CleanConfig, {"profiles": {"en": {"prose_view": on}}})
        d = evaluate(pa.table({"text": arr, "lang": ["en"] * len(texts)}), cfg, measure_all=True)
        for fam in families:
            rules = [r.name for r in FAMILY_OF[next(n for n in d.values if FAMILY_OF[n].name == fam)].rules if r.name in d.values]
            ours = np.full(len(texts), None, dtype=object)
            for r in rules:
                ours[(ours == None) & RULES_BY_NAME[r].fails(d.values[r], d.thresholds[r])] = r  # noqa: E711
            theirs = np.asarray([x is not True for x in dt[fam]])
            same = theirs == (ours != None)  # noqa: E711
            out.setdefault(fam, {})["on" if on else "off"] = {"all": float(same.mean()), "web_prose": float(same[unchanged].mean())}
    return out


def run_verse(paths: list[str], cfg: CleanConfig) -> dict:
    """Kept rate of real classical Chinese verse (fortune files, e.g. Debian's fortunes-zh
    ``tang300``/``song100``: one poem per ``%`` record, ANSI colours stripped), one poem a document,
    as ``literature`` and with no category."""
    import re

    poems = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            raw = re.sub(r"\x1b\[[0-9;]*m", "", f.read())
        poems += [p.strip() for p in raw.split("\n%\n") if p.strip()]
    texts = pa.array(poems)
    out = {"docs": len(poems)}
    from refinery.filters.pipeline import clean_batch

    for category in ("literature", None):
        batch = pa.RecordBatch.from_pydict({"doc_id": [str(i) for i in range(len(poems))], "text": texts,
                                            "lang": ["zh"] * len(poems), "lang_score": pa.array([1.0] * len(poems), pa.float32()),
                                            **script_ratios(texts), "category": pa.array([category] * len(poems), pa.string())})
        reasons = collections.Counter(clean_batch(batch, cfg).column("reason").to_pylist())
        out[category or "none"] = {"kept": reasons.pop(None, 0) / len(poems), "top": reasons.most_common(3)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--slice", action="store_true")
    ap.add_argument("--part", choices=["literature"], help="a part of the corpus instead of the documentation corpus")
    ap.add_argument("--set", nargs="*", default=[])
    ap.add_argument("--json")
    ap.add_argument("--category-from-source", action="store_true",
                    help="category from the source (code / markdown_docs), not the domain model")
    ap.add_argument("--examples", type=int, default=3, help="documents per rejection reason whose triggering lines are shown")
    ap.add_argument("--agreement", help="datatrove decisions cached by bench/clean.py --cache (same --variants)")
    ap.add_argument("--variants", type=int, default=1, help="with --agreement: bench/clean.py's --variants")
    ap.add_argument("--verse", nargs="*", help="fortune files of Chinese verse (fortunes-zh tang300, song100)")
    ap.add_argument("--timing", type=int, default=0, help="runs of the prose-view on/off timing (0: none)")
    ap.add_argument("--negatives", type=int, default=30, help="generated negatives per kind (0: none)")
    args = ap.parse_args()
    cfg = load_config(None, CleanConfig, {**parse_overrides(args.set), "steps": ["lines", "rules"]})
    table = corpus.load(slice=args.slice, columns=["doc_id", "source", "genre", "lang", "text"], part=args.part)
    if args.verse:
        v = run_verse(args.verse, cfg)
        print(f"verse: {v['docs']} poems; as literature kept {v['literature']['kept']:.1%} {v['literature']['top']}; "
              f"no category kept {v['none']['kept']:.1%} {v['none']['top']}")
        return
    if args.agreement:
        a = datatrove_agreement(args.agreement, args.variants, 4)
        print(f"agreement with datatrove: {a['docs']} docs, {a['web_prose_docs']} without code or markup (web prose)")
        print("| filter | prose view on: all | on: web prose | prose view off: all | off: web prose |")
        for fam in ("gopher_repetition", "gopher_quality", "c4", "fineweb"):
            e = a[fam]
            print(f"| {fam} | {e['on']['all']:.2%} | {e['on']['web_prose']:.2%} | {e['off']['all']:.2%} | {e['off']['web_prose']:.2%} |")
        return
    if args.timing:
        import os

        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})  # one core, the same for both sides
        t = time_prose_view(table, parse_overrides(args.set), args.timing)
        print(f"{table.num_rows} docs, rules step, 1 core: prose view on " +
              " / ".join(f"{t['on'][k]:.2f}" for k in ("min", "median", "max")) + " s, off " +
              " / ".join(f"{t['off'][k]:.2f}" for k in ("min", "median", "max")) + " s (min / median / max), "
              f"ratio of medians {t['on']['median'] / t['off']['median']:.2f}")
        return
    rows = run(table, cfg, category_from_source=args.category_from_source)
    kept = sum(r[3] is None for r in rows)
    print(f"{len(rows)} docs, kept {kept / len(rows):.1%}")
    report = {}
    for name, key in (("family", lambda r: r[0]), ("family_lang", lambda r: f"{r[0]} / {r[1] if r[1] in ('en', 'zh', '-') else 'other'}"),
                      ("category", lambda r: r[2]),
                      ("category_lang", lambda r: f"{r[2]} / {r[1] if r[1] in ('en', 'zh', '-') else 'other'}")):
        report[name] = summarise(rows, key)
        print(f"\nby {name}: docs | kept | top reasons")
        for k, e in report[name].items():
            print(f"| {k} | {e['docs']} | {e['kept']:.1%} | " + ", ".join(f"{r} {n}" for r, n in e["top"]) + " |")
    if args.examples:
        report["still_rejected"] = rejection_examples(rows, cfg, args.examples)
        print("\nstill rejected, per rule family: reason | docs | groups | triggering lines of sample docs")
        for fam, reasons in report["still_rejected"].items():
            for reason, e in reasons.items():
                ex = " ‖ ".join(" / ".join(repr(l) for l in lines) for lines in e["examples"] if lines)
                print(f"| {reason} | {e['rejected']} | " + ", ".join(f"{g} {n}" for g, n in e["by_group"]) + f" | {ex} |")
    if args.negatives:
        report["negatives"] = neg = run_negatives(cfg, args.negatives)
        print(f"\nnegatives (generated spam/boilerplate): {neg['docs']} docs, rejected by clean {neg['rejected']:.1%}")
        for k, e in neg["by_kind"].items():
            print(f"| {k} | {e['docs']} | {e['rejected']:.1%} | " + ", ".join(f"{r} {n}" for r, n in e["top"]) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
