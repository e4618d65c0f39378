"""Defaults for Models, Tokenize, Auth, Sample and Embedder, sync and async."""

from __future__ import annotations

import base64
import struct

import grpc
import pytest
from google.protobuf import empty_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

from xai_fake.defaults import tokens
from xai_sdk.proto import (
    auth_pb2_grpc,
    embed_pb2,
    embed_pb2_grpc,
    image_pb2,
    models_pb2,
    models_pb2_grpc,
    sample_pb2,
    sample_pb2_grpc,
    tokenize_pb2,
    tokenize_pb2_grpc,
)


def test_model_catalogue_lists_and_gets_by_name_or_alias(channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    stub = models_pb2_grpc.ModelsStub(channel)
    language = stub.ListLanguageModels(empty_pb2.Empty(), metadata=md).models
    assert {"grok-4", "grok-3-mini"} <= {m.name for m in language}
    assert all(m.completion_text_token_price > 0 and models_pb2.TEXT in m.input_modalities for m in language)
    assert stub.GetLanguageModel(models_pb2.GetModelRequest(name="grok-4-latest"), metadata=md).name == "grok-4"
    assert stub.ListImageGenerationModels(empty_pb2.Empty(), metadata=md).models[0].image_price > 0
    with pytest.raises(grpc.RpcError) as info:
        stub.GetEmbeddingModel(models_pb2.GetModelRequest(name="nope"), metadata=md)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    assert "'nope' does not exist" in info.value.details()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text())
def test_tokens_concatenate_back_to_any_input(text: str) -> None:
    assert "".join(tokens.split(text)) == text


async def test_tokenize_returns_bytes_that_rebuild_the_input(aio_channel: grpc.aio.Channel, md) -> None:  # type: ignore[no-untyped-def]
    text = "Héllo, wörld! 12345 — ok"
    stub = tokenize_pb2_grpc.TokenizeStub(aio_channel)
    result = await stub.TokenizeText(tokenize_pb2.TokenizeTextRequest(text=text, model="grok-4"), metadata=md)
    assert b"".join(t.token_bytes for t in result.tokens).decode() == text
    assert result.model == "grok-4"
    assert all(t.string_token.encode() == t.token_bytes for t in result.tokens)


def test_api_key_info_is_redacted(channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    info = auth_pb2_grpc.AuthStub(channel).get_api_key_info(empty_pb2.Empty(), metadata=md)
    assert info.redacted_api_key.startswith("xai...")
    assert info.api_key_id
    assert info.team_id
    assert md[0][1].split()[1] not in str(info)


@pytest.mark.parametrize("streaming", [False, True])
def test_sample_text_unary_and_streaming_agree(channel: grpc.Channel, md, streaming: bool) -> None:  # type: ignore[no-untyped-def]
    stub = sample_pb2_grpc.SampleStub(channel)
    request = sample_pb2.SampleTextRequest(prompt=["Once upon a time"], model="grok-3", n=2, max_tokens=8)
    whole = stub.SampleText(request, metadata=md)
    if streaming:
        chunks = list(stub.SampleTextStreaming(request, metadata=md))
        texts = ["".join(c.choices[0].text for c in chunks if c.choices and c.choices[0].index == i) for i in (0, 1)]
        assert texts == [c.text for c in whole.choices]
        assert chunks[-1].usage == whole.usage
    else:
        assert [c.finish_reason for c in whole.choices] == [sample_pb2.REASON_MAX_LEN] * 2
        assert whole.usage.completion_tokens == 16


async def test_embeddings_are_deterministic_unit_vectors(aio_channel: grpc.aio.Channel, md) -> None:  # type: ignore[no-untyped-def]
    stub = embed_pb2_grpc.EmbedderStub(aio_channel)
    inputs = [embed_pb2.EmbedInput(string="alpha"), embed_pb2.EmbedInput(string="beta")]
    first = await stub.Embed(embed_pb2.EmbedRequest(input=inputs, model="v1"), metadata=md)
    again = await stub.Embed(embed_pb2.EmbedRequest(input=inputs[:1], model="v1"), metadata=md)
    vectors = [list(e.embeddings[0].float_array) for e in first.embeddings]
    assert len(vectors[0]) == 64
    assert vectors[0] != vectors[1]
    assert list(again.embeddings[0].embeddings[0].float_array) == vectors[0]
    assert abs(sum(v * v for v in vectors[0]) - 1.0) < 1e-4
    assert first.usage.num_text_embeddings == 2
    b64 = await stub.Embed(
        embed_pb2.EmbedRequest(input=inputs[:1], model="v1", encoding_format=embed_pb2.FORMAT_BASE64), metadata=md
    )
    decoded = struct.unpack("<64f", base64.b64decode(b64.embeddings[0].embeddings[0].base64_array))
    assert [round(v, 5) for v in decoded] == [round(v, 5) for v in vectors[0]]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            embed_pb2.EmbedRequest(
                input=[embed_pb2.EmbedInput(string="a")],
                model="v1",
                encoding_format=5,  # type: ignore[arg-type]
            ),
            "encoding_format has no value 5; use one of FORMAT_INVALID, FORMAT_FLOAT, FORMAT_BASE64",
        ),
        (
            embed_pb2.EmbedRequest(
                input=[
                    embed_pb2.EmbedInput(string="a"),
                    embed_pb2.EmbedInput(
                        image_url=image_pb2.ImageUrlContent(image_url="https://x.test/a.png", detail=9)
                    ),  # type: ignore[arg-type]
                ],
                model="v1",
            ),
            "input[1].image_url.detail has no value 9; use one of DETAIL_INVALID, DETAIL_AUTO, DETAIL_LOW, DETAIL_HIGH",
        ),
    ],
)
def test_embed_refuses_unknown_enum_values(
    channel: grpc.Channel, md, request_: embed_pb2.EmbedRequest, message: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as info:
        embed_pb2_grpc.EmbedderStub(channel).Embed(request_, metadata=md)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details() == message
