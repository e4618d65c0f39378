"""Build the official SDK's venv and fetch its examples in the background, while other tests run.

A fresh checkout has none of them cached: building the venv alone takes about 50 s, and every
pytest-xdist worker that reaches a conformance test waits for it on the build's lock. So the
controlling process starts the builds on a daemon thread as the session starts (they take the
same locks as the fixtures, which then find the work done), and the conformance tests are moved
to the end of the run. A build that fails here fails again, with its message, in the fixture.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def wanted(config: pytest.Config) -> bool:
    """True in the controlling process of a session whose paths include the conformance tests."""
    if hasattr(config, "workerinput") or config.cache is None or config.option.collectonly:
        return False
    for argument in config.args or ["."]:
        path = Path(config.rootpath, argument.split("::")[0]).resolve()
        if path == HERE or path in HERE.parents or HERE in path.parents:
            return True
    return False


def start(config: pytest.Config) -> threading.Thread | None:
    """Start the builds on a daemon thread (None when this session needs none of them)."""
    if not wanted(config):
        return None
    cache = config.cache
    assert cache is not None
    venv_cache = cache.mkdir("official-xai-sdk-venv")
    examples_cache = cache.mkdir("official-xai-sdk-1.21.0-examples")

    def build() -> None:
        from tests.conformance.official_examples import dependencies_dir, examples_dir
        from tests.conformance.official_venv import official_venv_python

        for step in (lambda: official_venv_python(venv_cache), lambda: examples_dir(examples_cache),
                     lambda: dependencies_dir(examples_cache)):  # fmt: skip
            with contextlib.suppress(Exception):  # the fixture reports it
                step()

    thread = threading.Thread(target=build, name="xai-conformance-prefetch", daemon=True)
    thread.start()
    return thread


def last(items: list[pytest.Item]) -> None:
    """Move the conformance tests to the end, in their order, so the builds have time to finish."""
    conformance = [item for item in items if HERE in Path(str(item.path)).parents]
    if conformance:
        chosen = set(map(id, conformance))
        items[:] = [item for item in items if id(item) not in chosen] + conformance
