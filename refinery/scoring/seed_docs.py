"""Seed documents for the three categories the bundled sample has no source for:
``markdown_docs``, ``math_latex`` and ``literature`` (zh and en).

The bundled sample (sample/generate.py) is news, encyclopedia, forum, blog, code tutorials
and spam. A domain classifier that never saw a README, a LaTeX proof or a novel chapter
cannot route them to their own thresholds, so the default models are trained on the sample
plus these deterministic, template-built documents (text written for this project). They
teach the *format* of each category; on real data, retrain on real examples (README).
"""
from __future__ import annotations

import random

import pyarrow as pa

_EN_NOUNS = ["parser", "cache", "scheduler", "client", "plugin", "index", "exporter", "queue", "logger", "router"]
_ZH_NOUNS = ["解析器", "缓存", "调度器", "客户端", "插件", "索引", "导出器", "队列", "日志模块", "路由"]
_EN_VERBS = ["configure", "install", "extend", "test", "deploy", "upgrade"]
_ZH_VERBS = ["配置", "安装", "扩展", "测试", "部署", "升级"]


def _markdown(rng: random.Random, zh: bool) -> str:
    noun = rng.choice(_ZH_NOUNS if zh else _EN_NOUNS)
    name = rng.choice(["fastkit", "tinyq", "logship", "confy", "pathlite", "mdgen"]) + str(rng.randrange(100))
    verbs = rng.sample(_ZH_VERBS if zh else _EN_VERBS, 3)
    if zh:
        parts = [f"# {name}", "", f"{name} 是一个轻量的{noun}，适合在小型服务中使用。", "", "## 安装", "",
                 "```bash", f"pip install {name}", "```", "", "## 功能", ""]
        parts += [f"- 支持{v}{rng.choice(_ZH_NOUNS)}" for v in verbs]
        parts += ["", "## 快速开始", "", f"1. 在 `config.yaml` 中{verbs[0]}参数", f"2. 运行 `{name} --init`",
                  f"3. 查看 [文档](https://docs.example.org/{name}) 了解更多", "", "| 参数 | 默认值 | 说明 |",
                  "|---|---|---|", f"| `timeout` | {rng.randrange(5, 60)} | 超时时间（秒） |",
                  f"| `workers` | {rng.randrange(1, 16)} | 并发数 |", "", "## 许可证", "", "MIT"]
    else:
        parts = [f"# {name}", "", f"`{name}` is a small {noun} for services that need to {verbs[0]} quickly.", "",
                 "## Installation", "", "```bash", f"pip install {name}", "```", "", "## Features", ""]
        parts += [f"- {v.capitalize()} the {rng.choice(_EN_NOUNS)} without restarts" for v in verbs]
        parts += ["", "## Quick start", "", f"1. Set `timeout` in `config.yaml`", f"2. Run `{name} --init`",
                  f"3. Read the [docs](https://docs.example.org/{name}) for details", "", "| option | default | meaning |",
                  "|---|---|---|", f"| `timeout` | {rng.randrange(5, 60)} | seconds before giving up |",
                  f"| `workers` | {rng.randrange(1, 16)} | parallel workers |", "", "## License", "", "MIT"]
    return "\n".join(parts)


_EN_MATH = [
    r"Let $f(x) = {a}x^2 + {b}x + {c}$. Then $f'(x) = {a2}x + {b}$ and the minimum is at $x = -\frac{{{b}}}{{{a2}}}$.",
    r"By the Cauchy--Schwarz inequality, $\left(\sum_{{i=1}}^n a_i b_i\right)^2 \leq \sum_{{i=1}}^n a_i^2 \sum_{{i=1}}^n b_i^2$.",
    r"\begin{{equation}} \int_0^{{{a}}} x^{b}\,dx = \frac{{{a}^{{{b1}}}}}{{{b1}}} \end{{equation}}",
    r"We prove the claim by induction on $n$. For $n = 1$ we have $\alpha_1 = {a} \geq 0$.",
    r"Suppose $\theta \in \mathbb{{R}}$ satisfies $\sin\theta = \frac{{1}}{{{a}}}$; then $\cos^2\theta = 1 - \frac{{1}}{{{a}^2}}$.",
    r"\begin{{align}} \sqrt{{{c}}} \cdot \sqrt{{{a}}} &= \sqrt{{{ac}}} \\ &\leq \frac{{{c} + {a}}}{{2}} \end{{align}}",
]
_ZH_MATH = [
    r"设函数 $f(x) = {a}x^2 + {b}x + {c}$，则 $f'(x) = {a2}x + {b}$，当 $x = -\frac{{{b}}}{{{a2}}}$ 时取得最小值。",
    r"由柯西不等式，$\left(\sum_{{i=1}}^n a_i b_i\right)^2 \leq \sum_{{i=1}}^n a_i^2 \sum_{{i=1}}^n b_i^2$。",
    r"计算定积分：\begin{{equation}} \int_0^{{{a}}} x^{b}\,dx = \frac{{{a}^{{{b1}}}}}{{{b1}}} \end{{equation}}",
    r"下面用数学归纳法证明。当 $n = 1$ 时，$\alpha_1 = {a} \geq 0$，结论成立。",
    r"若 $\theta \in \mathbb{{R}}$ 且 $\sin\theta = \frac{{1}}{{{a}}}$，则 $\cos^2\theta = 1 - \frac{{1}}{{{a}^2}}$。",
    r"\begin{{align}} \sqrt{{{c}}} \cdot \sqrt{{{a}}} &= \sqrt{{{ac}}} \\ &\leq \frac{{{c} + {a}}}{{2}} \end{{align}}",
]


def _math(rng: random.Random, zh: bool) -> str:
    title = rng.choice(["习题解答", "定理证明", "微积分笔记"] if zh else ["Exercise solutions", "A short proof", "Calculus notes"])
    lines = [title, ""]
    for _ in range(rng.randint(4, 7)):
        a, b, c = rng.randrange(2, 9), rng.randrange(1, 9), rng.randrange(1, 9)
        lines.append(rng.choice(_ZH_MATH if zh else _EN_MATH).format(a=a, b=b, c=c, a2=2 * a, b1=b + 1, ac=a * c))
        lines.append("")
    lines.append("证毕。" if zh else r"This completes the proof. $\blacksquare$")
    return "\n".join(lines)


_EN_NAMES = ["Mara", "Tom", "Elias", "June", "the old captain", "Aunt Rose"]
_ZH_NAMES = ["林秋", "老周", "阿梅", "陈先生", "小满", "外婆"]
_EN_LIT = [
    '"{q}," {n} said, and looked out at the grey water for a long time.',
    "The rain had not stopped for three days, and {n} no longer remembered the colour of the hills.",
    "{n} walked slowly along the lane, where the lamps were already lit and the smell of bread drifted from the bakery.",
    'When the letter came, {n} read it twice, folded it, and put it under the clock without a word.',
    "In the evening the wind rose, and the house creaked like a ship that had forgotten where it was going.",
    '"You never told me," whispered {n}. "{q}"',
]
_EN_QUOTES = ["I will come back in the spring", "We should have left earlier", "Nobody lives there any more", "It was only a dream"]
_ZH_LIT = [
    "“{q}，”{n}说完，望着窗外的河水，很久没有再开口。",
    "雨已经下了三天，{n}几乎忘了远处山的颜色。",
    "{n}沿着小巷慢慢走着，路灯一盏一盏亮起来，面包房里飘出淡淡的香气。",
    "信来的那天，{n}读了两遍，把它折好，压在座钟下面，一句话也没说。",
    "傍晚起了风，老屋吱呀作响，像一条忘了方向的船。",
    "“你从来没告诉过我，”{n}低声说，“{q}。”",
]
_ZH_QUOTES = ["春天的时候我会回来", "我们早该走的", "那里早就没人住了", "那不过是一场梦"]


def _literature(rng: random.Random, zh: bool) -> str:
    chapter = rng.randrange(1, 40)
    lines = [f"第{chapter}章" if zh else f"Chapter {chapter}", ""]
    for _ in range(rng.randint(6, 10)):
        lines.append(rng.choice(_ZH_LIT if zh else _EN_LIT).format(
            n=rng.choice(_ZH_NAMES if zh else _EN_NAMES), q=rng.choice(_ZH_QUOTES if zh else _EN_QUOTES)))
        lines.append("")
    return "\n".join(lines).strip()


_MAKERS = {"markdown_docs": _markdown, "math_latex": _math, "literature": _literature}


def seed_documents(per_category: int = 150, seed: int = 20240917) -> pa.Table:
    """``per_category`` documents of each seed category, half Chinese, with ``category`` set."""
    rng = random.Random(seed)
    rows = []
    for category, make in _MAKERS.items():
        for i in range(per_category):
            rows.append({"text": make(rng, zh=i % 2 == 0), "url": None, "source": "seed",
                         "metadata": '{"source": "refinery.scoring.seed_docs"}', "category": category,
                         "lang": "zh" if i % 2 == 0 else "en"})
    return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in ("text", "url", "source", "metadata", "category", "lang")]))
