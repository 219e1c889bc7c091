"""Dedup speed: MinHash signatures per core against datasketch, and the job end to end.

    python bench/dedup.py signatures [--repeat 3]
    python bench/dedup.py job --sizes 3000 50000 200000 1000000 [--repeat 3]
    python bench/dedup.py quality [--per-kind 60]

``signatures``: the same real documents (the bundled sample's JSONL texts and the main
text of its WARC pages) go through

* ours — ``refinery.dedup.minhash.minhash_signatures`` (numba kernel) on Arrow batches of
  1024 documents: UTF-8 → normalise → shingles → 128 multiply-shift hashes;
* ours, NumPy reference — the same numbers without numba;
* datasketch — ``MinHash(num_perm=128).update_batch(shingles)`` per document, given the
  same shingles (our word/character 5-grams as UTF-8 bytes) built *outside* the timed
  region, so it is timed on hashing alone; and once more with the shingling a user writes
  (lower-case, ``\\w+`` words, 5-grams) inside the timed region.

The process is pinned to one CPU; median of ``--repeat`` passes after a warm-up. MB/s
counts UTF-8 bytes of the texts; "per CPU-s" divides by the CPU time of this process
(``time.process_time``), which stays meaningful when other jobs share the core.

``quality``: precision/recall/F1 per kind and per edit of real near-duplicate pairs
(``tests/dedup/real_pairs.py``: copies, truncations, light and heavy edits of corpus
documents, labelled by plain-Python character-5-gram Jaccard), for the job's decision
without Spark, the old word shingling and datasketch ``MinHashLSH``.

``job``: ``spark-submit --master local[2] jobs/dedup.py`` with the default config, as a user
runs it. 3,000 documents (~25 MB) are real: 150 families per kind (code, English, Chinese;
base, copy, truncation, light and heavy edit) and 750 other corpus documents. Larger sizes
are replicas of those 3,000 with other ids and each replica's letters, digits and CJK
ideographs put through its own bijection, so every replica has the same lengths and
duplicate structure but (almost) no shingle in common with the others: the expected
duplicates grow exactly with the size. Reported: wall seconds (JVM start included), docs/s,
peak resident memory of the job's process tree, the job's own phase seconds.
"""
from __future__ import annotations

import argparse
import gzip
import glob
import io
import json
import os
import platform
import re
import statistics
import sys
import time

import pyarrow as pa

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)


def sample_texts() -> list[str]:
    import zstandard

    from refinery.ingest.html_text import extract_main_text

    texts = []
    for path in sorted(glob.glob(os.path.join(REPO, "sample/data/jsonl/*"))):
        raw = open(path, "rb").read()
        if path.endswith(".gz"):
            raw = gzip.decompress(raw)
        elif path.endswith(".zst"):
            raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read()
        for line in raw.decode("utf-8", "replace").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and isinstance(row.get("text"), str) and row["text"].strip():
                texts.append(row["text"])
    sys.path.insert(0, os.path.join(REPO, "bench"))
    from html_extract import read_warc_pages

    for html in read_warc_pages(os.path.join(REPO, "sample/data/warc"), 100000):
        text = extract_main_text(html)
        if text and text.strip():
            texts.append(text)
    return texts


def _median_time(fn, repeat: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds of this process (the machine may be shared)."""
    fn()  # warm-up (numba compile, caches)
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def real_texts(limit_mb: float = 8.0) -> list[str]:
    """Real code, English and Chinese documents of the corpus slice (``make corpus``), in order."""
    import corpus

    table = corpus.load(slice=True, columns=["kind", "lang", "text"])
    texts, size = [], 0
    for kind, lang, text in zip(*(table.column(c).to_pylist() for c in ("kind", "lang", "text"))):
        if text and (kind == "code" or lang in ("en", "zh")):
            texts.append(text)
            size += len(text.encode())
            if size > limit_mb * 1e6:
                break
    return texts


def bench_signatures(repeat: int) -> dict:
    """Ours, datasketch and rensa on the same real texts, alternated round by round (so a
    change in the machine's load hits all three), pinned to one CPU; wall-clock seconds."""
    import datasketch
    import rensa

    from refinery.dedup.minhash import HashFamily, ShingleSpec, minhash_signatures

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    texts = real_texts()
    mb = sum(len(t.encode()) for t in texts) / 1e6
    batches = [pa.array(texts[i : i + 1024], pa.string()) for i in range(0, len(texts), 1024)]
    spec, family = ShingleSpec(), HashFamily(128, 1)
    # the others get the same shingles (character 7-grams, whitespace removed, lower-cased) prebuilt
    space = re.compile(r"\s+")
    shingles = []
    for t in texts:
        c = space.sub("", t.lower())
        shingles.append([c[i : i + 7] for i in range(max(len(c) - 6, 1))] if c else [])
    shingle_bytes = [[g.encode() for g in s] for s in shingles]

    def ours():
        for b in batches:
            minhash_signatures(b, spec, family)

    def ds():
        for s in shingle_bytes:
            m = datasketch.MinHash(num_perm=128, seed=1)
            m.update_batch(s)

    def rs():
        for s in shingles:
            m = rensa.RMinHash(num_perm=128, seed=1)
            m.update(s)
            m.digest()

    contenders = {"ours (numba, text in: shingling included)": ours,
                  "rensa RMinHash.update (shingles prebuilt)": rs,
                  "datasketch MinHash.update_batch (shingles prebuilt)": ds}
    walls = {name: [] for name in contenders}
    for fn in contenders.values():
        fn()  # warm-up: numba cache, allocator
    for _ in range(repeat):
        for name, fn in contenders.items():
            t = time.perf_counter()
            fn()
            walls[name].append(time.perf_counter() - t)
    results = {}
    for name, w in walls.items():
        results[name] = {"MB/s wall min": round(mb / max(w), 2), "median": round(mb / statistics.median(w), 2),
                         "max": round(mb / min(w), 2), "runs": len(w)}
    base = {n: statistics.median(w) for n, w in walls.items()}
    ours_s = base["ours (numba, text in: shingling included)"]
    ratios = {f"ours / {n.split()[0]} (pairwise median)": round(statistics.median(
        [b / a for a, b in zip(walls["ours (numba, text in: shingling included)"], w)]), 1)
        for n, w in walls.items() if not n.startswith("ours")}
    return {"documents": len(texts), "MB": round(mb, 2), "shingles": int(sum(map(len, shingles))),
            "ours median s": round(ours_s, 3), "results": results, "speedup": ratios}


def real_job_documents(per_kind: int = 150, singletons: int = 750, max_chars: int = 20000, seed: int = 0):
    """The issue's small input: ``per_kind`` real families per kind (code, English, Chinese;
    each a base, a copy, a truncation, a light and a heavy edit: ``tests/dedup/real_pairs.py``)
    plus ``singletons`` other real documents, all from the full corpus cut to ``max_chars``.
    Defaults: 3,000 documents, ~25 MB. Returns (documents for the job, the labelled pairs)."""
    import random

    import corpus

    from tests.dedup.real_pairs import build, kind_of

    table = corpus.load(slice=False, columns=["doc_id", "kind", "lang", "text"])
    real = build(table, per_kind=per_kind, max_chars=max_chars, seed=seed)
    used = {d["family"] for d in real.docs}
    seen = {d["text"] for d in real.docs}
    rest = []
    cols = table.to_pydict()
    for doc_id, kind, lang, text in zip(cols["doc_id"], cols["kind"], cols["lang"], cols["text"]):
        k = kind_of(kind, lang)
        if k and text and text.strip() and doc_id not in used:
            rest.append((doc_id, k, text[:max_chars]))
    rest.sort()
    random.Random(seed).shuffle(rest)
    extra = []
    for doc_id, k, text in rest:
        if len(extra) == singletons:
            break
        if text not in seen:
            seen.add(text)
            extra.append({"doc_id": doc_id, "text": text, "kind": k, "edit": "single", "family": doc_id})
    real.docs.extend(extra)
    docs = [{"doc_id": d["doc_id"], "text": d["text"], "category": None, "quality_score": None,
             "lang": None if d["kind"] == "code" else d["kind"]} for d in real.docs]
    return docs, real


def _cipher(replica: int) -> dict:
    """A bijection on letters, digits and CJK ideographs, one per replica: a replica keeps
    every length, every within-family Jaccard and exact copy of the original, but shares
    (almost) no shingle with it or with other replicas."""
    import random
    import string

    rng = random.Random(replica)
    table = {}
    for alphabet in (string.ascii_lowercase, string.digits):
        shuffled = list(alphabet)
        rng.shuffle(shuffled)
        table.update({ord(a): b for a, b in zip(alphabet, shuffled)})
    table.update({ord(a.upper()): table[ord(a)].upper() for a in string.ascii_lowercase})
    lo, n = 0x4E00, 0x9FFF - 0x4E00 + 1
    shift = rng.randrange(1, n)
    table.update({lo + i: chr(lo + (i + shift) % n) for i in range(n)})
    return table


def write_job_input(n: int, workdir: str) -> tuple[str, float]:
    """``n`` documents as Parquet under ``workdir``: the real 3,000-document input, then
    replicas of it (ids ``<id>~r<k>``, text through :func:`_cipher`) up to ``n``. Returns
    (path, MB of text)."""
    import shutil

    from tests.dedup.corpus_io import documents_table

    import pyarrow.parquet as pq

    path = os.path.join(workdir, f"in-{n}")
    marker = os.path.join(path, "_MB")
    if os.path.exists(marker):
        return path, float(open(marker).read())
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    base, _ = real_job_documents()
    written, mb, replica = 0, 0.0, 0
    while written < n:
        take = base[: n - written]
        if replica:
            cipher = _cipher(replica)
            take = [dict(d, doc_id=f"{d['doc_id']}~r{replica}", text=d["text"].translate(cipher)) for d in take]
        table = documents_table(take)
        for part in range(0, table.num_rows, 750):  # a stage output's files are smaller than a replica
            pq.write_table(table.slice(part, 750), os.path.join(path, f"part-{replica:05d}-{part // 750}.parquet"))
        mb += sum(len(d["text"].encode()) for d in take) / 1e6
        written += len(take)
        replica += 1
    with open(marker, "w") as f:
        f.write(f"{mb:.3f}")
    return path, mb


def _tree_rss_mb(pid: int) -> float:
    """Resident MB of a process and all its descendants (the driver JVM = the local executor, and
    its Python workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def bench_job(sizes: list[int], workdir: str, repeat: int = 1, cpus: str | None = None,
              conf: dict | None = None) -> dict:
    """``spark-submit --master local[2] jobs/dedup.py`` (default config) per size, as a user
    runs it: wall seconds including JVM start, docs/s, peak RSS of the whole process tree
    (the local executor is the driver JVM, plus its Python workers) sampled every 0.2 s, and
    the CPU seconds of that tree (a cpuacct cgroup around it where one can be made, else
    RUSAGE_CHILDREN, which misses pyspark's workers; "CPU method" says which): on a shared
    machine the wall clock grows with the others' load, the CPU seconds much less."""
    import subprocess
    import threading

    sys.path.insert(0, os.path.join(REPO, "bench"))
    from scale_common import TreeCpu

    spark_submit = os.path.join(os.path.dirname(sys.executable), "spark-submit")
    env = dict(os.environ, PYTHONPATH=REPO, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable,
               PYSPARK_DRIVER_PYTHON=sys.executable)
    out = {}
    for n in sizes:
        inputs, mb = write_job_input(n, workdir)
        runs = []
        for r in range(repeat):
            output = os.path.join(workdir, f"out-{n}")
            subprocess.run(["rm", "-rf", output], check=True)
            cmd = ([] if cpus is None else ["taskset", "-c", cpus]) + [
                spark_submit, "--master", "local[2]", "--conf", "spark.ui.showConsoleProgress=false"]
            for k, v in (conf or {}).items():
                cmd += ["--conf", f"{k}={v}"]
            cmd += [os.path.join(REPO, "jobs/dedup.py"), "--input", inputs, "--output", output]
            load = os.getloadavg()[0]
            meter = TreeCpu()  # pyspark's workers escape RUSAGE_CHILDREN (bench/scale_common.py)
            t = time.perf_counter()
            proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    preexec_fn=meter.preexec)
            peak = [0.0]
            done = threading.Event()

            def sample():
                while not done.wait(0.2):
                    peak[0] = max(peak[0], _tree_rss_mb(proc.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            log = proc.communicate()[0].decode(errors="replace")
            seconds = time.perf_counter() - t
            cpu, cpu_method, _ = meter.stop()
            done.set()
            sampler.join()
            with open(os.path.join(workdir, f"job-{n}-run{r}.log"), "w") as f:
                f.write(log)  # the whole log: a failure's cause is often far from its last lines
            if proc.returncode:
                raise SystemExit(f"dedup job failed on {n} documents (rc {proc.returncode}; whole log: "
                                 f"{workdir}/job-{n}-run{r}.log):\n{log[-3000:]}")
            stats = json.load(open(os.path.join(output, "_stats.json")))
            runs.append({"seconds": round(seconds, 1), "CPU seconds": round(cpu, 1), "CPU method": cpu_method, "phases": stats["run"].get("phase_seconds"),
                         "write seconds": stats["run"]["write_seconds"], "peak RSS MB": round(peak[0]),
                         "load before": round(load, 1), "load after": round(os.getloadavg()[0], 1)})
        secs = [r["seconds"] for r in runs]
        out[n] = {"MB": round(mb, 1), "seconds min/median/max": [min(secs), statistics.median(secs), max(secs)],
                  "docs/s (median)": round(n / statistics.median(secs), 1), "MB/s (median)": round(mb / statistics.median(secs), 2),
                  "peak RSS MB (max)": max(r["peak RSS MB"] for r in runs),
                  "kept": stats["rows_kept"], "duplicate": stats["rows_duplicate"],
                  "by reason": stats["duplicates_by_reason"], "candidate_links": stats["run"]["candidate_links"],
                  "verified_edges": stats["run"]["verified_edges"], "components": stats["run"].get("components"),
                  "component_rounds": stats["run"]["component_rounds"],
                  "runs": runs}
        print(json.dumps({n: out[n]}), flush=True)
    return out


def bench_quality(per_kind: int = 150) -> dict:
    """Ours (the job's decision without Spark, default config) and datasketch MinHashLSH
    (character 5-grams as the issue's user ran it, threshold 0.8) on the same real pairs,
    scored against the oracle per kind and per edit (``tests/dedup/real_pairs.py``)."""
    import corpus
    import datasketch

    from tests.dedup.real_pairs import build, predict_ours, scores

    real = build(corpus.load(slice=True, columns=["doc_id", "kind", "lang", "text"]), per_kind=per_kind)
    ours = predict_ours(real)
    word = predict_ours(real, __import__("refinery.config", fromlist=["load_config"]).load_config(
        None, __import__("refinery.dedup.config", fromlist=["DedupConfig"]).DedupConfig, {"shingles": {"mode": "word"}}))
    lsh = datasketch.MinHashLSH(threshold=0.8, num_perm=128)
    for i, d in enumerate(real.docs):
        m = datasketch.MinHash(num_perm=128, seed=1)
        t = d["text"]
        m.update_batch([t[j : j + 5].encode() for j in range(max(len(t) - 4, 1))])
        d["_m"] = m
        lsh.insert(str(i), m)
    theirs = {tuple(sorted((i, int(j)))) for i, d in enumerate(real.docs) for j in lsh.query(d["_m"]) if int(j) != i}
    out = {"families per kind": per_kind, "documents": len(real.docs)}
    for name, pred in [("ours (default: char 7-grams, exact verify)", ours), ("ours with shingles.mode=word", word),
                       ("datasketch MinHashLSH char 5-grams t=0.8", theirs)]:
        out[name] = {k: {m: round(v[m], 3) if isinstance(v[m], float) else v[m] for m in ("precision", "recall", "f1", "tp", "fp", "fn")}
                     for k, v in {**scores(real, pred), **scores(real, pred, by=("kind", "edit"))}.items()}
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    s = sub.add_parser("signatures")
    s.add_argument("--repeat", type=int, default=3)
    j = sub.add_parser("job")
    j.add_argument("--sizes", type=int, nargs="+", default=[3000, 50000, 200000])
    j.add_argument("--workdir", default="/tmp/bench-dedup")
    j.add_argument("--repeat", type=int, default=1)
    j.add_argument("--cpus", help="taskset -c list for the job (e.g. 0,1)")
    j.add_argument("--conf", nargs="+", default=[], metavar="KEY=VALUE", help="extra spark-submit --conf")
    q = sub.add_parser("quality")
    q.add_argument("--per-kind", type=int, default=150)
    args = p.parse_args(argv)
    print(f"# {time.strftime('%Y-%m-%d')} {platform.processor() or platform.machine()} nproc={os.cpu_count()} "
          f"python {platform.python_version()} load {os.getloadavg()[0]:.1f}", flush=True)
    if args.what == "signatures":
        result = bench_signatures(args.repeat)
    elif args.what == "quality":
        result = bench_quality(args.per_kind)
    else:
        result = bench_job(args.sizes, args.workdir, args.repeat, args.cpus, dict(c.split("=", 1) for c in args.conf))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
