"""The Python code blocks of the documentation (README.md and docs/), and how each one is run.

Every ```` ```python ```` block runs, by one of three rules:

- a block that defines a ``test_`` function is a pytest test module (kind ``"pytest"``);
- a block directly after a ``<!-- conftest -->`` line is the ``conftest.py`` of its page's
  pytest run (kind ``"conftest"``);
- any other block is a script (kind ``"script"``), run against a fake whose ``XAI_*``
  variables are in the environment, so that ``Client()`` reaches it.

The one exception is a block directly after ``<!-- not-runnable: REASON -->``: it is shown, not
run, and the reason is required. ``tests/test_docs.py`` runs the blocks; the contributors' page
(``docs/guides/architecture.md``) states the same rules.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: The pages that show the fake from other languages: their Node and grpcurl examples are checked in
#: ``tests/interop/``.
OTHER_LANGUAGE_PAGES = (ROOT / "README.md", DOCS / "guides" / "other-languages.md")

Kind = Literal["script", "pytest", "conftest"]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*(?P<name>[a-z-]+)(?::\s*(?P<reason>.*?))?\s*-->\s*$")
_TEST_FUNCTION = re.compile(r"^(?:async )?def test_\w*\(", re.MULTILINE)
MARKERS = ("not-runnable", "conftest")


@dataclass(frozen=True)
class Block:
    """One Python code block of a page."""

    path: Path
    #: The line of the block's first line of code (1-based), for tracebacks and messages.
    line: int
    code: str
    kind: Kind

    @property
    def where(self) -> str:
        """``docs/guides/testing.md:42``."""
        try:
            shown = self.path.relative_to(ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}"


class MarkerError(ValueError):
    """A runnable-block marker that is misspelt, misplaced or without its reason."""


def pages() -> list[Path]:
    """Every page whose blocks run: README.md, then docs/**/*.md in name order."""
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def blocks(path: Path, text: str | None = None) -> list[Block]:
    """The runnable Python blocks of ``path`` (its ``text``, if given), in page order."""
    found: list[Block] = []
    for line, info, code, marker in _fences(path, text):
        if info in ("python", "py") and marker != "not-runnable":
            kind: Kind = "conftest" if marker == "conftest" else "pytest" if _TEST_FUNCTION.search(code) else "script"
            found.append(Block(path, line, code, kind))
        elif marker is not None and info not in ("python", "py"):
            raise MarkerError(f"{path}:{line - 2}: <!-- {marker} --> stands before a block that is not Python")
    return found


def code_blocks(path: Path, language: str, text: str | None = None) -> list[tuple[int, str]]:
    """The ``(first line, code)`` of every block of ``path`` fenced as ``language`` (e.g. javascript).

    The Node examples run this way in ``tests/interop/test_node.py``.
    """
    return [(line, code) for line, info, code, _ in _fences(path, text) if info == language]


def _fences(path: Path, text: str | None) -> list[tuple[int, str, str, str | None]]:
    """Every fenced block of a page: its first line of code (1-based), info string, dedented code, marker."""
    lines = (path.read_text() if text is None else text).split("\n")
    found: list[tuple[int, str, str, str | None]] = []
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        end = index + 1
        closing = f"{fence.group('indent')}```"
        while end < len(lines) and lines[end].rstrip() != closing:
            end += 1
        if end == len(lines):
            raise MarkerError(f"{path}:{index + 1}: a code block that is never closed")
        code = textwrap.dedent("\n".join(lines[index + 1 : end])) + "\n"
        found.append((index + 2, fence.group("info").strip(), code, _marker_before(path, lines, index)))
        index = end + 1
    return found


def _marker_before(path: Path, lines: list[str], fence: int) -> str | None:
    """The marker on the line before the fence at ``fence`` (index), or None."""
    if fence == 0:
        return None
    match = _MARKER.match(lines[fence - 1])
    if match is None:
        return None
    name, reason = match.group("name"), match.group("reason")
    if name not in MARKERS:
        return None  # an ordinary HTML comment
    if name == "not-runnable" and not reason:
        raise MarkerError(f"{path}:{fence}: <!-- not-runnable: REASON --> needs its reason")
    if name == "conftest" and reason:
        raise MarkerError(f"{path}:{fence}: <!-- conftest --> takes no reason")
    return name
