"""A small website on 127.0.0.1 that records every request it gets, for crawler tests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str
    user_agent: str
    host: str


@dataclass
class Site:
    slow_s: float = 0.8
    robots_status: int = 200
    hits: list[Hit] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def page_paths(self) -> list[str]:
        return [p for p in self.paths() if p != "/robots.txt"]

    def pages(self, path: str) -> tuple[int, dict[str, str], str]:
        """(status, extra headers, html) for a path."""
        def page(*links: str) -> str:
            anchors = "".join(f'<a href="{link}">{link}</a>' for link in links)
            return f"<html><body><p>{path}</p>{anchors}</body></html>"

        if path == "/":
            return 200, {}, page("/a", "b", "/private/secret", "/old", "/missing", "/slow", "/flaky",
                                 f"http://localhost:{self.port}/offsite", "/deep/1", "mailto:x@example.org")
        if path == "/a":
            return 200, {}, page("/", "b", "/a#section", "./a")
        if path == "/b":
            return 200, {}, page("/a") + '<a rel="nofollow" href="/nofollow">x</a>'
        if path == "/old":
            return 301, {"Location": "/c"}, ""
        if path.startswith("/deep/"):
            return 200, {}, page(f"/deep/{int(path.rsplit('/', 1)[1]) + 1}")
        if path == "/many":
            return 200, {}, page(*[f"/sleepy/{i}" for i in range(6)])
        if path.startswith("/sleepy/"):
            time.sleep(0.15)
            return 200, {}, page()
        if path == "/slow":
            time.sleep(self.slow_s)
            return 200, {}, page()
        if path == "/flaky":
            first = self.paths().count("/flaky") == 1
            return (503, {}, "busy") if first else (200, {}, page())
        if path in ("/c", "/private/secret", "/offsite", "/nofollow"):
            return 200, {}, page()
        return 404, {}, "<html>not found</html>"


def _handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            with site.lock:
                site.hits.append(Hit(time.monotonic(), self.path, self.headers.get("User-Agent", ""),
                                     self.headers.get("Host", "")))
                site.in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site.in_flight)
            try:
                if self.path == "/robots.txt":
                    status, headers, body = site.robots_status, {"Content-Type": "text/plain"}, \
                        "User-agent: *\nDisallow: /private/\n"
                else:
                    status, headers, body = site.pages(self.path)
                    headers = {"Content-Type": "text/html; charset=utf-8", **headers}
                data = body.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the crawler gave up on a slow page and closed the socket
            finally:
                with site.lock:
                    site.in_flight -= 1
                self.close_connection = True

        def log_message(self, *args):
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture
def site():
    """Start the site on 127.0.0.1 on a free port; it lives for one test."""
    served = Site()
    server = _QuietServer(("127.0.0.1", 0), _handler(served))
    served.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()
