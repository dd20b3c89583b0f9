"""A lean HTTP/1.1 client for load generators: keep-alive connections on asyncio streams.

The benches share two cores with the server they measure, so the client must cost little.
httpx's async pool spends more CPU per request than the API does on a small one (its pool
bookkeeping, and httpcore trying to import sniffio on every request when it is absent): it
capped the figures at the client. This speaks just what the benches need: a request with a
body and Content-Length, an answer with Content-Length or chunked, one request at a time
per connection, connections reused from an idle list.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Reply", "WireClient"]

KEEP_ALIVE_SECONDS = 4.0  # under uvicorn's timeout_keep_alive (5 s)


@dataclass(frozen=True)
class Reply:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = 0.0

    async def exchange(self, head: bytes, body: bytes) -> tuple[Reply, bool]:
        """One request and its answer; whether the connection may be used again."""
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        length, chunked, keep = None, False, True
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and value.lower() == b"close":
                keep = False
        if chunked:
            parts = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            await self.reader.readline()
            content = b"".join(parts)
        else:
            content = await self.reader.readexactly(length or 0)
        return Reply(status, content), keep

    def close(self) -> None:
        self.writer.close()


class WireClient:
    """Keep-alive connections to one server (``http://host:port``), opened as needed."""

    def __init__(self, base_url: str, *, timeout: float = 120.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self._idle: list[_Connection] = []

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 f"Content-Length: {len(body)}"]  # fmt: skip
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # uvicorn closes a connection idle for 5 s: never send on one idle for 4.
        now = asyncio.get_running_loop().time()
        while self._idle and now - self._idle[0].idle_since > KEEP_ALIVE_SECONDS:
            self._idle.pop(0).close()
        for attempt in (1, 2):  # a kept connection the server has just closed: once more, fresh
            fresh = attempt == 2 or not self._idle
            connection = await self._open() if fresh else self._idle.pop()
            try:
                reply, keep = await asyncio.wait_for(connection.exchange(head, body), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError):
                connection.close()
                if fresh or attempt == 2:
                    raise
                continue
            if keep:
                connection.idle_since = asyncio.get_running_loop().time()
                self._idle.append(connection)
            else:
                connection.close()
            return reply
        raise AssertionError("unreachable")

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return await self.request("GET", path, headers=headers)

    async def post(self, path: str, content: bytes, headers: dict[str, str] | None = None) -> Reply:
        return await self.request("POST", path, content, headers)

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return _Connection(reader, writer)

    async def aclose(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
