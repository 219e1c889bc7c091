"""Outgoing links of an HTML page, resolved to absolute, normalised URLs.

Honours the page's own wishes the way search engines do: rel="nofollow" on a link and
<meta name="robots" content="nofollow"> for the whole page.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from .urls import normalize_url

HTML_TYPES = ("text/html", "application/xhtml+xml")


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None
        self.nofollow_page = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in attributes:
            if "nofollow" not in attributes.get("rel", "").lower().split():
                self.hrefs.append(attributes["href"])
        elif tag == "base" and "href" in attributes and self.base is None:
            self.base = attributes["href"]
        elif tag == "meta" and attributes.get("name", "").lower() == "robots":
            directives = {d.strip() for d in attributes.get("content", "").lower().split(",")}
            self.nofollow_page |= bool(directives & {"nofollow", "none"})


def is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in HTML_TYPES


def extract_links(html: str, page_url: str) -> list[str]:
    """Absolute http(s) links in document order, without duplicates or fragments."""
    parser = _LinkParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; keep what was found before any breakage
        pass
    if parser.nofollow_page:
        return []
    base = urljoin(page_url, parser.base) if parser.base else page_url
    links: dict[str, None] = {}
    for href in parser.hrefs:
        url = normalize_url(urljoin(base, href.strip()))
        if url is not None:
            links[url] = None
    return list(links)


def decode_html(body: bytes, content_type: str | None) -> str:
    """Text of a page using the Content-Type charset; UTF-8 when none or unknown."""
    charset = "utf-8"
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")
