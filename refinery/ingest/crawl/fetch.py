"""HTTP GET that keeps every exchange as it went over the wire, for WARC records.

Redirects are not followed here: the crawler follows them hop by hop so each 3xx is
recorded with its own status and Location. Retries happen here, each attempt passing
through the caller's `pace` gate so retries count against the host's rate limit too.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlsplit

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 64 * 1024
# A server that drips bytes slowly would never trip the per-read socket timeout.
_BODY_DEADLINE_FACTOR = 10


@dataclass
class HttpExchange:
    """One request and its response, enough to write WARC request + response records."""

    url: str
    request_line: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    started: datetime
    ip: str | None = None
    truncated: bool = False
    attempts: int = 1

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == name), None)

    @property
    def is_redirect(self) -> bool:
        return self.status in (301, 302, 303, 307, 308) and self.header("location") is not None


@dataclass
class FetchFailure:
    """No usable response after all attempts (timeout, refused connection, TLS error…)."""

    url: str
    error: str
    attempts: int = 1


@dataclass
class FetchSettings:
    user_agent: str
    timeout_s: float
    retries: int = 2
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    max_body_bytes: int = 5 * 1024 * 1024
    extra_headers: list[tuple[str, str]] = field(default_factory=list)


def fetch_once(url: str, settings: FetchSettings) -> HttpExchange:
    """One GET, no redirect following; raises OSError / http.client.HTTPException."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = connection_type(parts.hostname, parts.port, timeout=settings.timeout_s)
    # Identity encoding keeps the recorded body byte-identical to what the server sent.
    headers = [
        ("Host", parts.netloc),
        ("User-Agent", settings.user_agent),
        ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"),
        ("Accept-Encoding", "identity"),
        ("Connection", "close"),
        *settings.extra_headers,
    ]
    started = datetime.now(timezone.utc)
    try:
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        ip = _peer_ip(conn)
        response = conn.getresponse()
        body, truncated = _read_body(response, settings)
        return HttpExchange(
            url=url,
            request_line=f"GET {target} HTTP/1.1",
            request_headers=headers,
            status=response.status,
            reason=response.reason or "",
            response_headers=_as_recorded(response.getheaders(), len(body)),
            body=body,
            started=started,
            ip=ip,
            truncated=truncated,
        )
    finally:
        conn.close()


def fetch_with_retries(
    url: str,
    settings: FetchSettings,
    pace: Callable[[], AbstractContextManager] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> HttpExchange | FetchFailure:
    """GET with exponential backoff on timeouts, connection errors, 429 and 5xx.

    The last response is returned even when it is still a 5xx: it is a real answer of
    the server and worth recording; only a failure without any response is a FetchFailure.
    """
    attempts = settings.retries + 1
    for attempt in range(attempts):
        try:
            with pace() if pace else nullcontext():
                result: HttpExchange | FetchFailure = fetch_once(url, settings)
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            result = FetchFailure(url, f"{type(exc).__name__}: {exc}")
        result.attempts = attempt + 1
        retryable = isinstance(result, FetchFailure) or result.status in RETRY_STATUSES
        if not retryable or attempt == attempts - 1:
            return result
        sleep(_backoff(settings, attempt, result))
    raise AssertionError("unreachable")


def _backoff(settings: FetchSettings, attempt: int, result: HttpExchange | FetchFailure) -> float:
    delay = settings.backoff_s * 2**attempt
    retry_after = result.header("retry-after") if isinstance(result, HttpExchange) else None
    if retry_after and retry_after.strip().isdigit():
        delay = max(delay, float(retry_after))
    return min(delay, settings.max_backoff_s)


def _read_body(response: http.client.HTTPResponse, settings: FetchSettings) -> tuple[bytes, bool]:
    deadline = time.monotonic() + settings.timeout_s * _BODY_DEADLINE_FACTOR
    chunks, size = [], 0
    while size < settings.max_body_bytes:
        chunk = response.read(min(_CHUNK, settings.max_body_bytes - size))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise socket.timeout(f"body not complete after {settings.timeout_s * _BODY_DEADLINE_FACTOR:.0f}s")
    more = response.read(1)
    return b"".join(chunks), bool(more)


def _as_recorded(headers: list[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    """Headers as they describe the stored body.

    http.client removes chunked transfer coding, so the stored body is no longer
    chunked; like Common Crawl we keep the original headers under X-Crawler-* names
    and state the real length, so WARC readers do not try to de-chunk it.
    """
    recorded, has_length = [], False
    for name, value in headers:
        lname = name.lower()
        if lname == "transfer-encoding" or (lname == "content-length" and value.strip() != str(body_length)):
            recorded.append((f"X-Crawler-{name}", value))
        else:
            has_length |= lname == "content-length"
            recorded.append((name, value))
    if not has_length:
        recorded.append(("Content-Length", str(body_length)))
    return recorded


def _peer_ip(conn: http.client.HTTPConnection) -> str | None:
    try:
        return conn.sock.getpeername()[0] if conn.sock else None
    except OSError:
        return None
