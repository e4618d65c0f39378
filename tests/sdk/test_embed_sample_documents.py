"""client.embeddings, client.sampler, client.documents and client.stubs through real gRPC against xai_fake.

Every scenario runs twice, on ``xai_sdk.Client`` and on ``xai_sdk.AsyncClient``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest

import xai_sdk
from xai_fake import FakeServer
from xai_sdk import embeddings
from xai_sdk.proto import (
    collections_pb2,
    documents_pb2,
    embed_pb2,
    files_pb2,
    image_pb2,
    models_pb2,
    sample_pb2,
)

IMAGE_URL = "https://example.com/fox.png"
LIBRARY = {
    "refunds.txt": "Refund policy: customers may request a refund within 30 days of purchase.",
    "shipping.txt": "Shipping takes 5 days. Orders ship from our warehouse every weekday.",
}


@pytest.fixture(params=["sync", "async"])
async def client(request: pytest.FixtureRequest, xai_fake_server: FakeServer) -> AsyncIterator[Any]:
    """The blocking client, then the asyncio one, both on the fake."""
    if request.param == "sync":
        with xai_fake_server.client() as sync_client:
            yield sync_client
    else:
        async with xai_fake_server.async_client() as async_client:
            yield async_client


async def done(value: Any) -> Any:
    """The result of a call of either client."""
    return await value if inspect.isawaitable(value) else value


async def collect(stream: Any) -> list[Any]:
    """Every item of a stream of either client."""
    if hasattr(stream, "__aiter__"):
        return [item async for item in stream]
    return list(stream)


async def rpc_error(call: Callable[[], Any]) -> grpc.RpcError:
    """The gRPC error ``call()`` raised, also for streams."""
    with pytest.raises(grpc.RpcError) as caught:
        result = await done(call())
        if hasattr(result, "__aiter__") or hasattr(result, "__next__"):
            await collect(result)
    return caught.value


# -- embeddings ------------------------------------------------------------------------------


async def test_embed_texts_and_images(client: Any, xai_fake_server: FakeServer) -> None:
    response = await done(
        client.embeddings.embed(["a red fox", embeddings.image(IMAGE_URL, detail="low")], "embedding-v1", user="u-7")
    )
    assert isinstance(response, embeddings.EmbeddingResponse)
    assert (response.model, len(response)) == ("v1", 2)
    assert (response.usage.num_text_embeddings, response.usage.num_image_embeddings) == (1, 1)
    assert response.id and response.system_fingerprint
    vectors = response.vectors
    assert [len(v) for v in vectors] == [64, 64]
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-5) for v in vectors)
    assert vectors[0] != vectors[1]
    sent = xai_fake_server.requests.last("Embedder/Embed")
    assert isinstance(sent, embed_pb2.EmbedRequest)
    assert (sent.model, sent.user, sent.encoding_format) == ("embedding-v1", "u-7", embed_pb2.FORMAT_FLOAT)
    assert sent.input[0].string == "a red fox"
    assert sent.input[1].image_url == image_pb2.ImageUrlContent(image_url=IMAGE_URL, detail=image_pb2.DETAIL_LOW)


async def test_embed_base64_decodes_to_the_same_vectors(client: Any) -> None:
    floats = await done(client.embeddings.embed("same input", "v1"))
    packed = await done(client.embeddings.embed([embeddings.text("same input")], "v1", encoding_format="base64"))
    assert packed.proto.embeddings[0].embeddings[0].base64_array
    assert len(packed.vectors[0]) == 64
    assert packed.vectors[0] == pytest.approx(floats.vectors[0], abs=1e-6)  # float32 on the wire


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([], "v1"), {}, "inputs is empty"),
        (("x", ""), {}, "model is required"),
        (("x", "v1"), {"encoding_format": "hex"}, "Invalid encoding_format"),
        (([b"bytes"], "v1"), {}, r"inputs\[0\] is a bytes"),
    ],
)
async def test_embed_rejects_bad_arguments(
    client: Any, args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await done(client.embeddings.embed(*args, **kwargs))


async def test_embed_errors_are_grpc_errors(client: Any) -> None:
    error = await rpc_error(lambda: client.embeddings.embed("x", "no-such-embedder"))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(ValueError, match="Invalid image detail"):
        embeddings.image(IMAGE_URL, detail="ultra")  # type: ignore[arg-type]


# -- sampler ---------------------------------------------------------------------------------


async def test_sample_sends_every_option(client: Any, xai_fake_server: FakeServer) -> None:
    response = await done(
        client.sampler.sample(
            "Once upon a time", "grok-3-mini-latest", n=2, max_tokens=20, seed=4, stop=["\n\n"], temperature=0.3,
            top_p=0.8, frequency_penalty=0.1, presence_penalty=0.2, logprobs=True, top_logprobs=3, user="u-1",
        )
    )  # fmt: skip
    sent = xai_fake_server.requests.last("Sample/SampleText")
    assert isinstance(sent, sample_pb2.SampleTextRequest)
    expected = sample_pb2.SampleTextRequest(
        prompt=["Once upon a time"], model="grok-3-mini-latest", n=2, max_tokens=20, seed=4, stop=["\n\n"],
        temperature=0.3, top_p=0.8, frequency_penalty=0.1, presence_penalty=0.2, logprobs=True, top_logprobs=3,
        user="u-1",
    )  # fmt: skip
    assert sent == expected
    assert response.model == "grok-3-mini"
    assert len(response.texts) == 2 and response.text == response.texts[0] != ""
    assert response.finish_reason in {"REASON_STOP", "REASON_MAX_LEN"}
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0
    assert response.created.tzinfo is not None


async def test_sample_leaves_unset_options_to_the_server(client: Any, xai_fake_server: FakeServer) -> None:
    await done(client.sampler.sample(["one", "two"], "grok-3-mini"))
    sent: Any = xai_fake_server.requests.last("Sample/SampleText")
    assert list(sent.prompt) == ["one", "two"]
    assert not any(sent.HasField(f) for f in ("n", "max_tokens", "seed", "temperature", "top_p", "top_logprobs"))


async def test_stream_accumulates_to_the_unary_answer(client: Any) -> None:
    whole = await done(client.sampler.sample("Tell me a story", "grok-3-mini", max_tokens=30, seed=1))
    pairs = await collect(client.sampler.stream("Tell me a story", "grok-3-mini", max_tokens=30, seed=1))
    assert len(pairs) > 2
    final, _ = pairs[-1]
    assert all(so_far is final for so_far, _ in pairs)  # one growing response
    assert "".join(chunk.text for _, chunk in pairs) == final.text == whole.text
    assert final.finish_reason == whole.finish_reason
    assert final.usage == whole.usage and final.id


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt": "x", "model": ""}, "model is required"),
        ({"prompt": [], "model": "grok-3"}, "prompt must be a string"),
        ({"prompt": "x", "model": "grok-3", "stop": "\n"}, "stop must be a list"),
        ({"prompt": "x", "model": "grok-3", "n": 0}, "n must be at least 1"),
    ],
)
async def test_sampler_rejects_bad_arguments(client: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await done(client.sampler.sample(**kwargs))
    with pytest.raises(ValueError, match=message):
        await collect(client.sampler.stream(**kwargs))


async def test_sampler_errors_are_grpc_errors(client: Any, xai_fake_server: FakeServer) -> None:
    assert (await rpc_error(lambda: client.sampler.sample("x", "nope"))).code() == grpc.StatusCode.NOT_FOUND
    xai_fake_server.fault(grpc.StatusCode.UNAVAILABLE, "gone", method="Sample/SampleTextStreaming", after_chunks=1)
    error = await rpc_error(lambda: client.sampler.stream("x", "grok-3-mini", max_tokens=40))
    assert error.code() == grpc.StatusCode.UNAVAILABLE


# -- documents -------------------------------------------------------------------------------


@pytest.fixture
def collection_id(xai_fake_server: FakeServer) -> str:
    """A collection holding LIBRARY, made with the raw stubs of ``client.stubs``."""
    with xai_fake_server.client() as setup:
        stubs = setup.stubs
        created = stubs.collections.CreateCollection(
            collections_pb2.CreateCollectionRequest(collection_name="help"), **stubs.management_kwargs()
        )
        for name, text in LIBRARY.items():
            chunks = [
                files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name=name)),
                files_pb2.UploadFileChunk(data=text.encode()),
            ]
            file = stubs.files.UploadFile(iter(chunks), **stubs.kwargs())
            stubs.collections.AddDocumentToCollection(
                collections_pb2.AddDocumentToCollectionRequest(collection_id=created.collection_id, file_id=file.id),
                **stubs.management_kwargs(timeout=5),
            )
        return str(created.collection_id)


async def test_documents_search(client: Any, xai_fake_server: FakeServer, collection_id: str) -> None:
    response = await done(client.documents.search("refund within 30 days", [collection_id], limit=1))
    assert isinstance(response, documents_pb2.SearchResponse)
    assert len(response.matches) == 1
    assert "Refund policy" in response.matches[0].chunk_content
    assert list(response.matches[0].collection_ids) == [collection_id]
    sent: Any = xai_fake_server.requests.last("Documents/Search")
    assert (sent.limit, sent.HasField("instructions"), sent.WhichOneof("retrieval_mode")) == (1, False, None)

    await done(client.documents.search("ship", [collection_id], instructions="be brief", retrieval_mode="keyword"))
    sent = xai_fake_server.requests.last("Documents/Search")
    assert (sent.instructions, sent.WhichOneof("retrieval_mode"), sent.HasField("limit")) == (
        "be brief",
        "keyword_retrieval",
        False,
    )
    hybrid = documents_pb2.HybridRetrieval(search_multiplier=3)
    await done(client.documents.search("ship", [collection_id], retrieval_mode=hybrid))
    assert xai_fake_server.requests.last("Documents/Search") == documents_pb2.SearchRequest(
        query="ship", source=documents_pb2.DocumentsSource(collection_ids=[collection_id]), hybrid_retrieval=hybrid
    )


async def test_documents_search_errors(client: Any) -> None:
    with pytest.raises(ValueError, match="collection_ids must be a list"):
        await done(client.documents.search("x", "collection-1"))
    with pytest.raises(ValueError, match="Unsupported retrieval_mode"):
        await done(client.documents.search("x", ["c"], retrieval_mode="fuzzy"))
    error = await rpc_error(lambda: client.documents.search("refund", ["no-such-collection"]))
    assert error.code() == grpc.StatusCode.NOT_FOUND


# -- raw stubs -------------------------------------------------------------------------------


async def test_stubs_call_any_rpc_with_the_clients_metadata(client: Any, xai_fake_server: FakeServer) -> None:
    stubs = client.stubs
    assert stubs.models is stubs.models  # created once
    response = await done(stubs.models.GetLanguageModel(models_pb2.GetModelRequest(name="grok-3"), **stubs.kwargs()))
    assert response.name == "grok-3"
    assert xai_fake_server.requests.of("Models/GetLanguageModel")[-1].metadata["xai-sdk-version"].startswith("python/")
    request = sample_pb2.SampleTextRequest(prompt=["Hi"], model="grok-3-mini", max_tokens=5)
    chunks = await collect(stubs.sample.SampleTextStreaming(request, **stubs.kwargs(timeout=5)))
    assert chunks[-1].usage.completion_tokens > 0
    assert stubs.kwargs(timeout=3)["timeout"] == 3


def test_stubs_without_a_management_key(xai_fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XAI_MANAGEMENT_KEY")
    with xai_sdk.Client(api_host=xai_fake_server.address) as no_management:
        with pytest.raises(ValueError, match="management API key"):
            no_management.stubs.collections  # noqa: B018
        with pytest.raises(ValueError, match="management API key"):
            no_management.stubs.management_kwargs()
        assert no_management.stubs.chat is not None
