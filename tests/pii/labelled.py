"""A labelled PII corpus, generated: Chinese and English prose with planted items and look-alikes.

Every planted item records the exact span a scrubber must replace and its type; every
look-alike records a span that must survive. Formats vary the way they do on the web
(separators, +86/0086 prefixes, full-width brackets and colons, ports and CIDR suffixes,
PEM blocks, connection strings), and each item sits in a sentence that names it the way
pages do ("联系电话：", "Email us at"), or in no sentence at all. Deterministic for a seed.

The labels come from python-stdnum, not from ``refinery.pii.checksums``: resident IDs are built on
real county codes and validated by ``stdnum.cn.ric`` (15-digit ones through their 18-digit form),
cards are completed and checked by ``stdnum.luhn``.
"""
from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass, field

import datetime
import os

import stdnum.cn
from stdnum import luhn
from stdnum.cn import ric

PLANTED_TYPES = ("email", "phone", "id_card", "bank_card", "ip", "url_credentials", "secret", "name")

LOOKALIKE_KINDS = (
    "date_digits",
    "date_time",
    "price",
    "year_range",
    "version",
    "isbn",
    "postal_code",
    "order_number",
    "bad_id18",
    "bad_id15",
    "bad_card",
    "timestamp",
    "uuid_hash",
    "code_colons",
    "file_at",
    "token_placeholder",
    "decimal",
    "handle",
    "short_version",
    "phone_word_date",
    "name_label_thing",
)


@dataclass
class Doc:
    text: str
    items: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, pii type)
    lookalikes: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, kind)


# --- prose ------------------------------------------------------------------------------------------
ZH_FILLER = [
    "本文介绍了我们在数据清洗方面的一些经验。",
    "今天天气不错，适合出门散步。",
    "大模型的预训练需要大量高质量的语料。",
    "欢迎大家在评论区留言讨论。",
    "这个问题困扰了我很久，最后终于找到了解决办法。",
    "会议将于下周三下午在三楼会议室举行。",
    "请各位同学按时提交作业，逾期不候。",
    "该产品自上市以来广受好评。",
    "以下是详细的操作步骤，请仔细阅读。",
    "如有任何疑问，欢迎随时与我们联系。",
    "感谢您的耐心等待，我们会尽快处理。",
    "小区周边配套齐全，交通十分便利。",
]
EN_FILLER = [
    "This guide walks through the setup step by step.",
    "We shipped the new release last week and feedback has been positive.",
    "The weather was great, so we went for a long walk by the river.",
    "Please read the whole thread before posting a question.",
    "Our team will get back to you within two business days.",
    "The meeting has been moved to Wednesday afternoon.",
    "Thanks for reading, and feel free to leave a comment below.",
    "Here is what we learned while cleaning a large web crawl.",
    "The results below were measured on a single machine.",
    "If you have any questions, do not hesitate to reach out.",
    "Shipping is free for orders over fifty dollars.",
    "The library is open every day except public holidays.",
]

# "{}" is where the item goes; a template's language decides the filler around it.
TEMPLATES = {
    "email": {
        "zh": ["邮箱：{}", "联系邮箱:{}。", "请发送简历至{}，注明应聘岗位。", "（邮件：{}）", "【投稿】{}", "作者邮箱 {}；"],
        "en": ["Email: {}", "Contact us at {}.", "Send your CV to <{}>.", "(mail {})", "mailto:{}", "reach me at {}, thanks"],
    },
    "phone": {
        "zh": ["联系电话：{}", "手机：{}。", "如有问题请拨打{}咨询。", "电话:{}，传真另询", "（{}）", "客服热线 {}；", "联系人王先生{}"],
        "en": ["Phone: {}", "Call us at {}.", "Tel. {} (office hours)", "or text {}, anytime", "Mobile:{}", "[{}]"],
    },
    "id_card": {
        "zh": ["身份证号：{}", "身份证号码{}。", "证件号码:{}，请核对", "（身份证 {}）", "持证人{}已登记"],
        "en": ["ID number: {}", "Chinese ID {}.", "resident ID card no. {}, verified", "(ID {})"],
    },
    "bank_card": {
        "zh": ["银行卡号：{}", "请汇款至卡号{}。", "收款账号:{}，户名张三", "（信用卡 {}）", "尾号待核对的卡{}"],
        "en": ["Card number: {}", "Pay with card {}.", "my Visa is {}, exp 12/27", "(credit card {})", "account {}"],
    },
    "ip": {
        "zh": ["服务器地址：{}", "登录IP为{}。", "来自{}的访问被拦截", "（IP：{}）", "内网地址 {}；"],
        "en": ["Server: {}", "Blocked requests from {}.", "ssh into {} and restart", "(host {})", "IP address:{}"],
    },
    "url_credentials": {
        "zh": ["数据库连接串：{}", "配置为{}。", "（地址 {}）", "镜像源{}，请勿外传"],
        "en": ["DATABASE_URL={}", "Connect with {}.", "clone from {} then build", "(see {})"],
    },
    "name": {
        "zh": ["姓名：{}\n", "联系人：{}，", "收件人: {}。", "（负责人：{}）", "户名：{}，开户行另询", "姓名 : {} 性别：男"],
        "en": ["Name: {}\n", "Contact person: {}.", "Attn: {}", "Full name: {},", "\nBest regards,\n{}\n", "Thanks,\n{}\n"],
    },
    "secret": {
        "zh": ["密钥如下：{}", "配置文件中写着{}。", "（泄露的令牌 {}）", "注意：{}"],
        "en": ["Key: {}", "The config had {} in plain text.", "leaked: {}", "export {}"],
    },
}

LOOKALIKE_TEMPLATES = {
    "zh": ["发布时间：{}", "（{}）", "{}。", "见{}，", "编号说明：{}；", "{}"],
    "en": ["Posted {}", "({})", "{}.", "see {},", "note: {};", "{}"],
}


def _digits(rng, n: int, first: str = "0123456789") -> str:
    return rng.choice(first) + "".join(rng.choice(string.digits) for _ in range(n - 1))


def _luhn_complete(body: str) -> str:
    return body + luhn.calc_check_digit(body)


def _real_date(y: int, m: int, d: int) -> bool:
    try:
        return datetime.date(1900, 1, 1) <= datetime.date(y, m, d) <= datetime.date(2026, 12, 31)
    except ValueError:
        return False


def _county_codes() -> list[str]:
    """Six-digit county codes of stdnum's GB/T 2260 table (cn/loc.dat)."""
    codes, province = [], None
    with open(os.path.join(os.path.dirname(stdnum.cn.__file__), "loc.dat"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            if not line.startswith(" "):
                province = line.split()[0]
            elif province and len(line.split()[0]) == 4:
                codes.append(province + line.split()[0])
    return sorted(codes)


COUNTY_CODES = _county_codes()


def _group(digits: str, sizes, sep: str) -> str:
    out, i = [], 0
    for s in sizes:
        out.append(digits[i : i + s])
        i += s
    if i < len(digits):
        out.append(digits[i:])
    return sep.join(out)


# --- planted items: each returns (snippet, start, end) with the span to replace inside the snippet ----
def gen_email(rng):
    first = rng.choice(["zhang", "li", "wang", "john", "mary", "alex", "chen", "liu", "s", "dev"])
    local = rng.choice(
        [
            first + "." + rng.choice(["san", "si", "smith", "doe", "wei", "lee"]),
            first + "_" + _digits(rng, rng.randint(2, 4)),
            first + rng.choice(["", "+news", "-work", ".2024"]),
            _digits(rng, rng.randint(6, 10), "123456789"),  # QQ numbers
            first[0] + "." + rng.choice(["zhao", "brown", "kim"]) + _digits(rng, 2),
        ]
    )
    domain = rng.choice(
        ["163.com", "qq.com", "126.com", "gmail.com", "outlook.com", "example.org", "sina.com.cn",
         "mail.tsinghua.edu.cn", "corp-mail.example.co.uk", "yahoo.co.jp", "company.io", "foxmail.com"]
    )
    s = f"{local}@{domain}"
    if rng.random() < 0.1:
        s = s.title()  # John.Doe@Example.Com
    return s, 0, len(s)


# Every 1[3-9]x prefix: numbers outside the allocations of today are issued tomorrow.
MOBILE_PREFIXES = [f"1{a}{b}" for a in "3456789" for b in "0123456789"]
_MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "145", "147", "150", "151",
                    "152", "153", "155", "156", "157", "158", "159", "166", "170", "171", "173", "175", "176",
                    "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"]


def gen_mobile(rng):
    d = rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)
    body = rng.choice([d, f"{d[:3]} {d[3:7]} {d[7:]}", f"{d[:3]}-{d[3:7]}-{d[7:]}"])
    prefix = rng.choice(["", "", "", "+86 ", "+86-", "+86", "0086 ", "(+86) ", "（+86）"])
    s = prefix + body
    return s, 0, len(s)


def gen_landline(rng):
    area = rng.choice(["10", "20", "21", "22", "23", "24", "25", "27", "28", "29",
                       "755", "571", "512", "731", "871", "991", "351", "431", "591", "898"])
    local = _digits(rng, rng.choice([7, 8]), "23456789")
    grouped = local if rng.random() < 0.6 else f"{local[:-4]} {local[-4:]}"
    form = rng.randrange(6)
    if form == 0:
        s = f"0{area}-{grouped}"
    elif form == 1:
        s = f"(0{area}){grouped}"
    elif form == 2:
        s = f"（0{area}）{grouped}"
    elif form == 3:
        s = f"0{area} {grouped}"
    elif form == 4:
        s = f"+86 {area} {grouped}" if rng.random() < 0.5 else f"+86-{area}-{local}"
    else:
        s = f"0{area}{local}"
    if rng.random() < 0.15 and form != 5:
        s += rng.choice(["-", "转"]) + _digits(rng, rng.randint(2, 4))
    return s, 0, len(s)


def gen_international(rng):
    shapes = [
        lambda: f"+1 {_digits(rng, 3, '23456789')} {_digits(rng, 3, '23456789')} {_digits(rng, 4)}",
        lambda: f"+1 ({_digits(rng, 3, '23456789')}) {_digits(rng, 3, '23456789')}-{_digits(rng, 4)}",
        lambda: f"+1-{_digits(rng, 3, '23456789')}-{_digits(rng, 3, '23456789')}-{_digits(rng, 4)}",
        lambda: f"+44 20 {_digits(rng, 4)} {_digits(rng, 4)}",
        lambda: f"+44 7{_digits(rng, 3)} {_digits(rng, 6)}",
        lambda: f"0044 20 {_digits(rng, 4)} {_digits(rng, 4)}",
        lambda: f"+49 30 {_digits(rng, 6)}",
        lambda: f"+33 1 {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)}",
        lambda: f"+81 3-{_digits(rng, 4)}-{_digits(rng, 4)}",
        lambda: f"+61 2 {_digits(rng, 4)} {_digits(rng, 4)}",
        lambda: f"+852 {_digits(rng, 4, '2356789')} {_digits(rng, 4)}",
        lambda: f"+886 2 {_digits(rng, 4)} {_digits(rng, 4)}",
        lambda: f"+7 495 {_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 2)}",
        lambda: f"+65{_digits(rng, 8, '689')}",
        lambda: f"({_digits(rng, 3, '23456789')}) {_digits(rng, 3, '23456789')}-{_digits(rng, 4)}",
        lambda: f"{_digits(rng, 3, '23456789')}-{_digits(rng, 3, '23456789')}-{_digits(rng, 4)}",
    ]
    s = rng.choice(shapes)()
    return s, 0, len(s)


def gen_context_phone(rng):
    """Shapes only a phone word before them makes a phone: local numbers without area code, HK/Macau
    eight digits, service numbers. The caller puts a phone word in front."""
    s = rng.choice([f"{_digits(rng, 4, '2345689')} {_digits(rng, 4)}", f"{_digits(rng, 4, '2345689')}-{_digits(rng, 4)}",
                    _digits(rng, 8, "2345689"), f"{_digits(rng, 3, '2345689')}-{_digits(rng, 4)}",
                    f"+853 {_digits(rng, 4, '28')} {_digits(rng, 4)}", f"400-{_digits(rng, 3)}-{_digits(rng, 4)}",
                    f"9{_digits(rng, 4)} {_digits(rng, 3)}"])
    word = rng.choice(["电话：", "座机 ", "传真:", "联系电话 ", "热线：", "Tel: ", "Phone ", "Fax: ", "Tel. ", "手机号码："])
    return word + s, len(word), len(word) + len(s)


def gen_phone(rng):
    return rng.choice([gen_mobile, gen_mobile, gen_landline, gen_landline, gen_international, gen_context_phone])(rng)


_GIVEN_ZH = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌宇浩然子轩梓涵一诺欣怡"
# The detector's list is not used: surnames from an independent source (the 2020 census top 30).
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹"
_EN_FIRST = ["John", "Mary", "James", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "Wei", "Anna", "Jean-Luc"]
_EN_LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "O'Brien", "Zhang", "Lee"]


def gen_name_in(rng, lang: str):
    if lang == "zh":
        s = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN_ZH) for _ in range(rng.randint(1, 2)))
    else:
        s = rng.choice(_EN_FIRST) + rng.choice(["", " A.", ""]) + " " + rng.choice(_EN_LAST)
    return s, 0, len(s)


def _id_region(rng) -> str:
    return rng.choice(COUNTY_CODES)


def _birth(rng, lo=1935, hi=2012):
    y = rng.randint(lo, hi)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28 if m == 2 else 30)
    return y, m, d


def make_id18(rng, lo=1935, hi=2012) -> str:
    while True:  # a county code valid in the birth year (stdnum checks it)
        y, m, d = _birth(rng, lo, hi)
        first17 = f"{_id_region(rng)}{y:04d}{m:02d}{d:02d}{_digits(rng, 3)}"
        s = first17 + ric.calc_check_digit(first17 + "0")
        if ric.is_valid(s):
            return s


def id15_valid(s: str) -> bool:
    """A 15-digit ID is the 18-digit one without century and check digit (GB 11643-1999)."""
    if len(s) != 15 or not s.isdigit():
        return False
    first17 = s[:6] + "19" + s[6:]
    return ric.is_valid(first17 + ric.calc_check_digit(first17 + "0"))


def make_id15(rng) -> str:
    while True:
        s18 = make_id18(rng, 1930, 1999)
        s = s18[:6] + s18[8:17]
        if id15_valid(s) and not (s[:2] in ("34", "37") and luhn.is_valid(s)):  # that one is an Amex number too
            return s


def gen_id_card(rng):
    if rng.random() < 0.2:
        s = make_id15(rng)
    else:
        s = make_id18(rng)
        if s.endswith("X") and rng.random() < 0.3:
            s = s[:-1] + "x"
        if rng.random() < 0.15:
            s = f"{s[:6]} {s[6:14]} {s[14:]}"
    return s, 0, len(s)


_CARD_SHAPES = [("62", 16), ("62", 19), ("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16),
                ("34", 15), ("37", 15), ("35", 16), ("6011", 16), ("622", 18)]


def _id_shaped(s: str, amex_exempt: bool = True) -> bool:
    """Holds a birth date where an ID has one: such a number is read as an ID, not a card (a valid
    Amex number stays a card; an invalid one is not a card at all, so it may read as an ID)."""
    if len(s) == 18:
        return _real_date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    if len(s) == 15 and not (amex_exempt and s[:2] in ("34", "37")):
        return _real_date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))
    return False


def make_card(rng) -> str:
    while True:
        prefix, n = rng.choice(_CARD_SHAPES)
        s = _luhn_complete(prefix + _digits(rng, n - len(prefix) - 1))
        if luhn.is_valid(s) and not _id_shaped(s):
            return s


def gen_bank_card(rng):
    s = make_card(rng)
    form = rng.randrange(3)
    if form == 1:
        s = _group(s, (4, 6, 5) if len(s) == 15 else (4, 4, 4, 4), rng.choice([" ", "-"]))
    elif form == 2 and len(s) != 15:
        s = _group(s, (4, 4, 4, 4), " ")
    return s, 0, len(s)


def gen_ip(rng):
    if rng.random() < 0.7:
        first = rng.choice([rng.randint(1, 126), rng.randint(128, 223), 10, 192, 172])
        ip = f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if rng.random() < 0.05:
            ip = ".".join(f"{int(o):03d}" for o in ip.split("."))  # 192.168.001.010
    else:
        groups = [f"{rng.randrange(1 << 16):x}" for _ in range(8)]
        groups[0] = rng.choice(["2001", "2409", "240e", "fe80", "2a00", "2606"])
        form = rng.randrange(4)
        if form == 3:
            ip = f"::ffff:{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        elif form == 0:
            ip = ":".join(groups)
        elif form == 1:
            ip = ":".join(groups[:2]) + "::" + ":".join(groups[5:])
        else:
            ip = groups[0] + "::" + groups[7]
    pre, post = rng.choice([("", ""), ("", ""), ("http://", "/admin"), ("", ":8080"), ("", "/24"), ("[", "]:443")])
    if ":" in ip and pre == "http://":
        pre, post = "http://[", "]:8080/"
    if ":" in ip and post == ":8080":
        post = ""
    return pre + ip + post, len(pre), len(pre) + len(ip)


def _password(rng, n=None) -> str:
    alphabet = string.ascii_letters + string.digits + "!#$%^&*_-"
    while True:
        p = "".join(rng.choice(alphabet) for _ in range(n or rng.randint(8, 16)))
        if any(c.isdigit() for c in p) and any(c.isalpha() for c in p):
            return p


def gen_url_credentials(rng):
    scheme = rng.choice(["https", "http", "ftp", "postgres", "postgresql", "mysql", "mongodb", "mongodb+srv",
                         "redis", "amqp", "smtp"])
    user = rng.choice(["admin", "root", "deploy", "zhangsan", "svc_backup", "u" + _digits(rng, 4), ""])
    if user == "" and scheme != "redis":
        user = "git"
    host = rng.choice(["db.example.com", "cluster0.ab12c.mongodb.net", "mirrors.example.cn",
                       "mail.example.org", "localhost"])
    port = rng.choice(["", ":5432", ":6379", ":3306", ":21"])
    path = rng.choice(["", "/app", "/repo.git", "/db?ssl=true", "/"])
    creds = f"{user}:{_password(rng)}"
    s = f"{scheme}://{creds}@{host}{port}{path}"
    start = len(scheme) + 3
    return s, start, start + len(creds)


def _b64(rng, n: int) -> str:
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(n))).decode()


def _alnum(rng, n: int, alphabet=string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def gen_secret(rng):
    kind = rng.randrange(10)
    if kind == 0:
        label = rng.choice(["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "])
        body = _b64(rng, rng.randint(90, 400))
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        s = f"-----BEGIN {label}PRIVATE KEY-----\n" + "\n".join(lines) + f"\n-----END {label}PRIVATE KEY-----"
        pre, post = rng.choice([("\n", "\n"), ("", "\n"), ("\n", "")])
        return pre + s + post, len(pre), len(pre) + len(s)
    if kind == 1:
        s = rng.choice(["AKIA", "ASIA"]) + _alnum(rng, 16, string.ascii_uppercase + "234567")
        pre = rng.choice(["", "AWS_ACCESS_KEY_ID=", "aws_access_key_id = ", "\"AccessKeyId\": \""])
        return pre + s, len(pre), len(pre) + len(s)
    if kind == 2:
        s = rng.choice(["ghp_", "gho_", "ghs_"]) + _alnum(rng, 36)
        return s, 0, len(s)
    if kind == 3:
        s = "AIza" + _alnum(rng, 35, string.ascii_letters + string.digits + "_-")
        pre = rng.choice(["", "key=", "GOOGLE_API_KEY="])
        return pre + s, len(pre), len(pre) + len(s)
    if kind == 4:
        token = _alnum(rng, rng.randint(24, 48), string.ascii_letters + string.digits + "-._") + _digits(rng, 2)
        pre = rng.choice(["Authorization: Bearer ", "authorization: bearer ", "Authorization：Bearer ",
                          "-H \"Authorization: Bearer ", "Bearer "])
        return pre + token, len(pre), len(pre) + len(token)
    if kind == 5:
        s = rng.choice(["xoxb-", "xoxp-"]) + _digits(rng, 12) + "-" + _digits(rng, 12) + "-" + _alnum(rng, 24)
        return s, 0, len(s)
    if kind == 6:
        s = rng.choice(["sk_live_", "sk-", "sk-proj-"]) + _alnum(rng, 40)
        return s, 0, len(s)
    if kind == 7:
        head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
        payload = base64.urlsafe_b64encode(f'{{"sub":"{_digits(rng, 8)}"}}'.encode()).decode().rstrip("=")
        s = f"{head}.{payload}.{_alnum(rng, 43, string.ascii_letters + string.digits + '_-')}"
        return s, 0, len(s)
    if kind == 9:
        value = _alnum(rng, 40, string.ascii_letters + string.digits + "/+")
        while not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
            value = _alnum(rng, 40, string.ascii_letters + string.digits + "/+")
        pre = rng.choice(["aws_secret_access_key = ", "AWS_SECRET_ACCESS_KEY=", "SecretAccessKey: "])
        return pre + value, len(pre), len(pre) + len(value)
    value = _password(rng, rng.randint(10, 24))
    pre = rng.choice(["password = \"", "api_key: ", "PASSWORD=", "密码：", "\"client_secret\": \"", "apikey="])
    return pre + value, len(pre), len(pre) + len(value)


GENERATORS = {
    "email": gen_email,
    "phone": gen_phone,
    "id_card": gen_id_card,
    "bank_card": gen_bank_card,
    "ip": gen_ip,
    "url_credentials": gen_url_credentials,
    "secret": gen_secret,
}  # "name" is made by gen_name_in: the name's language follows the template's



# --- look-alikes: each returns (snippet, start, end) with the span that must survive -------------------
def _whole(s: str, pre: str = "", post: str = ""):
    return pre + s + post, len(pre), len(pre) + len(s)


def gen_lookalike(rng, kind: str):
    y, m, d = _birth(rng, 1990, 2025)
    if kind == "date_digits":
        return _whole(f"{y}{m:02d}{d:02d}", rng.choice(["", "发布于", "updated "]))
    if kind == "date_time":
        hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        return _whole(rng.choice([f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d}", f"{hh:02d}:{mm:02d}:{ss:02d}",
                                  f"{y}/{m:02d}/{d:02d}", f"{y}.{m:02d}.{d:02d}", f"{d:02d}-{m:02d}-{y}",
                                  f"{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z"]))
    if kind == "price":
        n = rng.randint(1, 9_999_999)
        return _whole(rng.choice([f"¥{n:,}.{rng.randint(0, 99):02d}", f"${n:,}", f"{n:,}.00元", f"€{n:,}",
                                  f"￥{n}", f"US$ {n:,}.99", f"RMB {n:,}"]))
    if kind == "year_range":
        a = rng.randint(1900, 2020)
        return _whole(rng.choice([f"{a}-{a + rng.randint(1, 30)}", f"{a}—{a + rng.randint(1, 30)}",
                                  f"{a}–{a + rng.randint(1, 30)}", f"{a}-{a + 1}学年"]))
    if kind == "version":
        v = ".".join(str(rng.randint(0, 20)) for _ in range(4))
        pre = rng.choice(["v", "V", "version ", "Version: ", "版本 ", "版本号：", "release ", "build ",
                          "AssemblyVersion(\"", "固件版本"])
        return _whole(v, pre)
    if kind == "isbn":
        body = "97" + rng.choice("89") + _digits(rng, 9)
        check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body)) % 10) % 10
        isbn = body + str(check)
        form = rng.choice([isbn, f"{isbn[:3]}-{isbn[3]}-{isbn[4:7]}-{isbn[7:12]}-{isbn[12]}",
                           f"{_digits(rng, 1)}-{_digits(rng, 3)}-{_digits(rng, 5)}-{rng.choice('0123456789X')}"])
        return _whole(form, rng.choice(["ISBN ", "ISBN: ", "ISBN-13 ", "ISBN："]))
    if kind == "postal_code":
        return _whole(_digits(rng, 6, "123456789"), rng.choice(["邮编：", "邮政编码 ", "Postcode ", "ZIP "]))
    if kind == "order_number":
        num = rng.choice([f"{y}{m:02d}{d:02d}{_digits(rng, rng.randint(6, 12))}", _digits(rng, rng.randint(10, 20)),
                          make_card(rng), rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)])
        return _whole(num, rng.choice(["订单号：", "订单编号:", "运单号 ", "快递单号", "交易流水号：", "Order #",
                                       "Order No. ", "tracking number ", "Invoice ", "SKU "]))
    if kind == "bad_id18":
        good = make_id18(rng)
        bad = good[:17] + rng.choice([c for c in "0123456789X" if c != good[17]])
        assert not ric.is_valid(bad)
        return _whole(bad, rng.choice(["", "身份证号：", "ID: "]))
    if kind == "bad_id15":
        while True:
            s = f"{_id_region(rng)}{y % 100:02d}{rng.choice(['00', '13', '14', '19', '20', '99'])}{d:02d}{_digits(rng, 3)}"
            if not (luhn.is_valid(s) or id15_valid(s)):
                break
        return _whole(s, rng.choice(["", "身份证号：", "ID: "]))
    if kind == "bad_card":
        while True:  # a 15-digit number with a birth date in place is a legacy ID, not a look-alike
            card = make_card(rng)
            bad = card[:-1] + str((int(card[-1]) + rng.randint(1, 9)) % 10)
            if not (luhn.is_valid(bad) or _id_shaped(bad, amex_exempt=False)):
                break
        if rng.random() < 0.5:
            bad = _group(bad, (4, 6, 5) if len(bad) == 15 else (4, 4, 4, 4), " ")
        return _whole(bad, rng.choice(["", "卡号：", "card "]))
    if kind == "timestamp":
        t = rng.randint(1_000_000_000, 1_800_000_000)
        return _whole(rng.choice([str(t), str(t * 1000 + rng.randint(0, 999))]), rng.choice(["ts=", "时间戳 ", ""]))
    if kind == "uuid_hash":
        h = "".join(rng.choice("0123456789abcdef") for _ in range(40))
        return _whole(rng.choice([f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}", h, h[:7]]),
                      rng.choice(["commit ", "uuid=", ""]))
    if kind == "code_colons":
        mac = ":".join(f"{rng.randrange(256):02X}" for _ in range(6))
        return _whole(rng.choice([mac, "std::vector<int>", "a[1::2]", "x[::2]", "Foo::bar()", f"{rng.randint(1, 9)}:{rng.randint(10, 59)}"]))
    if kind == "file_at":
        name = rng.choice(["logo", "icon", "banner", "avatar"])
        return _whole(rng.choice([f"{name}@2x.png", f"{name}@3x.jpg", "@babel/core@7.23.2", f"{name}@1.5x.webp"]))
    if kind == "token_placeholder":
        return _whole(rng.choice(["Bearer YOUR_ACCESS_TOKEN", "Bearer <token>", "password: ********",
                                  "api_key = os.environ[\"API_KEY\"]", "密码：请输入密码", "Bearer ${TOKEN}",
                                  "https://user@github.com/repo.git"]))
    if kind == "handle":
        return _whole(rng.choice(["@zhangsan", "@John_Doe", "name@", "user@localhost", "@2x", "a@b"]),
                      rng.choice(["", "cc ", "by "]))
    if kind == "short_version":
        return _whole(rng.choice([f"Python 3.{rng.randint(6, 13)}.{rng.randint(0, 15)}",
                                  f"gcc {rng.randint(4, 14)}.{rng.randint(0, 5)}.0", f"{rng.randint(1, 30)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}",
                                  f"Chrome/{rng.randint(90, 130)}.0.{rng.randint(4000, 7000)}.{rng.randint(10, 300)}",
                                  f"第{rng.randint(1, 9)}.{rng.randint(1, 9)}节"]))
    if kind == "decimal":
        return _whole(rng.choice([f"3.{_digits(rng, 14)}", f"{rng.randint(1, 9)},{_digits(rng, 3)},{_digits(rng, 3)},{_digits(rng, 3)}",
                                  f"{rng.uniform(-90, 90):.4f}, {rng.uniform(-180, 180):.4f}", f"0.{_digits(rng, 12)}"]))
    if kind == "phone_word_date":  # a phone word before a date or a year range is no phone
        word = rng.choice(["电话会议于", "手机发布于 ", "Phone interview on ", "Tel Aviv, ", "call for papers ", "热线开通于"])
        a = rng.randint(1950, 2020)
        return _whole(rng.choice([f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}", f"{y}{m:02d}{d:02d}", f"{a}-{a + 5}"]), word)
    if kind == "name_label_thing":  # a label before what is not a person
        return _whole(rng.choice(["Name: string", "name: str", "NAME\n    perlfunc - Perl builtin functions",
                                  "File name: report.txt", "Package name: python-stdnum", "姓名：（必填）", "联系人：请填写",
                                  "Regards,\nthe team", "Name: Type"]))
    raise ValueError(kind)


# Record-style contexts any item may sit in, as extracted pages and dumps show them.
RECORD_TEMPLATES = ['{{"{key}": "{{}}"}}', "| {key} | {{}} |", "{key}\t{{}}", "{key}=\"{{}}\"", "<td>{{}}</td>",
                    "“{{}}”", "「{{}}」", "{key}：\n{{}}", "- {key}: {{}}"]
RECORD_KEYS = {"email": "email", "phone": "tel", "id_card": "身份证", "bank_card": "card_no", "ip": "remote_addr",
               "url_credentials": "dsn", "secret": "token", "name": "name"}


_FULLWIDTH_DIGITS = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _place(rng, lang: str, snippet: str, start: int, end: int, templates: list[str], key: str = "value"):
    """Put a snippet in a template; returns the sentence and the span shifted into it."""
    t = rng.choice(templates)
    if rng.random() < 0.2 and key != "name":  # a bare name in a table cell is not detectable, by design
        t = rng.choice(RECORD_TEMPLATES).format(key=key)
    at = t.index("{}")
    return t[:at] + snippet + t[at + 2 :], at + start, at + end


def _glued(ch: str) -> bool:
    return bool(ch) and (ch.isascii() and not ch.isspace() or ch in "¥￥€" or "０" <= ch <= "ｚ")


def make_corpus(seed: int = 0, per_type: int = 300, per_kind: int = 150) -> list[Doc]:
    """Documents holding ``per_type`` planted items of each type and ``per_kind`` look-alikes of each kind."""
    rng = random.Random(seed)
    pieces = [("item", t) for t in PLANTED_TYPES for _ in range(per_type)]
    pieces += [("look", k) for k in LOOKALIKE_KINDS for _ in range(per_kind)]
    rng.shuffle(pieces)
    docs = []
    while pieces:
        k = rng.randint(1, 4)
        take = pieces[:k]
        del pieces[:k]
        lang = rng.choice(["zh", "en"])
        filler = ZH_FILLER if lang == "zh" else EN_FILLER
        joiner = "" if lang == "zh" else " "
        parts = [rng.choice(filler) for _ in range(rng.randint(0, 3))]
        doc = Doc("")
        segments = [(p, None) for p in parts]
        for what, name in take:
            if what == "item":
                snippet, s, e = gen_name_in(rng, lang) if name == "name" else GENERATORS[name](rng)
                if lang == "zh" and name in ("phone", "id_card", "bank_card") and rng.random() < 0.05:
                    snippet = snippet.translate(_FULLWIDTH_DIGITS)  # １３８１２３４５６７８ (same length)
                sentence, s, e = _place(rng, lang, snippet, s, e, TEMPLATES[name][lang], RECORD_KEYS[name])
            else:
                snippet, s, e = gen_lookalike(rng, name)
                sentence, s, e = _place(rng, lang, snippet, s, e, LOOKALIKE_TEMPLATES[lang])
            segments.insert(rng.randint(0, len(segments)), (sentence, (s, e, what, name)))
        text = ""
        for i, (sentence, label) in enumerate(segments):
            if i:
                sep = rng.choice([joiner, joiner, "\n"])
                # Two ASCII tokens glued together ("...5678" + "2023...") are one token to any reader.
                if not sep.strip("\n ") and _glued(text[-1:]) and _glued(sentence[:1]):
                    sep = "；" if lang == "zh" else "; "
                text += sep
            if label:
                s, e, what, name = label
                (doc.items if what == "item" else doc.lookalikes).append((len(text) + s, len(text) + e, name))
            text += sentence
        doc.text = text
        docs.append(doc)
    return docs
