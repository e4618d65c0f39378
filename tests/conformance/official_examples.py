"""Fetch the official ``xai-sdk`` 1.21.0 examples (from its sdist) and their third-party imports, once.

The examples are never committed: they are downloaded into a cache directory at
test time and run, unmodified, on *our* ``xai_sdk`` against ``xai_fake``.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

from filelock import FileLock

SDIST = "xai-sdk==1.21.0"
#: What the examples import besides xai_sdk (absl's app runner, HTTP clients, a progress bar).
EXAMPLE_DEPENDENCIES = ("absl-py", "requests", "aiohttp", "tqdm")


class ExamplesUnavailable(Exception):
    """The sdist or the examples' dependencies could not be downloaded."""


def _pip(*args: str, timeout: float = 300) -> None:
    command = [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ExamplesUnavailable(f"pip {args[0]} timed out after {exc.timeout} s") from exc
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")] or ["no output"]
        raise ExamplesUnavailable(f"pip {args[0]} failed: {errors[-1]}")


def examples_dir(cache: Path) -> Path:
    """``examples/`` of the official sdist, unpacked under ``cache`` (once: workers take turns on a lock)."""
    target = cache / "sdist"
    marker = target / ".complete"
    with FileLock(cache / "sdist.lock"):
        if not marker.exists():
            _unpack_examples(cache, target, marker)
    found = list(target.glob("*/examples"))
    if not found:
        raise ExamplesUnavailable("the sdist holds no examples/ directory")
    return found[0]


def _unpack_examples(cache: Path, target: Path, marker: Path) -> None:
    """Download the sdist (if not yet) and unpack its ``examples/`` into ``target``; ``marker`` last."""
    download = cache / "download"
    download.mkdir(parents=True, exist_ok=True)
    if not list(download.glob("xai_sdk-1.21.0.tar.gz")):
        _pip("download", "--no-deps", "--no-binary", ":all:", "--dest", str(download), SDIST)
    archives = list(download.glob("xai_sdk-1.21.0.tar.gz"))
    if not archives:
        raise ExamplesUnavailable(f"pip download {SDIST} produced no sdist")
    with tarfile.open(archives[0]) as archive:
        members = [m for m in archive.getmembers() if "/examples/" in m.name and m.isfile()]
        archive.extractall(target, members=members, filter="data")
    marker.touch()


def dependencies_dir(cache: Path) -> Path:
    """A directory to put on PYTHONPATH holding the examples' own imports (absl, requests, aiohttp).

    One per Python version: pip installs what fits the interpreter it runs for (compiled wheels, or
    pure-Python code that may use newer syntax), and CI runs several on one checkout.
    """
    target = cache / f"deps-py{sys.version_info.major}.{sys.version_info.minor}"
    marker = target / ".complete"
    with FileLock(cache / f"{target.name}.lock"):  # one install at a time into the directory
        if not marker.exists():
            _pip("install", "--target", str(target), "--upgrade", *EXAMPLE_DEPENDENCIES)
            marker.touch()
    return target
