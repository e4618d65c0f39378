"""A client made before ``fork()`` refuses to call from the child, saying what to do; one made after works.

The fork happens in a subprocess (never in the test runner, whose threads would be copied
half-way); the fake serves in the test process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from xai_fake import FakeServer

SCRIPT = textwrap.dedent(
    """
    import asyncio, os, sys
    import xai_sdk
    from xai_sdk._fork import ForkedClientError
    from xai_sdk.chat import user

    host, key, flavour = sys.argv[1], sys.argv[2], sys.argv[3]

    def ask(client):
        chat = client.chat.create("grok-4", messages=[user("Hi")])
        if flavour == "sync":
            return chat.sample(timeout=10).content
        return asyncio.run(chat.sample(timeout=10)).content

    def make():
        return (xai_sdk.Client if flavour == "sync" else xai_sdk.AsyncClient)(api_key=key, api_host=host)

    before = make()
    if flavour == "sync":
        assert ask(before), "the parent's client works in the parent"
    pid = os.fork()
    if pid == 0:
        try:
            ask(before)
        except ForkedClientError as error:
            print("REFUSED:", error, flush=True)
        else:
            print("NOT REFUSED", flush=True)
        print("AFTER:", bool(ask(make())), flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("CHILD EXIT:", os.waitstatus_to_exitcode(status), flush=True)
    if flavour == "sync":
        assert ask(before), "and still in the parent after the fork"
        before.close()
    print("PARENT OK", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_client_from_before_fork_is_refused_in_the_child(xai_fake_server: FakeServer, flavour: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, xai_fake_server.address, xai_fake_server.api_key, flavour],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = completed.stdout.splitlines()
    assert completed.returncode == 0, completed.stderr
    refused = next(line for line in lines if line.startswith(("REFUSED", "NOT REFUSED")))
    assert refused.startswith("REFUSED: this xai_sdk client was created before os.fork()")
    assert "Create the client after the fork, in the child" in refused
    assert "GRPC_ENABLE_FORK_SUPPORT=1" in refused
    assert "AFTER: True" in lines, "a client made in the child works"
    assert "CHILD EXIT: 0" in lines
    assert lines[-1] == "PARENT OK"
