"""Build, once, a virtualenv holding the official ``xai-sdk`` 1.21.0 and its dependencies.

The venv lives in a cache directory chosen by the caller (the tests use a pytest cache dir).
A marker file is written only after the install and an import check succeed; a venv without
it (a build that was interrupted or failed) is deleted and built again. Concurrent builders
(pytest-xdist workers) serialise on a lock file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OFFICIAL = "xai-sdk==1.21.0"
OFFICIAL_VERSION = "1.21.0"
INSTALL_TIMEOUT = 600.0  # seconds, for each of: venv creation, pip install


class OfficialSdkUnavailable(Exception):
    """The official SDK's virtualenv could not be built (no network, no index, no ensurepip, ...)."""


def venv_python(venv: Path) -> Path:
    """The interpreter of a virtualenv."""
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _fingerprint() -> dict[str, str]:
    # A venv built for another base interpreter or requirement is rebuilt.
    return {"requirement": OFFICIAL, "python": sys.version, "base_prefix": sys.base_prefix}


def _last_error_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:")]
    return (errors or lines or ["no output"])[-1]


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no lock; concurrent builds are then the caller's problem
        yield
        return
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str], what: str, timeout: float) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_REQUIRE_VIRTUALENV"))}
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as exc:
        raise OfficialSdkUnavailable(f"{what} timed out after {exc.timeout:g} s") from exc
    if result.returncode != 0:
        raise OfficialSdkUnavailable(f"{what} failed: {_last_error_line(result.stderr or result.stdout)}")


def official_venv_python(cache_dir: Path, *, timeout: float = INSTALL_TIMEOUT) -> Path:
    """Return the python of a venv with the official SDK installed, building the venv if needed.

    Raises :class:`OfficialSdkUnavailable` with pip's last error line when the build fails.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    venv = cache_dir / "venv"
    marker = cache_dir / "complete.json"
    python = venv_python(venv)
    with _locked(cache_dir / ".lock"):
        try:
            if json.loads(marker.read_text()) == _fingerprint() and python.exists():
                return python
        except (OSError, ValueError):
            pass
        marker.unlink(missing_ok=True)
        shutil.rmtree(venv, ignore_errors=True)  # a half-built venv, or one for another interpreter
        try:
            _run([sys.executable, "-m", "venv", str(venv)], "python -m venv", timeout)
            pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--prefer-binary"]
            _run([*pip, OFFICIAL], f"pip install {OFFICIAL}", timeout)
            check = f"import xai_sdk; assert xai_sdk.__version__ == {OFFICIAL_VERSION!r}, xai_sdk.__version__"
            _run([str(python), "-I", "-c", check], f"importing {OFFICIAL} in its venv", 120)
        except BaseException:
            shutil.rmtree(venv, ignore_errors=True)
            raise
        marker.write_text(json.dumps(_fingerprint()))
        return python
