"""Our chat ``Response``/``Chunk`` readers, ``append(response)`` and stream accumulation read exactly
like the official ``xai-sdk`` 1.21.0: ``response_probe.py`` runs under both and must print the same."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("response_probe.py")


def run_probe(python: str | Path, cwd: Path) -> dict[str, Any]:
    # -I: neither the working directory nor the probe's own directory goes on sys.path, so each
    # interpreter imports the xai_sdk installed in it.
    result = subprocess.run(
        [str(python), "-I", str(PROBE)], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"the probe failed under {python}:\n{result.stderr[-4000:]}"
    output: dict[str, Any] = json.loads(result.stdout)
    return output


def differences(ours: Any, official: Any, path: str) -> Iterator[str]:
    """One line per leaf where the two documents differ."""
    if isinstance(ours, dict) and isinstance(official, dict):
        for key in sorted(set(ours) | set(official)):
            if key not in ours or key not in official:
                mine, theirs = ours.get(key, "<missing>"), official.get(key, "<missing>")
                yield f"{path}.{key}: ours={_short(mine)} official={_short(theirs)}"
            else:
                yield from differences(ours[key], official[key], f"{path}.{key}")
    elif isinstance(ours, list) and isinstance(official, list):
        if len(ours) != len(official):
            yield f"{path}: {len(ours)} items (ours) vs {len(official)} (official)"
        for i, (mine, theirs) in enumerate(zip(ours, official, strict=False)):
            yield from differences(mine, theirs, f"{path}[{i}]")
    elif type(ours) is not type(official) or ours != official:
        yield f"{path}: ours={_short(ours)} official={_short(official)}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 400 else text[:400] + "..."


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    return run_probe(sys.executable, ROOT)


def test_the_probe_covers_the_corpus(ours: dict[str, Any]) -> None:
    families = {key.split("/", 1)[0] for key in ours}
    assert families >= {"response", "chunk", "append", "stream", "stream_batch", "sample", "defer", "compact"}
    assert len(ours) > 300


def test_responses_read_like_the_official_sdk(ours: dict[str, Any], official_python: Path, tmp_path: Path) -> None:
    official = run_probe(official_python, tmp_path)
    lines = [line for case in sorted(set(ours) | set(official)) for line in differences(
        ours.get(case, "<missing case>"), official.get(case, "<missing case>"), case
    )]  # fmt: skip
    for line in lines:
        print(line)
    assert not lines, f"{len(lines)} differences from the official SDK (printed above), first: {lines[0]}"
