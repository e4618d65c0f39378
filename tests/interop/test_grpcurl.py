"""grpcurl, a client that knows the API only through server reflection, against an in-process fake.

The live test runs in the default suite when grpcurl is on PATH and skips otherwise (it is a Go
binary that this machine's package sources do not offer). The documented grpcurl commands (README
and the other-languages guide) are checked without it: each names a method the fake serves, sends
a body that its request type parses, and carries the header the method needs.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from google.protobuf import json_format, message_factory
from google.protobuf.message import Message

from tests.docs_blocks import OTHER_LANGUAGE_PAGES, ROOT, code_blocks
from xai_fake import FakeServer
from xai_fake.control import CONTROL_TOKEN_HEADER
from xai_fake.control._proto import control_pb2
from xai_fake.methods import resolve_method

# The 12 services of the xAI API (collections.proto's package is `collections`).
API_SERVICES = {
    "xai_api.Auth", "xai_api.BatchMgmt", "xai_api.Chat", "xai_api.Documents", "xai_api.Embedder", "xai_api.Files",
    "xai_api.Image", "xai_api.Models", "xai_api.Sample", "xai_api.Tokenize", "xai_api.Video", "collections.Collections",
}  # fmt: skip


@pytest.fixture
def grpcurl() -> str:
    path = shutil.which("grpcurl")
    if path is None:
        pytest.skip("grpcurl is not installed; this machine's package sources do not offer it")
    return path


def _run(*argv: str) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_grpcurl_lists_the_api_services_and_calls_one_through_reflection(grpcurl: str) -> None:
    with FakeServer() as fake:
        listed = set(_run(grpcurl, "-plaintext", fake.address, "list").split())
        assert listed >= API_SERVICES, f"missing from `grpcurl list`: {sorted(API_SERVICES - listed)}"
        answer = _run(
            grpcurl, "-plaintext", "-d", "{}", "-H", "authorization: Bearer x", fake.address,
            "xai_api.Models/ListLanguageModels",
        )  # fmt: skip
    models = json.loads(answer)["models"]
    assert models, answer
    assert all(model["name"] for model in models), answer


# -- the documented grpcurl calls, checked without grpcurl ------------------------------------

HEADER_OF = {"xai_fake.control.v1.Control": CONTROL_TOKEN_HEADER}  # every other service: the API key


def _commands(page: Path) -> list[tuple[int, list[str]]]:
    """Each ``grpcurl`` command of the page's bash blocks, continuation lines joined, split as a shell would."""
    found = []
    for first, code in code_blocks(page, "bash"):
        start, command = first, ""
        for number, text in enumerate(code.split("\n"), start=first):
            start = start if command else number
            command += text.removesuffix("\\") + " "
            if text.endswith("\\"):
                continue
            if command.strip().startswith("grpcurl "):
                found.append((start, shlex.split(command, comments=True)))
            command = ""
    return found


def _request_class(symbol: str) -> type[Message]:
    service, _, method = symbol.partition("/")
    if service in HEADER_OF:
        descriptor = control_pb2.DESCRIPTOR.services_by_name[service.rpartition(".")[2]].methods_by_name[method]
        return message_factory.GetMessageClass(descriptor.input_type)
    return resolve_method(symbol).request_type


def test_the_documented_grpcurl_calls_name_real_methods_send_valid_json_and_the_right_key() -> None:
    """What grpcurl would be given: an existing method, a body its request type parses, the header it needs."""
    calls = [(page, line, argv) for page in OTHER_LANGUAGE_PAGES for line, argv in _commands(page)]
    assert {page for page, _, _ in calls} == set(OTHER_LANGUAGE_PAGES), "a page lost its grpcurl example"
    for page, line, argv in calls:
        where = f"{page.relative_to(ROOT)}:{line}"
        assert argv[1] == "-plaintext", f"{where}: the fake serves plaintext unless given tls="
        if "list" in argv or "describe" in argv:
            continue
        symbol = argv[-1]
        try:
            request_class = _request_class(symbol)
        except (KeyError, ValueError) as error:
            raise AssertionError(f"{where}: {symbol} is not a method the fake serves ({error})") from None
        body = argv[argv.index("-d") + 1] if "-d" in argv else "{}"
        try:
            json_format.Parse(body, request_class())
        except json_format.ParseError as error:
            raise AssertionError(f"{where}: {body} is not a {request_class.DESCRIPTOR.full_name}: {error}") from None
        headers = [argv[i + 1].partition(":")[0].lower() for i, arg in enumerate(argv) if arg == "-H"]
        needed = HEADER_OF.get(symbol.partition("/")[0], "authorization")
        assert needed in headers, f"{where}: {symbol} needs the {needed} header"
