"""Import time (3): fresh interpreters running one import statement, alternated.

Each round runs every statement once, in a rotating order, each in a new process started
from an empty directory; a statement's ratio is its median per-round ratio to the baseline
``import grpc, google.protobuf`` run in the same round by the same interpreter. The whole
process lifetime is timed (interpreter start-up included), as ``python -c`` users see it.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

BASELINE = "import grpc, google.protobuf"
STATEMENTS = ("import xai_sdk", "from xai_sdk import Client", "import xai_sdk.chat")


@dataclass(frozen=True)
class ImportTime:
    """Median wall time of one statement and its median ratio to the baseline."""

    statement: str
    seconds: float
    ratio: float


def _run(python: str, statement: str, cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-c", statement], cwd=cwd, check=True)
    return time.perf_counter() - start


def measure(python: str, *, rounds: int, statements: Sequence[str] = STATEMENTS) -> list[ImportTime]:
    """Baseline first in the result (ratio 1), then each statement."""
    every = [BASELINE, *statements]
    times: dict[str, list[float]] = {statement: [] for statement in every}
    with tempfile.TemporaryDirectory(prefix="xai-bench-import-") as cwd:
        for statement in every:  # warm the page cache and the bytecode caches
            _run(python, statement, cwd)
        for round_index in range(rounds):
            shift = round_index % len(every)
            for statement in every[shift:] + every[:shift]:
                times[statement].append(_run(python, statement, cwd))
    baseline = times[BASELINE]
    return [
        ImportTime(
            statement,
            statistics.median(times[statement]),
            statistics.median(t / b for t, b in zip(times[statement], baseline, strict=True)),
        )
        for statement in every
    ]
