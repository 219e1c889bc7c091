"""Character classes (RE2 syntax) shared by the rules.

``TERMINAL_PUNCTUATION`` and ``PUNCTUATION`` are code-point-for-code-point the sets of datatrove
0.10.1 (``datatrove.utils.text.TERMINAL_PUNCTUATION`` / ``PUNCTUATION_SET``; 159 and 281 code
points: ASCII and CJK punctuation, sentence terminators of many scripts, control characters), so a
line "ends with terminal punctuation" and a token "is a symbol" mean the same here as in the
FineWeb and Gopher filters we are compared with (bench/clean_agreement.py).
"""

TERMINAL_PUNCTUATION = (
    r"\x{21}\x{2E}\x{3F}\x{589}\x{61D}-\x{61F}\x{6D4}\x{700}-\x{702}\x{7F9}\x{837}\x{839}"
    r"\x{83D}-\x{83E}\x{964}-\x{965}\x{104A}-\x{104B}\x{1362}\x{1367}-\x{1368}\x{166E}\x{1735}-"
    r"\x{1736}\x{17D4}-\x{17D6}\x{17D9}-\x{17DA}\x{1803}\x{1809}\x{1944}-\x{1945}\x{1AA8}-"
    r"\x{1AAB}\x{1B5A}-\x{1B5B}\x{1B5E}-\x{1B5F}\x{1B7D}-\x{1B7E}\x{1C3B}-\x{1C3C}\x{1C7E}-"
    r"\x{1C7F}\x{203C}-\x{203D}\x{2047}-\x{2049}\x{2E2E}\x{2E3C}\x{2E53}-\x{2E54}\x{3002}"
    r"\x{A4FF}\x{A60E}-\x{A60F}\x{A6F3}\x{A6F7}\x{A876}-\x{A877}\x{A8CE}-\x{A8CF}\x{A92F}"
    r"\x{A9C8}-\x{A9C9}\x{AA5D}-\x{AA5F}\x{AAF0}-\x{AAF1}\x{ABEB}\x{FE52}\x{FE56}-\x{FE57}"
    r"\x{FF01}\x{FF0E}\x{FF1F}\x{FF61}\x{10A56}-\x{10A57}\x{10F55}-\x{10F59}\x{10F86}-\x{10F89}"
    r"\x{11047}-\x{11048}\x{110BE}-\x{110C1}\x{11141}-\x{11143}\x{111C5}-\x{111C6}\x{111CD}"
    r"\x{111DE}-\x{111DF}\x{11238}-\x{11239}\x{1123B}-\x{1123C}\x{112A9}\x{1144B}-\x{1144C}"
    r"\x{115C2}-\x{115C3}\x{115C9}-\x{115D7}\x{11641}-\x{11642}\x{1173C}-\x{1173E}\x{11944}"
    r"\x{11946}\x{11A42}-\x{11A43}\x{11A9B}-\x{11A9C}\x{11C41}-\x{11C42}\x{11EF7}-\x{11EF8}"
    r"\x{11F43}-\x{11F44}\x{16A6E}-\x{16A6F}\x{16AF5}\x{16B37}-\x{16B38}\x{16B44}\x{16E98}"
    r"\x{1BC9F}\x{1DA88}"
)

PUNCTUATION = (
    r"\x{0}-\x{8}\x{B}-\x{1F}\x{21}-\x{2F}\x{3A}-\x{40}\x{5B}-\x{60}\x{7B}-\x{9F}\x{AB}\x{B4}"
    r"\x{BB}\x{589}\x{61D}-\x{61F}\x{6D4}\x{700}-\x{702}\x{7F9}\x{837}\x{839}\x{83D}-\x{83E}"
    r"\x{964}-\x{965}\x{104A}-\x{104B}\x{1362}\x{1367}-\x{1368}\x{166E}\x{1735}-\x{1736}"
    r"\x{17D4}-\x{17D6}\x{17D9}-\x{17DA}\x{1803}\x{1809}\x{1944}-\x{1945}\x{1AA8}-\x{1AAB}"
    r"\x{1B5A}-\x{1B5B}\x{1B5E}-\x{1B5F}\x{1B7D}-\x{1B7E}\x{1C3B}-\x{1C3C}\x{1C7E}-\x{1C7F}"
    r"\x{2013}-\x{2014}\x{2019}\x{201C}-\x{201E}\x{2026}\x{203C}-\x{203D}\x{2047}-\x{2049}"
    r"\x{2236}\x{2501}\x{25BA}\x{2E2E}\x{2E3C}\x{2E53}-\x{2E54}\x{3001}-\x{3002}\x{3008}-"
    r"\x{300D}\x{3010}-\x{3011}\x{A4FF}\x{A60E}-\x{A60F}\x{A6F3}\x{A6F7}\x{A876}-\x{A877}"
    r"\x{A8CE}-\x{A8CF}\x{A92F}\x{A9C8}-\x{A9C9}\x{AA5D}-\x{AA5F}\x{AAF0}-\x{AAF1}\x{ABEB}"
    r"\x{FE52}\x{FE56}-\x{FE57}\x{FF01}\x{FF05}\x{FF08}-\x{FF09}\x{FF0C}\x{FF0E}\x{FF11}"
    r"\x{FF1A}-\x{FF1B}\x{FF1F}\x{FF5E}\x{FF61}\x{10A56}-\x{10A57}\x{10F55}-\x{10F59}\x{10F86}-"
    r"\x{10F89}\x{11047}-\x{11048}\x{110BE}-\x{110C1}\x{11141}-\x{11143}\x{111C5}-\x{111C6}"
    r"\x{111CD}\x{111DE}-\x{111DF}\x{11238}-\x{11239}\x{1123B}-\x{1123C}\x{112A9}\x{1144B}-"
    r"\x{1144C}\x{115C2}-\x{115C3}\x{115C9}-\x{115D7}\x{11641}-\x{11642}\x{1173C}-\x{1173E}"
    r"\x{11944}\x{11946}\x{11A42}-\x{11A43}\x{11A9B}-\x{11A9C}\x{11C41}-\x{11C42}\x{11EF7}-"
    r"\x{11EF8}\x{11F43}-\x{11F44}\x{16A6E}-\x{16A6F}\x{16AF5}\x{16B37}-\x{16B38}\x{16B44}"
    r"\x{16E98}\x{1BC9F}\x{1DA88}"
)

# Han ideographs, kana, Hangul and CJK punctuation: the same class as ingest's ``cjk_ratio``.
from refinery.ingest.script_ratios import CJK  # noqa: E402

__all__ = ["TERMINAL_PUNCTUATION", "PUNCTUATION", "CJK"]
