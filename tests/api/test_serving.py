"""How a serving process is set up: TCP_NODELAY with several processes, the GC tuning."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import uvicorn

from api.serving import TcpConfig

REPO = Path(__file__).resolve().parents[2]


def accepted_nodelay(config: uvicorn.Config) -> tuple[int, int]:
    """The listening socket's proto and TCP_NODELAY on a connection asyncio accepts from it,
    the way uvicorn's worker processes serve a socket handed to them."""
    listener = config.bind_socket()
    seen: list[int] = []

    class Report(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Report, sock=listener)
        host, port = listener.getsockname()[:2]
        _, writer = await asyncio.open_connection(host, port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    proto = listener.proto
    asyncio.run(accept_one())
    return proto, seen[0]


def test_several_processes_keep_nagle_off() -> None:
    """uvicorn's own multi-process socket leaves Nagle on (Kludex/uvicorn#3149): ~44 ms of
    delayed-ACK wait per keep-alive request. If this control starts failing, uvicorn has
    fixed it and api.serving's workaround can go."""
    assert accepted_nodelay(uvicorn.Config("api.app:create_app", host="127.0.0.1", port=0)) == (
        0,
        0,
    )
    ours = accepted_nodelay(TcpConfig("api.app:create_app", host="127.0.0.1", port=0))
    assert ours[0] == socket.IPPROTO_TCP and ours[1] != 0


def test_a_served_app_freezes_its_start_up_heap(tmp_path: Path) -> None:
    """In a process of its own: freezing is per process and lasts."""
    probe = textwrap.dedent(f"""
        import gc
        from fastapi.testclient import TestClient
        from api.app import create_app
        from api.settings import Settings
        for tuning in (False, True):
            settings = Settings(database_url="sqlite:///{tmp_path}/" + str(tuning) + ".db",
                                worker=False, gc_tuning=tuning)
            with TestClient(create_app(settings)) as client:
                assert client.get("/v1/health/live").status_code == 200
                print(tuning, gc.get_freeze_count() > 0, gc.get_threshold()[0])
    """)
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["False False 700", "True True 50000"]
