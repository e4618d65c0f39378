"""Read-only views over chat responses and stream chunks, and linear-time stream accumulation."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Sequence

from xai_sdk.cost import cost_usd_from_usage
from xai_sdk.meta import ProtoDecorator
from xai_sdk.proto import chat_pb2, sample_pb2, usage_pb2
from xai_sdk.service_tier import service_tier_from_proto
from xai_sdk.types.common import ServiceTier

_ASSISTANT = chat_pb2.ROLE_ASSISTANT
_TOOL = chat_pb2.ROLE_TOOL
_EMPTY_OUTPUT = chat_pb2.CompletionOutput()
_IMAGE_CALL = chat_pb2.TOOL_CALL_TYPE_IMAGE_GENERATION_TOOL
_COMPLETED = chat_pb2.TOOL_CALL_STATUS_COMPLETED
_IMAGE_RESULT = "image_generation_result"
_B64 = "base64,"


def tool_usage(usage: usage_pb2.SamplingUsage) -> dict[str, int]:
    """How often each server-side tool ran, by enum name."""
    counts: dict[str, int] = {}
    for tool in usage.server_side_tools_used:
        name = usage_pb2.ServerSideTool.Name(tool)
        counts[name] = counts.get(name, 0) + 1
    return counts


class Response(ProtoDecorator[chat_pb2.GetChatCompletionResponse]):
    """A chat response, read at one output index.

    ``index=None`` reads a multi-output (agentic) response: the answer is the last assistant
    output, whatever its index. With an index, the last assistant output of that index is read.
    Tool calls, inline citations and tool outputs are gathered from every output.
    """

    def __init__(self, response: chat_pb2.GetChatCompletionResponse, index: int | None) -> None:
        super().__init__(response)
        self._index = index

    def _output(self) -> chat_pb2.CompletionOutput:
        index = self._index
        chosen = _EMPTY_OUTPUT
        for output in self.proto.outputs:
            if output.message.role == _ASSISTANT and (index is None or output.index == index):
                chosen = output
        return chosen

    def _assistant_messages(self) -> list[chat_pb2.CompletionMessage]:
        return [o.message for o in self.proto.outputs if o.message.role == _ASSISTANT]

    @property
    def id(self) -> str:
        """The response id (usable as ``previous_response_id``)."""
        return self._proto.id

    @property
    def created(self) -> datetime.datetime:
        """When the response was created."""
        return self._proto.created.ToDatetime()

    @property
    def content(self) -> str:
        """The text of the answer."""
        return self._output().message.content

    @property
    def encrypted_content(self) -> str:
        """Encrypted reasoning, when ``use_encrypted_content`` was requested."""
        return self._output().message.encrypted_content

    @property
    def role(self) -> str:
        """The role of the answer, e.g. ``ROLE_ASSISTANT`` (``ROLE_INVALID`` when there is none)."""
        return chat_pb2.MessageRole.Name(self._output().message.role)

    @property
    def usage(self) -> usage_pb2.SamplingUsage:
        """Token counts and cost of the whole request."""
        return self._proto.usage

    @property
    def cost_usd(self) -> float | None:
        """The cost of the request in USD, or None if not reported."""
        return cost_usd_from_usage(self._proto.usage)

    @property
    def reasoning_content(self) -> str:
        """The model's visible reasoning, for reasoning models."""
        return self._output().message.reasoning_content

    @property
    def finish_reason(self) -> str:
        """Why the model stopped, e.g. ``REASON_STOP`` or ``REASON_TOOL_CALLS``."""
        return sample_pb2.FinishReason.Name(self._output().finish_reason)

    @property
    def logprobs(self) -> chat_pb2.LogProbs:
        """Log probabilities of the answer's tokens, when requested."""
        return self._output().logprobs

    @property
    def system_fingerprint(self) -> str:
        """Identifies the backend configuration that served the request."""
        return self._proto.system_fingerprint

    @property
    def service_tier(self) -> ServiceTier:
        """The tier the request ran on."""
        return service_tier_from_proto(self._proto.service_tier)

    @property
    def tool_calls(self) -> Sequence[chat_pb2.ToolCall]:
        """Every tool call of every assistant output, client-side and server-side."""
        return [call for message in self._assistant_messages() for call in message.tool_calls]

    @property
    def citations(self) -> Sequence[str]:
        """URLs of the sources the answer used."""
        return self._proto.citations

    @property
    def inline_citations(self) -> Sequence[chat_pb2.InlineCitation]:
        """Citations placed in the text of every assistant output (``include=["inline_citations"]``)."""
        return [citation for message in self._assistant_messages() for citation in message.citations]

    @property
    def tool_outputs(self) -> Sequence[chat_pb2.CompletionOutput]:
        """Outputs of server-side tools, in order."""
        return [o for o in self.proto.outputs if o.message.role == _TOOL]

    @property
    def image_outputs(self) -> Sequence[ImageGenerationOutput]:
        """Images made by the image-generation tool: one per tool output that carries a completed
        image-generation call; failed and unfinished calls are left out."""
        images = []
        for output in self.tool_outputs:
            for call in output.message.tool_calls:
                if call.type == _IMAGE_CALL and call.status == _COMPLETED:
                    images.append(ImageGenerationOutput(output, call))
                    break
        return images

    @property
    def server_side_tool_usage(self) -> dict[str, int]:
        """How often each server-side tool ran."""
        return tool_usage(self._proto.usage)

    @property
    def request_settings(self) -> chat_pb2.RequestSettings:
        """The settings the server applied."""
        return self._proto.settings

    @property
    def debug_output(self) -> chat_pb2.DebugOutput:
        """Debug information, when the server provides it."""
        return self._proto.debug_output

    def __str__(self) -> str:
        return str(self.proto)


class CompletionOutputChunk(ProtoDecorator[chat_pb2.CompletionOutputChunk]):
    """One output's increment within a stream chunk."""

    @property
    def content(self) -> str:
        return self._proto.delta.content

    @property
    def reasoning_content(self) -> str:
        return self._proto.delta.reasoning_content

    @property
    def role(self) -> str:
        return chat_pb2.MessageRole.Name(self._proto.delta.role)

    @property
    def tool_calls(self) -> Sequence[chat_pb2.ToolCall]:
        return self._proto.delta.tool_calls

    @property
    def finish_reason(self) -> int:
        return self._proto.finish_reason

    def __str__(self) -> str:
        return str(self._proto)


class Chunk(ProtoDecorator[chat_pb2.GetChatCompletionChunk]):
    """One message of a chat stream, read at one output index (None: every output)."""

    def __init__(self, proto: chat_pb2.GetChatCompletionChunk, index: int | None) -> None:
        super().__init__(proto)
        self._index = index

    def _parts(self, role: int) -> list[CompletionOutputChunk]:
        index = self._index
        return [
            CompletionOutputChunk(o)
            for o in self._proto.outputs
            if o.delta.role == role and (index is None or o.index == index)
        ]

    @property
    def choices(self) -> Sequence[CompletionOutputChunk]:
        """The assistant increments of this chunk at this index."""
        return self._parts(_ASSISTANT)

    @property
    def created(self) -> datetime.datetime:
        return self._proto.created.ToDatetime()

    @property
    def output(self) -> str:
        """Content and reasoning of this chunk, joined."""
        return "".join(c.content + c.reasoning_content for c in self.choices)

    @property
    def content(self) -> str:
        """The text this chunk adds."""
        return "".join(c.content for c in self.choices)

    @property
    def reasoning_content(self) -> str:
        """The reasoning this chunk adds."""
        return "".join(c.reasoning_content for c in self.choices)

    @property
    def tool_calls(self) -> Sequence[chat_pb2.ToolCall]:
        """Tool calls completed in this chunk."""
        return [call for c in self.choices for call in c.tool_calls]

    @property
    def server_side_tool_usage(self) -> dict[str, int]:
        return tool_usage(self._proto.usage)

    @property
    def citations(self) -> Sequence[str]:
        return self._proto.citations

    @property
    def inline_citations(self) -> Sequence[chat_pb2.InlineCitation]:
        return [citation for c in self.choices for citation in c.proto.delta.citations]

    @property
    def tool_outputs(self) -> Sequence[CompletionOutputChunk]:
        """Server-side tool output increments of this chunk at this index."""
        return self._parts(_TOOL)

    @property
    def debug_output(self) -> chat_pb2.DebugOutput:
        return self._proto.debug_output

    def __str__(self) -> str:
        return self.output


class ImageGenerationOutput(ProtoDecorator[chat_pb2.CompletionOutput]):
    """An image produced by the image-generation tool.

    The tool output's content is a JSON object ``{"__type": "image_generation_result", "result":
    "data:image/...;base64,...", "image_uuid": "..."}``; anything else raises ``ValueError``.
    """

    def __init__(self, proto: chat_pb2.CompletionOutput, tool_call: chat_pb2.ToolCall) -> None:
        super().__init__(proto)
        self._tool_call = tool_call
        content = proto.message.content
        problem = f"not an image generation result: {content[:64]!r}"
        try:
            result = json.loads(content)
        except ValueError as exc:
            raise ValueError(problem) from exc
        if not isinstance(result, dict) or result.get("__type") != _IMAGE_RESULT:
            raise ValueError(problem)
        data_url = result.get("result")
        if not isinstance(data_url, str) or not data_url.startswith("data:image/") or _B64 not in data_url:
            raise ValueError(problem)
        uuid = result.get("image_uuid", "")
        self._data_url = data_url
        self._image_uuid = uuid if isinstance(uuid, str) else ""
        self._image = base64.b64decode(data_url.split(_B64, 1)[1])

    @property
    def tool_call(self) -> chat_pb2.ToolCall:
        """The completed image-generation call (``function.name`` tells generation from edit)."""
        return self._tool_call

    @property
    def data_url(self) -> str:
        return self._data_url

    @property
    def mime_type(self) -> str:
        return self._data_url[len("data:") :].split(";", 1)[0]

    @property
    def image_uuid(self) -> str:
        """The id the model uses to refer to this image later; empty if the server gave none."""
        return self._image_uuid

    @property
    def image(self) -> bytes:
        """The decoded image bytes."""
        return self._image

    def __str__(self) -> str:
        return str(self._proto)


class CompactContextResponse(ProtoDecorator[chat_pb2.CompactContextResponse]):
    """The result of compacting a conversation; ``chat.append()`` it to continue."""

    @property
    def id(self) -> str:
        return self._proto.id

    @property
    def encrypted_content(self) -> str:
        return self._proto.encrypted_content

    @property
    def dropped_message_count(self) -> int:
        return self._proto.dropped_message_count

    @property
    def usage(self) -> usage_pb2.SamplingUsage:
        return self._proto.usage

    def __str__(self) -> str:
        return str(self._proto)


# The text fields of a message that arrive in pieces while streaming.


def _join(pieces: list[str]) -> str:
    return "".join(pieces)


class StreamAccumulator:
    """Folds stream chunks into one response, in time linear in the streamed text.

    Each chunk overwrites the response's id, model, fingerprint, usage and creation time, adds
    its citations, and for every output increment sets the output's index, role and finish
    reason and appends its tool calls and inline citations. Text increments are only collected
    in lists: a field is joined into the proto when the response is next read, once per read
    however many pieces arrived in between.

    ``index`` is the output the stream reads (0, or None for every output); ``outputs`` is how
    many outputs the response starts with, each at its own index.
    """

    __slots__ = ("_index", "_pending", "_pieces", "_proto", "_stale", "response")

    def __init__(self, index: int | None = 0, outputs: int = 1) -> None:
        self._proto = chat_pb2.GetChatCompletionResponse()
        for position in range(outputs):
            self._proto.outputs.add(index=position)
        # (output position, field) -> the pieces received; a joined field is kept as its only piece.
        self._pieces: dict[tuple[int, str], list[str]] = {}
        self._stale: set[tuple[int, str]] = set()
        # Chunks received but not yet folded in: folding waits until the response is read, so a
        # stream nobody reads mid-way costs one list append per chunk.
        self._pending: list[chat_pb2.GetChatCompletionChunk] = []
        self._index = index
        self.response = _StreamedResponse(self, index)

    def responses(self, n: int) -> list[Response]:
        """One view per output index ``0..n-1`` of the accumulated response."""
        return [_StreamedResponse(self, index) for index in range(n)]

    def add(self, chunk: chat_pb2.GetChatCompletionChunk) -> Chunk:
        """Take one chunk in; returns the chunk read at the stream's output index."""
        index = output_index(self._index, chunk.outputs)
        if index != self._index:
            self._index = self.response._index = index
        self._pending.append(chunk)
        return Chunk(chunk, index)

    def _fold(self, chunk: chat_pb2.GetChatCompletionChunk) -> None:
        # Hot path (once per chunk): skip work for empty fields, which most chunks have.
        proto = self._proto
        proto.id = chunk.id
        proto.model = chunk.model
        proto.system_fingerprint = chunk.system_fingerprint
        proto.created.CopyFrom(chunk.created)  # always set, even when empty, as the official does
        proto.usage.CopyFrom(chunk.usage)
        if chunk.service_tier:
            proto.service_tier = chunk.service_tier
        if chunk.citations:
            proto.citations.extend(chunk.citations)
        outputs = proto.outputs
        for part in chunk.outputs:
            position = part.index
            while len(outputs) <= position:
                outputs.add()
            output = outputs[position]
            delta = part.delta
            output.index = position
            output.finish_reason = part.finish_reason
            message = output.message
            message.role = delta.role
            if delta.tool_calls:
                message.tool_calls.extend(delta.tool_calls)
            if delta.citations:
                message.citations.extend(delta.citations)
            if delta.content:
                self._collect(position, "content", delta.content)
            if delta.reasoning_content:
                self._collect(position, "reasoning_content", delta.reasoning_content)
            if delta.encrypted_content:
                self._collect(position, "encrypted_content", delta.encrypted_content)

    def _collect(self, position: int, field: str, piece: str) -> None:
        key = (position, field)
        pieces = self._pieces.get(key)
        if pieces is None:
            pieces = self._pieces[key] = []
        pieces.append(piece)
        self._stale.add(key)

    def proto(self) -> chat_pb2.GetChatCompletionResponse:
        """The response so far: pending chunks folded in, and the text received since the last read joined."""
        if self._pending:
            for chunk in self._pending:
                self._fold(chunk)
            self._pending.clear()
        if self._stale:
            outputs = self._proto.outputs
            for key in self._stale:
                pieces = self._pieces[key]
                joined = _join(pieces)
                pieces[:] = [joined]
                setattr(outputs[key[0]].message, key[1], joined)
            self._stale.clear()
        return self._proto


class _StreamedResponse(Response):
    """A Response whose proto is brought up to date from a :class:`StreamAccumulator` when read."""

    def __init__(self, accumulator: StreamAccumulator, index: int | None) -> None:
        # No super().__init__: the proto is the accumulator's, made current on every read.
        self._accumulator = accumulator
        self._index = index

    @property
    def _proto(self) -> chat_pb2.GetChatCompletionResponse:  # type: ignore[override]
        return self._accumulator.proto()

    @property
    def proto(self) -> chat_pb2.GetChatCompletionResponse:
        return self._accumulator.proto()


def output_index(
    index: int | None, outputs: Sequence[chat_pb2.CompletionOutput | chat_pb2.CompletionOutputChunk]
) -> int | None:
    """Switch from single-output reading (index 0) to multi-output reading (None) when the server
    answers with several outputs on its own, as it does when it runs server-side tools."""
    if index == 0:
        for output in outputs:
            if output.index > 0:
                return None
    return index
