"""A Node client, with @grpc/grpc-js and @grpc/proto-loader from the npm registry, against ``xai-fake serve``.

The Node script (``node/interop.mjs``) loads every ``.proto`` that ``xai-fake protos --copy-to``
copies, with only that folder on the include path, then uses the control API to script a reply
and a fault, calls Chat and Models, reads the request log, checks session isolation and resets.
npm installs into a temporary copy of ``node/``: no ``node_modules`` is left in the checkout.
Deselected by default (it needs node, npm and the registry); ``.ci/run`` runs
``python -m pytest -m interop -n 0 tests/interop``.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import grpc
import pytest

from tests.docs_blocks import OTHER_LANGUAGE_PAGES, code_blocks
from xai_fake.control import CONTROL_TOKEN_HEADER
from xai_fake.control._proto import control_pb2, control_pb2_grpc

pytestmark = pytest.mark.interop

ROOT = Path(__file__).resolve().parents[2]
NODE_PROJECT = Path(__file__).resolve().parent / "node"
XAI_FAKE = [sys.executable, "-m", "xai_fake"]
EXPORTS = ("XAI_API_HOST", "XAI_API_KEY", "XAI_FAKE_CONTROL_TOKEN")
READY_TIMEOUT = 60.0
NPM_TIMEOUT = 300.0
NODE_TIMEOUT = 120.0


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if path is None)
        pytest.skip(f"{missing} not installed: the Node interop test needs Node.js and npm (apt-get install npm)")
    return node, npm


def _lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)  # end of output: the server exited


@contextmanager
def _serve(log: Path) -> Iterator[dict[str, str]]:
    """Run ``xai-fake serve --port 0``; its export lines as a dict once it prints the control token.

    The server's stderr goes to ``log``; it is stopped with SIGTERM, always, and must stop cleanly.
    """
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [*XAI_FAKE, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1
        )
    try:
        assert proc.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
        exports: dict[str, str] = {}
        deadline = time.monotonic() + READY_TIMEOUT
        while "XAI_FAKE_CONTROL_TOKEN" not in exports:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                pytest.fail(f"xai-fake serve printed no control token in {READY_TIMEOUT:.0f} s: {log.read_text()}")
            if line is None:
                pytest.fail(f"xai-fake serve exited ({proc.wait()}) before it was ready: {log.read_text()}")
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                exports[name] = value.strip("'")
        yield exports
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"xai-fake serve did not stop within 30 s of SIGTERM: {log.read_text()}")
        if proc.stdout is not None:
            proc.stdout.close()
    assert code == 0, f"xai-fake serve exited {code} on SIGTERM: {log.read_text()}"


def test_a_node_client_loads_the_protos_and_drives_the_fake_through_the_control_api(tmp_path: Path) -> None:
    node, npm = _tools()
    project = tmp_path / "node"
    shutil.copytree(NODE_PROJECT, project, ignore=shutil.ignore_patterns("node_modules"))
    # `npm ci`: exactly the committed lockfile's versions (and integrity hashes), or a failure if
    # package.json and the lockfile disagree.
    install = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=project, capture_output=True, text=True, timeout=NPM_TIMEOUT
    )
    assert install.returncode == 0, f"npm ci failed ({install.returncode}):\n{install.stdout}\n{install.stderr}"

    # The folder a client in another language gets, away from the checkout: only it is on the include path.
    protos = tmp_path / "protos"
    copied = subprocess.run([*XAI_FAKE, "protos", "--copy-to", str(protos)], capture_output=True, text=True, timeout=60)
    assert copied.returncode == 0, copied.stderr
    count = len(list(protos.rglob("*.proto")))
    assert count == len(list((ROOT / "protos").rglob("*.proto"))) > 0

    with _serve(tmp_path / "serve.log") as exports:
        assert set(EXPORTS) <= set(exports), exports
        env = {**os.environ, **{name: exports[name] for name in EXPORTS}, "XAI_FAKE_PROTOS": str(protos)}
        result = subprocess.run(
            [node, "interop.mjs"], cwd=project, env=env, capture_output=True, text=True, timeout=NODE_TIMEOUT
        )
        examples = _run_documented_examples(node, project, env, exports)
    report = f"node interop.mjs exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, report
    assert f"loaded all {count} .proto files" in result.stdout, report
    assert "checks passed" in result.stdout, report
    assert "FAILED" not in result.stdout + result.stderr, report
    assert examples == [], "\n\n".join(examples)


def _run_documented_examples(node: str, project: Path, env: dict[str, str], exports: dict[str, str]) -> list[str]:
    """Run every ```javascript block of the other-language pages, each on a freshly reset server; the failures.

    Each example scripts "Hello from Node" and prints the answer.
    """
    pages = OTHER_LANGUAGE_PAGES
    found = [(page, line, code) for page in pages for line, code in code_blocks(page, "javascript")]
    assert {page for page, _, _ in found} == set(pages), "a page lost its Node example"
    failures: list[str] = []
    token = [(CONTROL_TOKEN_HEADER, exports["XAI_FAKE_CONTROL_TOKEN"])]
    with grpc.insecure_channel(exports["XAI_API_HOST"]) as channel:
        control = control_pb2_grpc.ControlStub(channel)
        for page, line, code in found:
            control.Reset(control_pb2.ResetRequest(), metadata=token, timeout=10)
            where = f"{page.relative_to(ROOT)}:{line}"
            script = project / f"example_{page.stem}_{line}.cjs"  # CommonJS, as the examples are written
            script.write_text(code)
            ran = subprocess.run(
                [node, script.name], cwd=project, env=env, capture_output=True, text=True, timeout=NODE_TIMEOUT
            )
            if ran.returncode != 0 or ran.stdout.strip() != "Hello from Node":
                failures.append(f"{where} exited {ran.returncode}:\n{ran.stdout}\n{ran.stderr}")
    return failures
