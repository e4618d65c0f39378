"""Fixture cost (5): generated pytest suites, each run in a fresh pytest process.

Suites of ``count`` tests, run alternately for several rounds (medians of wall time):

- ``empty``: ``def test_n(): pass``;
- ``fixture``: ``def test_n(xai_fake_server): pass``;
- ``call``: ``def test_n(xai_client): xai_client.chat.create(...).sample()``, the plugin's
  idiom (a client per test, hence a channel per test);
- ``shared``: ``xai_fake_server`` plus one module-wide client, ``sample()`` per test.

Per-test overheads are differences of suite times divided by ``count``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PYTEST_INI = """\
[pytest]
addopts = -q -p no:cacheprovider
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""

_HEADERS = {
    "empty": "",
    "fixture": "",
    "call": "from xai_sdk.chat import user\n",
    "shared": (
        "import pytest\n"
        "from xai_sdk import Client\n"
        "from xai_sdk.chat import user\n\n\n"
        '@pytest.fixture(scope="module")\n'
        "def client(xai_fake_server_session):\n"
        "    with xai_fake_server_session.client() as shared:\n"
        "        yield shared\n"
    ),
}

_BODIES = {
    "empty": "def test_{n}():\n    pass\n",
    "fixture": "def test_{n}(xai_fake_server):\n    pass\n",
    "call": (
        "def test_{n}(xai_client):\n"
        '    assert xai_client.chat.create(model="grok-4", messages=[user("hi {n}")]).sample().content\n'
    ),
    "shared": (
        "def test_{n}(xai_fake_server, client):\n"
        '    assert client.chat.create(model="grok-4", messages=[user("hi {n}")]).sample().content\n'
    ),
}

SUITES = tuple(_BODIES)


def write_suite(directory: Path, kind: str, count: int) -> Path:
    """A directory holding ``pytest.ini`` and one test module of ``count`` tests of ``kind``."""
    suite = directory / kind
    suite.mkdir()
    (suite / "pytest.ini").write_text(PYTEST_INI)
    tests = "\n\n".join(_BODIES[kind].format(n=n) for n in range(count))
    (suite / f"test_{kind}.py").write_text(f"{_HEADERS[kind]}\n\n{tests}")
    return suite


def _run(suite: Path) -> float:
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "pytest", str(suite)], cwd=suite, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"suite {suite.name} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-2000:]}")
    return elapsed


def measure(count: int, rounds: int, kinds: Sequence[str] = SUITES) -> dict[str, float]:
    """Median wall seconds of each suite kind (``empty`` first: it is the reference)."""
    kinds = tuple(kinds)
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="xai-bench-fixture-") as root:
        suites = {kind: write_suite(Path(root), kind, count) for kind in kinds}
        for round_index in range(rounds):
            shift = round_index % len(kinds)
            for kind in kinds[shift:] + kinds[:shift]:
                times[kind].append(_run(suites[kind]))
    return {kind: statistics.median(values) for kind, values in times.items()}
