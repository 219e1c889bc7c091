"""Generative benchmarks: transforms keep the right answer right, an oracle scores 1.0, a constant
answerer scores the chance rate, stop strings cut a real model's greedy generation."""
import json
import math
import os
import re
import string

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.benchmarks.extract import extract_choice, is_correct
from trainer.benchmarks.format import BenchmarkError, Item, load_benchmark
from trainer.benchmarks.prompts import render_answer
from trainer.benchmarks.run import evaluate_benchmark
from trainer.benchmarks.transforms import TRANSFORMS, apply_variant

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "trainer", "benchmarks", "data", "demo.jsonl")
LETTERS = string.ascii_uppercase
# written here, not imported: the oracle must not share the code it checks
NOTA_TEXTS = {"其他答案全错", "None of the other answers is correct"}
ALL_VARIANTS = "shuffle,none_of_above,cn_numerals,single_choice,single_choice+shuffle+none_of_above+cn_numerals"


def _raw(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def oracle_for(path):
    """A "model" that reads the last question of the prompt and answers with the labels of the
    lines holding the original correct texts (or the none-of-the-above text that replaced one)."""
    by_question = {}
    for r in _raw(path):  # single_choice drops a "(select all)" hint from the question
        by_question[r["question"]] = by_question[re.sub(r"\s*[（(](多选|select all that apply)[)）]", "", r["question"])] = r

    def answer(prompt: str) -> str:
        block = prompt.split("\n\n")[-1].splitlines()
        question = re.sub(r"^(问题：|Question: )", "", block[0])
        row = by_question[question]
        if "choices" not in row:
            return row["answer"]
        correct = {row["choices"][LETTERS.index(c)] for c in row["answer"]}
        labels = [m.group(1) for m in (re.match(r"^(\S+)\. (.*)$", line) for line in block[1:-1])
                  if m and (m.group(2) in correct or m.group(2) in NOTA_TEXTS)]
        return "".join(labels)

    return lambda prompts: [answer(p) + "\n" for p in prompts]


def test_demo_set_loads_with_dev_split_both_languages_and_all_kinds():
    items = load_benchmark(DEMO)
    test = [i for i in items if i.split != "dev"]
    assert len(test) == 40 and {i.lang for i in test} == {"zh", "en"}
    assert any(i.multi for i in test) and any(not i.is_choice for i in test)
    assert {i.lang for i in items if i.split == "dev"} == {"zh", "en"}


def test_oracle_scores_one_on_every_variant():
    result = evaluate_benchmark(DEMO, oracle_for(DEMO), shots=2, transforms=ALL_VARIANTS)
    for variant, r in result["transforms"].items():
        assert r["accuracy"] == 1.0, (variant, [s for s in r["samples"] if not s["correct"]])
        assert all(s["accuracy"] == 1.0 for s in r["subjects"].values())
    multi = sum(1 for r in _raw(DEMO) if r["split"] == "test" and isinstance(r["answer"], str)
                and "choices" in r and len(r["answer"]) > 1)
    assert result["transforms"]["none"]["n_items"] == 40
    assert result["transforms"]["none_of_above"]["skipped"] == {"none_of_above.multi_answer": multi}
    assert result["transforms"]["single_choice+shuffle+none_of_above+cn_numerals"]["n_items"] == 40


def test_constant_answerer_scores_the_chance_rate():
    rows = [r for r in _raw(DEMO) if r["split"] == "test"]
    expected = sum(1 for r in rows if "choices" in r and r["answer"] == "A") / len(rows)
    result = evaluate_benchmark(DEMO, lambda prompts: ["A"] * len(prompts), shots=0, transforms="cn_numerals")
    assert math.isclose(result["transforms"]["none"]["accuracy"], expected)
    assert result["transforms"]["cn_numerals"]["accuracy"] == 0.0  # "A" is no label on the 一二三四 paper


def test_constant_answerer_on_shuffled_papers_is_one_in_k(tmp_path):
    path = tmp_path / "big.jsonl"
    with open(path, "w") as f:
        for i in range(1200):
            f.write(json.dumps({"id": str(i), "question": f"q{i}?", "choices": ["w", "x", "y", "z"], "answer": "A"}) + "\n")
    r = evaluate_benchmark(str(path), lambda prompts: ["A"] * len(prompts), shots=0, transforms="shuffle")
    assert r["transforms"]["none"]["accuracy"] == 1.0
    sigma = math.sqrt(0.25 * 0.75 / 1200)
    assert abs(r["transforms"]["shuffle"]["accuracy"] - 0.25) < 4 * sigma


@st.composite
def choice_items(draw):
    n = draw(st.integers(2, 8))
    texts = draw(st.lists(st.text(alphabet="abcdefg北京上海0123", min_size=1, max_size=6), min_size=n, max_size=n,
                          unique=True))
    gold = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    return Item(question=draw(st.text(min_size=1, max_size=10)), choices=tuple(texts), gold=tuple(sorted(gold)),
                labels=tuple(LETTERS[:n]), lang=draw(st.sampled_from(["zh", "en"])), id=str(draw(st.integers(0, 99))))


@settings(max_examples=150, deadline=None)
@given(item=choice_items(), names=st.lists(st.sampled_from(sorted(TRANSFORMS)), min_size=1, max_size=4),
       seed=st.integers(0, 3))
def test_transforms_keep_the_correct_answer_correct(item, names, seed):
    correct = {item.choices[g] for g in item.gold}
    out = apply_variant(item, "+".join(names), seed)
    if isinstance(out, str):  # a stated reason, e.g. none_of_above on a multi-answer item
        assert out.split(".")[0] in names
        return
    assert out.gold and len(out.labels) == len(out.choices) == len(set(out.labels))
    for i, text in enumerate(out.choices):
        if i in out.gold:
            assert text in correct or text in NOTA_TEXTS      # the right answer is still right
        else:
            assert text not in correct                         # and no right answer became wrong
    if "single_choice" in names:
        assert len(out.gold) == 1
    if "none_of_above" in names:
        assert not correct & set(out.choices)
    if "shuffle" in names and "single_choice" not in names and "none_of_above" not in names:
        assert sorted(out.choices) == sorted(item.choices)
    # the gold completion a few-shot example shows is what extraction reads back as correct
    assert extract_choice(out, render_answer(out)) == out.gold


def test_extraction_reads_the_usual_phrasings():
    item = Item(question="q", choices=("x", "y", "z", "w"), gold=(1,), labels=tuple("ABCD"))
    for said in (" B", "B.", "(B) y", "答案是B", "B\n", "y"):
        assert is_correct(item, said)[0], said
    for said in ("Because", "A", "", "AB"):
        assert not is_correct(item, said)[0], said
    cn = Item(question="q", choices=("x", "y", "z"), gold=(0, 2), labels=tuple("一二三"))
    assert is_correct(cn, "一、三")[0] and is_correct(cn, "一和三")[0] and not is_correct(cn, "一")[0]
    short = Item(question="q", answers=("carbon dioxide", "CO2"))
    assert is_correct(short, " Carbon dioxide.")[0] and is_correct(short, "ＣＯ２")[0]
    assert not is_correct(short, "oxygen")[0]


def test_bad_lines_stop_with_file_and_line(tmp_path):
    cases = ['{"question": "q", "choices": ["a", "b"], "answer": "C"}', '{"question": "q"}', "not json",
             '{"question": "q", "choices": ["a", "a"], "answer": "A"}', '{"question": "", "answer": "x"}']
    for n, line in enumerate(cases):
        path = tmp_path / f"bad{n}.jsonl"
        path.write_text('{"question": "ok", "answer": "x"}\n' + line + "\n")
        with pytest.raises(BenchmarkError, match=rf"bad{n}.jsonl:2: "):
            load_benchmark(str(path))


def test_ceval_columns_and_mmlu_indices_are_read(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps({"question": "1+1?", "A": "1", "B": "2", "C": "3", "D": "4", "answer": "B"}) + "\n" +
                    json.dumps({"question": "2+2?", "choices": ["3", "4"], "answer": 1}) + "\n")
    a, b = load_benchmark(str(path))
    assert a.choices == ("1", "2", "3", "4") and a.gold == (1,) and b.gold == (1,)


# --- generation with a real (tiny, random) LlamaForCausalLM, built in-process -------------------

@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=320, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|end_of_text|>"])
    tok.train_from_iterator(["Question: what is the capital of France?\nAnswer: Paris\n"] * 20, trainer)
    path = tmp_path_factory.mktemp("tok") / "tokenizer.json"
    tok.save(str(path))
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=320, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128)
    return LlamaForCausalLM(config).eval(), str(path)


def test_stop_strings_cut_generation_and_stop_the_model(tiny_lm):
    from trainer.benchmarks.generate import GreedyGenerator, TextTokenizer

    model, tok_path = tiny_lm
    tok = TextTokenizer(tok_path)
    prompt = "Question: what is the capital of France?\nAnswer:"
    calls = []
    hook = model.register_forward_hook(lambda *a: calls.append(1))
    free = GreedyGenerator(model, tok, max_new_tokens=24, stop=())
    text = free([prompt])[0]
    assert len(calls) == 24 and free.generated_tokens == [24]
    # the reference continuation, token by token, with the same greedy rule
    ids = torch.tensor([tok.encode(prompt)])
    new = []
    with torch.no_grad():
        for _ in range(24):
            nxt = int(model(input_ids=ids).logits[0, -1].argmax())
            new.append(nxt)
            ids = torch.cat([ids, torch.tensor([[nxt]])], 1)
    assert text == tok.decode(new)
    stop = text[len(text) // 2]  # a character from the middle of the free continuation
    first = next(n for n in range(1, 25) if stop in tok.decode(new[:n]))
    calls.clear()
    cut = GreedyGenerator(model, tok, max_new_tokens=24, stop=(stop,))
    got = cut([prompt])[0]
    hook.remove()
    assert got == text[:text.index(stop)]
    assert len(calls) == first < 24  # the model stopped at the token that completed the stop string


def test_batched_left_padded_generation_matches_one_by_one(tiny_lm):
    from trainer.benchmarks.generate import GreedyGenerator, TextTokenizer

    model, tok_path = tiny_lm
    gen = GreedyGenerator(model, TextTokenizer(tok_path), max_new_tokens=8, stop=(), batch_size=4)
    prompts = ["Question: what is", "Answer: Paris\nQuestion: what is the capital of France?\nAnswer:"]
    assert gen(prompts) == [gen([p])[0] for p in prompts]
