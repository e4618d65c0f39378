"""Benchmark servers in child processes: start, read the port, stop by closing stdin."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent


@contextmanager
def server(script: str, *args: str) -> Iterator[int]:
    """Run ``bench/<script>`` with this interpreter; yield the port it announces."""
    process = subprocess.Popen(
        [sys.executable, str(BENCH / script), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError(f"{script} {' '.join(args)} did not start: {line!r}")
        yield int(line.split()[1])
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
