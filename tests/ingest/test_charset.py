"""decode_html: header, meta, BOM and detection, on Chinese legacy encodings and broken UTF-8."""

import pytest

from refinery.ingest.charset import canonical_encoding, decode_html

SIMPLIFIED = (
    "北京是中华人民共和国的首都，也是全国的政治、文化和国际交往中心。"
    "机器学习是人工智能的一个分支，研究计算机怎样从数据中学习规律，并用来预测新的数据。"
)
TRADITIONAL = (
    "臺北是中華民國的首都，擁有豐富的歷史與文化。"
    "這是一個簡短的網頁，用來測試編碼偵測的準確度，請不要在意內容。"
)


def page(text: str, meta: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{text[:6]}</title></head>"
        f"<body><p>{text}</p></body></html>"
    )


CASES = [
    ("gbk", SIMPLIFIED, "gb18030"),
    ("gb18030", SIMPLIFIED, "gb18030"),
    ("big5", TRADITIONAL, "big5hkscs"),
]


@pytest.mark.parametrize("encoding,text,expected", CASES)
def test_declared_in_header_only(encoding, text, expected):
    html = page(text)
    decoded, used, replaced = decode_html(html.encode(encoding), f"text/html; charset={encoding.upper()}")
    assert (decoded, used, replaced) == (html, expected, False)


@pytest.mark.parametrize("encoding,text,expected", CASES)
@pytest.mark.parametrize("meta", ['<meta charset="{}">', '<meta http-equiv="Content-Type" content="text/html; charset={}">'])
def test_declared_in_meta_only(encoding, text, expected, meta):
    html = page(text, meta.format(encoding))
    decoded, used, replaced = decode_html(html.encode(encoding), "text/html")
    assert (decoded, used, replaced) == (html, expected, False)


@pytest.mark.parametrize("encoding,text,expected", CASES)
def test_detected_without_declaration(encoding, text, expected):
    html = page(text)
    decoded, used, replaced = decode_html(html.encode(encoding), None)
    assert decoded == html
    assert not replaced
    # gbk and gb18030 decode the same bytes identically here; we only ask for the right text.
    assert used in {"gb18030", "big5hkscs", "big5", "cp950"}


def test_gb2312_label_is_decoded_as_gb18030():
    # "𠀀" (U+20000) only exists in GB18030; pages labelled gb2312 contain such characters.
    html = page(SIMPLIFIED + "𠀀")
    decoded, used, _ = decode_html(html.encode("gb18030"), "text/html; charset=gb2312")
    assert (decoded, used) == (html, "gb18030")


def test_header_wins_over_meta():
    html = page(SIMPLIFIED, '<meta charset="iso-8859-1">')
    decoded, used, _ = decode_html(html.encode("gbk"), "text/html; charset=gbk")
    assert (decoded, used) == (html, "gb18030")


def test_invalid_utf8_is_replaced_not_rejected():
    body = "<p>caf".encode() + b"\xe9 cr\xff\xfeme</p>" + "中文".encode()
    decoded, used, replaced = decode_html(body, "text/html; charset=utf-8")
    assert (decoded, used, replaced) == ("<p>caf\ufffd cr\ufffd\ufffdme</p>中文", "utf-8", True)


def test_latin1_page():
    html = page("Le café était très bon, déjà vu à Noël — « naïve » façade.", '<meta charset="ISO-8859-1">')
    body = html.replace("—", "-").encode("latin-1")
    decoded, used, replaced = decode_html(body, None)
    assert (decoded, used, replaced) == (html.replace("—", "-"), "cp1252", False)


def test_latin1_page_detected():
    html = page("Le café était très bon, déjà vu à Noël, une façade naïve et élégante.")
    decoded, _, replaced = decode_html(html.encode("latin-1"), "text/html")
    assert (decoded, replaced) == (html, False)


def test_bom_wins_and_is_stripped():
    html = page(SIMPLIFIED)
    body = b"\xef\xbb\xbf" + html.encode("utf-8")
    assert decode_html(body, "text/html; charset=gbk") == (html, "utf-8", False)
    assert decode_html(b"\xff\xfe" + html.encode("utf-16-le"), None) == (html, "utf-16-le", False)


def test_unknown_charset_falls_back_to_detection():
    html = page(SIMPLIFIED)
    decoded, used, replaced = decode_html(html.encode("utf-8"), "text/html; charset=x-no-such-charset")
    assert (decoded, used, replaced) == (html, "utf-8", False)


def test_canonical_encoding():
    assert canonical_encoding("GB2312") == "gb18030"
    assert canonical_encoding("'utf8'") == "utf-8"
    assert canonical_encoding("us-ascii") == "cp1252"
    assert canonical_encoding("nonsense") is None
    assert canonical_encoding(None) is None


def test_empty_body():
    assert decode_html(b"", None) == ("", "utf-8", False)
