"""Which HTML → main-text extractor: speed on one core and quality against the page's own markup.

    python bench/html_extract.py [--warc sample/data/warc] [--n 500]
    python bench/html_extract.py --synthetic 500
    python bench/html_extract.py --real [slice|site] [--n 500]

``--real``: N HTML pages of the real corpus (``make corpus``; a seeded draw of its ``html``
documents, their bytes decoded as the ingest job decodes them) instead of the sample's WARCs;
adds the line recall against the corpus's lxml text (corpus/recall.py), an oracle independent of
both extractors. The Debian manuals mostly have no ``<article>``/``<main>``, so the markup ground
truth below covers few of them.

Ground truth is read from the HTML itself (no hand labels):

* main content — text of ``<p>``, ``<pre>``, ``<li>`` elements inside ``<article>`` or
  ``<main>`` and not inside boilerplate;
* boilerplate — text inside ``<nav>``, ``<footer>``, ``<aside>``, ``<header>`` and elements
  whose id or class contains cookie/banner/sidebar/menu.

A unit is one element's text (a ``<p>``, an ``<li>``, one line of a ``<pre>``), white space
collapsed; units under MIN_UNIT_CHARS characters ("Home", "Next") are too common to say
anything and are skipped. Reported, over all pages (characters summed, not averaged):

* main recall — share of main-content characters whose unit appears in the output;
* boilerplate leakage — share of boilerplate units (lines) that appear in the output;
* code newlines — share of ``<pre>`` blocks of 2+ lines whose lines come out as
  consecutive lines of the output (a block that is dropped counts as lost);
* code indentation — the same, comparing lines with their indentation (after dedent).

Speed is extraction only (str → str, decoding excluded), the process pinned to one CPU,
after a warm-up pass; the median of --repeat timed passes; MB/s counts the UTF-8 bytes
of the HTML.
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import statistics
import sys
import textwrap
import time
from dataclasses import dataclass, field

import lxml.html

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from refinery.ingest.charset import decode_html  # noqa: E402
from refinery.ingest.html_text import BACKENDS, extract_main_text  # noqa: E402

MIN_UNIT_CHARS = 15
WARMUP_PAGES = 20
BOILERPLATE_TAGS = {"nav", "footer", "aside", "header"}
BOILERPLATE_MARKERS = ("cookie", "banner", "sidebar", "menu")
MAIN_TAGS = {"article", "main"}


# --------------------------------------------------------------------------- pages


def read_warc_pages(warc_dir: str, n: int) -> list[str]:
    """The first n HTML responses of the WARC files in warc_dir, decoded to str."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    pages = []
    paths = glob.glob(os.path.join(warc_dir, "*.warc.gz")) + glob.glob(os.path.join(warc_dir, "*.warc"))
    for path in sorted(paths):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
                content_type = record.http_headers.get("Content-Type") or ""
                if "html" not in content_type.lower():
                    continue
                html, _, _ = decode_html(record.reader.read(), content_type)
                pages.append(html)
                if len(pages) >= n:
                    return pages
    return pages


WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at which "
    "but have an they you were her she there been one all we their has would when if so no what "
    "data model system people time year work government company market city team report study "
    "research water energy health school policy music history language network process design "
    "project support million council season growth price community student result question "
    "because however although therefore during between against without through following "
    "important different possible available significant political economic local national "
    "announced explained reported increased developed published designed expected described"
).split()
ZH = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"


def sentence(rng: random.Random, chinese: bool) -> str:
    if chinese:
        return "".join(rng.choice(ZH) for _ in range(rng.randint(12, 30))) + "。"
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, chinese: bool) -> str:
    joiner = "" if chinese else " "
    return joiner.join(sentence(rng, chinese) for _ in range(rng.randint(2, 6)))


def code_block(rng: random.Random) -> str:
    name = rng.choice(["load", "parse", "merge", "score", "split"])
    lines = [f"def {name}_{rng.randint(0, 999)}(items, limit={rng.randint(2, 64)}):", "    result = []"]
    for i in range(rng.randint(1, 4)):
        lines += [
            f"    for item in items[{i}:]:",
            f"        if item.size > limit * {i + 1}:",
            "            result.append(item)",
        ]
    lines.append("    return result")
    return "\n".join(lines)


def synthetic_page(rng: random.Random, index: int) -> str:
    """A page shaped like a CMS template: header, nav, cookie banner, article, sidebar, footer."""
    chinese = rng.random() < 0.2
    site = f"Site{index % 37}"
    nav = "".join(f'<li><a href="/{w}">{w.title()} section of {site}</a></li>' for w in rng.sample(WORDS, 6))
    body = [f"<h1>{sentence(rng, chinese)}</h1>"]
    if rng.random() < 0.5:
        author = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}"
        body.append(f'<p class="byline">By {author}, {index % 28 + 1} March 2026</p>')
    for _ in range(rng.randint(3, 9)):
        roll = rng.random()
        if roll < 0.15:
            body.append(f"<pre><code>{code_block(rng)}\n</code></pre>")
        elif roll < 0.27:
            items = "".join(f"<li>{sentence(rng, chinese)}</li>" for _ in range(rng.randint(3, 6)))
            body.append(f"<ul>{items}</ul>")
        elif roll < 0.32:
            body.append(f"<blockquote><p>{paragraph(rng, chinese)}</p></blockquote>")
        else:
            body.append(f"<p>{paragraph(rng, chinese)}</p>")
    article = "\n".join(body)
    if rng.random() < 0.5:
        article = f'<div class="entry-content">{article}</div>'
    related = "".join(
        f'<li><a href="/p/{i}">{sentence(rng, chinese)}</a></li>' for i in range(rng.randint(3, 6))
    )
    return f"""<!DOCTYPE html><html lang="{'zh' if chinese else 'en'}"><head><meta charset="utf-8">
<title>{site}</title><script>window.dataLayer = [{{"page": {index}}}];</script>
<style>.menu {{ display: flex }}</style></head><body>
<header class="site-header"><div class="logo">{site} — news and analysis since 1998</div>
<nav class="main-menu"><ul>{nav}</ul></nav></header>
<div id="cookie-banner" class="banner">
<p>We use cookies to personalise content and ads, and to analyse our traffic on {site}.</p>
<button>Accept all cookies</button></div>
<main id="content"><article class="post">{article}</article></main>
<section class="comments"><h3>Comments</h3><p>{sentence(rng, chinese)}</p></section>
<aside class="sidebar"><h3>Related articles on {site}</h3><ul>{related}</ul>
<p>Subscribe to the {site} newsletter and never miss a story from our editors.</p></aside>
<footer><p>Copyright 2026 {site} Media Group. All rights reserved. Registered in England.</p>
<ul><li><a href="/privacy">Privacy policy and cookie settings</a></li>
<li><a href="/terms">Terms and conditions of use</a></li></ul></footer>
</body></html>"""


# --------------------------------------------------------------------------- ground truth


def squash(text: str) -> str:
    return " ".join(text.split())


def dedented_lines(text: str) -> str:
    """Non-blank lines, right-stripped, common indentation removed."""
    return textwrap.dedent("\n".join(line.rstrip() for line in text.splitlines() if line.strip()))


def _is_boilerplate(element) -> bool:
    if element.tag in BOILERPLATE_TAGS:
        return True
    marks = f"{element.get('id', '')} {element.get('class', '')}".lower()
    return any(marker in marks for marker in BOILERPLATE_MARKERS)


@dataclass
class Truth:
    main_units: list[str] = field(default_factory=list)
    boilerplate_units: list[str] = field(default_factory=list)
    code_blocks: list[list[str]] = field(default_factory=list)  # stripped non-empty lines
    code_indented: list[str] = field(default_factory=list)  # dedented, blank lines dropped


def ground_truth(html: str) -> Truth:
    truth = Truth()
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 — an unparsable page simply has no ground truth
        return truth
    for element in root.iter("p", "pre", "li"):
        ancestors = list(element.iterancestors())
        if any(_is_boilerplate(a) for a in ancestors) or not any(a.tag in MAIN_TAGS for a in ancestors):
            continue
        text = element.text_content()
        if element.tag == "pre":
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            truth.main_units += [squash(line) for line in lines]
            if len(lines) >= 2:
                truth.code_blocks.append(lines)
                truth.code_indented.append(dedented_lines(text))
        else:
            truth.main_units.append(squash(text))
    for element in root.iter():
        if isinstance(element.tag, str) and _is_boilerplate(element) and not any(
            _is_boilerplate(a) for a in element.iterancestors()
        ):
            lines = (squash(line) for line in element.text_content().splitlines())
            truth.boilerplate_units += [line for line in lines if line]
    main = set(truth.main_units)
    truth.main_units = [u for u in truth.main_units if len(u) >= MIN_UNIT_CHARS]
    truth.boilerplate_units = [
        u for u in truth.boilerplate_units if len(u) >= MIN_UNIT_CHARS and u not in main
    ]
    return truth


@dataclass
class Score:
    main_found: int = 0
    main_total: int = 0
    boilerplate_found: int = 0
    boilerplate_total: int = 0
    code_kept: int = 0
    code_total: int = 0
    indent_kept: int = 0
    empty: int = 0


def score(truth: Truth, output: str, into: Score) -> None:
    flat = squash(output)
    into.empty += not flat
    for unit in truth.main_units:
        into.main_total += len(unit)
        into.main_found += len(unit) if unit in flat else 0
    into.boilerplate_total += len(truth.boilerplate_units)
    into.boilerplate_found += sum(unit in flat for unit in truth.boilerplate_units)
    lines = "\n".join(line.strip() for line in output.splitlines() if line.strip())
    for block in truth.code_blocks:
        into.code_total += 1
        into.code_kept += "\n".join(block) in lines
    dedented = dedented_lines(output)
    into.indent_kept += sum(block in dedented for block in truth.code_indented)


# --------------------------------------------------------------------------- run


def pin_to_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def time_backend(backend: str, pages: list[str], repeat: int) -> tuple[float, list[str]]:
    """Median seconds of `repeat` passes over all pages, and the outputs of the last one."""
    for html in pages[:WARMUP_PAGES]:
        extract_main_text(html, backend)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        outputs = [extract_main_text(html, backend) for html in pages]
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), outputs


def real_pages(which: str, n: int, seed: int) -> tuple[list[str], list[str]]:
    """A seeded draw of the corpus's HTML documents: (decoded HTML, the corpus's lxml text)."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import corpus
    from refinery.ingest.charset import decode_html

    table = corpus.load(slice=which == "slice", columns=["kind", "content", "text"])
    rows = [i for i, k in enumerate(table.column("kind").to_pylist()) if k == "html"]
    rows = sorted(random.Random(seed).sample(rows, min(n, len(rows))))
    picked = table.take(rows)
    pages = [decode_html(c, "text/html")[0] for c in picked.column("content").to_pylist()]
    return pages, picked.column("text").to_pylist()


def oracle_recall(oracles: list[str], outputs: list[str]) -> str:
    from corpus.recall import line_recall

    found = total = 0
    for oracle, output in zip(oracles, outputs):
        f, t = line_recall(oracle, output)
        found, total = found + f, total + t
    return pct(found, total)


def pct(found: int, total: int) -> str:
    return f"{100 * found / total:.1f}%" if total else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warc", default="sample/data/warc", help="folder of *.warc.gz files")
    parser.add_argument("--n", type=int, default=500, help="pages to read from the WARCs")
    parser.add_argument("--synthetic", type=int, default=0, help="use N generated pages instead of WARCs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per backend (median)")
    parser.add_argument("--real", choices=("slice", "site"), nargs="?", const="slice",
                        help="real corpus pages (make corpus) instead of the sample's WARCs")
    args = parser.parse_args()

    oracles = None
    if args.real:
        pages, oracles = real_pages(args.real, args.n, args.seed)
        source = f"{len(pages)} HTML pages of the real corpus ({args.real})"
    elif args.synthetic:
        rng = random.Random(args.seed)
        pages = [synthetic_page(rng, i) for i in range(args.synthetic)]
        source = f"{args.synthetic} synthetic pages"
    else:
        pages = read_warc_pages(args.warc, args.n)
        source = f"{len(pages)} HTML responses from {args.warc}"
        if not pages:
            sys.exit(f"no HTML pages under {args.warc}; use --synthetic N")
    megabytes = sum(len(html.encode("utf-8")) for html in pages) / 1e6
    truths = [ground_truth(html) for html in pages]
    with_main = sum(bool(t.main_units) for t in truths)
    print(
        f"{source}, {megabytes:.1f} MB of HTML; {with_main} have <article>/<main> ground truth; "
        f"{pin_to_one_core()}"
    )
    print()
    print(
        "| backend | pages/s | MB/s | main recall | boilerplate leakage "
        "| code newlines kept | code indentation kept | empty outputs |"
        + (" lxml oracle lines (>= 40 chars) recovered |" if oracles else "")
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if oracles else ""))
    for backend in BACKENDS:
        seconds, outputs = time_backend(backend, pages, args.repeat)
        result = Score()
        for truth, output in zip(truths, outputs):
            score(truth, output, result)
        print(
            f"| {backend} | {len(pages) / seconds:.0f} | {megabytes / seconds:.2f} "
            f"| {pct(result.main_found, result.main_total)} "
            f"| {pct(result.boilerplate_found, result.boilerplate_total)} "
            f"| {pct(result.code_kept, result.code_total)} ({result.code_total} blocks) "
            f"| {pct(result.indent_kept, result.code_total)} "
            f"| {result.empty} |" + (f" {oracle_recall(oracles, outputs)} |" if oracles else "")
        )


if __name__ == "__main__":
    main()
