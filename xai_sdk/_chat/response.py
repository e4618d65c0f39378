"""Read-only views over chat responses and stream chunks, and linear-time stream accumulation."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Sequence
from typing import Literal

from xai_sdk.meta import ProtoDecorator
from xai_sdk.proto import chat_pb2, sample_pb2, usage_pb2

USD_PER_TICK = 1e-10
_ASSISTANT = chat_pb2.ROLE_ASSISTANT
_TOOL = chat_pb2.ROLE_TOOL
_EMPTY_OUTPUT = chat_pb2.CompletionOutput()


def cost_usd(usage: usage_pb2.SamplingUsage) -> float | None:
    """The cost in USD, when the API reported one."""
    return usage.cost_in_usd_ticks * USD_PER_TICK if usage.HasField("cost_in_usd_ticks") else None


def tool_usage(usage: usage_pb2.SamplingUsage) -> dict[str, int]:
    """How often each server-side tool ran, by enum name."""
    counts: dict[str, int] = {}
    for tool in usage.server_side_tools_used:
        name = usage_pb2.ServerSideTool.Name(tool)
        counts[name] = counts.get(name, 0) + 1
    return counts


def service_tier_name(tier: int) -> Literal["default", "priority"]:
    return "priority" if tier == usage_pb2.SERVICE_TIER_PRIORITY else "default"


class Response(ProtoDecorator[chat_pb2.GetChatCompletionResponse]):
    """A chat response, read at one output index.

    ``index=None`` reads a multi-output (agentic) response: the last assistant
    output holds the answer. With an index, that output is read. Tool calls and
    tool outputs are gathered from every output.
    """

    def __init__(self, response: chat_pb2.GetChatCompletionResponse, index: int | None) -> None:
        super().__init__(response)
        self._index = index

    def _output(self) -> chat_pb2.CompletionOutput:
        index = self._index
        chosen = _EMPTY_OUTPUT
        for output in self._proto.outputs:
            if output.message.role == _ASSISTANT and (index is None or output.index == index):
                chosen = output
        return chosen

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
        """The role of the answer, e.g. ``ROLE_ASSISTANT``."""
        return chat_pb2.MessageRole.Name(self._output().message.role)

    @property
    def usage(self) -> usage_pb2.SamplingUsage:
        """Token counts and cost of the whole request."""
        return self._proto.usage

    @property
    def cost_usd(self) -> float | None:
        """The cost of the request in USD, or None if not reported."""
        return cost_usd(self._proto.usage)

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
    def service_tier(self) -> Literal["default", "priority"]:
        """The tier the request ran on."""
        return service_tier_name(self._proto.service_tier)

    @property
    def tool_calls(self) -> Sequence[chat_pb2.ToolCall]:
        """Every tool call of the response, client-side and server-side."""
        return [call for o in self._proto.outputs if o.message.role == _ASSISTANT for call in o.message.tool_calls]

    @property
    def citations(self) -> Sequence[str]:
        """URLs of the sources the answer used."""
        return self._proto.citations

    @property
    def inline_citations(self) -> Sequence[chat_pb2.InlineCitation]:
        """Citations placed in the answer's text."""
        return self._output().message.citations

    @property
    def tool_outputs(self) -> Sequence[chat_pb2.CompletionOutput]:
        """Outputs of server-side tools, in order."""
        return [o for o in self._proto.outputs if o.message.role == _TOOL]

    @property
    def image_outputs(self) -> Sequence[ImageGenerationOutput]:
        """Images made by the image-generation tool."""
        images = []
        calls = {c.id: c for c in self.tool_calls if c.type == chat_pb2.TOOL_CALL_TYPE_IMAGE_GENERATION_TOOL}
        for output in self.tool_outputs:
            call = calls.get(output.message.tool_calls[0].id) if output.message.tool_calls else None
            if call is None and len(calls) == 1 and output.message.content.startswith("data:image"):
                call = next(iter(calls.values()))
            if call is not None:
                images.append(ImageGenerationOutput(output, call))
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
        return str(self._proto)


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


class Chunk(ProtoDecorator[chat_pb2.GetChatCompletionChunk]):
    """One message of a chat stream, read at one output index (None: every output)."""

    def __init__(self, proto: chat_pb2.GetChatCompletionChunk, index: int | None) -> None:
        super().__init__(proto)
        self._index = index

    @property
    def choices(self) -> Sequence[CompletionOutputChunk]:
        """The assistant increments of this chunk at this index."""
        index = self._index
        return [
            CompletionOutputChunk(o)
            for o in self._proto.outputs
            if o.delta.role == _ASSISTANT and (index is None or o.index == index)
        ]

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
        """Server-side tool output increments in this chunk."""
        return [CompletionOutputChunk(o) for o in self._proto.outputs if o.delta.role == _TOOL]

    @property
    def debug_output(self) -> chat_pb2.DebugOutput:
        return self._proto.debug_output

    def __str__(self) -> str:
        return str(self._proto)


class ImageGenerationOutput(ProtoDecorator[chat_pb2.CompletionOutput]):
    """An image produced by the image-generation tool: a ``data:`` URL in the tool output."""

    def __init__(self, proto: chat_pb2.CompletionOutput, tool_call: chat_pb2.ToolCall) -> None:
        super().__init__(proto)
        self._tool_call = tool_call
        self._data_url = proto.message.content.strip()
        header, sep, payload = self._data_url.partition(",")
        if not sep or not header.startswith("data:") or ";base64" not in header:
            raise ValueError("image generation output is not a base64 data: URL")
        self._mime_type = header[5:].split(";", 1)[0]
        self._payload = payload

    @property
    def tool_call(self) -> chat_pb2.ToolCall:
        return self._tool_call

    @property
    def data_url(self) -> str:
        return self._data_url

    @property
    def mime_type(self) -> str:
        return self._mime_type

    @property
    def image_uuid(self) -> str:
        return self._tool_call.id

    @property
    def image(self) -> bytes:
        """The decoded image bytes."""
        return base64.b64decode(self._payload)


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


class StreamAccumulator:
    """Folds stream chunks into a response in time linear in the streamed text.

    Text arrives as many small pieces; they are kept in lists and joined into the
    response proto only when the response is read, and at most once per chunk.
    """

    __slots__ = ("_dirty", "_index", "_pieces", "_proto", "response")

    def __init__(self, index: int | None = 0) -> None:
        self._proto = chat_pb2.GetChatCompletionResponse()
        self._pieces: dict[int, tuple[list[str], list[str], list[str]]] = {}
        self._dirty = False
        self._index = index
        self.response = _StreamedResponse(self, index)

    def responses(self, n: int) -> list[Response]:
        """Views of the first ``n`` outputs of the accumulated response."""
        return [_StreamedResponse(self, index) for index in range(n)]

    def add(self, chunk: chat_pb2.GetChatCompletionChunk) -> Chunk:
        """Fold one chunk in; returns the chunk's view at the stream's output index."""
        if self._index == 0 and output_index(0, chunk.outputs) is None:
            self._index = self.response._index = None
        self._fold(chunk)
        return Chunk(chunk, self._index)

    def _fold(self, chunk: chat_pb2.GetChatCompletionChunk) -> None:
        proto = self._proto
        if chunk.id:
            proto.id = chunk.id
        if chunk.model:
            proto.model = chunk.model
        if chunk.HasField("created"):
            proto.created.CopyFrom(chunk.created)
        if chunk.system_fingerprint:
            proto.system_fingerprint = chunk.system_fingerprint
        if chunk.HasField("usage"):
            proto.usage.CopyFrom(chunk.usage)
        if chunk.citations:
            proto.citations.extend(chunk.citations)
        if chunk.HasField("debug_output"):
            proto.debug_output.CopyFrom(chunk.debug_output)
        if chunk.output_files:
            proto.output_files.extend(chunk.output_files)
        if chunk.service_tier:
            proto.service_tier = chunk.service_tier
        outputs = proto.outputs
        for part in chunk.outputs:
            while len(outputs) <= part.index:
                outputs.add(index=len(outputs))
            output = outputs[part.index]
            delta = part.delta
            if delta.role:
                output.message.role = delta.role
            pieces = self._pieces.get(part.index)
            if pieces is None:
                pieces = self._pieces[part.index] = ([], [], [])
            if delta.content:
                pieces[0].append(delta.content)
                self._dirty = True
            if delta.reasoning_content:
                pieces[1].append(delta.reasoning_content)
                self._dirty = True
            if delta.encrypted_content:
                pieces[2].append(delta.encrypted_content)
                self._dirty = True
            if delta.tool_calls:
                output.message.tool_calls.extend(delta.tool_calls)
            if delta.citations:
                output.message.citations.extend(delta.citations)
            if part.finish_reason:
                output.finish_reason = part.finish_reason
            if part.logprobs.content:
                output.logprobs.content.extend(part.logprobs.content)

    def proto(self) -> chat_pb2.GetChatCompletionResponse:
        """The response so far, with all text joined in."""
        if self._dirty:
            for index, (content, reasoning, encrypted) in self._pieces.items():
                message = self._proto.outputs[index].message
                if content:
                    message.content = "".join(content)
                    content[:] = [message.content]
                if reasoning:
                    message.reasoning_content = "".join(reasoning)
                    reasoning[:] = [message.reasoning_content]
                if encrypted:
                    message.encrypted_content = "".join(encrypted)
                    encrypted[:] = [message.encrypted_content]
            self._dirty = False
        return self._proto


class _StreamedResponse(Response):
    """A Response whose proto is completed lazily from a :class:`StreamAccumulator`."""

    def __init__(self, accumulator: StreamAccumulator, index: int | None) -> None:
        super().__init__(accumulator._proto, index)
        self._accumulator = accumulator

    def _output(self) -> chat_pb2.CompletionOutput:
        self._accumulator.proto()
        return super()._output()

    @property
    def proto(self) -> chat_pb2.GetChatCompletionResponse:
        return self._accumulator.proto()


def output_index(
    index: int | None, outputs: Sequence[chat_pb2.CompletionOutput | chat_pb2.CompletionOutputChunk]
) -> int | None:
    """Switch from single-output reading (index 0) to multi-output reading (None) when the server
    answers with several outputs on its own, as it does when it runs server-side tools."""
    if index == 0 and any(output.index > 0 for output in outputs):
        return None
    return index
