"""One detector per shape of personal data: a regex with exact boundaries and a validator.

``pattern`` (Python ``re``) finds candidates; ``validate(text, match)`` keeps the real ones
(checksums, dates, look-alike context). ``core`` is the same regex with its lookarounds
removed, which RE2 accepts: ``pyarrow.compute`` runs it over the whole column to find the
documents and the places that can hold a candidate, and the Python regex then only looks
at those places (see ``scrub.py``). When the pattern has a group named ``v`` only that part
is replaced (the token after ``Bearer``, the ``user:pass`` of a URL), else the whole match.

Boundaries are ASCII: a Chinese character right before or after a number is the usual case
("电话13812345678。"), so ``\\b`` (which treats CJK as word characters) cannot be used.
"""
from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from typing import Callable

from refinery.pii import checksums as ck

# Not glued to a longer alphanumeric token, and not the fraction/thousands part of a number.
# Nor one group of a longer grouped number ("5539 0541 9921 7078" holds no landline 0541 9921 7078).
_NB = r"(?<![0-9A-Za-z_])(?<![0-9][.,])(?<![0-9][ \-])"
_NA = r"(?![0-9A-Za-z_])(?![.,\-][0-9])"


@functools.lru_cache(maxsize=None)
def re2_core(pattern: str) -> str:
    """``pattern`` without its lookaround groups: what RE2 can run, matching a superset."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, j, in_class = 0, i, False
            while True:  # skip to the matching ")", minding escapes and [...] classes
                c = pattern[j]
                if c == "\\":
                    j += 2
                    continue
                if in_class:
                    in_class = c != "]"
                elif c == "[":
                    in_class = True
                    if pattern[j + 1] == "]" or pattern[j + 1 : j + 3] == "^]":
                        j += 2 if pattern[j + 1] == "]" else 3
                        continue
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
            continue
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append(pattern[i])
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Detector:
    name: str  # e.g. "phone.mobile_cn"; several detectors share one PII type
    pii_type: str
    pattern: re.Pattern
    validate: Callable[[str, re.Match], bool]
    # Optional short RE2 that locates candidates faster than the core (long counted repeats make
    # RE2 slow), and how far a match may start before / end after what it marks.
    hint: str | None = None
    reach: tuple[int, int] = (16, 64)

    @property
    def core(self) -> str:
        return self.hint or re2_core(self.pattern.pattern)

    @property
    def family(self) -> str:
        """Detectors of one family share one RE2 gate pass over the column (an alternation of
        their cores): one pass over all number shapes costs ~5x less than seven."""
        return _FAMILY.get(self.pii_type, self.pii_type)


_FAMILY = {"phone": "number", "id_card": "number", "bank_card": "number", "email": "at", "url_credentials": "at"}


def _always(text: str, m: re.Match) -> bool:
    return True


# --- context: the words just before a number decide between "order no." and "phone" ---------------
# A number right after one of these is an identifier of a thing, not of a person (order, parcel,
# invoice, ISBN ...). The last keyword before the number wins, so "订单联系电话：138..." is a phone,
# and it must end at most _NEG_GAP characters before the number ("Order No. ", "订单号：").
_NEGATIVE = (
    r"订单(?:编号|号码|号)?|单号|运单号?|快递单?号?|物流单?号?|流水号|交易号|发票号?码?|票号|工单号?|批次号?|批号"
    r"|序列号|型号|货号|条码|商品编号|专利号?|学号|工号"
    r"|(?:order|tracking|invoice|receipt|transaction|txn|ref(?:erence)?|serial|patent)(?:\s*(?:number|no|id|code))?"
    r"|isbn(?:-1[03])?|issn|doi|sku|asin|ean|upc"
)
_POSITIVE = r"电话|手机|联系|致电|拨打|座机|传真|热线|客服|身份证|证件|卡号|账号|银行|tel|phone|mobile|call|fax|hotline|contact|card|account"
_CONTEXT = re.compile(f"(?:(?P<neg>{_NEGATIVE})|(?P<pos>{_POSITIVE}))", re.IGNORECASE)
# Clause ends: punctuation, brackets and quotes, and ". " unless it ends "No." / "Ref." / "Tel.".
_CLAUSE_END = re.compile(r"[。！？；;!?\n，,、（）()\[\]【】「」『』“”《》|]|(?<![Nn]o)(?<![Rr]ef)(?<![Tt]el)\.\s")
_WINDOW = 24
_NEG_GAP = 6


def _context_before(text: str, start: int) -> str:
    window = text[max(0, start - _WINDOW) : start]
    cut = None
    for cut in _CLAUSE_END.finditer(window):
        pass
    return window[cut.end() :] if cut else window


def negative_context(text: str, start: int) -> bool:
    """True when the closest keyword before ``start`` (same clause) names a non-personal number."""
    window = _context_before(text, start)
    last = None
    for last in _CONTEXT.finditer(window):
        pass
    return bool(last and last.group("neg") and len(window) - last.end() <= _NEG_GAP)


def _number(check: Callable[[str], bool]) -> Callable[[str, re.Match], bool]:
    def validate(text: str, m: re.Match) -> bool:
        return check(ck.digits_of(m.group())) and not negative_context(text, m.start())

    return validate


# --- email -------------------------------------------------------------------------------------------
# Image names like logo@2x.png and package pins look like addresses; a file extension is no TLD.
_FILE_EXT = frozenset(
    "png jpg jpeg gif svg webp bmp ico tif tiff avif heic css js mjs ts json html htm xml php asp jsp txt md pdf "
    "doc docx xls xlsx ppt zip gz tgz tar rar 7z mp3 mp4 mov avi webm wav woff woff2 ttf otf eot map py rb go rs".split()
)


def _email_ok(text: str, m: re.Match) -> bool:
    return m.group("tld").lower() not in _FILE_EXT


EMAIL = Detector(
    "email",
    "email",
    re.compile(
        r"(?<![A-Za-z0-9._%+\-/=])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
        r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,24})(?![A-Za-z0-9\-])"
    ),
    _email_ok,
    hint=r"[A-Za-z0-9._%+\-]@[A-Za-z0-9]",
    reach=(80, 280),
)

# --- URLs with credentials: scheme://user:password@host; the user:password part is replaced ---------
URL_CREDENTIALS = Detector(
    "url_credentials",
    "url_credentials",
    re.compile(
        r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,15}://"
        # Passwords should percent-encode # and ?, but configs on the web often do not.
        r"(?P<v>[^\s/?#@:\"'<>]*:[^\s/@\"'<>]+)@[A-Za-z0-9\[]"
    ),
    _always,
)

# --- phones ------------------------------------------------------------------------------------------
# Chinese mobiles: 1, then 3-9, then nine digits. No allocation list: MIIT opens new prefixes
# (140-144, 154, 192, 194 ...) faster than a list is updated, and a missed phone is a leak.
def _mobile_ok(text: str, m: re.Match) -> bool:
    return len(ck.digits_of(m.group("num"))) == 11 and not negative_context(text, m.start())


PHONE_MOBILE_CN = Detector(
    "phone.mobile_cn",
    "phone",
    re.compile(
        _NB + r"(?:(?:\+|00)86[ -]?|[（(]\+?86[)）][ -]?)?"
        r"(?P<num>1[3-9][0-9](?:[0-9]{8}|-[0-9]{4}-[0-9]{4}| [0-9]{4} [0-9]{4}))" + _NA
    ),
    _mobile_ok,
)


def _landline_ok(text: str, m: re.Match) -> bool:
    local = ck.digits_of(m.group("loc"))
    if len(local) not in (7, 8):  # 7- or 8-digit local numbers after any area code (GB/T 19000 plan)
        return False
    # Written with no separator at all, demand a real local number (they never start with 0 or 1).
    delimited = m.group("ac1") or m.group("ac3") or m.group("sep")
    if not delimited and local[0] == "1":
        return False
    return not negative_context(text, m.start())


# Area codes: 010, 02x (3 digits with the 0), 03xx-09xx (4). Forms: 0AC-LOCAL, (0AC)LOCAL, +86 AC LOCAL.
_AC = r"(?:10|2[0-9]|[3-9][0-9]{2})"
PHONE_LANDLINE_CN = Detector(
    "phone.landline_cn",
    "phone",
    re.compile(
        _NB + rf"(?:(?:\+|00)86[ -]?(?:[（(]0?(?P<ac1>{_AC})[)）]|0?(?P<ac2>{_AC}))|[（(]0(?P<ac3>{_AC})[)）]|0(?P<ac4>{_AC}))"
        r"(?P<sep>[ -]?)(?P<loc>[1-9][0-9]{2,3}[ -]?[0-9]{4})(?:(?:-|转|ext\.? ?)[0-9]{1,5})?" + _NA
    ),
    _landline_ok,
)

# A number right after a phone word ("电话：8765 4321", "Fax 2345-6789", "手机号码 140 0000 1234") is a
# phone even when its shape is not one of the above: 7-15 digits in groups, not a date or year range.
_PHONE_WORD = (r"(?i:电话|手机|座机|传真|热线|联系电话|联系方式|联系人?|致电|拨打|客服|"
               r"tel|telephone|phone|mobile|cell|fax|hotline|call)")
_DATE_LIKE = re.compile(
    r"(?:19|20)[0-9]{2}(?P<s>[-/. ]?)(?:0[1-9]|1[0-2])(?P=s)(?:0[1-9]|[12][0-9]|3[01])$"  # 2023-11-05, 20231105
    r"|(?:19|20)[0-9]{2} ?[-–—~] ?(?:19|20)[0-9]{2}$"  # 1998-2005
)


def _context_phone_ok(text: str, m: re.Match) -> bool:
    v = m.group("v")
    n = len(ck.digits_of(v))
    return 7 <= n <= 15 and v.count("(") == v.count(")") and not _DATE_LIKE.match(v) \
        and not negative_context(text, m.start("v"))


PHONE_CONTEXT = Detector(
    "phone.context",
    "phone",
    re.compile(
        r"(?<![A-Za-z])" + _PHONE_WORD + r"(?![A-Za-z])(?:号码|号|[ .]?(?:no|number|#))?\.?[ \t]*[:：]?[ \t]*"
        r"(?P<v>(?:\+[0-9]{1,3}[ -]?)?(?:\([0-9]{1,4}\)[ -]?)?[0-9]{2,8}(?:[ -][0-9]{2,8}){0,4})"
        r"(?:(?:-|转|ext\.? ?)[0-9]{1,5})?" + _NA
    ),
    _context_phone_ok,
    reach=(32, 64),
)


def _intl_ok(text: str, m: re.Match) -> bool:
    s = m.group()
    n = len(ck.digits_of(s))
    if s.count(".") == 3 and not s.strip("0123456789."):  # 002.217.081.171 is an IPv4 address
        return False
    return 8 <= n <= 15 and s.count("(") == s.count(")") and not negative_context(text, m.start())


# E.164: "+" (or the 00 international prefix), country code, at most 15 digits in all.
PHONE_INTERNATIONAL = Detector(
    "phone.international",
    "phone",
    re.compile(
        r"(?<![0-9A-Za-z_+])(?<![0-9][ .,])(?<![0-9A-Za-z]-)(?:\+|00)[1-9][0-9]{0,3}(?:[ .\-]?\([0-9]{1,4}\))?"
        r"[ .\-]?[0-9]{1,12}(?:[ .\-][0-9]{1,8}){0,5}" + _NA + r"(?!-[A-Za-z])"
    ),
    _intl_ok,
)

def _nanp_ok(text: str, m: re.Match) -> bool:
    same_separator = m.group("s") is None or m.group().count(m.group("s")) >= 2  # 415-555-0132, not 415-555.0132
    return same_separator and not negative_context(text, m.start())


# North American numbers written without +1: (415) 555-0132, 415-555-0132, 415.555.0132.
# Area code and exchange never start with 0 or 1 (NANP).
PHONE_NANP = Detector(
    "phone.nanp",
    "phone",
    re.compile(
        _NB + r"(?:1[ .\-])?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}(?P<s>[.\-]))[2-9][0-9]{2}[.\-][0-9]{4}" + _NA
    ),
    _nanp_ok,
)

# --- Chinese resident ID ------------------------------------------------------------------------------
_REGION = r"(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])[0-9]{4}"
_MMDD = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"

ID_CARD_18 = Detector(
    "id_card.18",
    "id_card",
    re.compile(_NB + _REGION + r"[ -]?(?:18|19|20)[0-9]{2}" + _MMDD + r"[ -]?[0-9]{3}[0-9Xx]" + _NA),
    _number(ck.id18_ok),
)


def _id15_ok(digits: str) -> bool:
    # A Luhn-valid 34/37 number of 15 digits is an American Express card.
    return ck.id15_ok(digits) and not (digits[:2] in ("34", "37") and ck.luhn_ok(digits))


ID_CARD_15 = Detector(
    "id_card.15",
    "id_card",
    re.compile(_NB + _REGION + r"[0-9]{2}" + _MMDD + r"[0-9]{3}" + _NA),
    _number(_id15_ok),
)

# --- bank cards: 13-19 digits, plain or in groups of four (Amex 4-6-5), Luhn-validated -----------------
BANK_CARD = Detector(
    "bank_card",
    "bank_card",
    re.compile(
        _NB + r"(?:[2-6][0-9]{12,18}|[2-6][0-9]{3}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,4})?"
        r"|3[47][0-9]{2}[ -][0-9]{6}[ -][0-9]{5})" + _NA
    ),
    _number(ck.bank_card_ok),
)

# --- IP addresses ----------------------------------------------------------------------------------------
# A dotted quad right after a version word is a version number ("v1.2.3.4", "版本 2.0.1.5").
# "AssemblyVersion(\"1.0.0.0\")" counts too: the keyword may end a longer identifier.
_VERSION_BEFORE = re.compile(
    r"(?:\bv|\bver|version|release|build|\brev|firmware|kernel|版本号?|固件)\.?[\s:：=(\"'/]{0,4}$", re.I
)


def _ip_allowed(addr, allow) -> bool:
    return any(addr.version == net.version and addr in net for net in allow)


# "6.1.3.1.\xa0The Experimental Repository": a section number of a manual (DocBook puts a no-break
# space after it; at the start of a line a plain space), not an address. Measured on the real
# corpus slice: 278 of 596 dotted quads were such headings.
_SECTION_AFTER = re.compile(r"\.(?:\xa0| +[^\sa-z])")  # a title follows, not a lower-case sentence


def _section_number(text: str, m: re.Match, octets: list[int]) -> bool:
    if not _SECTION_AFTER.match(text, m.end()):
        return False
    if text[m.end() + 1 : m.end() + 2] == "\xa0":
        return True
    line_start = text.rfind("\n", 0, m.start()) + 1
    return not text[line_start : m.start()].strip() and max(octets) <= 50


def _ipv4_ok(text: str, m: re.Match, allow=()) -> bool:
    octets = [int(o) for o in m.group().split(".")]  # 192.168.001.010 is written too
    if max(octets) > 255 or _section_number(text, m, octets):
        return False
    addr = ipaddress.IPv4Address(".".join(map(str, octets)))
    if _ip_allowed(addr, allow):
        return False
    return _VERSION_BEFORE.search(text[max(0, m.start() - 16) : m.start()]) is None


IPV4 = Detector(
    "ip.v4",
    "ip",
    re.compile(r"(?<![0-9A-Za-z_.\-])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9A-Za-z_\-])(?!\.[0-9])"),
    _ipv4_ok,
)


def _ipv6_ok(text: str, m: re.Match, allow=()) -> bool:
    s = m.group()
    groups = [g for g in s.split(":") if g]
    # Python slices (a[1::2]) and C++ scopes parse as IPv6 too: a real address written with "::"
    # has 3+ groups or a group of 3+ hex digits (fe80::1, 2001:db8::1).
    if len(groups) < 3 and not any(len(g) >= 3 for g in groups):
        return False
    try:
        addr = ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return not _ip_allowed(addr, allow)


IPV6 = Detector(
    "ip.v6",
    "ip",
    re.compile(
        # May follow "address:" but not start inside an address; a leading colon only as "::".
        r"(?<![0-9A-Za-z_.])(?<![0-9A-Fa-f:]:)(?!:[^:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{1,4})?"
        r"(?![0-9A-Za-z_:]|\.[0-9])"
    ),
    _ipv6_ok,
)

# --- secrets ---------------------------------------------------------------------------------------------
SECRET_PRIVATE_KEY = Detector(
    "secret.private_key",
    "secret",
    re.compile(
        r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----"
        # The body (base64 lines, "Proc-Type: 4,ENCRYPTED" headers) never holds "-----": a block
        # without its END line stops at the next one, so a page of truncated keys stays linear.
        r"(?:(?:[A-Za-z0-9+/=:,\s]|-(?!----))*?-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----"
        r"|(?:\s+[A-Za-z0-9+/=]{8,})+)"
    ),
    _always,
)

# Vendor token formats with a fixed prefix (AWS key ids, GitHub, Google API, Slack, Stripe, OpenAI-style
# sk-..., JSON Web Tokens).
SECRET_TOKEN = Detector(
    "secret.token",
    "secret",
    re.compile(
        r"(?<![A-Za-z0-9_\-])(?:"
        r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}"
        r"|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|glpat-[A-Za-z0-9_\-]{20,64}"
        r"|AIza[0-9A-Za-z_\-]{35}"
        r"|xox[abposr]-[0-9A-Za-z\-]{10,200}"
        r"|[sr]k_(?:live|test)_[0-9A-Za-z]{16,200}"
        r"|sk-(?:proj-|ant-[a-z0-9]{2,8}-)?[A-Za-z0-9_\-]{32,200}"
        r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
        r")(?![A-Za-z0-9_\-])"
    ),
    _always,
    hint=r"A3T[A-Z0-9]|A(?:KI|SI|BI|CC|GP|ID|RO|IP|NP|NV|PK)A[A-Z0-9]|gh[pousr]_|github_pat_|glpat-|AIza|xox[abposr]-"
    r"|[sr]k_(?:live|test)_|sk-|eyJ[A-Za-z0-9_\-]{8}",
    reach=(16, 4096),  # a JWT has no length limit
)


_RUN = re.compile(r"(.)\1{4}")  # xxxxx, *****, 00000: a mask, not a credential


def _looks_random(v: str) -> bool:
    """A credential value, not a placeholder or an expression: letters and digits, no template marks."""
    low = v.lower()
    if any(mark in low for mark in ("your", "example", "<", "{", "${", "$(", "(", "...")) or _RUN.search(v):
        return False
    return any(c.isdigit() for c in v) and any(c.isalpha() for c in v)


def _credential_ok(text: str, m: re.Match) -> bool:
    return _looks_random(m.group("v"))


# "Authorization: Bearer <token>", "Bearer <token>", "Authorization: Basic <base64>": the token goes.
SECRET_AUTH_HEADER = Detector(
    "secret.auth_header",
    "secret",
    re.compile(
        r"(?:(?<![A-Za-z0-9_])(?i:bearer)|(?i:authorization)\s*[:：=]\s*[\"']?(?i:basic|token|bearer))[ \t]+"
        r"(?P<v>[A-Za-z0-9\-._~+/]{16,}=*)(?![A-Za-z0-9\-._~+/=])"
    ),
    _credential_ok,
)

# key = value assignments of credentials in configs and code (api_key: ..., password=..., 密码：...).
SECRET_ASSIGNMENT = Detector(
    "secret.assignment",
    "secret",
    re.compile(
        r"(?:(?<![A-Za-z0-9])(?i:(?:api[_\-]?key|apikey|secret(?:[_\-]?(?:access[_\-]?)?key)?|client[_\-]?secret|access[_\-]?token"
        r"|access[_\-]?key|private[_\-]?key"
        r"|auth[_\-]?token|password|passwd|pwd))|密码|口令)[\"']?\s*(?:[:=：]|是|为)\s*[\"']?"
        r"(?P<v>[A-Za-z0-9!#$%&*+\-./=?@^_~]{8,128})(?![A-Za-z0-9!#$%&*+\-./=?@^_~])"
    ),
    _credential_ok,
)

# --- person names, only where a label or a signature says a name follows ----------------------------
# Chinese: the common surnames (百家姓 top ~100, covering ~90% of people) and one or two given-name
# characters, after a label such as 姓名：/联系人：; a name without a label is not guessed at.
_SURNAMES_ZH = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安"
)
_ZH_LABEL = r"(?:姓名|联系人|收件人|收货人|寄件人|负责人|经办人|申请人|报名人|户名|持卡人|开户名|法人代表|法定代表人)"
PERSON_NAME_ZH = Detector(
    "name.zh_labelled",
    "name",
    re.compile(
        _ZH_LABEL + r"[ \t]*[:：][ \t]*"
        rf"(?P<v>(?:欧阳|司马|上官|诸葛|东方|[{_SURNAMES_ZH}])[一-鿿]{{1,2}}?)"
        r"(?=先生|女士|小姐|老师|同学|电话|手机|联系|身份|证件|性别|年龄|地址|住址|邮箱|银行|卡号|[^一-鿿]|$)"
    ),
    _always,
    reach=(16, 16),
)

# English: two or three capitalised words after "Name:" / "Contact person:" / "Attn:".
_EN_WORD = r"[A-Z](?:[a-z]+|'[A-Z][a-z]+)(?:-[A-Z][a-z]+)?"  # John, O'Brien, Jean-Luc
_EN_NAME = rf"(?P<v>{_EN_WORD}(?: [A-Z]\.)?(?: (?:van |de |von )?{_EN_WORD}){{1,2}})"
PERSON_NAME_EN = Detector(
    "name.en_labelled",
    "name",
    re.compile(
        r"(?:(?<![A-Za-z])(?<![A-Za-z] )(?:Name|NAME)|(?i:full name|your name|contact person|contact name|attn|attention))"
        r"[ \t]*:[ \t]*" + _EN_NAME + r"(?![A-Za-z])"
    ),
    _always,
    reach=(32, 48),
)

# A signature: a closing line ("Best regards," "此致敬礼") and the name alone on the next line.
PERSON_SIGNATURE = Detector(
    "name.signature",
    "name",
    re.compile(
        r"(?<![A-Za-z])(?i:(?:best regards|kind regards|regards|sincerely|yours sincerely|yours truly|yours faithfully"
        r"|many thanks|thanks|cheers|best wishes|best)[ \t]*,[ \t]*\r?\n[ \t]*)"
        + _EN_NAME + r"[ \t]*(?=\r?\n|$)"
    ),
    _always,
    reach=(48, 48),
)


DETECTORS: tuple[Detector, ...] = (
    SECRET_PRIVATE_KEY,
    SECRET_TOKEN,
    SECRET_AUTH_HEADER,
    SECRET_ASSIGNMENT,
    URL_CREDENTIALS,
    EMAIL,
    IPV4,
    IPV6,
    ID_CARD_18,
    ID_CARD_15,
    BANK_CARD,
    PHONE_MOBILE_CN,
    PHONE_LANDLINE_CN,
    PHONE_INTERNATIONAL,
    PHONE_NANP,
    PHONE_CONTEXT,
    PERSON_NAME_ZH,
    PERSON_NAME_EN,
    PERSON_SIGNATURE,
)
