"""The README's Python examples run as written, against the fake server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from xai_fake import FakeServer

README = Path(__file__).resolve().parent.parent / "README.md"
#: Sections whose code blocks must run offline (the others show real-network usage).
RUNNABLE = ("## Using the SDK", "## Testing with the fake server")


def runnable_blocks() -> list[tuple[str, str]]:
    blocks = []
    section = ""
    text = README.read_text()
    for match in re.finditer(r"^(## [^\n]+)$|^```python\n(.*?)^```$", text, flags=re.M | re.S):
        if match.group(1):
            section = match.group(1)
        elif section.startswith(RUNNABLE):
            blocks.append((section, match.group(2)))
    return blocks


def test_the_readme_has_runnable_examples() -> None:
    assert len(runnable_blocks()) >= 2


@pytest.mark.parametrize(("section", "code"), runnable_blocks(), ids=lambda value: str(value)[:30])
def test_readme_example_runs(section: str, code: str, tmp_path: Path) -> None:
    if "def test_" in code:  # a pytest example: run it with pytest and the installed plugin
        (tmp_path / "test_readme_snippet.py").write_text(code)
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}  # CI's coverage options
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
            capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert " passed" in result.stdout
        return
    with FakeServer(seed=3) as fake:
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, **fake.env()}, capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )  # fmt: skip
        calls = len(fake.requests)
    assert result.returncode == 0, f"{section}:\n{result.stderr}"
    assert result.stdout.strip()
    assert calls > 0 or "FakeServer(" in code
