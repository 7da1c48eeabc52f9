"""The captioner trusts its server's own certificate, and no other one."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from frankly.captioner.program import pinned
from tests.tlscerts import ca_issued, self_signed, server_context


@asynccontextmanager
async def tls_server(cert: Path, key: Path) -> AsyncIterator[int]:
    """A TLS server on 127.0.0.1 that says hello; its port."""

    async def hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(hello, "127.0.0.1", 0, ssl=server_context(cert, key))
    async with server:
        yield server.sockets[0].getsockname()[1]


async def greeting(port: int, context: ssl.SSLContext) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    try:
        return await reader.read()
    finally:
        writer.close()


async def test_the_pin_accepts_the_servers_certificate_and_refuses_another(
    tmp_path: Path,
) -> None:
    ours, other = self_signed(tmp_path, "ours"), self_signed(tmp_path, "other")
    async with tls_server(*ours) as port:
        assert await greeting(port, pinned(str(ours[0]))) == b"hello"
        with pytest.raises(ssl.SSLCertVerificationError):
            await greeting(port, pinned(str(other[0])))
        with pytest.raises(ssl.SSLCertVerificationError):  # nor the system's CAs
            await greeting(port, ssl.create_default_context())


async def test_a_ca_issued_leaf_is_its_own_anchor(tmp_path: Path) -> None:
    leaf = ca_issued(tmp_path)
    async with tls_server(*leaf) as port:
        assert await greeting(port, pinned(str(leaf[0]))) == b"hello"
        with pytest.raises(ssl.SSLCertVerificationError):
            await greeting(port, pinned(str(self_signed(tmp_path, "other")[0])))


async def test_the_pin_accepts_the_certificate_frankly_serve_makes(tmp_path: Path) -> None:
    from frankly.server import tls

    ours = tls.self_signed(tmp_path / "data", "192.0.2.10")  # as beyond loopback
    async with tls_server(*ours) as port:
        assert await greeting(port, pinned(str(ours[0]))) == b"hello"


async def test_the_supervisor_gives_the_captioner_the_servers_certificate_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frankly.captioner.supervisor import CERT_ENV, Supervisor

    monkeypatch.setenv(CERT_ENV, "/somewhere/else.pem")  # never inherited
    envs: list[dict[str, str]] = []
    started = asyncio.Event()

    async def launch(url: str, room: str, env: dict[str, str]) -> asyncio.subprocess.Process:
        envs.append(env)
        started.set()
        raise OSError("not started, for this test")

    async def first_env(cert: str | None) -> dict[str, str]:
        envs.clear()
        started.clear()
        supervisor = Supervisor(
            lambda *a: None, lambda *a: None, lambda r: "x.y.z", tmp_path, launch
        )
        supervisor.url, supervisor.cert = "https://127.0.0.1:1", cert
        supervisor.start("room", transcript=False)
        await asyncio.wait_for(started.wait(), 10)
        await supervisor.aclose()
        return envs[0]

    assert (await first_env("/data/tls/cert.pem"))[CERT_ENV] == "/data/tls/cert.pem"
    assert CERT_ENV not in await first_env(None)
