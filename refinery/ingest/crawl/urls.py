"""URL normalisation, so one page reached by two spellings is fetched once."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986 reserved + unreserved characters and '%': kept as they are, so an already
# escaped URL is not escaped twice; anything else (spaces, non-ASCII) is percent-encoded.
_SAFE = "/:@!$&'()*+,;=-._~%?"


def normalize_url(url: str) -> str | None:
    """Canonical form of an http(s) URL, or None when it is not one we can fetch.

    Lower-cases scheme and host, drops the default port and the fragment (it never
    reaches the server), gives an empty path '/', and percent-encodes characters
    http.client would refuse.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(parts.path or "/", safe=_SAFE)
    query = quote(parts.query, safe=_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """Host name without port: the unit of scope."""
    return (urlsplit(url).hostname or "").lower()


def origin_of(url: str) -> str:
    """scheme://host[:port]: the unit of robots.txt and of politeness (one server)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
