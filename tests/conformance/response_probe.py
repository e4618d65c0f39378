"""Differential probe of how chat responses, chunks and streams read; prints one JSON document.

Runs under either ``xai_sdk`` (ours, or the official 1.21.0): it only uses the public names both
packages share. ``test_response_reading.py`` runs it with both interpreters and compares::

    python -I tests/conformance/response_probe.py > out.json

What it records, case by case (each case is one key of the output):

* ``response/<case>/<index>``: every reader of ``chat.Response(proto, index)``;
* ``chunk/<case>/<index>``: every reader of ``chat.Chunk(proto, index)``;
* ``append/<case>/<index>``: the messages ``chat.append(Response(proto, index))`` adds;
* ``sample/...``, ``defer/...``: ``chat.sample()``/``chat.defer()`` against a canned server;
* ``stream/<api>/<case>``: for ``chat.stream()`` and ``chat.stream_batch(n)`` of the sync and the
  async client against the same canned server, what the response and the chunk read after each
  step, then the final response proto and the messages ``chat.append(response)`` adds.

Protos are printed in text format. Errors are recorded by exception class name only (the two
packages word their messages differently on purpose).
"""

# Our mypy checks this file against our own package; names only the official one has must not fail it.
# mypy: disable-error-code="attr-defined,import-not-found"

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import text_format, timestamp_pb2
from google.protobuf.message import Message

from xai_sdk import AsyncClient, Client
from xai_sdk import chat as xchat
from xai_sdk.proto import chat_pb2, deferred_pb2, sample_pb2, usage_pb2

Json = Any

# -- turning what a reader returns into JSON -------------------------------------------------------


def plain(value: Any) -> Json:
    """A JSON value for anything a Response/Chunk reader returns."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, Message):
        return {type(value).__name__: text_format.MessageToString(value, as_utf8=True)}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items())}
    if isinstance(value, xchat.ImageGenerationOutput):
        return {
            "image_output": {
                "tool_call": plain(value.tool_call),
                "data_url": value.data_url,
                "mime_type": value.mime_type,
                "image_uuid": value.image_uuid,
                "image": plain(value.image),
                "proto": plain(value.proto),
                "str": str(value),
            }
        }
    if isinstance(value, xchat.CompletionOutputChunk):
        return {
            "output_chunk": {
                "content": value.content,
                "reasoning_content": value.reasoning_content,
                "role": value.role,
                "tool_calls": plain(value.tool_calls),
                "finish_reason": plain(value.finish_reason),
                "proto": plain(value.proto),
                "str": str(value),
            }
        }
    try:
        items = list(value)
    except TypeError:
        return {"unprintable": type(value).__name__}
    return [plain(item) for item in items]


def attempt(read: Callable[[], Any]) -> Json:
    """What ``read()`` returns, or the class of what it raises."""
    try:
        return plain(read())
    except Exception as exc:
        return {"raises": type(exc).__name__}


RESPONSE_READERS = (
    "id", "created", "content", "encrypted_content", "role", "usage", "cost_usd", "reasoning_content",
    "finish_reason", "logprobs", "system_fingerprint", "service_tier", "tool_calls", "citations",
    "inline_citations", "tool_outputs", "image_outputs", "server_side_tool_usage", "request_settings",
    "debug_output",
)  # fmt: skip
CHUNK_READERS = (
    "choices", "created", "output", "content", "reasoning_content", "tool_calls", "server_side_tool_usage",
    "citations", "inline_citations", "tool_outputs", "debug_output",
)  # fmt: skip


def _reader(view: Any, name: str) -> Callable[[], Any]:
    return lambda: getattr(view, name)


def read_all(view: Any, names: tuple[str, ...]) -> Json:
    """Every reader of ``view``, then ``str(view)`` and its proto."""
    record: dict[str, Json] = {name: attempt(_reader(view, name)) for name in names}
    record["str"] = attempt(lambda: str(view))
    record["proto"] = attempt(lambda: view.proto)
    return record


# -- the corpus --------------------------------------------------------------------------------------

A = chat_pb2.ROLE_ASSISTANT
T = chat_pb2.ROLE_TOOL
STOP = sample_pb2.REASON_STOP
CALLS = sample_pb2.REASON_TOOL_CALLS
PNG = b"\x89PNG\r\n\x1a\n fake image bytes"
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
JPEG_URL = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff jpeg").decode()


def when(seconds: int) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=123000)


def call(
    id: str, kind: int = chat_pb2.TOOL_CALL_TYPE_CLIENT_SIDE_TOOL, status: int = 0, name: str = "f", args: str = "{}"
) -> chat_pb2.ToolCall:
    return chat_pb2.ToolCall(id=id, type=kind, status=status, function=chat_pb2.FunctionCall(name=name, arguments=args))  # type: ignore[arg-type]


def cite(id: str, start: int, end: int, url: str = "https://example.com/a") -> chat_pb2.InlineCitation:
    return chat_pb2.InlineCitation(id=id, start_index=start, end_index=end, web_citation=chat_pb2.WebCitation(url=url))


def message(role: int = A, **fields: Any) -> chat_pb2.CompletionMessage:
    return chat_pb2.CompletionMessage(role=role, **fields)  # type: ignore[arg-type]


def out(index: int, role: int = A, finish: int = 0, **fields: Any) -> chat_pb2.CompletionOutput:
    return chat_pb2.CompletionOutput(index=index, finish_reason=finish, message=message(role, **fields))  # type: ignore[arg-type]


def envelope(result: str = DATA_URL, uuid: Any = "img-1", kind: str = "image_generation_result") -> str:
    return json.dumps({"__type": kind, "result": result, "image_uuid": uuid})


IMAGE = chat_pb2.TOOL_CALL_TYPE_IMAGE_GENERATION_TOOL
DONE = chat_pb2.TOOL_CALL_STATUS_COMPLETED
WEB = chat_pb2.TOOL_CALL_TYPE_WEB_SEARCH_TOOL
USAGE = usage_pb2.SamplingUsage(
    completion_tokens=11, reasoning_tokens=5, prompt_tokens=7, total_tokens=23, cached_prompt_text_tokens=2,
    num_sources_used=3, cost_in_usd_ticks=123456789,
    server_side_tools_used=[usage_pb2.SERVER_SIDE_TOOL_WEB_SEARCH, usage_pb2.SERVER_SIDE_TOOL_X_SEARCH,
                            usage_pb2.SERVER_SIDE_TOOL_WEB_SEARCH],
)  # fmt: skip
LOGPROBS = chat_pb2.LogProbs(
    content=[chat_pb2.LogProb(token="Hi", logprob=-0.25, bytes=b"Hi", top_logprobs=[chat_pb2.TopLogProb(token="Hi")])]
)


def responses() -> dict[str, chat_pb2.GetChatCompletionResponse]:
    R = chat_pb2.GetChatCompletionResponse
    return {
        "empty": R(),
        "single": R(
            id="resp-1",
            model="grok-4",
            created=when(1700000000),
            system_fingerprint="fp-1",
            usage=USAGE,
            citations=["https://example.com/a", "https://example.com/b"],
            service_tier=usage_pb2.SERVICE_TIER_PRIORITY,
            settings=chat_pb2.RequestSettings(max_tokens=100, temperature=0.5),
            debug_output=chat_pb2.DebugOutput(attempts=2),
            outputs=[
                chat_pb2.CompletionOutput(
                    index=0,
                    finish_reason=STOP,
                    logprobs=LOGPROBS,
                    message=message(
                        content="Hello [1]",
                        reasoning_content="think",
                        encrypted_content="enc",
                        citations=[cite("1", 6, 9)],
                    ),
                )
            ],
        ),
        "n_outputs": R(
            id="resp-n",
            usage=usage_pb2.SamplingUsage(total_tokens=9),
            outputs=[
                out(0, finish=STOP, content="zero"),
                out(1, finish=CALLS, content="", tool_calls=[call("c1", name="get_weather", args='{"city":"Paris"}')]),
                out(
                    2,
                    finish=sample_pb2.REASON_MAX_LEN,
                    content="two",
                    reasoning_content="r2",
                    citations=[cite("2", 0, 3)],
                ),
            ],
        ),
        "n_outputs_unordered": R(outputs=[out(2, content="two"), out(0, content="zero"), out(1, content="one")]),
        "server_side_multi": R(
            id="resp-agent",
            usage=USAGE,
            citations=["https://example.com/a"],
            service_tier=usage_pb2.SERVICE_TIER_DEFAULT,
            outputs=[
                out(
                    0,
                    finish=CALLS,
                    reasoning_content="search first",
                    tool_calls=[call("ws-1", WEB, DONE, "web_search", '{"query":"q"}')],
                ),
                out(1, T, content="web results", tool_calls=[call("ws-1", WEB, DONE, "web_search")]),
                out(
                    2, finish=CALLS, tool_calls=[call("xs-1", chat_pb2.TOOL_CALL_TYPE_X_SEARCH_TOOL, DONE, "x_search")]
                ),
                out(3, T, content="x results", tool_calls=[call("xs-1", chat_pb2.TOOL_CALL_TYPE_X_SEARCH_TOOL)]),
                out(
                    4,
                    finish=STOP,
                    content="final [1]",
                    reasoning_content="done",
                    encrypted_content="e4",
                    citations=[cite("1", 6, 9)],
                ),
            ],
        ),
        "server_side_same_index": R(
            outputs=[
                out(0, finish=CALLS, tool_calls=[call("cx-1", chat_pb2.TOOL_CALL_TYPE_CODE_EXECUTION_TOOL, DONE)]),
                out(0, T, content="stdout: 2"),
                out(0, finish=STOP, content="It is 2."),
            ]
        ),
        "tool_output_last": R(
            outputs=[
                out(0, content="calling", tool_calls=[call("m-1", chat_pb2.TOOL_CALL_TYPE_MCP_TOOL, DONE, "mcp.x")]),
                out(1, T, content="mcp says hi", tool_calls=[call("m-1", chat_pb2.TOOL_CALL_TYPE_MCP_TOOL)]),
            ]
        ),
        "tool_call_types": R(
            outputs=[
                out(
                    0,
                    finish=CALLS,
                    content="several",
                    tool_calls=[
                        call("f-1", name="get_weather", args='{"city":"Oslo"}'),
                        call(
                            "cs-1",
                            chat_pb2.TOOL_CALL_TYPE_COLLECTIONS_SEARCH_TOOL,
                            chat_pb2.TOOL_CALL_STATUS_IN_PROGRESS,
                        ),
                        call("as-1", chat_pb2.TOOL_CALL_TYPE_ATTACHMENT_SEARCH_TOOL, chat_pb2.TOOL_CALL_STATUS_FAILED),
                        call("inv-1", chat_pb2.TOOL_CALL_TYPE_INVALID),
                        chat_pb2.ToolCall(
                            id="err-1",
                            type=WEB,
                            status=chat_pb2.TOOL_CALL_STATUS_INCOMPLETE,
                            error_message="timed out",
                            function=chat_pb2.FunctionCall(arguments="{}"),
                        ),
                    ],
                ),
            ]
        ),
        "no_assistant": R(outputs=[out(0, T, content="only a tool"), out(1, chat_pb2.ROLE_USER, content="user?")]),
        "invalid_role": R(outputs=[out(0, 0, content="no role", finish=STOP)]),
        "sparse_index": R(outputs=[out(3, content="three", finish=STOP)]),
        "cost_none": R(usage=usage_pb2.SamplingUsage(total_tokens=3), outputs=[out(0, content="x")]),
        "cost_zero": R(usage=usage_pb2.SamplingUsage(cost_in_usd_ticks=0), outputs=[out(0, content="x")]),
        "tier_unspecified": R(service_tier=usage_pb2.SERVICE_TIER_UNSPECIFIED, outputs=[out(0, content="x")]),
        "tier_default": R(service_tier=usage_pb2.SERVICE_TIER_DEFAULT, outputs=[out(0, content="x")]),
        "tier_unknown": R(service_tier=77, outputs=[out(0, content="x")]),  # type: ignore[arg-type]
        "image_generation": R(
            usage=usage_pb2.SamplingUsage(server_side_tools_used=[usage_pb2.SERVER_SIDE_TOOL_IMAGE_GENERATION] * 3),
            outputs=[
                out(
                    0,
                    finish=CALLS,
                    tool_calls=[
                        call("ig-1", IMAGE, DONE, "imagine_text_to_image"),
                        call("ig-2", IMAGE, DONE, "imagine_image_to_image"),
                        call("ig-3", IMAGE, DONE, "imagine_text_to_image"),
                    ],
                ),
                out(1, T, content=envelope(), tool_calls=[call("ig-1", IMAGE, DONE, "imagine_text_to_image")]),
                out(
                    2,
                    T,
                    content=envelope(JPEG_URL, uuid=5),
                    tool_calls=[call("ig-2", IMAGE, DONE, "imagine_image_to_image")],
                ),
                out(
                    3,
                    T,
                    content='{"error": "blocked"}',
                    tool_calls=[call("ig-3", IMAGE, chat_pb2.TOOL_CALL_STATUS_FAILED, "imagine_text_to_image")],
                ),
                out(4, T, content=envelope(uuid="img-4")),
                out(5, T, content=envelope(uuid="img-5"), tool_calls=[call("ws-9", WEB, DONE)]),
                out(6, T, content=envelope(), tool_calls=[call("ig-6", IMAGE, chat_pb2.TOOL_CALL_STATUS_IN_PROGRESS)]),
                out(7, finish=STOP, content="Here you go."),
            ],
        ),
        "image_missing_uuid": R(
            outputs=[
                out(
                    1,
                    T,
                    content=json.dumps({"__type": "image_generation_result", "result": DATA_URL}),
                    tool_calls=[call("ig-1", IMAGE, DONE)],
                )
            ]
        ),
        "image_bare_data_url": R(
            outputs=[
                out(0, tool_calls=[call("ig-1", IMAGE, DONE)]),
                out(1, T, content=DATA_URL, tool_calls=[call("ig-1", IMAGE, DONE)]),
            ]
        ),
        "image_wrong_type": R(
            outputs=[out(1, T, content=envelope(kind="other"), tool_calls=[call("ig", IMAGE, DONE)])]
        ),
        "image_not_image_url": R(
            outputs=[out(1, T, content=envelope("https://example.com/x.png"), tool_calls=[call("ig", IMAGE, DONE)])]
        ),
        "image_not_object": R(outputs=[out(1, T, content="[1, 2]", tool_calls=[call("ig", IMAGE, DONE)])]),
    }


def chunks() -> dict[str, chat_pb2.GetChatCompletionChunk]:
    C = chat_pb2.GetChatCompletionChunk
    D = chat_pb2.Delta
    O = chat_pb2.CompletionOutputChunk  # noqa: E741
    return {
        "empty": C(),
        "text": C(id="c", model="grok-4", created=when(5), outputs=[O(index=0, delta=D(role=A, content="Hel"))]),
        "reasoning": C(outputs=[O(index=0, delta=D(role=A, reasoning_content="hmm"))]),
        "no_role": C(outputs=[O(index=0, delta=D(content="orphan"))]),
        "n_outputs": C(
            outputs=[
                O(index=0, delta=D(role=A, content="a", reasoning_content="ra")),
                O(index=1, delta=D(role=A, content="b", tool_calls=[call("t1")]), finish_reason=CALLS),
                O(index=2, delta=D(role=A, content="c", citations=[cite("1", 0, 1)]), finish_reason=STOP),
            ]
        ),
        "tool_outputs": C(
            usage=USAGE,
            citations=["https://example.com/a"],
            debug_output=chat_pb2.DebugOutput(attempts=1),
            outputs=[
                O(index=0, delta=D(role=A, tool_calls=[call("ws", WEB, DONE)]), finish_reason=CALLS),
                O(index=1, delta=D(role=T, content="results", tool_calls=[call("ws", WEB, DONE)])),
                O(index=2, delta=D(role=A, content="final", citations=[cite("1", 0, 5)]), logprobs=LOGPROBS),
            ],
        ),
    }


# -- the canned server ---------------------------------------------------------------------------------


def D(**fields: Any) -> chat_pb2.Delta:
    return chat_pb2.Delta(**fields)


def part(index: int, finish: int = 0, logprobs: Any = None, **delta: Any) -> chat_pb2.CompletionOutputChunk:
    chunk = chat_pb2.CompletionOutputChunk(index=index, finish_reason=finish, delta=D(**delta))  # type: ignore[arg-type]
    if logprobs is not None:
        chunk.logprobs.CopyFrom(logprobs)
    return chunk


def chunk(*parts: chat_pb2.CompletionOutputChunk, **fields: Any) -> chat_pb2.GetChatCompletionChunk:
    fields.setdefault("id", "stream-1")
    fields.setdefault("model", "grok-4")
    return chat_pb2.GetChatCompletionChunk(outputs=parts, **fields)


def streams() -> dict[str, list[chat_pb2.GetChatCompletionChunk]]:
    text = [chunk(part(0, role=A, content=piece), created=when(9)) for piece in ("Hel", "lo", ", ", "world")]
    return {
        "text": [*text, chunk(part(0, STOP, role=A), usage=USAGE, system_fingerprint="fp")],
        "role_first_only": [
            chunk(part(0, role=A, content="a")),
            chunk(part(0, content="b")),
            chunk(part(0, STOP, content="c")),
        ],
        "reasoning_then_content": [
            chunk(part(0, role=A, reasoning_content="Let me ")),
            chunk(part(0, role=A, reasoning_content="think.")),
            chunk(part(0, role=A, encrypted_content="E1")),
            chunk(part(0, role=A, encrypted_content="E2", content="Answer")),
            chunk(
                part(0, STOP, role=A, content="!"),
                usage=usage_pb2.SamplingUsage(reasoning_tokens=4),
                service_tier=usage_pb2.SERVICE_TIER_PRIORITY,
            ),
        ],
        "client_tool_calls": [
            chunk(part(0, role=A, content="Checking")),
            chunk(
                part(
                    0,
                    CALLS,
                    role=A,
                    tool_calls=[call("c1", name="get_weather", args='{"city":"Paris"}'), call("c2", name="get_time")],
                )
            ),
        ],
        "server_side_tools": [
            chunk(part(0, role=A, reasoning_content="searching")),
            chunk(part(0, CALLS, role=A, tool_calls=[call("ws-1", WEB, DONE, "web_search")])),
            chunk(part(1, role=T, content="results: ", tool_calls=[call("ws-1", WEB, DONE, "web_search")])),
            chunk(part(1, role=T, content="a, b")),
            chunk(part(2, role=A, content="The answer")),
            chunk(part(2, role=A, content=" is 42", citations=[cite("1", 4, 10)])),
            chunk(
                part(2, STOP, role=A),
                usage=USAGE,
                citations=["https://example.com/a"],
                debug_output=chat_pb2.DebugOutput(attempts=1),
            ),
        ],
        "several_outputs_per_chunk": [
            chunk(part(0, role=A, content="x"), part(1, role=T, content="y"), part(2, role=A, content="z")),
            chunk(part(2, STOP, role=A, content="!"), part(0, STOP, role=A)),
        ],
        "index_jump": [chunk(part(3, role=A, content="late")), chunk(part(3, STOP, role=A, content="r"))],
        "empty_chunks": [chunk(), chunk(part(0, role=A, content="only")), chunk(usage=USAGE), chunk()],
        "no_outputs_at_all": [chunk(usage=USAGE), chunk(citations=["https://example.com/z"])],
        "logprobs_and_files": [
            chunk(
                part(0, role=A, content="Hi", logprobs=LOGPROBS),
                output_files=[chat_pb2.OutputFile(name="f.txt")] if hasattr(chat_pb2, "OutputFile") else [],
            ),
            chunk(part(0, STOP, role=A, content=" there", logprobs=LOGPROBS)),
        ],
        "image_generation": [
            chunk(part(0, CALLS, role=A, tool_calls=[call("ig-1", IMAGE, DONE, "imagine_text_to_image")])),
            chunk(part(1, role=T, content=envelope(), tool_calls=[call("ig-1", IMAGE, DONE, "imagine_text_to_image")])),
            chunk(part(2, STOP, role=A, content="Done.")),
        ],
    }


BATCH_STREAMS: dict[str, list[chat_pb2.GetChatCompletionChunk]] = {
    "interleaved": [
        chunk(part(0, role=A, content="a1"), part(1, role=A, reasoning_content="r1")),
        chunk(part(1, role=A, content="b1"), part(2, role=A, content="c1")),
        chunk(part(0, STOP, role=A, content="a2"), part(2, CALLS, role=A, tool_calls=[call("t")])),
        chunk(part(1, STOP, role=A, content="b2"), usage=USAGE),
    ],
    "one_output_only": [chunk(part(1, role=A, content="only one")), chunk(part(1, STOP, role=A))],
}


class CannedChat(grpc.GenericRpcHandler):  # type: ignore[type-arg]
    """Answers the chat service from the corpus; the request's ``user`` field names the case."""

    def __init__(self, streamed: dict[str, list[chat_pb2.GetChatCompletionChunk]]) -> None:
        self._streamed = streamed
        self._answers = responses()

    def service(self, details: grpc.HandlerCallDetails) -> Any:
        method: str = details.method  # type: ignore[attr-defined]
        request = chat_pb2.GetCompletionsRequest.FromString

        def write(message: Message) -> bytes:
            return message.SerializeToString()

        if method == "/xai_api.Chat/GetCompletionChunk":
            return grpc.unary_stream_rpc_method_handler(self._stream, request, write)
        if method == "/xai_api.Chat/GetCompletion":
            return grpc.unary_unary_rpc_method_handler(lambda r, _: self._answers[r.user], request, write)
        if method == "/xai_api.Chat/StartDeferredCompletion":
            return grpc.unary_unary_rpc_method_handler(
                lambda r, _: deferred_pb2.StartDeferredResponse(request_id=r.user), request, write
            )
        if method == "/xai_api.Chat/GetDeferredCompletion":
            return grpc.unary_unary_rpc_method_handler(
                lambda r, _: chat_pb2.GetDeferredCompletionResponse(
                    status=deferred_pb2.DONE, response=self._answers[r.request_id]
                ),
                deferred_pb2.GetDeferredRequest.FromString,
                write,
            )
        return None

    def _stream(self, request: chat_pb2.GetCompletionsRequest, _: Any) -> Iterator[chat_pb2.GetChatCompletionChunk]:
        yield from self._streamed[request.user]


# -- what the probe records ----------------------------------------------------------------------------

SERVER_TOOLS = [chat_pb2.Tool(web_search=chat_pb2.WebSearch())]
HELLO = [chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="hi")])]
FUNCTION_TOOLS = [chat_pb2.Tool(function=chat_pb2.Function(name="f", parameters="{}"))]


def messages_of(chat: Any) -> Json:
    return [plain(m) for m in chat.messages]


def appended(client: Any, response: Any) -> Json:
    chat = client.chat.create("grok-4")
    try:
        chat.append(response)
    except Exception as exc:
        return {"raises": type(exc).__name__}
    return messages_of(chat)


def step(response: Any, piece: Any) -> Json:
    """What the stream reads after one chunk: the brief's tuple, then more readers."""
    return {
        "response": [
            response.content, response.reasoning_content, response.finish_reason,
            [tc.id for tc in response.tool_calls], response.role, response.encrypted_content,
            [tc.id for o in response.tool_outputs for tc in o.message.tool_calls],
            [o.message.content for o in response.tool_outputs],
            attempt(lambda: response.inline_citations), response.citations[:], response.id,
            response.service_tier, response.server_side_tool_usage, response.cost_usd,
            attempt(lambda: [i.image_uuid for i in response.image_outputs]),
        ],
        "chunk": read_all(piece, CHUNK_READERS),
    }  # fmt: skip


def probe_streams(port: int) -> Json:
    host = f"localhost:{port}"
    sync_client = Client(api_key="k", api_host=host, use_insecure_channel=True)
    results: dict[str, Json] = {}
    for tools_name, tools in (("plain", None), ("server_tools", SERVER_TOOLS), ("function_tools", FUNCTION_TOOLS)):
        for case in streams():
            steps = []
            chat = sync_client.chat.create("grok-4", user=case, tools=tools, messages=HELLO)
            response = None
            for response, piece in chat.stream():
                steps.append(step(response, piece))
            assert response is not None
            results[f"stream/sync/{tools_name}/{case}"] = {
                "steps": steps, "final": plain(response.proto), "append": appended(sync_client, response),
            }  # fmt: skip

    async def run_async() -> None:
        client = AsyncClient(api_key="k", api_host=host, use_insecure_channel=True)
        for case in streams():
            steps = []
            chat = client.chat.create("grok-4", user=case, messages=HELLO)
            response = None
            async for response, piece in chat.stream():
                steps.append(step(response, piece))
            assert response is not None
            results[f"stream/aio/{case}"] = {"steps": steps, "final": plain(response.proto)}
        for case in BATCH_STREAMS:
            batch_steps = []
            chat = client.chat.create("grok-4", user=case, messages=HELLO)
            async for many, pieces in chat.stream_batch(3):
                batch_steps.append([step(r, c) for r, c in zip(many, pieces, strict=True)])
            results[f"stream_batch/aio/{case}"] = {"steps": batch_steps, "final": plain(many[0].proto)}

    for case in BATCH_STREAMS:
        batch_steps = []
        chat = sync_client.chat.create("grok-4", user=case, messages=HELLO)
        for many, pieces in chat.stream_batch(3):
            # Read in index order: the official SDK refreshes the shared text only through the first response.
            batch_steps.append([step(r, c) for r, c in zip(many, pieces, strict=True)])
        results[f"stream_batch/sync/{case}"] = {
            "steps": batch_steps, "final": plain(many[0].proto), "append": [appended(sync_client, r) for r in many],
        }  # fmt: skip
    asyncio.run(run_async())

    for tools_name, tools in (("plain", None), ("server_tools", SERVER_TOOLS)):
        for case in responses():
            chat = sync_client.chat.create("grok-4", user=case, tools=tools, messages=HELLO)
            for how in ("sample", "defer"):
                try:
                    got = getattr(chat, how)()
                except Exception as exc:
                    results[f"{how}/{tools_name}/{case}"] = {"raises": type(exc).__name__}
                    continue
                results[f"{how}/{tools_name}/{case}"] = {
                    "response": read_all(got, RESPONSE_READERS), "append": appended(sync_client, got),
                }  # fmt: skip
    return results


def probe_views() -> Json:
    client = Client(api_key="k", api_host="localhost:1")
    results: dict[str, Json] = {}
    for case, proto in responses().items():
        top = max([o.index for o in proto.outputs], default=0)
        for index in (None, *range(top + 2)):
            results[f"response/{case}/{index}"] = read_all(xchat.Response(proto, index), RESPONSE_READERS)
            results[f"append/{case}/{index}"] = appended(client, xchat.Response(proto, index))
    for case, piece in chunks().items():
        for index in (None, 0, 1, 2, 3):
            results[f"chunk/{case}/{index}"] = read_all(xchat.Chunk(piece, index), CHUNK_READERS)
    compacted = xchat.CompactContextResponse(
        chat_pb2.CompactContextResponse(id="cc", encrypted_content="blob", dropped_message_count=2, usage=USAGE)
    )
    results["compact/readers"] = read_all(compacted, ("id", "encrypted_content", "dropped_message_count", "usage"))
    chat = client.chat.create("grok-4", messages=[xchat.user("hi"), xchat.user("there")])
    chat.append(compacted)
    results["compact/append"] = messages_of(chat)
    results["append/not_a_message"] = appended(client, "just text")
    return results


def main() -> None:
    warnings.simplefilter("ignore")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((CannedChat({**streams(), **BATCH_STREAMS}),))
    port = server.add_insecure_port("localhost:0")
    server.start()
    try:
        results = {**probe_views(), **probe_streams(port)}
    finally:
        server.stop(None)
    json.dump(results, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
