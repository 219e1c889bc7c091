"""Generated negatives for the default models: the pages a crawl brings in and a refinery must
drop — gambling/porn/pharmacy SEO pages, keyword stuffing, link lists, boilerplate chrome,
product SEO and machine-spun text (a word-level Markov chain over real text).

Positives are never generated (they come from the real corpus); negatives may be, since what
makes them bad is their shape, not their topic. Every family has two disjoint halves of its
vocabulary and templates (``half`` 0 and 1): the models train on half 0 and are evaluated on
half 1, so the held-out negatives come from a generator the models never saw, as the held-out
positives come from packages they never saw. Deterministic for a given seed.
"""
from __future__ import annotations

import random
from collections import defaultdict

FAMILIES = ("gambling_seo", "keyword_stuffing", "link_list", "boilerplate", "product_seo", "spun")

_EN_SPAM = ["online casino", "free spins", "sports betting", "poker bonus", "live roulette", "slot machines",
            "hot singles", "adult webcam", "xxx videos", "sexy girls", "cheap viagra", "buy cialis online",
            "payday loans", "crypto signals", "forex robot", "weight loss pills", "replica watches", "fake diploma",
            "lottery results", "jackpot winner", "bitcoin doubler", "escort service", "vip betting tips", "no deposit bonus"]
_ZH_SPAM = ["网上赌场", "免费送彩金", "体育投注", "澳门葡京", "真人视讯", "老虎机", "美女直播", "成人视频", "约炮软件",
            "代开发票", "无抵押贷款", "私人侦探", "办证刻章", "减肥药", "高仿手表", "时时彩", "六合彩开奖", "百家乐",
            "棋牌游戏", "一夜暴富", "日赚千元", "兼职刷单", "裸聊", "色情网站"]
_EN_CALLS = ["Click here now!", "Sign up today and get 200% bonus!", "Limited offer, act fast!", "100% guaranteed!!!",
             "Best rates online!", "Join thousands of winners!", "No credit check!", "Download the app now!",
             "Call now, operators are waiting!", "Register and win big!", "Visit our site for more!", "Don't miss out!"]
_ZH_CALLS = ["点击进入！", "注册即送888元！", "限时优惠，先到先得！", "百分百中奖！", "加微信了解详情！", "立即下载APP！",
             "信誉第一，提款秒到！", "官方直营，安全可靠！", "新用户首充双倍！", "全网最低价！", "24小时在线客服！", "火爆招商中！"]
_EN_PRODUCTS = ["running shoes", "phone case", "air fryer", "gaming chair", "led lights", "yoga mat", "vacuum cleaner",
                "wireless earbuds", "car charger", "coffee maker", "smart watch", "hair dryer", "baby stroller", "office desk"]
_ZH_PRODUCTS = ["运动鞋", "手机壳", "空气炸锅", "电竞椅", "LED灯", "瑜伽垫", "吸尘器", "蓝牙耳机", "车载充电器", "咖啡机",
                "智能手表", "吹风机", "婴儿车", "办公桌"]
_CITIES = ["New York", "London", "Shanghai", "Beijing", "Sydney", "Toronto", "Berlin", "Shenzhen", "Chicago", "Hangzhou",
           "Paris", "Guangzhou"]
_EN_NAV = ["Home", "About Us", "Contact", "Login", "Register", "Blog", "Shop", "FAQ", "Privacy Policy", "Terms of Use",
           "Sitemap", "Careers", "Help", "Cart", "My Account", "Newsletter"]
_ZH_NAV = ["首页", "关于我们", "联系我们", "登录", "注册", "新闻中心", "产品中心", "帮助", "隐私政策", "服务条款", "网站地图",
           "招聘", "购物车", "会员中心", "友情链接", "在线留言"]
_EN_CHROME = ["We use cookies to improve your experience. Accept all cookies?", "Copyright © All rights reserved.",
              "Share on Facebook | Twitter | Pinterest | Email", "Subscribe to our newsletter for the latest deals.",
              "Posted by admin in Uncategorized | Leave a comment", "Related posts: Top 10 | Best of | Trending now",
              "Page 1 of 37 « First ‹ Previous Next › Last »", "Powered by WordPress | Theme by Example",
              "This site is protected by reCAPTCHA.", "Tags: news, hot, best, top, free, online, 2024",
              "Sponsored links", "Advertisement", "Loading comments...", "Back to top ↑"]
_ZH_CHROME = ["本网站使用Cookie以提升您的体验，继续浏览即表示同意。", "版权所有 © 未经授权禁止转载", "分享到：微信 | 微博 | QQ空间",
              "订阅我们的邮件，获取最新优惠。", "发布者：admin | 分类：未分类 | 暂无评论", "相关文章：热门推荐 | 猜你喜欢 | 排行榜",
              "第1页 共37页 首页 上一页 下一页 尾页", "ICP备案号：京ICP备00000000号", "免责声明：本站内容来自网络",
              "标签：热门，推荐，免费，在线，最新", "广告", "赞助商链接", "正在加载评论……", "返回顶部 ↑"]
_HOSTS = ["best-bet", "lucky88", "win-now", "hot-deals", "cheap-shop", "free-dl", "top-review", "daily-bonus",
          "vip-club", "mega-sale", "sex-cams", "loan-fast"]
_TLDS = ["com", "net", "biz", "info", "top", "xyz", "cn", "cc"]


def _half(items: list, half: int) -> list:
    return items[half::2]


def _words(rng: random.Random, items: list, k: int) -> list:
    return [rng.choice(items) for _ in range(k)]


def _gambling_seo(rng, zh, half):
    spam, calls = _half(_ZH_SPAM if zh else _EN_SPAM, half), _half(_ZH_CALLS if zh else _EN_CALLS, half)
    main = rng.choice(spam)
    title = f"{main}|{'|'.join(_words(rng, spam, 3))}" if zh else f"{main.title()} | {' | '.join(_words(rng, spam, 3))} 2024"
    lines = [title]
    for _ in range(rng.randint(6, 14)):
        bits = _words(rng, spam, rng.randint(3, 7)) + [rng.choice(calls)]
        rng.shuffle(bits)
        lines.append(("，" if zh else ", ").join(bits))
    return "\n".join(lines)


def _keyword_stuffing(rng, zh, half):
    kw = rng.choice(_half(_ZH_SPAM + _ZH_PRODUCTS if zh else _EN_SPAM + _EN_PRODUCTS, half))
    city = rng.choice(_half(_CITIES, half))
    if zh:
        frames = [f"{kw}哪家好？{kw}就选我们。", f"{city}{kw}，专业{kw}，{kw}价格。", f"最好的{kw}，便宜的{kw}，正品{kw}。",
                  f"{kw}排行榜，{kw}推荐，{kw}官网。", f"想了解{kw}？{kw}{kw}{kw}。"]
        sep = ""
    else:
        frames = [f"Looking for {kw}? Our {kw} is the best {kw}.", f"{kw} in {city}, cheap {kw}, {kw} near me.",
                  f"Best {kw}, top {kw}, {kw} reviews, {kw} deals.", f"Buy {kw} online: {kw} {kw} {kw}.",
                  f"Why choose our {kw}? Because {kw} matters."]
        sep = " "
    frames = _half(frames, half) + frames[2:3]
    return "\n".join(sep.join(rng.choice(frames) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(5, 12)))


def _link_list(rng, zh, half):
    anchors = _half(_ZH_SPAM + _ZH_PRODUCTS + _ZH_NAV if zh else _EN_SPAM + _EN_PRODUCTS + _EN_NAV, half)
    lines = []
    for _ in range(rng.randint(15, 40)):
        host = f"www.{rng.choice(_half(_HOSTS, half))}{rng.randrange(100)}.{rng.choice(_TLDS)}"
        a = rng.choice(anchors)
        style = rng.randrange(3)
        lines.append(a if style == 0 else f"{a} - http://{host}/{rng.randrange(10**6)}.html" if style == 1
                     else f"» {a} ({rng.randrange(1, 999)})")
    return "\n".join(lines)


def _boilerplate(rng, zh, half):
    nav, chrome = _half(_ZH_NAV if zh else _EN_NAV, half), _half(_ZH_CHROME if zh else _EN_CHROME, half)
    lines = [(" | " if rng.random() < 0.5 else " ").join(rng.sample(nav, min(len(nav), rng.randint(4, 8))))]
    lines += rng.sample(chrome, min(len(chrome), rng.randint(3, 6)))
    lines += [rng.choice(nav) for _ in range(rng.randint(3, 10))]
    lines += rng.sample(chrome, min(len(chrome), rng.randint(2, 5)))
    return "\n".join(lines)


def _product_seo(rng, zh, half):
    prods, calls = _half(_ZH_PRODUCTS if zh else _EN_PRODUCTS, half), _half(_ZH_CALLS if zh else _EN_CALLS, half)
    p = rng.choice(prods)
    lines = []
    for _ in range(rng.randint(8, 16)):
        city, price, other = rng.choice(_CITIES), rng.randint(9, 999), rng.choice(prods)
        if zh:
            lines.append(rng.choice([f"{p}批发 {p}厂家 {city}{p}价格 ¥{price}", f"【{p}】{p}品牌排行 {other}哪个牌子好",
                                     f"{p}{other}{p} 包邮 正品 {rng.choice(calls)}"]))
        else:
            lines.append(rng.choice([f"Buy {p} online | {p} for sale | {p} {city} ${price}", f"Top 10 {p} 2024 - best {other} deals",
                                     f"Cheap {p} {other} {p} free shipping {rng.choice(calls)}"]))
    return "\n".join(lines)


class MarkovSpinner:
    """Word-level (Han character-level) order-1 Markov chain over real texts: locally fluent,
    globally meaningless, the signature of machine-spun pages."""

    def __init__(self, texts: list[str], max_chars: int = 3000):
        import re

        self._tok = re.compile(r"[\u4e00-\u9fff]|[^\s\u4e00-\u9fff]+")
        self.next = defaultdict(list)
        self.starts = []
        for t in texts:
            toks = self._tok.findall(t[:max_chars])
            if len(toks) > 2:
                self.starts.append(toks[0])
                for a, b in zip(toks, toks[1:]):
                    self.next[a].append(b)

    def spin(self, rng: random.Random, n: int) -> str:
        if not self.starts:
            raise ValueError("MarkovSpinner needs texts with at least three tokens")
        tok = rng.choice(self.starts)
        out = [tok]
        for _ in range(n - 1):
            nxt = self.next.get(tok)
            tok = rng.choice(nxt) if nxt else rng.choice(self.starts)
            out.append(tok)
        text = ""
        for a in out:  # Han characters join without spaces, words with one
            text += a if (len(a) == 1 and "\u4e00" <= a <= "\u9fff") else (" " + a if text else a)
        return text


def generate(n: int, half: int, seed: int, spun_from: list[str] | None = None) -> list[dict]:
    """``n`` negatives (rows: text, family, lang) cycling through the families; ``spun`` needs
    real texts to spin (left out when ``spun_from`` is empty)."""
    rng = random.Random(f"negatives/{seed}/{half}")
    spinner = MarkovSpinner(spun_from) if spun_from else None
    families = [f for f in FAMILIES if f != "spun" or spinner is not None]
    makers = {"gambling_seo": _gambling_seo, "keyword_stuffing": _keyword_stuffing, "link_list": _link_list,
              "boilerplate": _boilerplate, "product_seo": _product_seo}
    rows = []
    for i in range(n):
        family = families[i % len(families)]
        if family == "spun":
            text, lang = spinner.spin(rng, rng.randint(80, 400)), None
        else:
            zh = rng.random() < 0.5
            text, lang = makers[family](rng, zh, half), "zh" if zh else "en"
        rows.append({"text": text, "family": family, "lang": lang})
    return rows
