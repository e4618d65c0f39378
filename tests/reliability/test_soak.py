"""Soak: a long-running ``xai-fake serve`` holds flat memory over 100,000 calls.

Marked ``soak`` and deselected from the default run (it takes about a minute of both cores);
``.ci/run`` runs it as a step of its own: ``python -m pytest -m soak -n 0``.

The server runs as the CLI runs it, in a subprocess; the test drives it with many concurrent
calls on one raw grpc.aio channel and reads the server's resident memory from ``/proc``: after
a warm-up of 1,000 calls (lazy imports, caches), the next 100,000 calls, which fill the request
log to its bound and then push out its oldest entries, may add at most 20 MB.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from xai_sdk.proto import chat_pb2, chat_pb2_grpc

pytestmark = [
    pytest.mark.soak,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc (Linux)"),
]

WARM_UP, CALLS, CONCURRENCY = 1_000, 100_000, 64
MAX_GROWTH_MB = 20.0


def resident_mb(pid: int) -> float:
    """A process's resident set size, in MB, from ``/proc/<pid>/status``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


async def drive(address: str, key: str, calls: int) -> None:
    """``calls`` chat completions (every tenth one streamed), ``CONCURRENCY`` at a time; all must succeed."""
    request = chat_pb2.GetCompletionsRequest(
        model="grok-4",
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="How are you?")])],
    )
    metadata = (("authorization", f"Bearer {key}"),)
    async with grpc.aio.insecure_channel(address) as channel:
        stub = chat_pb2_grpc.ChatStub(channel)
        queue = iter(range(calls))

        async def worker() -> None:
            for index in queue:
                if index % 10:
                    await stub.GetCompletion(request, metadata=metadata, timeout=60)
                else:
                    assert [chunk async for chunk in stub.GetCompletionChunk(request, metadata=metadata, timeout=60)]

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def test_serve_holds_flat_memory_over_100k_calls() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "xai_fake", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        assert server.stdout is not None
        exported = {}
        while "XAI_API_KEY" not in exported or "XAI_API_HOST" not in exported:
            line = server.stdout.readline()
            assert line, "xai-fake serve ended before printing its address"
            name, _, value = line.removeprefix("export ").strip().partition("=")
            exported[name] = value.strip("'")
        address, key = exported["XAI_API_HOST"], exported["XAI_API_KEY"]

        asyncio.run(drive(address, key, WARM_UP))
        before = resident_mb(server.pid)
        asyncio.run(drive(address, key, CALLS))
        after = resident_mb(server.pid)
        print(f"xai-fake serve: {before:.1f} MB after {WARM_UP:,} calls, {after:.1f} MB after {CALLS:,} more")
        assert after - before <= MAX_GROWTH_MB, (
            f"resident memory grew {after - before:.1f} MB over {CALLS:,} calls (from {before:.1f} MB)"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        if server.stdout is not None:
            server.stdout.close()
