"""Default answers for chats that enable server-side tools (web/X search, code execution, ...).

The real API runs an agentic loop inside one request and reports every step as its own
output, each with its own ``index``:

* an assistant output holding the server-side tool call (typed, ``COMPLETED``),
* a ``ROLE_TOOL`` output echoing that call with its result in ``content``, present when the
  request's ``include`` asks for that tool's output (image generation results always are),
* and last, the assistant's final answer (or a client-side function call).

``usage.server_side_tools_used`` lists one entry per call, search tools add ``citations``
(and inline citations with ``INCLUDE_OPTION_INLINE_CITATIONS``), and ``image_generation``
returns an ``image_generation_result`` envelope holding a real PNG as a data URL.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from dataclasses import dataclass

from xai_fake.defaults import tokens
from xai_fake.defaults.collections import lookup
from xai_fake.defaults.models import language_model
from xai_fake.defaults.png import make_png
from xai_fake.defaults.state import State
from xai_fake.errors import invalid_argument
from xai_sdk.proto import chat_pb2, sample_pb2, usage_pb2

#: Price of one server-side tool invocation, in 1e-10 USD ticks ($5 per 1,000 calls).
TOOL_CALL_PRICE_TICKS = 50_000_000
#: Price of one image made by the image generation tool, in 1e-10 USD ticks.
IMAGE_PRICE_TICKS = 500_000_000
SEARCH_RESULTS = 3
#: Input tokens of a generated image when the agentic loop reads it back.
IMAGE_TOKENS = 256


@dataclass
class Step:
    """One server-side tool call, its result, and the sources it found."""

    call: chat_pb2.ToolCall
    usage: usage_pb2.ServerSideTool
    output: str
    included: bool
    citations: list[str]
    extra_ticks: int = TOOL_CALL_PRICE_TICKS


def requested(request: chat_pb2.GetCompletionsRequest) -> bool:
    """Whether the request enables any server-side tool."""
    return any(tool.WhichOneof("tool") not in (None, "function") for tool in request.tools)


def apply(state: State, request: chat_pb2.GetCompletionsRequest, response: chat_pb2.GetChatCompletionResponse) -> None:
    """Put the server-side tool calls, their outputs, usage and citations into ``response``.

    ``response`` holds the final answer as its only output; the steps are inserted before it.
    Nothing happens when the request enables no server-side tool, or when it continues after
    client-side tool results (the searches ran in the turn that asked for those).
    """
    if not requested(request):
        return
    if len(response.outputs) != 1:
        raise invalid_argument("n > 1 is not supported with server-side tools")
    last = request.messages[-1] if request.messages else None
    if last is not None and last.role == chat_pb2.ROLE_TOOL:
        return
    rng = state.rng("server_tools", request)
    turn = Turn(state, rng, request, _query(request, state, rng))
    steps: list[Step] = []
    for tool in request.tools:
        maker = _MAKERS.get(tool.WhichOneof("tool") or "")
        if maker is not None:
            steps.extend(maker(turn, tool))
    final = chat_pb2.CompletionOutput()
    final.CopyFrom(response.outputs[0])
    del response.outputs[:]
    for step in steps:
        response.outputs.add(
            index=len(response.outputs),
            finish_reason=sample_pb2.REASON_TOOL_CALLS,
            message=chat_pb2.CompletionMessage(role=chat_pb2.ROLE_ASSISTANT, tool_calls=[step.call]),
        )
        if step.included:
            response.outputs.add(
                index=len(response.outputs),
                finish_reason=sample_pb2.REASON_STOP,
                message=chat_pb2.CompletionMessage(
                    role=chat_pb2.ROLE_TOOL, content=step.output, tool_calls=[step.call]
                ),
            )
    citations = [url for step in steps for url in step.citations]
    inline = 0
    if turn.includes(chat_pb2.INCLUDE_OPTION_INLINE_CITATIONS) and final.message.content:
        before = tokens.count(final.message.content)
        _cite_inline(final.message, citations)
        inline = tokens.count(final.message.content) - before
    final.index = len(response.outputs)
    response.outputs.append(final)
    response.citations.extend(citations)
    _account(request, response, steps, len(citations), inline)


def _account(
    request: chat_pb2.GetCompletionsRequest,
    response: chat_pb2.GetChatCompletionResponse,
    steps: list[Step],
    sources: int,
    inline: int,
) -> None:
    usage = response.usage
    model = language_model(request.model)
    arguments = sum(tokens.count(s.call.function.arguments) + 1 for s in steps)
    images = sum(IMAGE_TOKENS for s in steps if s.usage == usage_pb2.SERVER_SIDE_TOOL_IMAGE_GENERATION)
    # The agentic loop reads every result back as input; a generated image is read as an image.
    text = sum(tokens.count(s.output) for s in steps if s.usage != usage_pb2.SERVER_SIDE_TOOL_IMAGE_GENERATION)
    usage.completion_tokens += arguments + inline
    usage.prompt_tokens += text + images
    usage.prompt_text_tokens += text
    usage.prompt_image_tokens += images
    usage.total_tokens += arguments + inline + text + images
    usage.server_side_tools_used.extend(s.usage for s in steps)
    usage.num_sources_used += sources
    usage.cost_in_usd_ticks += (
        text * model.prompt_text_token_price
        + images * model.prompt_image_token_price
        + (arguments + inline) * model.completion_text_token_price
        + sum(s.extra_ticks for s in steps)
    )


def _cite_inline(message: chat_pb2.CompletionMessage, citations: list[str]) -> None:
    """Append ``[[n]](url)`` markers to the answer with their positions, as the API does."""
    content = message.content
    for number, url in enumerate(citations, 1):
        marker = f"[[{number}]]({url})"
        content += " "
        citation = chat_pb2.InlineCitation(id=str(number), start_index=len(content))
        content += marker
        citation.end_index = len(content)
        if url.startswith("https://x.com/"):
            citation.x_citation.url = url
        elif url.startswith("collections://"):
            _, _, path = url.partition("collections://")
            collection_id, _, file_id = path.partition("/files/")
            citation.collections_citation.file_id = file_id
            citation.collections_citation.collection_ids.append(collection_id)
        else:
            citation.web_citation.url = url
        message.citations.append(citation)
    message.content = content


def _query(request: chat_pb2.GetCompletionsRequest, state: State, rng: random.Random) -> str:
    for message in reversed(request.messages):
        if message.role == chat_pb2.ROLE_USER:
            text = " ".join(part.text for part in message.content if part.text).strip()
            if text:
                return " ".join(text.split()[:12])
    return " ".join(w.strip(".,") for w in state.faker(rng).words(nb=4))


@dataclass
class Turn:
    """What every tool maker reads: the request, its seeded generator, the query and ``include``."""

    state: State
    rng: random.Random
    request: chat_pb2.GetCompletionsRequest
    query: str

    def call(self, kind: chat_pb2.ToolCallType, name: str, arguments: dict[str, object]) -> chat_pb2.ToolCall:
        """A completed server-side call, with JSON arguments as the API sends them."""
        return chat_pb2.ToolCall(
            id=f"call_{self.rng.getrandbits(64):016x}",
            type=kind,
            status=chat_pb2.TOOL_CALL_STATUS_COMPLETED,
            function=chat_pb2.FunctionCall(name=name, arguments=json.dumps(arguments)),
        )

    def sentence(self) -> str:
        return str(self.state.faker(self.rng).sentence(nb_words=10))

    def includes(self, option: chat_pb2.IncludeOption) -> bool:
        return option in self.request.include


Maker = Callable[[Turn, chat_pb2.Tool], list[Step]]


def _web_search(turn: Turn, tool: chat_pb2.Tool) -> list[Step]:
    faker, rng = turn.state.faker(turn.rng), turn.rng
    domains = list(tool.web_search.allowed_domains)
    results = []
    for _ in range(SEARCH_RESULTS):
        url = f"https://{rng.choice(domains) if domains else faker.domain_name()}/{faker.slug()}"
        results.append({"title": faker.sentence(nb_words=5).rstrip("."), "url": url, "snippet": turn.sentence()})
    urls = [r["url"] for r in results]
    kind, usage = chat_pb2.TOOL_CALL_TYPE_WEB_SEARCH_TOOL, usage_pb2.SERVER_SIDE_TOOL_WEB_SEARCH
    included = turn.includes(chat_pb2.INCLUDE_OPTION_WEB_SEARCH_CALL_OUTPUT)
    search = turn.call(kind, "web_search", {"query": turn.query, "num_results": 10})
    browse = turn.call(kind, "browse_page", {"url": urls[0], "instructions": f"Find details about: {turn.query}"})
    page = "\n".join(turn.sentence() for _ in range(3))
    return [
        Step(search, usage, json.dumps({"results": results}), included, urls),
        Step(browse, usage, page, included, []),
    ]


def _x_search(turn: Turn, tool: chat_pb2.Tool) -> list[Step]:
    faker, rng = turn.state.faker(turn.rng), turn.rng
    handles = list(tool.x_search.allowed_x_handles)
    posts = []
    for _ in range(SEARCH_RESULTS):
        handle = rng.choice(handles) if handles else faker.user_name()
        url = f"https://x.com/{handle}/status/{rng.randrange(10**18, 2 * 10**18)}"
        posts.append({"author": f"@{handle}", "url": url, "text": turn.sentence()})
    arguments: dict[str, object] = {"query": turn.query, "limit": 10, "mode": "Latest"}
    call = turn.call(chat_pb2.TOOL_CALL_TYPE_X_SEARCH_TOOL, "x_keyword_search", arguments)
    included = turn.includes(chat_pb2.INCLUDE_OPTION_X_SEARCH_CALL_OUTPUT)
    urls = [p["url"] for p in posts]
    return [Step(call, usage_pb2.SERVER_SIDE_TOOL_X_SEARCH, json.dumps({"posts": posts}), included, urls)]


def _code_execution(turn: Turn, tool: chat_pb2.Tool) -> list[Step]:
    a, b = turn.rng.randrange(2, 1000), turn.rng.randrange(2, 1000)
    code = f"a, b = {a}, {b}\nprint(a * b)\n"
    call = turn.call(chat_pb2.TOOL_CALL_TYPE_CODE_EXECUTION_TOOL, "code_execution", {"code": code})
    output = json.dumps({"stdout": f"{a * b}\n", "stderr": "", "exit_code": 0})
    included = turn.includes(chat_pb2.INCLUDE_OPTION_CODE_EXECUTION_CALL_OUTPUT)
    return [Step(call, usage_pb2.SERVER_SIDE_TOOL_CODE_EXECUTION, output, included, [])]


def _collections_search(turn: Turn, tool: chat_pb2.Tool) -> list[Step]:
    search, rng = tool.collections_search, turn.rng
    collection_ids = list(search.collection_ids) or [f"collection_{rng.getrandbits(32):08x}"]
    limit = search.limit if search.HasField("limit") else 10
    # Documents of collections made through the fake are cited by their real file ids.
    documents = [
        (collection_id, file_id, document.text)
        for collection_id in collection_ids
        if (stored := lookup(turn.state, collection_id)) is not None
        for file_id, document in stored.documents.items()
    ]
    chunks: list[dict[str, object]] = []
    for _ in range(min(limit, SEARCH_RESULTS)):
        if documents:
            collection_id, file_id, text = documents[len(chunks) % len(documents)]
        else:
            collection_id, file_id, text = rng.choice(collection_ids), f"file_{rng.getrandbits(64):016x}", ""
        chunks.append(
            {
                "collection_id": collection_id,
                "file_id": file_id,
                "chunk_id": f"chunk_{rng.getrandbits(32):08x}",
                "content": " ".join(text.split()[:40]) or turn.sentence(),
                "score": round(rng.uniform(0.5, 1.0), 3),
            }
        )
    arguments: dict[str, object] = {"query": turn.query, "limit": limit}
    call = turn.call(chat_pb2.TOOL_CALL_TYPE_COLLECTIONS_SEARCH_TOOL, "collections_search", arguments)
    urls = list(dict.fromkeys(f"collections://{c['collection_id']}/files/{c['file_id']}" for c in chunks))
    included = turn.includes(chat_pb2.INCLUDE_OPTION_COLLECTIONS_SEARCH_CALL_OUTPUT)
    return [Step(call, usage_pb2.SERVER_SIDE_TOOL_COLLECTIONS_SEARCH, json.dumps({"chunks": chunks}), included, urls)]


def _attachment_search(turn: Turn, tool: chat_pb2.Tool) -> list[Step]:
    limit = tool.attachment_search.limit if tool.attachment_search.HasField("limit") else 10
    arguments: dict[str, object] = {"query": turn.query, "limit": limit}
    call = turn.call(chat_pb2.TOOL_CALL_TYPE_ATTACHMENT_SEARCH_TOOL, "attachment_search", arguments)
    output = json.dumps({"chunks": [{"content": turn.sentence()} for _ in range(min(limit, SEARCH_RESULTS))]})
    included = turn.includes(chat_pb2.INCLUDE_OPTION_ATTACHMENT_SEARCH_CALL_OUTPUT)
    return [Step(call, usage_pb2.SERVER_SIDE_TOOL_ATTACHMENT_SEARCH, output, included, [])]


def _mcp(turn: Turn, tool: chat_pb2.Tool) -> list[Step]:
    server = tool.mcp
    if not server.server_url:
        raise invalid_argument("mcp tool needs a server_url")
    name = turn.rng.choice(list(server.allowed_tool_names)) if server.allowed_tool_names else "search"
    if server.server_label:
        name = f"{server.server_label}.{name}"
    call = turn.call(chat_pb2.TOOL_CALL_TYPE_MCP_TOOL, name, {"query": turn.query})
    output = json.dumps({"content": [{"type": "text", "text": turn.sentence()}]})
    included = turn.includes(chat_pb2.INCLUDE_OPTION_MCP_CALL_OUTPUT)
    return [Step(call, usage_pb2.SERVER_SIDE_TOOL_MCP, output, included, [])]


def _image_generation(turn: Turn, tool: chat_pb2.Tool) -> list[Step]:
    action = tool.image_generation.action if tool.image_generation.HasField("action") else "auto"
    if action not in ("auto", "generate", "edit"):
        raise invalid_argument(f"image_generation action must be 'auto', 'generate' or 'edit', got {action!r}")
    has_image = any(
        part.WhichOneof("content") == "image_url" or "image_generation_result" in part.text
        for message in turn.request.messages
        for part in message.content
    )
    edit = action == "edit" or (action == "auto" and has_image)
    name = "imagine_image_to_image" if edit else "imagine_text_to_image"
    call = turn.call(chat_pb2.TOOL_CALL_TYPE_IMAGE_GENERATION_TOOL, name, {"prompt": turn.query})
    data = make_png(turn.state.rng("image_generation", turn.request))
    envelope = {
        "__type": "image_generation_result",
        "result": "data:image/png;base64," + base64.b64encode(data).decode(),
        "image_uuid": f"{turn.rng.getrandbits(32):08x}",
    }
    usage = usage_pb2.SERVER_SIDE_TOOL_IMAGE_GENERATION
    return [Step(call, usage, json.dumps(envelope), True, [], TOOL_CALL_PRICE_TICKS + IMAGE_PRICE_TICKS)]


_MAKERS: dict[str, Maker] = {
    "web_search": _web_search,
    "x_search": _x_search,
    "code_execution": _code_execution,
    "collections_search": _collections_search,
    "attachment_search": _attachment_search,
    "mcp": _mcp,
    "image_generation": _image_generation,
}
