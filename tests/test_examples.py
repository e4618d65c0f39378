"""Every example in ``examples/sync`` and ``examples/aio`` runs unattended against the fake server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from xai_fake.server import FakeServer

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FLAVOURS = ("sync", "aio")
TIMEOUT_SECONDS = 30

SCRIPTS = sorted(path for flavour in FLAVOURS for path in (EXAMPLES / flavour).glob("*.py"))


def _example_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeServer]:
    """One fake server for all examples; each example resets it first."""
    with FakeServer() as server:
        yield server


def test_examples_are_found() -> None:
    assert len(SCRIPTS) >= 2 * 20, [_example_id(path) for path in SCRIPTS]


def test_every_example_has_a_sync_and_an_aio_version() -> None:
    names = {flavour: {path.name for path in (EXAMPLES / flavour).glob("*.py")} for flavour in FLAVOURS}
    assert names["sync"] - names["aio"] == set(), "sync examples without an aio twin"
    assert names["aio"] - names["sync"] == set(), "aio examples without a sync twin"


@pytest.mark.parametrize("script", SCRIPTS, ids=_example_id)
def test_example_runs(script: Path, fake: FakeServer, tmp_path: Path) -> None:
    fake.reset()
    env = {key: value for key, value in os.environ.items() if not key.startswith("XAI_")}
    env.update(fake.env())
    env["TMPDIR"] = str(tmp_path)  # files the examples save land in the test's directory
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    name = _example_id(script)
    report = f"{name} exited {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.returncode == 0, report
    assert result.stdout.strip(), report
    assert len(fake.requests) > 0, f"{name} made no call to the fake server\n{report}"
