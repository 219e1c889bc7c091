"""Few-shot prompts: the model copies the format of K solved dev items, then answers the last one.

    以下是关于geography的选择题，请直接给出正确答案的选项。      The following are multiple choice questions …

    问题：中国的首都是哪座城市？                              Question: What is the capital of France?
    A. 上海                                                   A. Lyon
    B. 北京                                                   B. Paris
    答案：B                                                   Answer: B

    问题：…                                                   Question: …
    答案：                                                    Answer:

The completion of a solved item is exactly what extraction accepts as correct, so a model that
follows the format is scored on knowledge, not on phrasing.
"""
from __future__ import annotations

from trainer.benchmarks.format import Item

HEADERS = {
    ("zh", True): "以下是关于{subject}的选择题，请直接给出正确答案的选项。",
    ("en", True): "The following are multiple choice questions about {subject}. Answer with the option's label.",
    ("zh", False): "以下是关于{subject}的问答题，请直接给出答案。",
    ("en", False): "The following are questions about {subject}. Answer briefly.",
}


def render_question(item: Item) -> str:
    zh = item.lang == "zh"
    lines = [("问题：" if zh else "Question: ") + item.question]
    lines += [f"{label}. {text}" for label, text in zip(item.labels, item.choices)]
    lines.append("答案：" if zh else "Answer:")
    return "\n".join(lines)


def render_answer(item: Item) -> str:
    """The gold completion (no stop string): ``B``, ``AC``, or the short answer's first text."""
    text = "".join(item.gold_labels()) if item.is_choice else item.answers[0]
    return text if item.lang == "zh" else " " + text


def header(item: Item) -> str:
    subject = item.subject if item.subject != "all" else ("多个学科" if item.lang == "zh" else "several subjects")
    return HEADERS[(item.lang, item.is_choice)].format(subject=subject)


def build_prompt(item: Item, shots: list[Item]) -> str:
    blocks = [header(item)] + [render_question(s) + render_answer(s) for s in shots] + [render_question(item)]
    return "\n\n".join(blocks)


def pick_shots(item: Item, dev: list[Item], k: int) -> list[Item]:
    """Up to ``k`` dev items of the same kind (choice / short), language and subject first, then of
    the same kind and language; never the item itself."""
    same_kind = [d for d in dev if d.is_choice == item.is_choice and d.lang == item.lang and d.question != item.question]
    first = [d for d in same_kind if d.subject == item.subject]
    rest = [d for d in same_kind if d.subject != item.subject]
    return (first + rest)[:k]
