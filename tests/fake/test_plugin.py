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
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")  # in this process: a subprocess costs a second more
    result.assert_outcomes(passed=4)


def test_seed_option(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_uses_fake=TEST_FILE)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    monkeypatch.setenv("EXPECTED_SEED", "5")
    result = pytester.runpytest("-q", "-p", "no:cacheprovider", "--xai-fake-seed=5", "-k", "async")
    result.assert_outcomes(passed=1)
    assert "xai-fake-seed" in pytester.runpytest("-p", "no:cacheprovider", "--help").stdout.str()


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


TRAPS = """
import grpc
import pytest
from xai_fake import FakeServer
from xai_sdk.chat import tool, tool_result, user
from xai_sdk.proto import chat_pb2

WEATHER = tool("get_weather", "The weather in a city", {"type": "object", "properties": {"city": {"type": "string"}}})


def test_tool_call_then_reply(xai_fake_server, xai_client):
    xai_fake_server.chat.tool_call("get_weather", {"city": "Paris"})
    xai_fake_server.chat.reply("Sunny in Paris.")
    chat = xai_client.chat.create("grok-4", messages=[user("Weather in Paris?")], tools=[WEATHER])
    first = chat.sample()
    assert first.tool_calls[0].function.name == "get_weather"
    chat.append(first)
    chat.append(tool_result("sunny", first.tool_calls[0].id))
    assert chat.sample().content == "Sunny in Paris."
    assert chat.sample().content == "Sunny in Paris.", "the last step repeats"


def test_a_raw_response_without_role(xai_fake_server, xai_client):
    message = chat_pb2.CompletionMessage(content="raw answer")
    xai_fake_server.script("Chat/GetCompletion").respond(
        chat_pb2.GetChatCompletionResponse(outputs=[chat_pb2.CompletionOutput(message=message)])
    )
    assert xai_client.chat.create("grok-4", messages=[user("Hi")]).sample().content == "raw answer"


def test_the_readme_chaos_shows_failures(xai_fake_server, xai_client):
    xai_fake_server.chaos(0.1, seed=7)
    failures = 0
    for _ in range(30):
        try:
            xai_client.chat.create("grok-4", messages=[user("Hi")]).sample()
        except grpc.RpcError:
            failures += 1
    assert failures > 0


async def test_a_blocking_client_of_a_server_in_this_loop_fails_fast():
    async with FakeServer() as fake:
        with pytest.raises(RuntimeError, match="async_client"):
            client = fake.client(timeout=1)  # before the fix: the call blocked the loop until its deadline
            client.models.list_language_models()


def test_closes_its_client(xai_client):
    with xai_client as client:  # as the README suggests for clients
        assert client.chat.create("grok-4", messages=[user("Hi")]).sample().content


def test_a_later_test_still_has_a_working_client(xai_client):
    assert xai_client.chat.create("grok-4", messages=[user("Hi")]).sample().content
"""


def test_the_traps_a_new_user_falls_into(pytester: pytest.Pytester) -> None:
    """One pytest run (in this process) over the README-driven traps of issue 14; each test names its trap."""
    pytester.makepyfile(test_traps=TRAPS)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    reports = [r for r in result.reprec.getreports("pytest_runtest_logreport") if r.when == "call"]
    failed = {r.nodeid.rpartition("::")[2]: str(r.longrepr)[-600:] for r in reports if not r.passed}
    assert sorted(failed) == [], "\n\n".join(failed.values())
    assert len(reports) == 6
    # Failing fast means at once, not at the 1 s deadline the blocked call would have waited for.
    misuse = next(r for r in reports if "fails_fast" in r.nodeid)
    assert misuse.duration < 0.9
