"""xai_sdk.Client / AsyncClient: settings, environment, metadata, timeouts, retries, channel modes."""

from __future__ import annotations

import json
import time

import grpc
import pytest

import xai_sdk
from xai_fake import FakeServer
from xai_sdk._channel import DEFAULT_CHANNEL_OPTIONS, channel_mode, is_local
from xai_sdk.chat import user


def test_a_missing_key_is_a_clear_value_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XAI_API_KEY", raising=False)
    with pytest.raises(ValueError, match="XAI_API_KEY"):
        xai_sdk.Client()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": -1}, "timeout must be a positive number"),
        ({"metadata": (("only-key",),)}, "metadata must be"),
    ],
)
def test_bad_settings_are_value_errors(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=message):
        xai_sdk.Client(api_key="k", api_host="localhost:1", **kwargs)


def test_environment_points_the_client_at_the_fake(xai_fake_server: FakeServer) -> None:
    # The xai_fake_server fixture sets XAI_API_HOST, XAI_API_KEY, ...
    with xai_sdk.Client() as client:
        assert client._config.api.target == xai_fake_server.address
        assert client._config.api.mode == "local"
        assert client._config.management is not None
        assert client.chat.create("grok-4", messages=[user("hi")]).sample().content


def test_explicit_host_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XAI_API_HOST", "localhost:1")
    client = xai_sdk.Client(api_key="k", api_host="api.example.com")
    assert (client._config.api.target, client._config.api.mode) == ("api.example.com", "secure")
    client.close()


def test_user_channel_options_replace_defaults_of_the_same_name() -> None:
    client = xai_sdk.Client(api_key="k", api_host="localhost:1", channel_options=[("grpc.enable_retries", 0), ("x", 1)])
    options = dict(client._config.api.options)
    client.close()
    assert options["grpc.enable_retries"] == 0
    assert options["x"] == 1
    assert [name for name, _ in client._config.api.options].count("grpc.enable_retries") == 1
    defaults = dict(DEFAULT_CHANNEL_OPTIONS)
    assert defaults["grpc.max_receive_message_length"] == 20 * 1024 * 1024
    assert (defaults["grpc.keepalive_time_ms"], defaults["grpc.keepalive_timeout_ms"]) == (30_000, 10_000)
    assert defaults["grpc.primary_user_agent"] == f"XaiSdk/{xai_sdk.__version__}"
    policy = json.loads(defaults["grpc.service_config"])["methodConfig"][0]["retryPolicy"]
    assert policy == {
        "maxAttempts": 5,
        "initialBackoff": "0.1s",
        "maxBackoff": "1s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"],
    }


@pytest.mark.parametrize(
    ("target", "insecure", "mode"),
    [
        ("api.x.ai", False, "secure"),
        ("api.x.ai:443", True, "insecure"),
        ("localhost:5000", False, "local"),
        ("127.0.0.1:5000", False, "local"),
        ("[::1]:5000", False, "local"),
        ("unix:/tmp/xai.sock", False, "local"),
        ("10.0.0.1:5000", False, "secure"),
    ],
)
def test_channel_mode(target: str, insecure: bool, mode: str) -> None:
    assert channel_mode(target, insecure) == mode
    assert is_local(target) == (mode == "local" or (insecure and target.startswith("localhost")))


def test_every_call_carries_key_sdk_identity_and_user_metadata(xai_fake_server: FakeServer) -> None:
    with xai_fake_server.client(metadata=(("x-team", "blue"),)) as client:
        client.chat.create("grok-4", messages=[user("hi")]).sample()
    metadata = xai_fake_server.requests.of("Chat/GetCompletion")[0].metadata
    assert metadata["authorization"] == "<redacted>"
    assert metadata["xai-sdk-version"] == f"python/{xai_sdk.__version__}"
    assert metadata["xai-sdk-language"].startswith("python/3.")
    assert metadata["x-team"] == "blue"
    assert metadata["user-agent"].startswith(f"XaiSdk/{xai_sdk.__version__}")


def test_a_wrong_key_is_unauthenticated() -> None:
    with FakeServer(api_keys={"right-key-000000"}) as fake, fake.client(api_key="wrong-key") as client:
        with pytest.raises(grpc.RpcError) as info:
            client.chat.create("grok-4", messages=[user("hi")]).sample()
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "wrong-key" not in str(info.value)


@pytest.mark.parametrize("where", ["client", "call"])
@pytest.mark.parametrize("streaming", [False, True])
def test_timeouts_give_deadline_exceeded_in_about_the_timeout(
    xai_fake_server: FakeServer, where: str, streaming: bool
) -> None:
    xai_fake_server.fault(delay=5.0, service="Chat")
    client_timeout, call_timeout = (0.4, None) if where == "client" else (None, 0.4)
    with xai_fake_server.client(timeout=client_timeout) as client:
        chat = client.chat.create("grok-4", messages=[user("hi")])
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as info:
            if streaming:
                list(chat.stream(timeout=call_timeout))
            else:
                chat.sample(timeout=call_timeout)
        elapsed = time.monotonic() - started
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert 0.4 <= elapsed < 0.4 * 1.2 + 0.1


@pytest.mark.parametrize(("failures", "succeeds"), [(4, True), (5, False)])
def test_default_retry_policy_absorbs_up_to_four_unavailable(
    xai_fake_server: FakeServer, failures: int, succeeds: bool
) -> None:
    xai_fake_server.fault(grpc.StatusCode.UNAVAILABLE, times=failures, method="Chat/GetCompletion")
    with xai_fake_server.client() as client:
        chat = client.chat.create("grok-4", messages=[user("hi")])
        if succeeds:
            assert chat.sample().content
        else:
            with pytest.raises(grpc.RpcError) as info:
                chat.sample()
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    assert xai_fake_server.requests.count("Chat/GetCompletion") == min(failures + 1, 5)


def test_retries_can_be_disabled_or_replaced(xai_fake_server: FakeServer) -> None:
    xai_fake_server.fault(grpc.StatusCode.UNAVAILABLE, times=1, method="Chat/GetCompletion")
    with xai_fake_server.client(channel_options=[("grpc.enable_retries", 0)]) as client:
        with pytest.raises(grpc.RpcError) as info:
            client.chat.create("grok-4", messages=[user("hi")]).sample()
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    assert xai_fake_server.requests.count("Chat/GetCompletion") == 1
    policy = {
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 2,
                    "initialBackoff": "0.01s",
                    "maxBackoff": "0.01s",
                    "backoffMultiplier": 1,
                    "retryableStatusCodes": ["RESOURCE_EXHAUSTED"],
                },
            }
        ]
    }
    xai_fake_server.reset()
    xai_fake_server.fault(grpc.StatusCode.RESOURCE_EXHAUSTED, times=3, method="Chat/GetCompletion")
    with xai_fake_server.client(channel_options=[("grpc.service_config", json.dumps(policy))]) as client:
        with pytest.raises(grpc.RpcError) as info:
            client.chat.create("grok-4", messages=[user("hi")]).sample()
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert xai_fake_server.requests.count("Chat/GetCompletion") == 2


async def test_async_client_metadata_timeout_and_retries(xai_fake_server: FakeServer) -> None:
    xai_fake_server.fault(grpc.StatusCode.UNAVAILABLE, times=2, method="Chat/GetCompletionChunk")
    async with xai_fake_server.async_client(metadata=(("x-team", "red"),)) as client:
        chat = client.chat.create("grok-4", messages=[user("hi")])
        pieces = [chunk.content async for _, chunk in chat.stream()]
        assert "".join(pieces)
        xai_fake_server.fault(delay=5.0, method="Chat/GetCompletion")
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await chat.sample(timeout=0.3)
        assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert xai_fake_server.requests.count("Chat/GetCompletionChunk") == 3
    assert xai_fake_server.requests.of("Chat/GetCompletionChunk")[-1].metadata["x-team"] == "red"


def test_insecure_mode_and_unix_sockets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    socket = tmp_path / "fake.sock"
    with FakeServer(unix_socket=str(socket)) as fake:
        for kwargs in ({"api_host": f"unix:{socket}"}, {"api_host": fake.address, "use_insecure_channel": True}):
            with fake.client(**kwargs) as client:
                assert client.chat.create("grok-4", messages=[user("hi")]).sample().content
        assert fake.requests.count("Chat/GetCompletion") == 2


def test_import_is_light() -> None:
    import subprocess
    import sys

    heavy = "('pydantic', 'opentelemetry', 'httpx', 'grpc', 'xai_sdk.proto.chat_pb2')"
    code = f"import sys, xai_sdk; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
    code = (
        "import sys; from xai_sdk import Client; from xai_sdk.chat import user;"
        " print([m for m in ('pydantic', 'opentelemetry', 'httpx') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
