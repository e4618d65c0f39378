"""client.models, client.tokenize and client.auth through real gRPC against xai_fake.

Every scenario runs twice, on ``xai_sdk.Client`` and on ``xai_sdk.AsyncClient``.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest

from xai_fake import FakeServer
from xai_fake.defaults.models import EMBEDDING_MODELS, IMAGE_MODELS, LANGUAGE_MODELS
from xai_sdk.proto import auth_pb2, models_pb2, tokenize_pb2


@pytest.fixture(params=["sync", "async"])
async def client(request: pytest.FixtureRequest, xai_fake_server: FakeServer) -> AsyncIterator[Any]:
    """The blocking client, then the asyncio one, both on the fake."""
    if request.param == "sync":
        with xai_fake_server.client(metadata=(("x-trace", "t-1"),)) as sync_client:
            yield sync_client
    else:
        async with xai_fake_server.async_client(metadata=(("x-trace", "t-1"),)) as async_client:
            yield async_client


async def done(value: Any) -> Any:
    """The result of a call of either client."""
    return await value if inspect.isawaitable(value) else value


async def rpc_error(call: Callable[[], Any]) -> grpc.RpcError:
    """The gRPC error ``call()`` raised (``AioRpcError`` is an ``RpcError`` too)."""
    with pytest.raises(grpc.RpcError) as caught:
        await done(call())
    return caught.value


CATALOGUE = [
    ("language", LANGUAGE_MODELS, models_pb2.LanguageModel),
    ("embedding", EMBEDDING_MODELS, models_pb2.EmbeddingModel),
    ("image_generation", IMAGE_MODELS, models_pb2.ImageGenerationModel),
]


@pytest.mark.parametrize(("kind", "expected", "message_type"), CATALOGUE)
async def test_list_models_returns_the_catalogue(
    client: Any, xai_fake_server: FakeServer, kind: str, expected: list[Any], message_type: type
) -> None:
    models = await done(getattr(client.models, f"list_{kind}_models")())
    assert list(models) == expected
    assert all(type(model) is message_type for model in models)
    call = xai_fake_server.requests.calls[-1]
    assert "authorization" in call.metadata  # the fake logs it redacted
    assert call.metadata["x-trace"] == "t-1"


@pytest.mark.parametrize(("kind", "expected", "message_type"), CATALOGUE)
async def test_get_model_by_name_and_alias(
    client: Any, xai_fake_server: FakeServer, kind: str, expected: list[Any], message_type: type
) -> None:
    get = getattr(client.models, f"get_{kind}_model")
    model = expected[-1]
    assert await done(get(model.name)) == model
    assert await done(get(model.aliases[0])) == model
    method = f"Models/Get{kind.title().replace('_', '')}Model"
    assert xai_fake_server.requests.requests(method) == [
        models_pb2.GetModelRequest(name=model.name),
        models_pb2.GetModelRequest(name=model.aliases[0]),
    ]
    error = await rpc_error(lambda: get("no-such-model"))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert "no-such-model" in (error.details() or "")


async def test_timeout_overrides_the_client_deadline(client: Any, xai_fake_server: FakeServer) -> None:
    xai_fake_server.fault(delay=0.2, method="Models/ListLanguageModels")
    error = await rpc_error(lambda: client.models.list_language_models(timeout=0.02))
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert list(await done(client.models.list_embedding_models(timeout=5))) == EMBEDDING_MODELS


@pytest.mark.parametrize("text", ["Hello, world! 1234567", "naïve café — ünïcödé ✓", ""])
async def test_tokenize_text_round_trips(client: Any, xai_fake_server: FakeServer, text: str) -> None:
    tokens = await done(client.tokenize.tokenize_text(text, "grok-4"))
    assert all(type(token) is tokenize_pb2.Token for token in tokens)
    assert b"".join(token.token_bytes for token in tokens) == text.encode()
    assert "".join(token.string_token for token in tokens) == text
    assert len({token.token_id for token in tokens if token.string_token == "l"}) <= 1
    assert xai_fake_server.requests.last("Tokenize/TokenizeText") == tokenize_pb2.TokenizeTextRequest(
        text=text, model="grok-4"
    )


async def test_tokenize_text_is_deterministic_and_checks_the_model(client: Any) -> None:
    first = await done(client.tokenize.tokenize_text("the cat and the hat and the bat", model="grok-3-mini"))
    again = await done(client.tokenize.tokenize_text("the cat and the hat and the bat", model="grok-3-mini-latest"))
    assert [t.token_id for t in first] == [t.token_id for t in again]
    assert first[1].string_token == " cat"
    assert first[3].token_id == first[6].token_id != first[0].token_id  # " the" twice; "the" differs
    error = await rpc_error(lambda: client.tokenize.tokenize_text("hi", model="gpt-nothing"))
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_get_api_key_info_describes_the_clients_key(client: Any, xai_fake_server: FakeServer) -> None:
    info = await done(client.auth.get_api_key_info())
    assert type(info) is auth_pb2.ApiKey
    key = xai_fake_server.api_key
    assert info.redacted_api_key == f"{key[:3]}...{key[-4:]}"
    assert info.team_id and info.user_id and info.api_key_id
    assert not (info.api_key_blocked or info.team_blocked or info.disabled)
    assert xai_fake_server.requests.of("Auth/get_api_key_info")[-1].metadata["x-trace"] == "t-1"
    assert await done(client.auth.get_api_key_info(timeout=5)) == info


async def test_the_key_sent_is_the_clients(xai_fake_server: FakeServer) -> None:
    with xai_fake_server.client(api_key="xai-another-key-9876") as sync_client:
        assert sync_client.auth.get_api_key_info().redacted_api_key == "xai...9876"
    async with xai_fake_server.async_client(api_key="xai-third-key-5555") as async_client:
        assert (await async_client.auth.get_api_key_info()).redacted_api_key == "xai...5555"
