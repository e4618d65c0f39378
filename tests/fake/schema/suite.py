"""Fetch the official JSON-Schema-Test-Suite once, from the ``jsonschema`` 4.26.0 sdist that vendors it.

The suite is never committed: ``pip download`` brings the sdist into a cache directory at test
time and its ``json/tests/draft2020-12`` and ``json/remotes`` are unpacked there. The version is
pinned whatever ``jsonschema`` is installed, so every machine runs the same cases. Concurrent
fetchers (pytest-xdist workers) serialise on a lock file, and the unpacked tree appears at once
(renamed into place), so no worker reads half of it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SDIST = "jsonschema==4.26.0"
ARCHIVE = "jsonschema-4.26.0.tar.gz"
#: The suite's own address for its remotes (``$ref``s to ``http://localhost:1234/...`` mean these files).
REMOTES_URL = "http://localhost:1234"
DIALECT = "draft2020-12"
_WANTED = ("/json/tests/draft2020-12/", "/json/remotes/")


class SuiteUnavailable(Exception):
    """The sdist could not be downloaded or holds no test suite."""


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no lock; the rename into place still keeps readers from half a tree
        yield
        return
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _download(download: Path) -> Path:
    archive = download / ARCHIVE
    if archive.exists():
        return archive
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    command += ["--disable-pip-version-check", "--quiet", "--dest", str(download), SDIST]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as exc:
        raise SuiteUnavailable(f"pip download {SDIST} timed out after {exc.timeout} s") from exc
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")] or ["no output"]
        raise SuiteUnavailable(f"pip download {SDIST} failed: {errors[-1]}")
    if not archive.exists():
        raise SuiteUnavailable(f"pip download {SDIST} produced no {ARCHIVE}")
    return archive


def suite_dir(cache: Path) -> Path:
    """The suite's ``json/`` directory (``tests/draft2020-12``, ``remotes``), unpacked under ``cache``."""
    target = cache / "json"
    if (target / ".complete").exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(cache / ".lock"):
        if (target / ".complete").exists():  # another worker fetched it while this one waited
            return target
        download = cache / "download"
        download.mkdir(exist_ok=True)
        archive = _download(download)
        staging = Path(tempfile.mkdtemp(prefix="unpack-", dir=cache))
        try:
            with tarfile.open(archive) as tar:
                members = [m for m in tar.getmembers() if m.isfile() and any(w in m.name for w in _WANTED)]
                tar.extractall(staging, members=members, filter="data")
            found = list(staging.glob("*/json"))
            if not found or not (found[0] / "tests" / DIALECT).is_dir():
                raise SuiteUnavailable(f"{ARCHIVE} holds no json/tests/{DIALECT} directory")
            (found[0] / ".complete").touch()
            shutil.rmtree(target, ignore_errors=True)  # a tree left by an interrupted fetch
            os.replace(found[0], target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def suite_files(root: Path) -> list[str]:
    """The suite files the engine is held to, relative to ``tests/draft2020-12``: the keywords and the formats."""
    tests = root / "tests" / DIALECT
    paths = sorted(tests.glob("*.json")) + sorted((tests / "optional" / "format").glob("*.json"))
    return [path.relative_to(tests).as_posix() for path in paths]


def groups(root: Path, name: str) -> list[dict[str, Any]]:
    """The test groups (``description``, ``schema``, ``tests``) of the suite file ``name``."""
    loaded: list[dict[str, Any]] = json.loads((root / "tests" / DIALECT / name).read_text(encoding="utf-8"))
    return loaded


def remotes(root: Path) -> Any:
    """The suite's remote schemas as a ``referencing.Registry``, at their ``http://localhost:1234/`` URIs.

    As ``jsonschema``'s own suite runner does: the other dialects' folders are left out, unless
    a schema there says its ``$schema``; one without ``$schema`` is read as draft 2020-12.
    """
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    base = root / "remotes"
    pairs = []
    for path in sorted(base.rglob("*.json")):
        relative = path.relative_to(base).as_posix()
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "$schema" not in schema and relative.startswith("draft") and not relative.startswith(DIALECT):
            continue
        pairs.append((f"{REMOTES_URL}/{relative}", schema))
    return Registry().with_contents(pairs, default_specification=DRAFT202012)
