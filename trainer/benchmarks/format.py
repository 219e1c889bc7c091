"""The benchmark JSONL format (README "Benchmarks"): one item per line.

    {"question": "中国的首都是哪座城市？", "choices": ["上海", "北京", "广州", "南京"], "answer": "B",
     "subject": "geography", "split": "test", "id": "zh-geo-1", "lang": "zh"}
    {"question": "Which are prime?", "choices": ["2", "4", "5", "9"], "answer": ["A", "C"]}   # several correct
    {"question": "7 × 8 = ?", "answer": "56", "aliases": ["五十六"]}                           # short answer

* ``choices``: a list, or a mapping ``{"A": …, "B": …}``; C-Eval/CMMLU exports with columns
  ``A``, ``B``, ``C``, ``D`` and no ``choices`` are read as they are.
* ``answer``: for choices, label letters (``"B"``, ``"AC"``, ``["A", "C"]``) or 0-based indices
  (``1``, ``[0, 2]``, as MMLU exports have); without choices, the expected text (``aliases``: other
  accepted texts).
* ``split``: ``dev`` items are the few-shot examples, everything else is scored (default ``test``).
* ``subject`` defaults to ``all``; ``lang`` (``zh``/``en``) to ``zh`` when the question holds CJK.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class BenchmarkError(ValueError):
    """A benchmark file that cannot be read as documented; the message names file and line."""


@dataclass(frozen=True)
class Item:
    question: str
    choices: tuple[str, ...] = ()          # empty: a short-answer item
    gold: tuple[int, ...] = ()             # indices of the correct choices
    answers: tuple[str, ...] = ()          # short answer: accepted texts
    labels: tuple[str, ...] = ()           # what the choices are called in the prompt (A, B, … by default)
    subject: str = "all"
    split: str = "test"
    lang: str = "en"
    id: str = ""
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    @property
    def multi(self) -> bool:
        return len(self.gold) > 1

    def gold_labels(self) -> tuple[str, ...]:
        return tuple(self.labels[i] for i in sorted(self.gold))


def _parse_answer(raw, n_choices: int, where: str) -> tuple[int, ...]:
    if isinstance(raw, bool):
        raise BenchmarkError(f"{where}: answer must be label letters or 0-based indices, got {raw!r}")
    if isinstance(raw, int):
        raw = [raw]
    if isinstance(raw, str):
        raw = [c for c in raw.strip().upper() if c not in " ,，、"]
    if not isinstance(raw, list) or not raw:
        raise BenchmarkError(f"{where}: answer must be label letters or 0-based indices, got {raw!r}")
    out = []
    for a in raw:
        if isinstance(a, int) and not isinstance(a, bool):
            index = a
        elif isinstance(a, str) and len(a.strip()) == 1 and a.strip().upper() in LATIN:
            index = LATIN.index(a.strip().upper())
        else:
            raise BenchmarkError(f"{where}: answer {a!r} is neither a label letter nor a 0-based index")
        if not 0 <= index < n_choices:
            raise BenchmarkError(f"{where}: answer {a!r} is out of range for {n_choices} choices")
        out.append(index)
    if len(set(out)) != len(out):
        raise BenchmarkError(f"{where}: answer names a choice twice: {raw!r}")
    return tuple(sorted(out))


def parse_item(row: dict, where: str) -> Item:
    if not isinstance(row, dict):
        raise BenchmarkError(f"{where}: expected a JSON object")
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise BenchmarkError(f"{where}: 'question' must be a non-empty string")
    choices = row.get("choices")
    if choices is None and "A" in row and "B" in row:  # C-Eval / CMMLU columns
        choices = {k: row[k] for k in LATIN if k in row}
    if isinstance(choices, dict):
        keys = list(choices)
        if keys != list(LATIN[:len(keys)]):
            raise BenchmarkError(f"{where}: choice keys must be A, B, C, … in order, got {keys}")
        choices = list(choices.values())
    if "answer" not in row:
        raise BenchmarkError(f"{where}: 'answer' is missing")
    if choices is not None:
        if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, (str, int, float)) for c in choices):
            raise BenchmarkError(f"{where}: 'choices' must be a list of at least two texts")
        choices = tuple(str(c).strip() for c in choices)
        if len(set(choices)) != len(choices):
            raise BenchmarkError(f"{where}: two choices have the same text")
        if len(choices) > len(LATIN):
            raise BenchmarkError(f"{where}: at most {len(LATIN)} choices")
        gold, answers = _parse_answer(row["answer"], len(choices), where), ()
    else:
        aliases = row.get("aliases") or []
        if not isinstance(aliases, list):
            raise BenchmarkError(f"{where}: 'aliases' must be a list")
        answers = tuple(str(a).strip() for a in [row["answer"], *aliases])
        if not answers[0]:
            raise BenchmarkError(f"{where}: 'answer' is empty")
        choices, gold = (), ()
    lang = row.get("lang") or ("zh" if _CJK.search(question) else "en")
    if lang not in ("zh", "en"):
        raise BenchmarkError(f"{where}: lang must be zh or en, got {lang!r}")
    split = str(row.get("split") or "test")
    known = {"question", "choices", "answer", "aliases", "subject", "split", "id", "lang", *LATIN[:len(choices)]}
    return Item(question=question.strip(), choices=choices, gold=gold, answers=answers,
                labels=tuple(LATIN[:len(choices)]), subject=str(row.get("subject") or "all"), split=split,
                lang=lang, id=str(row.get("id") or where), meta={k: v for k, v in row.items() if k not in known})


def load_benchmark(path: str) -> list[Item]:
    """Every item of a JSONL benchmark; a malformed line stops with its line number."""
    items = []
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        raise BenchmarkError(f"{path}: {e.strerror}") from None
    with f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                row = json.loads(line)
            except ValueError as e:
                raise BenchmarkError(f"{where}: not JSON ({e.msg})") from None
            items.append(parse_item(row, where))
    if not items:
        raise BenchmarkError(f"{path}: no items")
    return items


def split_items(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """(scored items, few-shot dev items)."""
    return [i for i in items if i.split != "dev"], [i for i in items if i.split == "dev"]
