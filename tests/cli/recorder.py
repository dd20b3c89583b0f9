"""A second local HTTP server that records every request it receives (and answers as told).

It stands in for "some other server an ``--api`` URL may name": tests assert what reached
it, down to the headers, rather than trusting the CLI's own account of what it sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


# (method, path) -> (status, headers, body)
Answer = tuple[int, dict[str, str], bytes]
Responder = Callable[[Request], Answer]


def not_found(request: Request) -> Answer:
    problem = {"code": "not_found", "detail": f"nothing at {request.path}", "status": 404}
    return 404, {"Content-Type": "application/problem+json"}, json.dumps(problem).encode()


@dataclass
class Recorder:
    url: str
    requests: list[Request] = field(default_factory=list)
    respond: Responder = not_found

    def received(self, value: str) -> bool:
        """Did ``value`` reach this server anywhere: a header, the path or the body?"""
        return any(
            value in request.path
            or value.encode() in request.body
            or any(value in v for v in request.headers.values())
            for request in self.requests
        )


@contextmanager
def recording_server() -> Iterator[Recorder]:
    lock = threading.Lock()
    recorder = Recorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            with lock:
                recorder.requests.append(request)
            status, headers, body = recorder.respond(request)
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = do_PUT = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
