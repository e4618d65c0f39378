"""The documentation's examples run as written, and its generated pages cover what they claim.

Each page's script blocks run in one subprocess against one fake (``tests/docs_runner.py``);
its pytest blocks in one pytest subprocess with the ``xai_fake`` plugin. The rules that decide
which block runs how are in ``tests/docs_blocks.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

from tests.docs_blocks import DOCS, ROOT, Block, MarkerError, blocks, code_blocks, pages
from tests.docs_runner import run_block

RUNNER = Path(__file__).with_name("docs_runner.py")
#: Pages that must keep runnable examples (a marker typo must not switch a whole guide off).
MUST_RUN = (
    "README.md",
    "docs/guides/getting-started.md",
    "docs/guides/testing.md",
    "docs/guides/faults.md",
    "docs/guides/cassettes.md",
    "docs/guides/migrating.md",
    "docs/guides/telemetry.md",
    "docs/reference/pytest.md",
)
#: The README is the short entry point; the manual is the site.
README_MAX_LINES = 150
#: The pytest run of a page's blocks: the plugin as installed, pytest-asyncio in auto mode.
PYTEST_ARGUMENTS = (
    "-q", "-p", "no:cacheprovider", "-p", "pytest_asyncio.plugin", "-p", "xai_fake.plugin",
    "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function", "-W", "error",
)  # fmt: skip


def _environment() -> dict[str, str]:
    """The subprocesses' environment: none of the XAI_* variables or pytest options of this run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XAI_") and k != "PYTEST_ADDOPTS"}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the plugins are named: a run costs 0.5 s, not 2
    return env


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT))


def run_scripts(found: list[Block], tmp_path: Path) -> list[str]:
    """Run the script blocks in one subprocess; a problem per failed block."""
    source, target = tmp_path / "blocks.json", tmp_path / "results.json"
    source.write_text(json.dumps([{"path": str(b.path), "line": b.line, "code": b.code} for b in found]))
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(source), str(target)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=_environment(),
    )  # fmt: skip
    if result.returncode != 0 or not target.exists():
        return [f"the runner failed ({result.returncode}):\n{result.stdout}{result.stderr}"]
    results = json.loads(target.read_text())
    assert [r["where"] for r in results] == [f"{b.path}:{b.line}" for b in found]
    return [f"{block.where} failed:\n{r['error']}" for block, r in zip(found, results, strict=True) if r["error"]]


def run_pytest(found: list[Block], tmp_path: Path) -> list[str]:
    """Run the pytest blocks (and the page's conftest block) in one pytest subprocess; a problem per failure."""
    conftests = [block for block in found if block.kind == "conftest"]
    if len(conftests) > 1:
        return [f"{conftests[1].where}: a page has at most one <!-- conftest --> block"]
    directory = tmp_path / "pytest"
    directory.mkdir()
    modules: dict[str, Block] = {}
    for block in found:
        # Padded with blank lines, so that pytest's tracebacks show the page's line numbers.
        padded = "\n" * (block.line - 1) + block.code
        if block.kind == "conftest":
            (directory / "conftest.py").write_text(padded)
        else:
            name = f"test_line_{block.line}"
            modules[name] = block
            (directory / f"{name}.py").write_text(padded)
    report = tmp_path / "report.xml"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *PYTEST_ARGUMENTS, f"--junitxml={report}", str(directory)],
        capture_output=True, text=True, timeout=120, cwd=directory, env=_environment(),
    )  # fmt: skip
    output = result.stdout + result.stderr
    if not report.exists():
        return [f"pytest did not run ({result.returncode}):\n{output}"]
    outcomes: dict[str, list[str]] = {name: [] for name in modules}
    for case in ET.parse(report).iter("testcase"):
        module = case.get("classname", "").split(".")[0]
        problem = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        outcomes.setdefault(module, []).append(problem)
    problems = []
    for name, block in modules.items():
        seen = outcomes.get(name, [])
        if not seen or any(outcome != "passed" for outcome in seen):
            problems.append(f"{block.where}: its tests {seen or 'did not run'}")
    if problems or result.returncode != 0:
        problems.append(f"pytest exited with {result.returncode}:\n{output}")
    return problems


def _pages_with_blocks() -> list[Path]:
    return [page for page in pages() if blocks(page)]


@pytest.mark.parametrize("page", _pages_with_blocks(), ids=_shown)
def test_the_examples_of_a_page_run(page: Path, tmp_path: Path) -> None:
    found = blocks(page)
    problems = []
    scripts = [block for block in found if block.kind == "script"]
    if scripts:
        problems += run_scripts(scripts, tmp_path)
    tests = [block for block in found if block.kind != "script"]
    if tests:
        problems += run_pytest(tests, tmp_path)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("name", MUST_RUN)
def test_the_guides_keep_runnable_examples(name: str) -> None:
    assert blocks(ROOT / name), f"{name} has no runnable Python block left"


def test_blocks_are_told_apart_by_their_markers(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "# A page",  # 1
            "```python",  # 2
            "print('a script')",  # 3
            "```",  # 4
            "<!-- not-runnable: needs the real API -->",  # 5
            "```python",  # 6
            "Client().chat.create('grok-4').sample()",  # 7
            "```",  # 8
            "<!-- conftest -->",  # 9
            "```python",  # 10
            "import pytest",  # 11
            "```",  # 12
            "1. In a list:",  # 13
            "",  # 14
            "   ```python",  # 15
            "   async def test_it(xai_async_client):",  # 16
            "       pass",  # 17
            "   ```",  # 18
            "```bash",  # 19
            "xai-fake demo",  # 20
            "```",  # 21
        ]
    )
    found = blocks(tmp_path / "page.md", text)
    assert [(block.line, block.kind) for block in found] == [(3, "script"), (11, "conftest"), (16, "pytest")]
    assert found[2].code.startswith("async def test_it(xai_async_client):\n    pass")
    assert code_blocks(tmp_path / "page.md", "bash", text) == [(20, "xai-fake demo\n")]


def test_the_readme_stays_a_short_entry_point() -> None:
    lines = (ROOT / "README.md").read_text().count("\n")
    assert lines <= README_MAX_LINES, f"README.md: {lines} lines (at most {README_MAX_LINES}); move detail into docs/"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- not-runnable -->\n```python\nx = 1\n```", "needs its reason"),
        ("<!-- not-runnable: later -->\n```bash\nls\n```", "not Python"),
        ("<!-- conftest: why -->\n```python\nx = 1\n```", "takes no reason"),
        ("```python\nx = 1\n", "never closed"),
    ],
)
def test_a_misused_marker_is_an_error(text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(MarkerError, match=message):
        blocks(tmp_path / "page.md", text)


def test_a_failing_block_names_its_page_and_line() -> None:
    error = run_block("docs/guides/page.md", 10, "answer = 42\nraise ValueError('the example broke')\n")
    assert error is not None
    assert 'File "docs/guides/page.md", line 11' in error
    assert "ValueError: the example broke" in error
    assert run_block("docs/guides/page.md", 10, "import sys\nsys.exit(3)\n") is not None
    assert run_block("docs/guides/page.md", 10, "answer = 42\n") is None


def _hook(name: str) -> ModuleType:
    """A module of docs/hooks/, loaded from its file (it is not a package)."""
    spec = importlib.util.spec_from_file_location(f"docs_hooks_{name}", DOCS / "hooks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("package", ["xai_sdk", "xai_fake"])
def test_the_api_reference_lists_exactly_all(package: str) -> None:
    hook = _hook("api_reference")
    page = hook.reference_page(package)
    public = list(importlib.import_module(package).__all__)
    documented = re.findall(rf"^::: {package}\.(\w+)$", page, flags=re.MULTILINE)
    values = re.findall(r"^## `(\w+)`$", page, flags=re.MULTILINE)
    assert sorted(documented + values) == sorted(public)
    assert documented == [name for name in public if name not in hook.VALUES]


def test_the_command_line_reference_shows_every_command_and_option() -> None:
    import argparse

    from xai_fake.cli import build_parser

    hook = _hook("cli_reference")
    page = hook.render(build_parser())
    pending = [build_parser()]
    while pending:
        parser: argparse.ArgumentParser = pending.pop()
        assert f"`{parser.prog}`" in page
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):  # -h, --help: every command has them
                continue
            for option in action.option_strings:
                assert f"`{option}" in page, f"{parser.prog} {option}"
        pending.extend(sub for _, sub in hook.subcommands(parser))
    assert "`xai-fake cassette check`" in page  # nested subcommands are walked


def test_the_architecture_page_numbers_the_layers_in_chain_order() -> None:
    from xai_fake.chain import LAYER_ORDER

    text = (DOCS / "guides" / "architecture.md").read_text()
    numbered = re.findall(r"^(\d+)\. \*\*(\w+)\*\*", text, flags=re.MULTILINE)
    assert [(int(number), name) for number, name in numbered] == list(enumerate(LAYER_ORDER, start=1))
