"""Fetch and unpack the official ``xai-sdk`` wheel once, into a cache directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

OFFICIAL = "xai-sdk==1.21.0"


class WheelUnavailable(Exception):
    """The official wheel could not be downloaded (no network, no index, ...)."""


def unpacked_wheel(cache_dir: Path) -> Path:
    """Return a directory holding the unpacked official wheel, downloading it if needed."""
    target = cache_dir / "unpacked"
    marker = target / ".complete"
    if marker.exists():
        return target
    download = cache_dir / "download"
    download.mkdir(parents=True, exist_ok=True)
    wheels = sorted(download.glob("xai_sdk-1.21.0-*.whl"))
    if not wheels:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
        command += ["--disable-pip-version-check", "--dest", str(download), OFFICIAL]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired as exc:
            raise WheelUnavailable(f"pip download {OFFICIAL} timed out after {exc.timeout} s") from exc
        wheels = sorted(download.glob("xai_sdk-1.21.0-*.whl"))
        if result.returncode != 0 or not wheels:
            tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise WheelUnavailable(f"pip download {OFFICIAL} failed: {tail}")
    with zipfile.ZipFile(wheels[0]) as archive:
        archive.extractall(target)
    marker.touch()
    return target
