"""Generated negatives: the spam and boilerplate pages a crawl brings in, English and Chinese.

Generated negatives are fine (issue 14: "generated negatives are fine, generated positives are
not"); each kind is built the way such pages are made (keyword stuffing, doorway templates, link
lists, tag clouds, SEO gambling/porn pages, cookie/share boilerplate, symbol walls, number
listings, word salad), seeded so a run is reproducible. The clean rules should reject nearly all
of them; ``word_salad`` (grammatical-looking sentences of random words) is what the quality
scorer, not a heuristic, is for — bench/clean_real.py reports clean's share per kind.
"""
from __future__ import annotations

import random

EN_WORDS = ("price cheap best online buy free download casino bonus loan insurance deal offer discount "
            "shipping quality review top rated official store sale coupon code win money fast easy").split()
EN_FILLER = ("the of and to in is for on with as by at from that this it are be or an was").split()
PRODUCTS = ["replica watches", "cheap viagra", "payday loans", "online casino", "weight loss pills", "crypto signals",
            "seo services", "essay writing", "free followers", "phone cases"]
CITIES = ["Austin", "Boston", "Chicago", "Denver", "Houston", "Miami", "Phoenix", "Seattle", "Dallas", "Atlanta",
          "Portland", "Detroit", "Memphis", "Tampa", "Omaha"]
NAV = ["Home", "About Us", "Contact", "Products", "Services", "Blog", "FAQ", "Login", "Register", "Cart", "Checkout",
       "Privacy", "Terms", "Sitemap", "Careers", "Press", "Support", "Shop", "News", "Gallery"]
ZH_SPAM = ["澳门赌场", "真人荷官", "百家乐", "网上赌博", "六合彩", "彩票投注", "体育博彩", "老虎机", "首存送彩金", "高额返水",
           "在线开户", "免费试玩", "信誉平台", "日赚千元"]
ZH_PORN = ["成人视频", "激情图片", "美女直播", "午夜福利", "免费看片", "色情网站", "一夜情", "同城约炮", "裸聊", "av在线"]
ZH_FILLER = ["欢迎", "访问", "最新", "官方", "网站", "点击", "进入", "立即", "注册", "下载", "客服", "微信", "联系", "我们"]


def _phone(rng) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def keyword_stuffing(rng) -> tuple[str, str]:
    kw = rng.choice(PRODUCTS)
    lines = []
    for _ in range(rng.randint(8, 20)):
        words = [kw if rng.random() < 0.4 else rng.choice(EN_WORDS) for _ in range(rng.randint(8, 18))]
        lines.append(" ".join(words).capitalize() + rng.choice([".", "!", " - " + kw, ""]))
    return "en", "\n".join(lines)


def doorway_template(rng) -> tuple[str, str]:
    kw = rng.choice(PRODUCTS)
    para = (f"Looking for the best {kw} in {{city}}? Our {{city}} {kw} experts offer the lowest prices and the fastest "
            f"service in {{city}}. Call now for {kw} in {{city}} and get a free quote today.")
    cities = rng.sample(CITIES, rng.randint(5, 12))
    return "en", "\n\n".join(para.format(city=c) for c in cities)


def link_list(rng) -> tuple[str, str]:
    lines = rng.sample(NAV, rng.randint(8, 16))
    lines += [f"{rng.choice(PRODUCTS).title()} {rng.choice(CITIES)}" for _ in range(rng.randint(15, 40))]
    lines += rng.sample(NAV, 6)
    return "en", "\n".join(lines)


def tag_cloud(rng) -> tuple[str, str]:
    tags = [f"{rng.choice(EN_WORDS)} {rng.choice(PRODUCTS)}" for _ in range(rng.randint(60, 150))]
    sep = rng.choice([" | ", ", ", " · ", " / "])
    return "en", "Tags: " + sep.join(tags)


def boilerplate(rng) -> tuple[str, str]:
    lines = ["This website uses cookies to improve your experience. Accept all cookies.",
             "Share this article", "Follow us on Twitter", "Subscribe to our newsletter",
             f"Copyright © {rng.randint(2005, 2025)} {rng.choice(CITIES)} Media. All rights reserved.",
             "Privacy Policy | Terms of Use | Cookie Settings", "Please enable JavaScript to view this page."]
    rng.shuffle(lines)
    return "en", "\n".join(lines + rng.sample(NAV, 8))


def symbol_wall(rng) -> tuple[str, str]:
    sym = "★☆✔✘►◄♥♦♣♠€$%#@!?*~^=+|"
    lines = []
    for _ in range(rng.randint(10, 30)):
        lines.append("".join(rng.choice(sym) for _ in range(rng.randint(5, 20))) + " " + rng.choice(EN_WORDS).upper()
                     + " " + "".join(rng.choice(sym) for _ in range(rng.randint(5, 20))))
    return "en", "\n".join(lines)


def number_listing(rng) -> tuple[str, str]:
    lines = [f"{rng.choice(CITIES)} {_phone(rng)} ${rng.randint(10, 999)}.{rng.randint(0, 99):02d} {rng.randint(1, 31)}/"
             f"{rng.randint(1, 12)}/{rng.randint(2010, 2025)}" for _ in range(rng.randint(20, 60))]
    return "en", "\n".join(lines)


def word_salad(rng) -> tuple[str, str]:
    vocab = EN_WORDS + EN_FILLER * 3 + [p.split()[0] for p in PRODUCTS]
    sents = [" ".join(rng.choice(vocab) for _ in range(rng.randint(8, 20))).capitalize() + "."
             for _ in range(rng.randint(10, 25))]
    return "en", " ".join(sents)


def zh_gambling(rng) -> tuple[str, str]:
    lines = []
    for _ in range(rng.randint(6, 15)):
        words = [rng.choice(ZH_SPAM) if rng.random() < 0.6 else rng.choice(ZH_FILLER) for _ in range(rng.randint(6, 12))]
        lines.append("，".join(words) + rng.choice(["！", "！！", f"，客服微信{_phone(rng)}", "。"]))
    return "zh", "\n".join(lines)


def zh_porn(rng) -> tuple[str, str]:
    lines = [" ".join(rng.sample(ZH_PORN, rng.randint(3, 6))) + " " + rng.choice(ZH_FILLER) + rng.choice(ZH_FILLER)
             for _ in range(rng.randint(10, 30))]
    return "zh", "\n".join(lines)


def zh_link_list(rng) -> tuple[str, str]:
    lines = [rng.choice(ZH_FILLER) + rng.choice(ZH_SPAM) for _ in range(rng.randint(20, 50))]
    return "zh", "\n".join(lines)


KINDS = {f.__name__: f for f in (keyword_stuffing, doorway_template, link_list, tag_cloud, boilerplate, symbol_wall,
                                 number_listing, word_salad, zh_gambling, zh_porn, zh_link_list)}


def negatives(n_per_kind: int = 30, seed: int = 14) -> list[dict]:
    """``[{"kind", "lang", "text"}]``, ``n_per_kind`` of each kind."""
    rng = random.Random(seed)
    out = []
    for name, make in KINDS.items():
        for _ in range(n_per_kind):
            lang, text = make(rng)
            out.append({"kind": name, "lang": lang, "text": text})
    return out
