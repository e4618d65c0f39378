"""The pytest plugin, exercised in separate pytest runs with pytester."""

from __future__ import annotations

import pytest

TEST_FILE = """
import os
import grpc
import pytest
from google.protobuf import empty_pb2
from xai_sdk.proto import chat_pb2, models_pb2_grpc

PORTS = []

def call(fake):
    with grpc.insecure_channel(os.environ["XAI_API_HOST"]) as channel:
        stub = models_pb2_grpc.ModelsStub(channel)
        key = os.environ["XAI_API_KEY"]
        return stub.ListLanguageModels(empty_pb2.Empty(), metadata=[("authorization", "Bearer " + key)])

@pytest.mark.parametrize("round", range(3))
def test_one_server_reset_per_test(xai_fake_server, round):
    PORTS.append(xai_fake_server.address)
    assert len(xai_fake_server.requests) == 0, "the log must be empty at the start of every test"
    xai_fake_server.script("Chat/GetCompletion").respond(chat_pb2.GetChatCompletionResponse(id="x"))
    assert call(xai_fake_server).models
    assert xai_fake_server.requests.count() == 1
    assert len(set(PORTS)) == 1

async def test_works_in_async_tests(xai_fake_server):
    import grpc.aio
    async with grpc.aio.insecure_channel(xai_fake_server.address) as channel:
        stub = models_pb2_grpc.ModelsStub(channel)
        response = await stub.ListLanguageModels(
            empty_pb2.Empty(), metadata=[("authorization", "Bearer k")]
        )
    assert response.models
    assert xai_fake_server.seed == int(os.environ.get("EXPECTED_SEED", "0"))
"""


def test_fixture_shares_one_server_and_resets_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_uses_fake=TEST_FILE)
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=4)


def test_seed_option(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_uses_fake=TEST_FILE)
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    monkeypatch.setenv("EXPECTED_SEED", "5")
    result = pytester.runpytest_subprocess("-q", "--xai-fake-seed=5", "-k", "async")
    result.assert_outcomes(passed=1)
    assert "xai-fake-seed" in pytester.runpytest_subprocess("--help").stdout.str()


def test_each_xdist_worker_gets_its_own_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_workers="""
import os, pytest

@pytest.mark.parametrize("i", range(6))
def test_worker(xai_fake_server, i):
    with open(f"addr-{os.environ['PYTEST_XDIST_WORKER']}-{i}", "w") as f:
        f.write(xai_fake_server.address)
"""
    )
    result = pytester.runpytest_subprocess("-q", "-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=6)
    by_worker: dict[str, set[str]] = {}
    for path in pytester.path.glob("addr-*"):
        by_worker.setdefault(path.name.split("-")[1], set()).add(path.read_text())
    assert len(by_worker) == 2
    assert all(len(addresses) == 1 for addresses in by_worker.values())
    assert len(set.union(*by_worker.values())) == 2
