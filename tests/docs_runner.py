"""Runs a page's script blocks in one process, against one fake: ``python tests/docs_runner.py IN.json OUT.json``.

``IN.json`` lists the blocks (``path``, ``line``, ``code``). Each block runs in a fresh
namespace, as ``__main__``, compiled so that its traceback names the page and the line in the
page. Before the blocks, one :class:`~xai_fake.FakeServer` starts and its ``XAI_*`` variables
go into the environment; it is reset after each block. The network guard is on, so a block that
tries to reach anything but this machine fails at once instead of waiting for a deadline.
``OUT.json`` gets one result per block: ``where`` and, for a block that failed, ``error``
(the traceback).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from xai_fake import FakeServer
from xai_fake.network_guard import ChannelGuard


def run_block(path: str, line: int, code: str) -> str | None:
    """Run one block; its traceback if it failed (an exception, or a non-zero ``sys.exit``), else None."""
    compiled = compile("\n" * (line - 1) + code, path, "exec")
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": path}
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            exec(compiled, namespace)
    except SystemExit as stop:
        if stop.code not in (None, 0):
            return f"{path}:{line}: the block exited with {stop.code!r}\n{output.getvalue()}"
    except BaseException as error:
        frames = error.__traceback__.tb_next if error.__traceback__ is not None else None  # from the block down
        return "".join(traceback.format_exception(type(error), error, frames)) + output.getvalue()
    return None


def run_blocks(blocks: list[dict[str, Any]], *, guard: bool = True) -> list[dict[str, Any]]:
    """Run every block against one fake server; one result per block."""
    channel_guard = ChannelGuard("the documentation tests (tests/docs_runner.py)") if guard else None
    if channel_guard is not None:
        channel_guard.install()
    results = []
    try:
        with FakeServer(seed=3) as fake:
            saved = {name: os.environ.get(name) for name in fake.env()}
            os.environ.update(fake.env())
            try:
                for block in blocks:
                    error = run_block(block["path"], block["line"], block["code"])
                    results.append({"where": f"{block['path']}:{block['line']}", "error": error})
                    fake.reset()
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
    finally:
        if channel_guard is not None:
            channel_guard.uninstall()
    return results


def main(argv: list[str]) -> int:
    """Read the blocks, run them, write the results."""
    source, target = Path(argv[0]), Path(argv[1])
    results = run_blocks(json.loads(source.read_text()))
    target.write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
