"""Line-level edits: drop boilerplate lines from a document and count them, per kind.

These are edits, not rejections: the document stays (unless nothing is left, then it is rejected
as ``lines.empty_after_edit``) and the removed lines are counted separately in ``_stats.json``.
Practitioner rule (zhihu "LLM训练-pretrain", 数据脱敏): delete "转载自……", bylines and the like;
C4 drops cookie / terms-of-use / javascript lines. Only lines of at most ``max_line_chars``
characters are candidates, so a paragraph that merely mentions cookies or a source is kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.config import check

# kind -> RE2 pattern (case-insensitive), matched against the whole stripped line
PATTERNS = {
    "repost_notice": (
        r"转载自|本文转载|转载请注明|原文链接|原文地址|原标题[:：]|^\s*(?:来源|出处|稿源|文章来源)\s*[:：]"
        r"|版权归原作者|如有侵权|未经.{0,12}(?:许可|授权).{0,8}转载|禁止转载"
        r"|originally (?:published|appeared) (?:at|in|on)|reprinted (?:with permission )?from"
        r"|^\s*source\s*:"
    ),
    "byline": (
        r"^\s*(?:作者|文|撰文|编辑|责任编辑|责编|记者|通讯员|校对|审核|编审|图|摄影)\s*[:：｜|/]"
        r"|^\s*(?:by|posted by|written by|author)\s*[: ]\s*\p{Lu}"
    ),
    "cookie_banner": (
        r"(?:we|site|website|this site|uses?|using|accept|allow|consent to|enable|reject)(?: all| the| our)? cookies"
        r"|cookies? (?:policy|settings|preferences|consent|notice)|(?:网站|本站)使用.{0,8}cookie|cookie.{0,10}(?:政策|设置)"
        r"|^\s*(?:隐私政策|privacy policy|terms of (?:use|service))\b"
    ),
    "share_follow": (
        r"扫码关注|扫描二维码|长按(?:识别|二维码)|关注(?:我们|公众号|微信公众号)|点击(?:上方|下方|蓝字).{0,6}关注|分享到\s*[:：]"
        r"|share this (?:article|post|story)|follow us on|subscribe to our newsletter|sign up for our newsletter"
    ),
    "copyright": r"all rights reserved|copyright\s*(?:©|\(c\)|\d{4})|版权所有|©\s*\d{4}",
    "javascript_notice": r"(?:enable|turn on|activate) javascript|javascript (?:is|must be) (?:disabled|enabled|required)|启用\s*javascript",
}


@dataclass
class LineEditConfig:
    # Kinds of boilerplate lines to drop (keys of refinery.filters.lines.PATTERNS).
    kinds: list[str] = field(default_factory=lambda: list(PATTERNS))
    # Longer lines are content that mentions the phrase, not boilerplate.
    max_line_chars: int = 200

    def __post_init__(self):
        unknown = sorted(set(self.kinds) - set(PATTERNS))
        check(not unknown, "kinds", f"unknown line kinds {unknown} (known: {sorted(PATTERNS)})")
        check(self.max_line_chars > 0, "max_line_chars", "must be positive")


@dataclass
class LineEdits:
    texts: pa.Array  # edited texts, same length as the input
    removed: dict  # kind -> np.ndarray[int32]: lines removed per document
    chars_removed: np.ndarray  # int64 per document


def line_kinds(lines: pa.Array, cfg: LineEditConfig) -> np.ndarray:
    """Per line: index into ``cfg.kinds`` of the first kind it matches, or -1."""
    kind = np.full(len(lines), -1, dtype=np.int64)
    stripped = pc.utf8_trim_whitespace(lines)
    short = pc.less_equal(pc.utf8_length(stripped), cfg.max_line_chars).to_numpy(zero_copy_only=False)
    short &= pc.greater(pc.utf8_length(stripped), 0).to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero(short)
    if len(candidates) == 0:
        return kind
    sub = stripped.take(pa.array(candidates))
    # one scan with every kind's pattern finds the few boilerplate lines; each kind then reads only those
    gate = "|".join(f"(?:{PATTERNS[name]})" for name in cfg.kinds)
    hit = pc.fill_null(pc.match_substring_regex(sub, pattern=gate, ignore_case=True), False).to_numpy(zero_copy_only=False)
    candidates = candidates[hit]
    if len(candidates) == 0:
        return kind
    sub = sub.filter(pa.array(hit))
    for i, name in reversed(list(enumerate(cfg.kinds))):  # reversed: the first listed kind wins
        hit = pc.fill_null(pc.match_substring_regex(sub, pattern=PATTERNS[name], ignore_case=True), False)
        kind[candidates[hit.to_numpy(zero_copy_only=False)]] = i
    return kind


def remove_boilerplate_lines(texts: pa.Array, cfg: LineEditConfig) -> LineEdits:
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    texts = pc.fill_null(texts.cast(pa.string()), "")
    n = len(texts)
    lists = pc.split_pattern(texts, pattern="\n")
    flat = lists.flatten()
    parent = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    kind = line_kinds(flat, cfg)
    drop = kind >= 0
    removed = {name: np.bincount(parent[kind == i], minlength=n).astype(np.int32) for i, name in enumerate(cfg.kinds)}
    lengths = pc.utf8_length(flat).to_numpy(zero_copy_only=False).astype(np.int64)
    chars_removed = np.bincount(parent[drop], weights=lengths[drop] + 1, minlength=n).astype(np.int64)
    if not drop.any():
        return LineEdits(texts, removed, chars_removed)
    keep = ~drop
    offsets = np.concatenate([[0], np.cumsum(np.bincount(parent[keep], minlength=n))]).astype(np.int32)
    kept_lists = pa.ListArray.from_arrays(pa.array(offsets), flat.filter(pa.array(keep)))
    edited = pc.binary_join(kept_lists, "\n")
    return LineEdits(edited, removed, chars_removed)
