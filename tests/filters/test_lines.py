"""Line-level edits: boilerplate lines dropped and counted per kind; content kept."""
import pyarrow as pa

from refinery.filters.lines import LineEditConfig, remove_boilerplate_lines
from tests.filters.docs import EN_BASE, ZH_BASE


def test_bylines_reposts_and_banners_are_dropped_and_counted():
    zh = "作者：张三\n来源：新华社\n" + ZH_BASE + "\n本文转载自某某网，如有侵权请联系删除。\n扫码关注我们的公众号"
    en = "By Jane Smith\n" + EN_BASE + "\nWe use cookies to improve your experience. Accept all cookies.\nAll rights reserved.\nPlease enable JavaScript to view the comments."
    keep = EN_BASE + "\nThe cookie jar on the counter was empty again, and nobody admitted to eating the last one, which led to a long and rather heated family debate about shared snacks, fairness, and who should bake the next batch for the weekend."
    out = remove_boilerplate_lines(pa.array([zh, en, keep, None]), LineEditConfig())
    texts = out.texts.to_pylist()
    assert texts[0] == ZH_BASE and texts[1] == EN_BASE and texts[2] == keep and texts[3] == ""
    assert out.removed["byline"].tolist() == [1, 1, 0, 0]
    assert out.removed["repost_notice"].tolist() == [2, 0, 0, 0]
    assert out.removed["share_follow"].tolist() == [1, 0, 0, 0]
    assert out.removed["cookie_banner"].tolist() == [0, 1, 0, 0]
    assert out.removed["copyright"].tolist() == [0, 1, 0, 0]
    assert out.removed["javascript_notice"].tolist() == [0, 1, 0, 0]
    assert out.chars_removed[2] == 0 and out.chars_removed[0] > 0


def test_only_configured_kinds_are_removed():
    out = remove_boilerplate_lines(pa.array(["作者：张三\n正文内容在这里。"]), LineEditConfig(kinds=["cookie_banner"]))
    assert out.texts.to_pylist() == ["作者：张三\n正文内容在这里。"]
    assert set(out.removed) == {"cookie_banner"}


def test_a_short_line_about_cookies_that_is_no_banner_stays():
    text = "Chocolate chip cookie recipe\nMix the butter and sugar, then fold in the chips.\nPrivacy Policy | Terms of Use"
    out = remove_boilerplate_lines(pa.array([text]), LineEditConfig())
    assert out.texts.to_pylist() == ["Chocolate chip cookie recipe\nMix the butter and sugar, then fold in the chips."]
    assert out.removed["cookie_banner"].tolist() == [1]


def test_kinds_equal_each_pattern_tried_on_every_line(real_slice):
    """The one combined scan (then each kind on its hits) gives every line the kind that trying
    each kind's pattern on every short line gives: real pages of the slice, with boilerplate lines
    of every kind put in."""
    import numpy as np
    import pyarrow.compute as pc

    from refinery.filters.lines import PATTERNS, line_kinds

    planted = ["作者：张三", "来源：新华社", "By Jane Smith", "We use cookies. Accept all cookies.", "All rights reserved.",
               "Please enable JavaScript.", "扫码关注我们", "Source: Reuters", "© 2024 Example Inc."]
    lines = [ln for t in real_slice.column("text").to_pylist()[:400] for ln in t.split("\n")] + planted * 3
    arr = pa.array(lines, pa.string())
    cfg = LineEditConfig()
    want = np.full(len(lines), -1)
    stripped = [ln.strip() for ln in lines]
    short = np.array([0 < len(s) <= cfg.max_line_chars for s in stripped])
    for i, name in reversed(list(enumerate(cfg.kinds))):
        hit = pc.match_substring_regex(pa.array(stripped), pattern=PATTERNS[name], ignore_case=True).to_numpy(zero_copy_only=False)
        want[hit & short] = i
    got = line_kinds(arr, cfg)
    assert (got >= 0).sum() >= len(planted) * 3
    assert got.tolist() == want.tolist()
