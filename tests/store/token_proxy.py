"""A token-checking reverse proxy on 127.0.0.1, as a site would put Envoy or nginx in front of Chroma.

Chroma 1.x leaves authentication to such a proxy; the assistant only has to send the token.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Hop-by-hop headers are the proxy's own business, not forwarded.
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}


@dataclass
class ProxyLog:
    """What the proxy saw: the Authorization header of every request, and how many it refused."""

    authorizations: list[str | None] = field(default_factory=list)
    refused: int = 0


@contextmanager
def token_proxy(upstream_port: int, token: str) -> Iterator[tuple[int, ProxyLog]]:
    """Forward requests bearing `Authorization: Bearer <token>` to 127.0.0.1:upstream_port; 401 others."""
    log = ProxyLog()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            auth = self.headers.get("Authorization")
            log.authorizations.append(auth)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if auth != f"Bearer {token}":
                log.refused += 1
                payload = b'{"error":"Unauthorized","message":"missing or wrong token"}'
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP | {"authorization"}}
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
            try:
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in _HOP | {"content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            finally:
                upstream.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], log
    finally:
        server.shutdown()
        server.server_close()
