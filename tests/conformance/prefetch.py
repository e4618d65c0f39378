"""Build the official SDK's venv, fetch its examples and the JSON-Schema-Test-Suite in the background.

A fresh checkout has none of them cached: building the venv alone takes about 50 s, and every
pytest-xdist worker that reaches a test needing one waits for it on the build's lock. So the
controlling process starts the builds on a daemon thread as the session starts (they take the
same locks as the fixtures, which then find the work done), and the tests that need them are
moved to the end of the run. A build that fails here fails again, with its message, in the fixture.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).parent
#: The tests that need what is built here: the conformance tests, and the JSON-Schema-Test-Suite run.
LATE = (HERE, HERE.parent / "fake" / "schema" / "test_suite.py")


def wanted(config: pytest.Config) -> bool:
    """True in the controlling process of a session whose paths include the conformance tests."""
    if hasattr(config, "workerinput") or getattr(config, "cache", None) is None or config.option.collectonly:
        return False
    for argument in config.args or ["."]:
        path = Path(config.rootpath, argument.split("::")[0]).resolve()
        if any(path == late or path in late.parents or late in path.parents for late in LATE):
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
    suite_cache = cache.mkdir("json-schema-test-suite-4.26.0")

    def build() -> None:
        from tests.conformance.official_examples import dependencies_dir, examples_dir
        from tests.conformance.official_venv import official_venv_python
        from tests.fake.schema.suite import suite_dir

        for step in (lambda: suite_dir(suite_cache), lambda: official_venv_python(venv_cache),
                     lambda: examples_dir(examples_cache), lambda: dependencies_dir(examples_cache)):  # fmt: skip
            with contextlib.suppress(Exception):  # the fixture reports it
                step()

    thread = threading.Thread(target=build, name="xai-conformance-prefetch", daemon=True)
    thread.start()
    return thread


def last(items: list[pytest.Item]) -> None:
    """Move the tests that need the builds to the end, in their order, so the builds have time to finish."""

    def late(item: pytest.Item) -> bool:
        path = Path(str(item.path))
        return any(path == place or place in path.parents for place in LATE)

    moved = [item for item in items if late(item)]
    if moved:
        chosen = set(map(id, moved))
        items[:] = [item for item in items if id(item) not in chosen] + moved
