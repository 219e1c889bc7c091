"""PII scrubbing: precision/recall on a generated labelled corpus, look-alikes, nulls, config."""
from __future__ import annotations

import collections
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from refinery.config import ConfigError, load_config, parse_overrides
from refinery.pii import PII_TYPES, PiiConfig, find_spans, scrub_pii
from refinery.pii import checksums as ck
from refinery.pii.scrub import detectors_for, replace_spans, Span
from tests.pii.labelled import LOOKALIKE_KINDS, PLANTED_TYPES, make_corpus


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(seed=2026, per_type=300, per_kind=150)


def _evaluate(docs, cfg=None):
    detectors = detectors_for(cfg or PiiConfig())
    planted, found, detected, correct = (collections.Counter() for _ in range(4))
    looks, broken = collections.Counter(), collections.Counter()
    failures = []
    for doc in docs:
        spans = find_spans(doc.text, detectors)
        got = {(s.start, s.end, s.pii_type) for s in spans}
        items = set(doc.items)
        for item in doc.items:
            planted[item[2]] += 1
            if item in got:
                found[item[2]] += 1
            else:
                failures.append(("missed", doc.text[item[0] : item[1]], doc.text))
        for s in spans:
            detected[s.pii_type] += 1
            if (s.start, s.end, s.pii_type) in items:
                correct[s.pii_type] += 1
            else:
                failures.append(("false " + s.pii_type, doc.text[s.start : s.end], doc.text))
        for a, b, kind in doc.lookalikes:
            looks[kind] += 1
            if any(s.start < b and a < s.end for s in spans):
                broken[kind] += 1
    return planted, found, detected, correct, looks, broken, failures


def test_corpus_has_every_type_and_lookalike_in_both_languages(corpus):
    types = collections.Counter(t for d in corpus for *_, t in d.items)
    kinds = collections.Counter(k for d in corpus for *_, k in d.lookalikes)
    assert set(types) == set(PLANTED_TYPES) and min(types.values()) == 300
    assert set(kinds) == set(LOOKALIKE_KINDS) and min(kinds.values()) == 150
    assert any("，" in d.text for d in corpus) and any(". " in d.text for d in corpus)


def test_precision_and_recall_per_type(corpus):
    planted, found, detected, correct, _, _, failures = _evaluate(corpus)
    report = {
        t: (round(found[t] / planted[t], 4), round(correct[t] / max(detected[t], 1), 4)) for t in PLANTED_TYPES
    }
    for t in PLANTED_TYPES:
        recall, precision = report[t]
        assert recall >= 0.99, (t, report, failures[:5])
        assert precision >= 0.99, (t, report, failures[:5])


def test_lookalikes_are_preserved(corpus):
    *_, looks, broken, failures = _evaluate(corpus)
    for kind in LOOKALIKE_KINDS:
        kept = 1 - broken[kind] / looks[kind]
        assert kept >= 0.99, (kind, kept, failures[:5])


def test_column_path_agrees_with_whole_text_scan(corpus):
    """scrub_pii looks only around RE2-marked candidates; it must find what a scan of every whole
    text with every detector finds (also for texts holding the marker characters themselves)."""
    texts = [d.text for d in corpus[:600]]
    texts += ["\n".join(d.text for d in corpus[i : i + 10]) for i in range(600, 1000, 10)]  # page-sized
    texts += ["\x01" + texts[0] + "\x02", "token " + "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx" + "A" * 3000 + ".sig_abcdefgh"]
    cfg = PiiConfig()
    expected = [replace_spans(t, find_spans(t, detectors_for(cfg)), cfg.placeholders) for t in texts]
    assert scrub_pii(pa.array(texts), cfg).texts.to_pylist() == expected
    assert expected[-1] == "token <SECRET>"


def test_scrub_column_replaces_items_and_counts_them(corpus):
    docs = corpus[:600]
    column = pa.array([None if i % 7 == 3 else d.text for i, d in enumerate(docs)])
    result = scrub_pii(column, PiiConfig())
    assert len(result.texts) == len(column) and result.texts.type == pa.string()
    assert set(result.counts) == set(PII_TYPES)
    out = result.texts.to_pylist()
    exact = 0
    for i, d in enumerate(docs):
        if i % 7 == 3:
            assert out[i] is None
            assert all(result.counts[t][i] == 0 for t in PII_TYPES)
            continue
        spans = [Span(a, b, t, "") for a, b, t in sorted(d.items)]
        exact += out[i] == replace_spans(d.text, spans, PiiConfig().placeholders)
        for t in PII_TYPES:  # per type and document, for every document (with or without PII)
            assert result.counts[t][i] == sum(1 for *_, it in d.items if it == t), (t, d.text, out[i])
    n_docs = sum(1 for i in range(len(docs)) if i % 7 != 3)
    assert exact / n_docs >= 0.99
    for t in PII_TYPES:
        assert result.counts[t].dtype == np.int32


# --- the forms the issue names, one by one --------------------------------------------------------------
SCRUBBED = [
    ("手机：138 1234 5678。", "手机：<PHONE>。"),
    ("手机:138-1234-5678，", "手机:<PHONE>，"),
    ("电话：１３８１２３４５６７８，邮箱：ｚｈａｎｇ＠１６３．ｃｏｍ", "电话：<PHONE>，邮箱：<EMAIL>"),
    ("电话+86 138 1234 5678", "电话<PHONE>"),
    ("Call 0086-13812345678 now", "Call <PHONE> now"),
    ("座机010-12345678转8001", "座机<PHONE>"),
    ("电话(0755)1234567", "电话<PHONE>"),
    ("电话：（021）6888 1234", "电话：<PHONE>"),
    ("Office: +1 415 555 0132.", "Office: <PHONE>."),
    ("London +44 20 7946 0958, Paris +33 1 42 68 53 00", "London <PHONE>, Paris <PHONE>"),
    ("Call (415) 555-0132 today", "Call <PHONE> today"),
    ("身份证号：11010519491231002X。", "身份证号：<ID_CARD>。"),
    ("身份证 110105491231002", "身份证 <ID_CARD>"),
    ("卡号：6222 0212 3456 7890 128", "卡号：<BANK_CARD>"),
    ("Visa 4111-1111-1111-1111 exp 12/27", "Visa <BANK_CARD> exp 12/27"),
    ("Amex 3782 822463 10005", "Amex <BANK_CARD>"),
    ("邮箱：zhang.san@163.com；", "邮箱：<EMAIL>；"),
    ("QQ邮箱 123456789@qq.com", "QQ邮箱 <EMAIL>"),
    ("from 203.0.113.7:8080 and 2001:db8::8a2e:370:7334", "from <IP>:8080 and <IP>"),
    ("http://[fe80::1ff:fe23:4567:890a]:8080/", "http://[<IP>]:8080/"),
    ("mapped ::ffff:10.0.0.1, link fe80::1%eth0.", "mapped <IP>, link <IP>%eth0."),
    ("DSN=postgres://admin:s3cr3t!@db.example.com:5432/app", "DSN=postgres://<URL_CREDENTIALS>@db.example.com:5432/app"),
    ("redis://:p4ssw0rd@cache:6379", "redis://<URL_CREDENTIALS>@cache:6379"),
    ("key AKIAIOSFODNN7EXAMPLE here", "key <SECRET> here"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8KEY9", "aws_secret_access_key = <SECRET>"),
    ("GITLAB_TOKEN=glpat-AbCdEfGh1234567890xy", "GITLAB_TOKEN=<SECRET>"),
    ("token=ghp_" + "a1B2" * 9, "token=<SECRET>"),
    ("AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "<SECRET>"),
    ("Authorization: Bearer abc123DEF456ghi789JKL", "Authorization: Bearer <SECRET>"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow" + "A" * 60 + "\n-----END RSA PRIVATE KEY-----\nok", "<SECRET>\nok"),
    ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,AB12\n\n" + "QUJD" * 16
     + "\n-----END RSA PRIVATE KEY----- x", "<SECRET> x"),
    ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n" * 3, "<SECRET>\n" * 3),  # truncated blocks
]

PRESERVED = [
    "发布于20231105，更新于2023-11-05 12:30:45。",
    "价格：¥1,299.00，原价￥1599，US$ 2,499.99",
    "他在1998-2005年间任职，1998—2005。",
    "升级到 v1.2.3.4 或 version 2.0.1.5，版本号：1.4.2.10",
    'AssemblyVersion("1.0.0.0")',
    "ISBN 978-7-111-54493-7，ISBN 9787111544937，ISBN 0-306-40615-2",
    "邮编：100080，Postcode 518000",
    "订单号：202311051234567890，Order No. 4111111111111111，快递单号 13812345678",
    "身份证号：110105194912310021",  # checksum is X
    "卡号：4111 1111 1111 1112",  # Luhn fails
    "身份证 110105491331002",  # month 13
    "commit 3f5a9c2e1b7d8f60a4c2e9b1d3f5a7c9e1b3d5f7, uuid 550e8400-e29b-41d4-a716-446655440000",
    "MAC 00:1A:2B:3C:4D:5E, std::vector<int>, a[1::2], localhost 127.0.0.1, mask 255.255.255.0",
    "logo@2x.png, @babel/core@7.23.2, @zhangsan",
    "Authorization: Bearer YOUR_ACCESS_TOKEN, password: ********",
    "ts=1699142400 and 1699142400123, pi 3.14159265358979",
]


@pytest.mark.parametrize("text,expected", SCRUBBED)
def test_named_forms_are_scrubbed(text, expected):
    assert scrub_pii(pa.array([text])).texts.to_pylist() == [expected]


@pytest.mark.parametrize("text", PRESERVED)
def test_named_lookalikes_are_left_alone(text):
    result = scrub_pii(pa.array([text]))
    assert result.texts.to_pylist() == [text]
    assert sum(int(c[0]) for c in result.counts.values()) == 0


def test_checksums_agree_with_stdnum():
    """refinery.pii.checksums against python-stdnum on random and real-shaped numbers."""
    import random

    from stdnum import luhn
    from stdnum.cn import ric

    from tests.pii.labelled import make_id18

    rng = random.Random(7)
    for _ in range(3000):
        n = "".join(rng.choice("0123456789") for _ in range(rng.randint(13, 19)))
        assert ck.luhn_ok(n) == luhn.is_valid(n), n
    for _ in range(500):
        good = make_id18(rng)
        assert ck.id18_ok(good), good
        for c in "0123456789X":
            assert ck.id18_ok(good[:17] + c) == ric.is_valid(good[:17] + c), good[:17] + c


def test_checksums():
    assert ck.luhn_ok("4111111111111111") and not ck.luhn_ok("4111111111111112")
    assert ck.id18_ok("11010519491231002X") and not ck.id18_ok("110105194912310021")
    assert not ck.id18_ok("11010519491331002X")  # month 13
    assert ck.id15_ok("110105491231002") and not ck.id15_ok("110105490230002")  # 30 February
    assert not ck.bank_card_ok("11010519491231002X") and ck.bank_card_ok("6222021234567890128")


# --- column handling and configuration ------------------------------------------------------------------
def test_nulls_empty_and_chunked_input():
    assert len(scrub_pii(pa.array([], pa.string())).texts) == 0
    result = scrub_pii(pa.array([None, "", None], pa.string()))
    assert result.texts.to_pylist() == [None, "", None]
    chunked = pa.chunked_array([["a@b.com x", None], ["plain text"]], pa.large_string())
    result = scrub_pii(chunked)
    assert result.texts.type == pa.large_string()
    assert result.texts.to_pylist() == ["<EMAIL> x", None, "plain text"]
    assert result.counts["email"].tolist() == [1, 0, 0]
    sliced = pa.array(["x", "tel 13812345678", None, "y"]).slice(1, 2)  # a batch column with an offset
    assert scrub_pii(sliced).texts.to_pylist() == ["tel <PHONE>", None]


def test_placeholders_and_types_are_configurable():
    text = "mail zhang@163.com tel 13812345678 ip 8.8.8.8"
    cfg = PiiConfig(types=["email", "ip"], placeholders={"email": "[邮箱]"})
    result = scrub_pii(pa.array([text]), cfg)
    assert result.texts.to_pylist() == ["mail [邮箱] tel 13812345678 ip <IP>"]
    assert result.counts["phone"].tolist() == [0] and result.counts["email"].tolist() == [1]
    kept_private = PiiConfig(ip_allow=["10.0.0.0/8"])
    assert scrub_pii(pa.array(["10.1.2.3 127.0.0.1"]), kept_private).texts.to_pylist() == ["10.1.2.3 <IP>"]


@dataclass
class _Job:  # how a job's YAML nests the section
    pii: PiiConfig = field(default_factory=PiiConfig)


@pytest.mark.parametrize(
    "override,message",
    [
        ("pii.types=[email, ssn]", "pii.types[1]: unknown PII type 'ssn'"),
        ("pii.types=[]", "pii.types: empty"),
        ("pii.types=[ip, ip]", "pii.types: listed twice"),
        ("pii.placeholders={passport: X}", "pii.placeholders.passport: unknown PII type"),
        ("pii.placeholders={email: 3}", "pii.placeholders.email: expected str"),
        ("pii.ip_allow=[10.0.0.0/33]", "pii.ip_allow[0]: '10.0.0.0/33' is not an IP network"),
        ("pii.mask=true", "pii.mask: unknown key"),
    ],
)
def test_config_errors_name_the_key(override, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(None, _Job, parse_overrides([override]))


def test_config_from_yaml(tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text("pii:\n  types: [email, phone]\n  placeholders:\n    phone: '[电话]'\n", encoding="utf-8")
    cfg = load_config(str(path), _Job).pii
    assert cfg.types == ["email", "phone"]
    assert cfg.placeholders["phone"] == "[电话]" and cfg.placeholders["email"] == "<EMAIL>"


def test_bundled_sample_has_no_false_finds():
    """The bundled sample (news, encyclopedia, forum, code tutorials quoting the stdlib, spam; zh and
    en; dates, prices, ICP numbers, versions) holds no planted PII: the only finds allowed are the
    IP addresses that the quoted ``ipaddress.py`` documentation really contains."""
    import glob
    import os

    from refinery.ingest.config import IngestConfig
    from refinery.ingest.pipeline import FILE_INDEX_COLUMN, make_file_ingester

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # All JSONL files and one WARC file (HTML extraction of all four would dominate the test's time).
    files = tuple(sorted(glob.glob(os.path.join(root, "sample/data/warc/*.warc.gz")))[:1]
                  + sorted(glob.glob(os.path.join(root, "sample/data/jsonl/*.jsonl*"))))
    ingest = make_file_ingester(IngestConfig(), files)
    batches = list(ingest(pa.RecordBatch.from_pydict({FILE_INDEX_COLUMN: list(range(len(files)))})))
    texts = pa.concat_arrays([b.filter(pc.is_null(b.column("reason"))).column("text") for b in batches])
    assert len(texts) > 2000
    result = scrub_pii(texts)
    found = {t: int(c.sum()) for t, c in result.counts.items() if c.sum()}
    assert set(found) <= {"ip"}, found
    for before, after in zip(texts.to_pylist(), result.texts.to_pylist()):
        if before != after:
            assert "ipaddress" in before or "IPv4" in before or "IPv6" in before, before[:300]


# --- planted in real documents: the corpus's own sentences around each item ------------------------------
def evaluate_in_real_text(pairs, cfg=None):
    """Per type: planted, found; per look-alike kind: planted, broken; false finds; finds already in
    the untouched text (real data, reported apart)."""
    detectors = detectors_for(cfg or PiiConfig())
    planted, found, looks, broken = (collections.Counter() for _ in range(4))
    false_finds, baseline, failures = collections.Counter(), collections.Counter(), []
    for doc, original in pairs:
        spans = find_spans(doc.text, detectors)
        before = {original[s.start : s.end] for s in find_spans(original, detectors)}
        got = {(s.start, s.end, s.pii_type) for s in spans}
        for item in doc.items:
            planted[item[2]] += 1
            found[item[2]] += item in got
            if item not in got:
                failures.append(("missed", doc.text[item[0] : item[1]], doc.text[max(0, item[0] - 60) : item[1] + 30]))
        items = set(doc.items)
        for s in spans:
            if (s.start, s.end, s.pii_type) in items:
                continue
            if doc.text[s.start : s.end] in before:
                baseline[s.pii_type] += 1
            else:
                false_finds[s.pii_type] += 1
                failures.append(("false " + s.pii_type, doc.text[s.start : s.end], doc.text[max(0, s.start - 60) : s.end + 30]))
        for a, b, kind in doc.lookalikes:
            looks[kind] += 1
            broken[kind] += any(s.start < b and a < s.end for s in spans)
    return planted, found, looks, broken, false_finds, baseline, failures


@pytest.fixture(scope="module")
def planted_in_real(real_slice):
    from tests.pii.real_text import excerpts, plant

    return plant(excerpts(real_slice, per_lang=250, seed=14), seed=14)


def test_recall_and_lookalikes_in_real_text(planted_in_real):
    planted, found, looks, broken, false_finds, baseline, failures = evaluate_in_real_text(planted_in_real)
    assert set(planted) == set(PLANTED_TYPES) and min(planted.values()) >= 100
    recall = sum(found.values()) / sum(planted.values())
    kept = 1 - sum(broken.values()) / sum(looks.values())
    assert recall >= 0.99 and kept >= 0.99, (recall, kept, failures[:8])
    for t in PLANTED_TYPES:
        assert found[t] / planted[t] >= 0.97, (t, found[t], planted[t], failures[:8])
    n_items = sum(planted.values())
    assert sum(false_finds.values()) / n_items <= 0.01, (dict(false_finds), failures[:8])


@pytest.mark.parametrize("text,expected", [
    ("6.1.3.1.\xa0The Experimental Repository", "6.1.3.1.\xa0The Experimental Repository"),
    ("intro\n  3.1.1.2. Default network setup", "intro\n  3.1.1.2. Default network setup"),
    ("the gateway is 10.0.0.1. Then reboot.", "the gateway is <IP>. Then reboot."),
    ("10.0.2.2. is tjener", "<IP>. is tjener"),
])
def test_section_numbers_are_not_addresses(text, expected):
    assert scrub_pii(pa.array([text])).texts.to_pylist() == [expected]
