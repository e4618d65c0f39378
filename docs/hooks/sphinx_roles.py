"""A griffe extension: the Sphinx markup of the project's docstrings, as Markdown for mkdocstrings.

The docstrings are written for reading in an editor and with ``help()``, in Google style with
Sphinx roles. This extension rewrites, once the package is loaded:

- roles (``:class:`, ``:meth:``, ``:func:``, ``:attr:``, ``:data:``, ``:mod:``, ``:exc:``,
  ``:obj:``, ``:const:``, with ``~`` and ``title <target>``) into optional cross-references:
  a link when the target is on the site, plain code otherwise (never a build warning). Relative
  targets are looked up as Sphinx does: in the object, then in each enclosing class and module.
- reStructuredText literal blocks (a paragraph ending in ``::`` and an indented block) into
  fenced Python code.

``mkdocs.yml`` loads it with ``extensions: [docs/hooks/sphinx_roles.py:SphinxRoles]``.
"""

from __future__ import annotations

import html
import re
import textwrap
from typing import Any

import griffe

#: ``:role:`target``` or ``:role:`title <target>```, ``~`` shortening the shown name.
ROLE = re.compile(r":(?:py:)?(class|meth|func|attr|data|mod|exc|obj|const):`([^`]+)`")
#: Roles Sphinx shows with ``()``.
CALLABLE_ROLES = frozenset({"meth", "func"})
_TITLED = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$")


def resolve(target: str, obj: griffe.Object, collection: Any) -> str:
    """The canonical path ``target`` names in the docstring of ``obj`` (``target`` itself if found nowhere).

    Canonical, because mkdocstrings registers the place an object is defined as an anchor of
    its page too: ``xai_sdk.sync.client.Client`` leads to ``xai_sdk.Client``.
    """
    target = target.lstrip(".")
    scope: griffe.Object | None = obj
    while scope is not None:
        found = _canonical(collection, f"{scope.path}.{target}")
        if found is not None:
            return found
        scope = scope.parent
    return _canonical(collection, target) or target


def _canonical(collection: Any, path: str) -> str | None:
    """Where the object at ``path`` is defined (imports followed), or None if nothing loaded is there."""
    try:
        return str(collection[path].canonical_path)
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def role_to_markdown(match: re.Match[str], obj: griffe.Object, collection: Any) -> str:
    """One role as an optional autorefs cross-reference around its shown name, in code."""
    role, text = match.group(1), match.group(2).strip()
    titled = _TITLED.match(text)
    if titled:
        title, target = titled.group("title"), titled.group("target").strip()
    else:
        short = text.startswith("~")
        target = text.lstrip("~")
        title = target.rsplit(".", 1)[-1] if short else target
        if role in CALLABLE_ROLES:
            title += "()"
    identifier = resolve(target, obj, collection)
    shown = html.escape(title, quote=False)
    return f'<autoref identifier="{html.escape(identifier)}" optional><code>{shown}</code></autoref>'


def literal_blocks_to_fences(text: str) -> str:
    """reST ``paragraph::`` + indented block into ``paragraph:`` + a fenced Python block."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.rstrip()
        following = index + 1 < len(lines) and not lines[index + 1].strip()
        if stripped.endswith("::") and following:
            block_start = index + 2
            indent = len(line) - len(line.lstrip())
            end = block_start
            while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > indent):
                end += 1
            while end > block_start and not lines[end - 1].strip():
                end -= 1
            if end > block_start:
                lead = stripped[:-2].rstrip()
                if lead:
                    out.append(lead + (":" if not stripped.endswith(" ::") else ""))
                    out.append("")
                body = textwrap.dedent("\n".join(lines[block_start:end]))
                out.extend([" " * indent + "```python", *textwrap.indent(body, " " * indent).split("\n")])
                out.append(" " * indent + "```")
                index = end
                continue
        out.append(line)
        index += 1
    return "\n".join(out)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def to_markdown(text: str, obj: griffe.Object, collection: Any) -> str:
    """A docstring's text with its Sphinx markup rewritten (see the module docstring)."""
    text = literal_blocks_to_fences(text)
    return ROLE.sub(lambda match: role_to_markdown(match, obj, collection), text)


class SphinxRoles(griffe.Extension):
    """Rewrites the Sphinx markup of every docstring of a loaded package into Markdown."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite the docstrings of ``pkg`` and of everything it defines."""
        collection = loader.modules_collection
        pending: list[griffe.Object] = [pkg]
        while pending:
            obj = pending.pop()
            if obj.docstring is not None:
                obj.docstring.value = to_markdown(obj.docstring.value, obj, collection)
            pending.extend(member for member in obj.members.values() if not member.is_alias)
