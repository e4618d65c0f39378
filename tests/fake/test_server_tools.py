"""Server-side tools in the default chat: typed calls, tool outputs, usage, citations, images, streams."""

from __future__ import annotations

import base64
import json
import zlib
from collections import Counter
from typing import Any

import grpc
import pytest

from xai_fake import FakeServer
from xai_fake.defaults.png import SIGNATURE
from xai_sdk.proto import (
    chat_pb2,
    chat_pb2_grpc,
    collections_pb2,
    collections_pb2_grpc,
    files_pb2,
    files_pb2_grpc,
    sample_pb2,
    usage_pb2,
)

WEB = chat_pb2.Tool(web_search=chat_pb2.WebSearch())
X = chat_pb2.Tool(x_search=chat_pb2.XSearch())
CODE = chat_pb2.Tool(code_execution=chat_pb2.CodeExecution())
IMAGE = chat_pb2.Tool(image_generation=chat_pb2.ImageGeneration())


def request(*tools: chat_pb2.Tool, text: str = "Who won the match?", **fields: Any) -> chat_pb2.GetCompletionsRequest:
    return chat_pb2.GetCompletionsRequest(
        model=fields.pop("model", "grok-4.20"),
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text=text)])],
        tools=list(tools),
        **fields,
    )


@pytest.fixture
def chat(fake: FakeServer, channel: grpc.Channel) -> chat_pb2_grpc.ChatStub:
    """A Chat stub on a freshly reset fake (no script of an earlier test left)."""
    return chat_pb2_grpc.ChatStub(channel)


def assistant(response: Any) -> list[Any]:
    return [o for o in response.outputs if o.message.role == chat_pb2.ROLE_ASSISTANT]


def tool_outputs(response: Any) -> list[Any]:
    return [o for o in response.outputs if o.message.role == chat_pb2.ROLE_TOOL]


def calls(response: Any) -> list[chat_pb2.ToolCall]:
    return [c for o in assistant(response) for c in o.message.tool_calls]


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert data.endswith(b"IEND\xaeB`\x82")
    start = data.index(b"IDAT") + 4
    length = int.from_bytes(data[start - 8 : start - 4], "big")
    assert len(zlib.decompress(data[start : start + length])) == height * (1 + 3 * width)
    return width, height


def test_search_and_code_calls_precede_the_answer_with_usage_and_citations(chat, md) -> None:  # type: ignore[no-untyped-def]
    include = [chat_pb2.INCLUDE_OPTION_CODE_EXECUTION_CALL_OUTPUT]
    response = chat.GetCompletion(request(WEB, X, CODE, include=include), metadata=md)
    assert [o.index for o in response.outputs] == list(range(len(response.outputs)))
    final = response.outputs[-1]
    assert final.message.role == chat_pb2.ROLE_ASSISTANT
    assert final.message.content
    assert final.finish_reason == sample_pb2.REASON_STOP
    assert not final.message.tool_calls
    made = calls(response)
    assert [(c.type, c.function.name) for c in made] == [
        (chat_pb2.TOOL_CALL_TYPE_WEB_SEARCH_TOOL, "web_search"),
        (chat_pb2.TOOL_CALL_TYPE_WEB_SEARCH_TOOL, "browse_page"),
        (chat_pb2.TOOL_CALL_TYPE_X_SEARCH_TOOL, "x_keyword_search"),
        (chat_pb2.TOOL_CALL_TYPE_CODE_EXECUTION_TOOL, "code_execution"),
    ]
    assert all(c.status == chat_pb2.TOOL_CALL_STATUS_COMPLETED and c.id.startswith("call_") for c in made)
    assert json.loads(made[0].function.arguments)["query"] == "Who won the match?"
    # Only code execution's output was asked for; it echoes its call and carries stdout.
    (output,) = tool_outputs(response)
    assert list(output.message.tool_calls) == [made[3]]
    code = json.loads(made[3].function.arguments)["code"]
    a, b = (int(v) for v in code.split("=")[1].split("\n")[0].split(","))
    assert json.loads(output.message.content)["stdout"] == f"{a * b}\n"
    used = Counter(response.usage.server_side_tools_used)
    assert used == {
        usage_pb2.SERVER_SIDE_TOOL_WEB_SEARCH: 2,
        usage_pb2.SERVER_SIDE_TOOL_X_SEARCH: 1,
        usage_pb2.SERVER_SIDE_TOOL_CODE_EXECUTION: 1,
    }
    citations = list(response.citations)
    assert len(citations) == response.usage.num_sources_used == 6
    assert all(url.startswith("https://") for url in citations)
    assert sum(url.startswith("https://x.com/") for url in citations) == 3
    usage = response.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens + usage.reasoning_tokens
    assert usage.cost_in_usd_ticks > 4 * 50_000_000
    again = chat.GetCompletion(request(WEB, X, CODE, include=include), metadata=md)
    assert list(again.citations) == citations
    assert calls(again)[0].id == made[0].id


def test_include_options_return_each_tools_output(chat, md) -> None:  # type: ignore[no-untyped-def]
    assert not tool_outputs(chat.GetCompletion(request(WEB, X), metadata=md))
    include = [chat_pb2.INCLUDE_OPTION_WEB_SEARCH_CALL_OUTPUT, chat_pb2.INCLUDE_OPTION_X_SEARCH_CALL_OUTPUT]
    response = chat.GetCompletion(request(WEB, X, include=include), metadata=md)
    outputs = tool_outputs(response)
    assert [o.message.tool_calls[0].function.name for o in outputs] == ["web_search", "browse_page", "x_keyword_search"]
    results = json.loads(outputs[0].message.content)["results"]
    posts = json.loads(outputs[2].message.content)["posts"]
    assert [r["url"] for r in results] + [p["url"] for p in posts] == list(response.citations)


def test_tool_settings_shape_the_calls(chat, md) -> None:  # type: ignore[no-untyped-def]
    web = chat_pb2.Tool(web_search=chat_pb2.WebSearch(allowed_domains=["arsenal.com"]))
    x = chat_pb2.Tool(x_search=chat_pb2.XSearch(allowed_x_handles=["Arsenal"]))
    mcp = chat_pb2.Tool(
        mcp=chat_pb2.MCP(server_url="https://mcp.example.com", server_label="wiki", allowed_tool_names=["ask"])
    )
    response = chat.GetCompletion(request(web, x, mcp, include=[chat_pb2.INCLUDE_OPTION_MCP_CALL_OUTPUT]), metadata=md)
    assert all(url.startswith(("https://arsenal.com/", "https://x.com/Arsenal/status/")) for url in response.citations)
    (mcp_call,) = [c for c in calls(response) if c.type == chat_pb2.TOOL_CALL_TYPE_MCP_TOOL]
    assert mcp_call.function.name == "wiki.ask"
    assert usage_pb2.SERVER_SIDE_TOOL_MCP in response.usage.server_side_tools_used
    assert json.loads(tool_outputs(response)[0].message.content)["content"][0]["type"] == "text"
    with pytest.raises(grpc.RpcError) as error:
        chat.GetCompletion(request(WEB, n=2), metadata=md)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_inline_citations_point_into_the_answer(chat, md) -> None:  # type: ignore[no-untyped-def]
    response = chat.GetCompletion(request(WEB, X, include=[chat_pb2.INCLUDE_OPTION_INLINE_CITATIONS]), metadata=md)
    final = response.outputs[-1].message
    assert [c.id for c in final.citations] == [str(i) for i in range(1, 7)]
    for citation, url in zip(final.citations, response.citations, strict=True):
        assert final.content[citation.start_index : citation.end_index] == f"[[{citation.id}]]({url})"
        kind = "x_citation" if url.startswith("https://x.com/") else "web_citation"
        assert citation.WhichOneof("citation") == kind
        assert getattr(citation, kind).url == url


def test_collections_search_cites_the_collections_documents(channel, chat, md, mgmt_md) -> None:  # type: ignore[no-untyped-def]
    files = files_pb2_grpc.FilesStub(channel)
    uploaded = files.UploadFile(
        iter(
            [
                files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name="notes.txt")),
                files_pb2.UploadFileChunk(data=b"Tesla produced many vehicles in 2024."),
            ]
        ),
        metadata=md,
    )
    collections = collections_pb2_grpc.CollectionsStub(channel)
    collection = collections.CreateCollection(
        collections_pb2.CreateCollectionRequest(collection_name="docs"), metadata=mgmt_md
    )
    collections.AddDocumentToCollection(
        collections_pb2.AddDocumentToCollectionRequest(collection_id=collection.collection_id, file_id=uploaded.id),
        metadata=mgmt_md,
    )
    tool = chat_pb2.Tool(collections_search=chat_pb2.CollectionsSearch(collection_ids=[collection.collection_id]))
    include = [chat_pb2.INCLUDE_OPTION_COLLECTIONS_SEARCH_CALL_OUTPUT]
    response = chat.GetCompletion(request(tool, include=include), metadata=md)
    assert calls(response)[0].type == chat_pb2.TOOL_CALL_TYPE_COLLECTIONS_SEARCH_TOOL
    assert list(response.citations) == [f"collections://{collection.collection_id}/files/{uploaded.id}"]
    assert "Tesla produced" in tool_outputs(response)[0].message.content
    assert list(response.usage.server_side_tools_used) == [usage_pb2.SERVER_SIDE_TOOL_COLLECTIONS_SEARCH]


def test_collections_search_reads_the_collections_typed_state_which_reset_forgets(
    channel: grpc.Channel, chat: chat_pb2_grpc.ChatStub, md: Any, mgmt_md: Any, fake: FakeServer
) -> None:
    chunks = [
        files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name="kept.txt")),
        files_pb2.UploadFileChunk(data=b"Quokkas live on Rottnest Island."),
    ]
    uploaded = files_pb2_grpc.FilesStub(channel).UploadFile(iter(chunks), metadata=md)
    collections = collections_pb2_grpc.CollectionsStub(channel)
    collection_id = collections.CreateCollection(
        collections_pb2.CreateCollectionRequest(collection_name="animals"), metadata=mgmt_md
    ).collection_id
    collections.AddDocumentToCollection(
        collections_pb2.AddDocumentToCollectionRequest(collection_id=collection_id, file_id=uploaded.id),
        metadata=mgmt_md,
    )
    tool = chat_pb2.Tool(collections_search=chat_pb2.CollectionsSearch(collection_ids=[collection_id]))
    ask = request(tool, include=[chat_pb2.INCLUDE_OPTION_COLLECTIONS_SEARCH_CALL_OUTPUT])
    before = chat.GetCompletion(ask, metadata=md)
    assert list(before.citations) == [f"collections://{collection_id}/files/{uploaded.id}"]
    assert "Quokkas" in tool_outputs(before)[0].message.content

    fake.reset()
    after = chat.GetCompletion(ask, metadata=md)
    assert after.citations
    assert all(url.startswith(f"collections://{collection_id}/files/") for url in after.citations)
    assert f"collections://{collection_id}/files/{uploaded.id}" not in after.citations
    assert "Quokkas" not in tool_outputs(after)[0].message.content


def test_image_generation_returns_a_real_png_envelope(chat, md) -> None:  # type: ignore[no-untyped-def]
    response = chat.GetCompletion(request(IMAGE, text="a corgi surfing", model="grok-4.5"), metadata=md)
    (call,) = calls(response)
    assert call.type == chat_pb2.TOOL_CALL_TYPE_IMAGE_GENERATION_TOOL
    assert call.status == chat_pb2.TOOL_CALL_STATUS_COMPLETED
    assert call.function.name == "imagine_text_to_image"
    assert json.loads(call.function.arguments) == {"prompt": "a corgi surfing"}
    (output,) = tool_outputs(response)
    assert output.message.tool_calls[0] == call
    envelope = json.loads(output.message.content)
    assert envelope["__type"] == "image_generation_result"
    assert envelope["image_uuid"]
    prefix, encoded = envelope["result"].split("base64,", 1)
    assert prefix == "data:image/png;"
    assert png_size(base64.b64decode(encoded)) == (64, 64)
    assert list(response.usage.server_side_tools_used) == [usage_pb2.SERVER_SIDE_TOOL_IMAGE_GENERATION]
    assert response.usage.prompt_image_tokens > 0
    assert response.outputs[-1].message.content
    # A follow-up that holds the generated image edits it.
    follow = request(IMAGE, text="make it night", model="grok-4.5")
    follow.messages.insert(
        0, chat_pb2.Message(role=chat_pb2.ROLE_TOOL, content=[chat_pb2.Content(text=json.dumps(envelope))])
    )
    assert calls(chat.GetCompletion(follow, metadata=md))[0].function.name == "imagine_image_to_image"


def test_client_side_function_after_server_tools_then_the_result_turn(chat, md) -> None:  # type: ignore[no-untyped-def]
    weather = chat_pb2.Tool(function=chat_pb2.Function(name="get_weather", parameters='{"type": "object"}'))
    response = chat.GetCompletion(request(WEB, weather), metadata=md)
    final = response.outputs[-1]
    assert final.finish_reason == sample_pb2.REASON_TOOL_CALLS
    assert [c.type for c in calls(response)] == [chat_pb2.TOOL_CALL_TYPE_WEB_SEARCH_TOOL] * 2 + [
        chat_pb2.TOOL_CALL_TYPE_CLIENT_SIDE_TOOL
    ]
    follow = request(WEB, weather)
    follow.messages.append(chat_pb2.Message(role=chat_pb2.ROLE_TOOL, content=[chat_pb2.Content(text="sunny")]))
    answer = chat.GetCompletion(follow, metadata=md)
    assert len(answer.outputs) == 1
    assert answer.outputs[0].message.content
    assert not answer.usage.server_side_tools_used


def reassemble(chunks: list[chat_pb2.GetChatCompletionChunk]) -> chat_pb2.GetChatCompletionResponse:
    """Fold chunks the way the official client does: per index, role and finish reason from each delta."""
    response = chat_pb2.GetChatCompletionResponse()
    for chunk in chunks:
        response.usage.CopyFrom(chunk.usage)
        response.citations.extend(chunk.citations)
        for part in chunk.outputs:
            while len(response.outputs) <= part.index:
                response.outputs.add()
            output = response.outputs[part.index]
            output.index = part.index
            output.message.role = part.delta.role
            output.message.content += part.delta.content
            output.message.reasoning_content += part.delta.reasoning_content
            output.message.tool_calls.extend(part.delta.tool_calls)
            output.message.citations.extend(part.delta.citations)
            output.finish_reason = part.finish_reason
    return response


def test_stream_carries_calls_outputs_and_citations(chat, md) -> None:  # type: ignore[no-untyped-def]
    include = [
        chat_pb2.INCLUDE_OPTION_VERBOSE_STREAMING,
        chat_pb2.INCLUDE_OPTION_CODE_EXECUTION_CALL_OUTPUT,
        chat_pb2.INCLUDE_OPTION_INLINE_CITATIONS,
    ]
    # grok-4.3 takes a reasoning_effort (https://docs.x.ai/developers/model-capabilities/text/reasoning).
    req = request(WEB, CODE, IMAGE, include=include, reasoning_effort=chat_pb2.EFFORT_LOW, model="grok-4.3")
    whole = chat.GetCompletion(req, metadata=md)
    chunks = list(chat.GetCompletionChunk(req, metadata=md))
    # A tool's result arrives in one chunk together with its completed call.
    results = [o for c in chunks for o in c.outputs if o.delta.role == chat_pb2.ROLE_TOOL and o.delta.content]
    assert [o.delta.tool_calls[0].type for o in results] == [
        chat_pb2.TOOL_CALL_TYPE_CODE_EXECUTION_TOOL,
        chat_pb2.TOOL_CALL_TYPE_IMAGE_GENERATION_TOOL,
    ]
    folded = reassemble(chunks)
    assert [(o.index, o.message.role, o.finish_reason) for o in folded.outputs] == [
        (o.index, o.message.role, o.finish_reason) for o in whole.outputs
    ]
    assert [o.message.content for o in folded.outputs] == [o.message.content for o in whole.outputs]
    # Verbose streaming shows each server-side call as the loop makes it, IN_PROGRESS; COMPLETED
    # arrives with its result (a ROLE_TOOL output, when include asks for it), as the real API streams.
    assert {c.status for c in calls(folded)} == {chat_pb2.TOOL_CALL_STATUS_IN_PROGRESS}
    assert [c.status for c in calls(whole)] == [chat_pb2.TOOL_CALL_STATUS_COMPLETED] * len(calls(whole))
    for call in calls(folded):
        call.status = chat_pb2.TOOL_CALL_STATUS_COMPLETED
    assert calls(folded) == calls(whole)
    assert folded.outputs[-1].message.reasoning_content == whole.outputs[-1].message.reasoning_content != ""
    assert list(folded.outputs[-1].message.citations) == list(whole.outputs[-1].message.citations)
    assert list(folded.citations) == list(whole.citations)
    assert folded.usage.server_side_tools_used == whole.usage.server_side_tools_used
    assert folded.usage.reasoning_tokens > 0


async def test_async_stream_and_completion(aio_channel: grpc.aio.Channel, md: Any, fake: FakeServer) -> None:
    chat = chat_pb2_grpc.ChatStub(aio_channel)
    req = request(X, IMAGE, include=[chat_pb2.INCLUDE_OPTION_X_SEARCH_CALL_OUTPUT])
    whole = await chat.GetCompletion(req, metadata=md)
    chunks = [chunk async for chunk in chat.GetCompletionChunk(req, metadata=md)]
    folded = reassemble(chunks)
    assert [o.message.content for o in folded.outputs] == [o.message.content for o in whole.outputs]
    assert [c.type for c in calls(folded)] == [
        chat_pb2.TOOL_CALL_TYPE_X_SEARCH_TOOL,
        chat_pb2.TOOL_CALL_TYPE_IMAGE_GENERATION_TOOL,
    ]
    envelope = json.loads(tool_outputs(folded)[-1].message.content)
    png_size(base64.b64decode(envelope["result"].split("base64,", 1)[1]))
    assert list(folded.citations) == list(whole.citations)
    assert len(whole.citations) == 3
    assert Counter(folded.usage.server_side_tools_used) == {
        usage_pb2.SERVER_SIDE_TOOL_X_SEARCH: 1,
        usage_pb2.SERVER_SIDE_TOOL_IMAGE_GENERATION: 1,
    }
