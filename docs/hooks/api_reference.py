"""A mkdocs hook: the API reference pages, one per package, generated from its ``__all__``.

``reference/xai_sdk.md`` and ``reference/xai_fake.md`` are not files in ``docs/``: they are
made at build time with one mkdocstrings ``:::`` block per name of the package's ``__all__``,
in that order, so the reference lists exactly the public surface and cannot drift from it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # mkdocs is imported by the build only: tests/test_docs.py loads this module without it
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

#: The packages with a reference page, and what each page says first (Markdown, links relative to the page).
PACKAGES = {
    "xai_sdk": (
        "The client. Its arguments are explained in [Client settings](../guides/getting-started.md#client-settings); "
        "the rest of the SDK (`xai_sdk.chat`, `xai_sdk.tools`, `xai_sdk.search`, ...) keeps the official SDK's "
        "module paths, and the [guides](../guides/getting-started.md) show it."
    ),
    "xai_fake": (
        "The fake server and what tests script it with; the [testing guide](../guides/testing.md) shows them at "
        "work. The pytest plugin is described in the [pytest reference](pytest.md), cassettes in "
        "[Cassettes](../guides/cassettes.md)."
    ),
}
#: Names documented as a value (their docstring is the package's), not as an object of their own.
VALUES = frozenset({"__version__"})


def public_names(package: str) -> list[str]:
    """The package's ``__all__``, in its order."""
    return list(importlib.import_module(package).__all__)


def _value(package: str, name: str) -> str:
    value = getattr(importlib.import_module(package), name)
    return f"## `{name}`\n\n`{package}.{name}` is `{value!r}`.\n"


def reference_page(package: str) -> str:
    """The Markdown of one package's reference page."""
    names = public_names(package)
    listed = ", ".join(f"`{name}`" for name in names)
    lines = [f"# `{package}`\n", f"{PACKAGES[package]}\n", f"The public names, `{package}.__all__`: {listed}.\n"]
    for name in names:
        lines.append(_value(package, name) if name in VALUES else f"::: {package}.{name}\n")
    return "\n".join(lines)


def reference_path(package: str) -> str:
    """Where the package's page is in the site's sources."""
    return f"reference/{package}.md"


def on_files(files: Files, *, config: MkDocsConfig, **kwargs: Any) -> Files:
    """Add the generated reference pages to the site."""
    from mkdocs.structure.files import File

    for package in PACKAGES:
        files.append(File.generated(config, reference_path(package), content=reference_page(package)))
    return files
