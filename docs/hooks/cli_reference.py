"""A mkdocs hook: the command line reference, rendered from ``xai_fake.cli.build_parser()`` at build time.

``reference/cli.md`` holds a hand-written introduction and the marker :data:`MARKER`; the hook
replaces the marker with every command and subcommand of the ``xai-fake`` parser: its
description, its usage line and a table of its arguments. The page therefore says what the
parser accepts, and a new option shows up without anyone editing the page.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # mkdocs is imported by the build only: tests/test_docs.py loads this module without it
    from mkdocs.structure.pages import Page

PAGE = "reference/cli.md"
MARKER = "<!-- xai-fake command line reference -->"
#: The width usage lines are wrapped at, so the page does not depend on the terminal of the build.
WIDTH = "80"
USAGE = "usage: "


def subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """``(help, parser)`` of each subcommand of ``parser``, in the order they were added."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    yield helps.get(name, ""), sub


def _text(text: str) -> str:
    """Help text as Markdown: ``*`` (as in ``XAI_*``) stays a character, not emphasis."""
    return text.replace("*", "\\*")


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|").replace("\n", " ")


def _argument(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"`{action.metavar or action.dest}`"
    takes_value = action.nargs != 0
    metavar = action.metavar or action.dest.upper()
    names = [f"`{option} {metavar}`" if takes_value else f"`{option}`" for option in action.option_strings]
    return ", ".join(names)


def _arguments_table(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        help_text = action.help or ""
        if help_text == argparse.SUPPRESS:
            continue
        if "%(" in help_text:
            help_text = help_text % {**vars(action), "prog": parser.prog}
        if action.option_strings and action.required:
            help_text = f"required; {help_text}"
        if isinstance(action, argparse._AppendAction):
            help_text += " (repeatable)" if "repeatable" not in help_text else ""
        rows.append(f"| {_argument(action)} | {_cell(help_text)} |")
    if not rows:
        return []
    return ["| argument | what it does |", "| --- | --- |", *rows, ""]


def render(parser: argparse.ArgumentParser, *, summary: str = "", level: int = 2) -> str:
    """The Markdown of ``parser`` and, below it, of each of its subcommands."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        usage = parser.format_usage().rstrip()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    # argparse indents continuation lines under the text after "usage: ", which the page leaves out.
    usage = "\n".join(line.removeprefix(" " * len(USAGE)) for line in usage.removeprefix(USAGE).split("\n"))
    lines = [f"{'#' * level} `{parser.prog}`", ""]
    description = parser.description or summary
    if description:
        sentence = description[0].upper() + description[1:] + ("" if description.endswith(".") else ".")
        lines += [_text(sentence), ""]
    lines += ["```text", usage, "```", ""]
    lines += _arguments_table(parser)
    for help_text, sub in subcommands(parser):
        lines.append(render(sub, summary=help_text, level=min(level + 1, 6)))
    return "\n".join(lines)


def reference() -> str:
    """The whole generated part of the page."""
    from xai_fake.cli import build_parser

    return render(build_parser())


def on_page_markdown(markdown: str, *, page: Page, **kwargs: Any) -> str:
    """Put the rendered parser where the marker is on the command line page."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        from mkdocs.exceptions import PluginError

        raise PluginError(f"{PAGE} lost its marker {MARKER!r}: the command line reference has nowhere to go")
    return markdown.replace(MARKER, reference())
