"""grpcurl, a client that knows the API only through server reflection, against an in-process fake.

Runs in the default suite when grpcurl is on PATH; skips otherwise (it is a Go binary that this
machine's package sources do not offer).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from xai_fake import FakeServer

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
