"""Our ``xai_sdk`` builds byte-identical requests to the official ``xai-sdk`` 1.21.0.

``request_probe.py`` builds the same corpus (``chat.create`` with every parameter and literal,
message helpers, ``chat.append``, ``xai_sdk.tools``, ``xai_sdk.search``, the public tables and
the invalid values that must raise) under each package, each in its own interpreter since both
are named ``xai_sdk``; the two JSON outputs must be equal case by case.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("request_probe.py")
TIMEOUT = 180  # seconds per interpreter


def probe(command: list[str], cwd: Path) -> dict[str, Any]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr}"
    cases: dict[str, Any] = json.loads(result.stdout)
    return cases


def describe(name: str, ours: Any, official: Any) -> str:
    return f"{name}: ours={json.dumps(ours)} official={json.dumps(official)}"


def test_requests_match_the_official_sdk(official_python: Path, tmp_path: Path) -> None:
    # Without pydantic here, the pydantic-only cases are left out on both sides.
    flags = [] if importlib.util.find_spec("pydantic") else ["--no-pydantic"]
    # Ours runs as a module from the repository; the official one isolated (-I), away from it.
    ours = probe([sys.executable, "-m", "tests.conformance.request_probe", *flags], REPO)
    official = probe([str(official_python), "-I", str(PROBE), *flags], tmp_path)

    assert sorted(ours) == sorted(official), "the two runs built different sets of cases"
    differing = [describe(name, ours[name], official[name]) for name in sorted(ours) if ours[name] != official[name]]
    assert not differing, f"{len(differing)} of {len(ours)} cases differ:\n" + "\n".join(differing)


def test_probe_covers_every_public_builder() -> None:
    """The corpus names every tool, source and message helper, so a new one cannot slip by untested."""
    text = PROBE.read_text()
    builders = [
        "tools.web_search", "tools.x_search", "tools.code_execution", "tools.image_generation",
        "tools.collections_search", "tools.mcp", "tools.get_tool_call_type", "search.web_source",
        "search.news_source", "search.x_source", "search.rss_source", "search.SearchParameters",
    ]  # fmt: skip
    helpers = ["user(", "system(", "assistant(", "developer(", "text(", "image(", "file(", "tool(", "tool_result("]
    helpers += ["required_tool(", ".append("]
    missing = [name for name in builders + helpers if name not in text]
    assert not missing, f"request_probe.py does not exercise: {missing}"
