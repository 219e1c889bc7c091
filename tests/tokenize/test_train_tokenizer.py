"""Tokenizer training on the bundled sample's JSONL plus generated spam: the vocabulary's promises."""
import json
import pathlib
import random

import pytest

from refinery.tokenize.compression import compression_report
from refinery.tokenize.corpus import read_channel_texts
from refinery.tokenize.dirty_tokens import DirtyTokenRules, token_text
from refinery.tokenize.extend import EXTENSION_FILE, extend_tokenizer
from refinery.tokenize.train_tokenizer import BOS, EOS, PAD, RESERVED, TRAIN_INFO_FILE, main, prune_merges, train

SAMPLE_JSONL = pathlib.Path(__file__).resolve().parents[2] / "sample" / "data" / "jsonl"
GAMBLING = ["澳门新葡京", "在线娱乐城", "真人视讯", "体育投注", "百家乐", "老虎机", "注册即送888元彩金", "天天返水"]


def spam_texts(n=300, seed=3):
    """Spam pages as a crawl has them: gambling ads, long URLs, punctuation runs, repeated a lot."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = "，".join(rng.choices(GAMBLING, k=12))
        url = f"https://www.lucky-casino-{i % 7}.example-bet.cn/promo/register.html?ref=home"
        out.append(f"{words}！！！！！！ 官方网址：{url} ------------ casino bonus casino bonus !!!!!!!!")
    return out


@pytest.fixture(scope="module")
def corpus():
    groups = read_channel_texts([str(SAMPLE_JSONL)], ["meta.lang"])
    groups["spam"] = spam_texts()
    return groups


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("tok") / "tok"
    info = train(corpus, 4096, str(out), reserved=200, special_tokens=["<|im_start|>", "<|im_end|>"],
                 domain_tokens=["阿莫西林", "青霉素"], sample_chars=1_200_000, seed=0)
    return out, info


def test_channels_come_from_meta_lang(corpus):
    assert {"zh", "en", "code", "spam"} <= set(corpus)


def test_vocab_size_reserved_and_special_ids(trained):
    from transformers import AutoTokenizer

    out, info = trained
    tok = AutoTokenizer.from_pretrained(str(out))
    assert len(tok) == 4096 and len(tok) % 128 == 0 and info["vocab_size"] == 4096
    assert info["reserved_tokens"] >= 200
    vocab = tok.get_vocab()
    reserved_ids = [vocab[RESERVED.format(i)] for i in range(info["reserved_tokens"])]
    assert reserved_ids == list(range(reserved_ids[0], reserved_ids[0] + len(reserved_ids)))
    assert reserved_ids[-1] == 4095  # the reserved block ends the vocabulary
    assert tok.bos_token == BOS and tok.eos_token == EOS and tok.pad_token == PAD
    assert len({tok.bos_token_id, tok.eos_token_id, tok.pad_token_id}) == 3
    assert tok.convert_tokens_to_ids("<|im_start|>") == info["learned_tokens"] + 2 + 3
    # special and domain tokens are never split
    ids = tok("<|im_start|>用阿莫西林<|im_end|>", add_special_tokens=False)["input_ids"]
    assert tok.convert_tokens_to_ids("<|im_start|>") in ids and tok.convert_tokens_to_ids("阿莫西林") in ids


def test_digits_split_one_by_one_and_round_trip(trained, corpus):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(trained[0]))
    text = "2024年GDP增长了12345亿元, pi = 3.14159 and 9.11 < 9.9\n    return x"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    pieces = [tok.decode([i]) for i in ids]
    digit_pieces = [p for p in pieces if any(c.isdigit() for c in p)]
    assert digit_pieces and all(len(p.strip()) == 1 for p in digit_pieces)
    assert tok.decode(ids) == text
    for channel in ("zh", "en", "code"):
        sample = corpus[channel][0]
        assert tok.decode(tok(sample, add_special_tokens=False)["input_ids"]) == sample


def test_dirty_tokens_removed(trained):
    out, info = trained
    learned = json.loads((out / "tokenizer.json").read_text())["model"]["vocab"]
    texts = [token_text(t) for t in learned]
    rules = DirtyTokenRules()
    # (URL fragments cannot form here: the byte-level pre-tokenizer cuts URLs at punctuation; the
    # rule is for vocabularies learned without that split, see test_dirty_rules)
    assert info["dirty_tokens_removed"] > 0 and set(info["dirty_tokens_by_reason"]) >= {"dirty_word", "punct_run"}
    assert [t for t in texts if rules.reason(t)] == []
    assert not any("百家乐" in t or "casino" in t or "!!!!" in t or "----" in t for t in texts)
    # the clean part of the spam vocabulary is still learned (the rules are not a blanket ban)
    assert any("官方" in t for t in texts)
    assert json.loads((out / TRAIN_INFO_FILE).read_text())["dirty_tokens_removed"] == info["dirty_tokens_removed"]


def test_dirty_rules():
    rules = DirtyTokenRules(["casino"])
    assert rules.reason("Casino") == "dirty_word"
    assert rules.reason(".example-bet.cn") == "url" and rules.reason("://www") == "url"
    assert rules.reason("！！！！") == "punct_run" and rules.reason("====") == "punct_run"
    assert rules.reason("    ") is None and rules.reason("()):") is None and rules.reason(".com") is None


def test_prune_removes_dependent_merges_and_trims_the_tail():
    vocab = {c: i for i, c in enumerate("abcd")}
    merges = [("a", "b"), ("ab", "c"), ("c", "d"), ("ab", "cd"), ("d", "d")]
    v, m = prune_merges(vocab, merges, {"ab"}, keep_learned=100)
    assert m == [("c", "d"), ("d", "d")] and set(v) == {"a", "b", "c", "d", "cd", "dd"}
    assert sorted(v.values()) == list(range(6))
    v, m = prune_merges(vocab, merges, set(), keep_learned=6)
    assert m == [("a", "b"), ("ab", "c")]


def test_compression_report_per_channel(trained, corpus):
    report = compression_report({k: corpus[k][:100] for k in ("zh", "en")}, {"ours": str(trained[0])})
    zh, en = report["ours"]["zh"], report["ours"]["en"]
    assert zh["tokens"] > 0 and zh["chars_per_token"] == round(zh["chars"] / zh["tokens"], 3)
    # Chinese characters are 3 UTF-8 bytes each: bytes/token well above chars/token
    assert zh["bytes_per_token"] > 2 * zh["chars_per_token"]
    assert en["bytes_per_token"] == pytest.approx(en["chars_per_token"], rel=0.02)


def test_extend_english_tokenizer_with_chinese_tokens(trained, corpus, tmp_path):
    from transformers import AutoTokenizer

    base_dir = tmp_path / "base"
    train({"en": corpus["en"]}, 1024, str(base_dir), reserved=16, sample_chars=300_000)
    info = extend_tokenizer(str(base_dir), str(trained[0]), str(tmp_path / "ext"), max_new=1500, cjk_only=True)
    base, ext = AutoTokenizer.from_pretrained(str(base_dir)), AutoTokenizer.from_pretrained(str(tmp_path / "ext"))
    assert info["base_vocab_size"] == 1024 and info["new_vocab_size"] == 1024 + info["num_new_tokens"] == len(ext)
    assert info["first_new_id"] == 1024 and info["embedding_rows"] % 128 == 0
    assert info["embedding_rows"] >= info["new_vocab_size"]
    assert json.loads((tmp_path / "ext" / EXTENSION_FILE).read_text()) == info
    # old ids keep their meaning, special tokens included
    assert {k: v for k, v in ext.get_vocab().items() if v < 1024} == base.get_vocab()
    assert ext.eos_token_id == base.eos_token_id
    zh = corpus["zh"][:20]
    base_ids = [base(t, add_special_tokens=False)["input_ids"] for t in zh]
    ext_ids = [ext(t, add_special_tokens=False)["input_ids"] for t in zh]
    assert sum(map(len, ext_ids)) < 0.6 * sum(map(len, base_ids))
    for t, b, e in zip(zh, base_ids, ext_ids):
        assert ext.decode(e) == t
        # appended merges only join what the base left over: base token boundaries survive
        assert byte_boundaries(ext, e) <= byte_boundaries(base, b)


def byte_boundaries(tok, ids):
    """Byte offsets where tokens end (a byte-level token string has one character per byte)."""
    ends, pos = {0}, 0
    for piece in tok.convert_ids_to_tokens(ids):
        pos += len(piece)
        ends.add(pos)
    return ends


def test_cli_rejects_bad_vocab_size(tmp_path, capsys):
    assert main(["--input", str(SAMPLE_JSONL), "--vocab-size", "1000", "--out", str(tmp_path / "t")]) == 2
    assert "multiple of 128" in capsys.readouterr().err
