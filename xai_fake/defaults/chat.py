"""Defaults for ``xai_api.Chat``: seeded completions, streams, tool calls, JSON, stored and deferred chats."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from xai_fake.defaults import schema, server_tools, tokens
from xai_fake.defaults.models import REASONING_MODELS, language_model
from xai_fake.defaults.state import State, now
from xai_fake.defaults.text import generate
from xai_fake.errors import invalid_argument, not_found
from xai_sdk.proto import chat_pb2, deferred_pb2, models_pb2, sample_pb2, usage_pb2

MAX_N = 128
MESSAGE_OVERHEAD_TOKENS = 3  # role and separators, per message
STREAM_TOKENS_PER_CHUNK = 3


@dataclass
class Answer:
    """What one output says, before it is put into a response or chunks."""

    content: str = ""
    reasoning: str = ""
    tool_calls: list[chat_pb2.ToolCall] = field(default_factory=list)
    finish_reason: int = sample_pb2.REASON_STOP

    @property
    def completion_tokens(self) -> int:
        arguments = sum(tokens.count(c.function.arguments) + 1 for c in self.tool_calls)
        return tokens.count(self.content) + arguments


def prompt_tokens(messages: Any) -> int:
    """Tokens of a conversation as the fake's tokenizer counts them."""
    total = 0
    for message in messages:
        total += MESSAGE_OVERHEAD_TOKENS
        for part in message.content:
            total += tokens.count(part.text) if part.WhichOneof("content") == "text" else 256
    return total


def cost_ticks(model: models_pb2.LanguageModel, prompt: int, completion: int) -> int:
    """Cost in 1e-10 USD ticks at the catalogue's per-token prices."""
    return prompt * model.prompt_text_token_price + completion * model.completion_text_token_price


class ChatDefaults:
    """Answers chats the way the real API shapes them, deterministically per request and seed."""

    def __init__(self, state: State) -> None:
        self.state = state

    # -- building answers -----------------------------------------------------------------

    def _validate(self, request: chat_pb2.GetCompletionsRequest) -> models_pb2.LanguageModel:
        if not request.model:
            raise invalid_argument("model is required, e.g. model='grok-4'")
        model = language_model(request.model)
        if not request.messages and not request.previous_response_id:
            raise invalid_argument("messages must hold at least one message (or set previous_response_id)")
        for index, message in enumerate(request.messages):
            if message.role == chat_pb2.INVALID_ROLE:
                raise invalid_argument(f"messages[{index}] has no role; use ROLE_USER, ROLE_SYSTEM, ...")
        if request.HasField("previous_response_id") and request.previous_response_id not in self._stored():
            raise not_found(f"previous_response_id {request.previous_response_id!r} is not a stored response")
        n = request.n if request.HasField("n") else 1
        if not 1 <= n <= MAX_N:
            raise invalid_argument(f"n must be between 1 and {MAX_N}, got {n}")
        if request.HasField("max_tokens") and request.max_tokens < 1:
            raise invalid_argument(f"max_tokens must be positive, got {request.max_tokens}")
        _check_enums(request)
        prompt = prompt_tokens(request.messages)
        if prompt > model.max_prompt_length:
            raise invalid_argument(
                f"the prompt is {prompt} tokens, more than {model.name}'s limit of {model.max_prompt_length}; "
                "shorten the conversation (chat.compact() can help)"
            )
        return model

    def _function_tools(self, request: chat_pb2.GetCompletionsRequest) -> list[chat_pb2.Function]:
        functions = [t.function for t in request.tools if t.WhichOneof("tool") == "function"]
        choice = request.tool_choice
        if choice.WhichOneof("tool_choice") == "mode" and choice.mode == chat_pb2.TOOL_MODE_NONE:
            return []
        if choice.WhichOneof("tool_choice") == "function_name":
            chosen = [f for f in functions if f.name == choice.function_name]
            if not chosen:
                raise invalid_argument(f"tool_choice names {choice.function_name!r}, which is not in tools")
            return chosen
        return functions

    def _answer(self, request: chat_pb2.GetCompletionsRequest, rng: random.Random, index: int) -> Answer:
        functions = self._function_tools(request)
        last = request.messages[-1] if request.messages else None
        after_tool_result = last is not None and last.role == chat_pb2.ROLE_TOOL
        answer = Answer()
        if _reasons(request):
            answer.reasoning = generate(self.state, rng, max_tokens=48).text
        if functions and not after_tool_result:
            function = rng.choice(functions)
            parameters = function.parameters or '{"type": "object"}'
            arguments = _schema_value(parameters, f"the parameters of tool {function.name!r}", rng, self._words(rng))
            answer.tool_calls.append(
                chat_pb2.ToolCall(
                    id=f"call_{rng.getrandbits(64):016x}",
                    type=chat_pb2.TOOL_CALL_TYPE_CLIENT_SIDE_TOOL,
                    status=chat_pb2.TOOL_CALL_STATUS_COMPLETED,
                    function=chat_pb2.FunctionCall(name=function.name, arguments=json.dumps(arguments)),
                )
            )
            answer.finish_reason = sample_pb2.REASON_TOOL_CALLS
            return answer
        fmt = request.response_format
        if fmt.format_type == chat_pb2.FORMAT_TYPE_JSON_SCHEMA:
            if not fmt.HasField("schema"):
                raise invalid_argument("response_format json_schema needs a schema")
            value = _schema_value(fmt.schema, "the response_format schema", rng, self._words(rng))
            answer.content = json.dumps(value)
            return answer
        if fmt.format_type == chat_pb2.FORMAT_TYPE_JSON_OBJECT:
            words = self._words(rng)
            answer.content = json.dumps({"answer": " ".join(words[:6]), "confidence": round(rng.random(), 2)})
            return answer
        max_tokens = request.max_tokens if request.HasField("max_tokens") else None
        text = generate(self.state, rng, max_tokens=max_tokens, stop=list(request.stop))
        answer.content, answer.finish_reason = text.text, text.finish_reason
        return answer

    def _words(self, rng: random.Random) -> list[str]:
        return [w.strip(".,") for w in self.state.faker(rng).words(nb=12)]

    def _citations(self, request: chat_pb2.GetCompletionsRequest, rng: random.Random) -> list[str]:
        search = request.search_parameters
        searching = request.HasField("search_parameters") and search.mode != chat_pb2.OFF_SEARCH_MODE
        if not searching or not search.return_citations:
            return []
        count = min(search.max_search_results or 3, 3)
        return [f"https://example.com/{rng.getrandbits(32):08x}" for _ in range(count)]

    def respond(
        self, request: chat_pb2.GetCompletionsRequest, answer: Answer | None = None
    ) -> chat_pb2.GetChatCompletionResponse:
        """The complete response to a chat request; ``answer`` replaces the generated outputs."""
        model = self._validate(request)
        rng = self.state.rng(request)
        n = request.n if request.HasField("n") else 1
        answers = [answer or self._answer(request, rng, index) for index in range(n)]
        prompt = prompt_tokens(request.messages)
        completion = sum(a.completion_tokens for a in answers)
        reasoning = sum(tokens.count(a.reasoning) for a in answers)
        response = chat_pb2.GetChatCompletionResponse(
            id=self.state.new_uuid(),
            created=now(),
            model=model.name,
            system_fingerprint=model.system_fingerprint,
            citations=self._citations(request, rng),
            usage=usage_pb2.SamplingUsage(
                prompt_tokens=prompt,
                prompt_text_tokens=prompt,
                completion_tokens=completion,
                reasoning_tokens=reasoning,
                total_tokens=prompt + completion + reasoning,
                num_sources_used=len(request.search_parameters.sources) if request.HasField("search_parameters") else 0,
                cost_in_usd_ticks=cost_ticks(model, prompt, completion + reasoning),
            ),
            service_tier=request.service_tier or usage_pb2.SERVICE_TIER_DEFAULT,
        )
        for index, output in enumerate(answers):
            response.outputs.add(
                index=index,
                finish_reason=output.finish_reason,
                message=chat_pb2.CompletionMessage(
                    role=chat_pb2.ROLE_ASSISTANT,
                    content=output.content,
                    reasoning_content=output.reasoning,
                    tool_calls=output.tool_calls,
                ),
            )
        if answer is None:
            server_tools.apply(self.state, request, response)
        _settings(request, response.settings)
        if request.store_messages:
            self._stored()[response.id] = response
        return response

    # -- RPCs -----------------------------------------------------------------------------

    def GetCompletion(
        self, request: chat_pb2.GetCompletionsRequest, context: object
    ) -> chat_pb2.GetChatCompletionResponse:
        return self.respond(request)

    def GetCompletionChunk(
        self, request: chat_pb2.GetCompletionsRequest, context: object
    ) -> Iterator[chat_pb2.GetChatCompletionChunk]:
        return chunks_of(self.respond(request))

    def StartDeferredCompletion(
        self, request: chat_pb2.GetCompletionsRequest, context: object
    ) -> deferred_pb2.StartDeferredResponse:
        response = self.respond(request)
        request_id = self.state.new_uuid()
        self.state.store("chat.deferred")[request_id] = {"response": response, "polls": 0}
        return deferred_pb2.StartDeferredResponse(request_id=request_id)

    def GetDeferredCompletion(
        self, request: deferred_pb2.GetDeferredRequest, context: object
    ) -> chat_pb2.GetDeferredCompletionResponse:
        job = self.state.store("chat.deferred").get(request.request_id)
        if job is None:
            raise not_found(f"no deferred completion with request_id {request.request_id!r}")
        job["polls"] += 1
        if job["polls"] == 1:
            return chat_pb2.GetDeferredCompletionResponse(status=deferred_pb2.PENDING)
        return chat_pb2.GetDeferredCompletionResponse(status=deferred_pb2.DONE, response=job["response"])

    def GetStoredCompletion(
        self, request: chat_pb2.GetStoredCompletionRequest, context: object
    ) -> chat_pb2.GetChatCompletionResponse:
        stored = self._stored().get(request.response_id)
        if stored is None:
            raise not_found(f"no stored completion with id {request.response_id!r} (was store_messages=True set?)")
        return stored  # type: ignore[no-any-return]

    def DeleteStoredCompletion(
        self, request: chat_pb2.DeleteStoredCompletionRequest, context: object
    ) -> chat_pb2.DeleteStoredCompletionResponse:
        if self._stored().pop(request.response_id, None) is None:
            raise not_found(f"no stored completion with id {request.response_id!r}")
        return chat_pb2.DeleteStoredCompletionResponse(response_id=request.response_id)

    def CompactContext(
        self, request: chat_pb2.CompactContextRequest, context: object
    ) -> chat_pb2.CompactContextResponse:
        model = language_model(request.model) if request.model else None
        if model is None:
            raise invalid_argument("model is required, e.g. model='grok-4'")
        if not request.input:
            raise invalid_argument("input must hold the messages to compact")
        summary = " ".join(p.text for m in request.input for p in m.content if p.text)[:2000]
        prompt = prompt_tokens(request.input)
        return chat_pb2.CompactContextResponse(
            id=self.state.new_id("compact"),
            encrypted_content=base64.b64encode(summary.encode()).decode(),
            dropped_message_count=max(len(request.input) - 1, 0),
            usage=usage_pb2.SamplingUsage(prompt_tokens=prompt, prompt_text_tokens=prompt, total_tokens=prompt),
        )

    def _stored(self) -> dict[str, Any]:
        return self.state.store("chat.stored")


_ENUM_FIELDS = (
    ("reasoning_effort", chat_pb2.ReasoningEffort),
    ("agent_count", chat_pb2.AgentCount),
    ("service_tier", usage_pb2.ServiceTier),
)


def _check_enums(request: chat_pb2.GetCompletionsRequest) -> None:
    """Unknown enum numbers get INVALID_ARGUMENT, as from the real API."""
    for name, enum in _ENUM_FIELDS:
        value = getattr(request, name)
        if value not in enum.values():
            raise invalid_argument(f"{name} has no value {value}; use one of {', '.join(enum.keys())}")
    for option in request.include:
        if option not in chat_pb2.IncludeOption.values() or option == chat_pb2.INCLUDE_OPTION_INVALID:
            raise invalid_argument(
                f"include has no option {option}; use one of {', '.join(chat_pb2.IncludeOption.keys()[1:])}"
            )
    for index, message in enumerate(request.messages):
        if message.role not in chat_pb2.MessageRole.values():
            raise invalid_argument(f"messages[{index}] has an unknown role {message.role}")


def _reasons(request: chat_pb2.GetCompletionsRequest) -> bool:
    if request.HasField("reasoning_effort"):
        return request.reasoning_effort != chat_pb2.EFFORT_NONE
    return language_model(request.model).name in REASONING_MODELS


def _settings(request: chat_pb2.GetCompletionsRequest, settings: chat_pb2.RequestSettings) -> None:
    if request.HasField("max_tokens"):
        settings.max_tokens = request.max_tokens
    if request.HasField("temperature"):
        settings.temperature = request.temperature
    if request.HasField("top_p"):
        settings.top_p = request.top_p
    if request.HasField("reasoning_effort"):
        settings.reasoning_effort = request.reasoning_effort
    settings.parallel_tool_calls = request.parallel_tool_calls if request.HasField("parallel_tool_calls") else True
    settings.user = request.user
    settings.store_messages = request.store_messages
    settings.use_encrypted_content = request.use_encrypted_content
    settings.tools.extend(request.tools)
    settings.include.extend(request.include)
    if request.HasField("response_format"):
        settings.response_format.CopyFrom(request.response_format)
    if request.HasField("tool_choice"):
        settings.tool_choice.CopyFrom(request.tool_choice)


def chunks_of(
    response: chat_pb2.GetChatCompletionResponse, pieces: list[str] | None = None
) -> Iterator[chat_pb2.GetChatCompletionChunk]:
    """Split a complete response into stream chunks; the last carries finish reasons and usage.

    ``pieces`` sets the content of each chunk (of every output) instead of the tokenizer's split.
    """

    def chunk(**outputs: Any) -> chat_pb2.GetChatCompletionChunk:
        return chat_pb2.GetChatCompletionChunk(
            id=response.id,
            created=response.created,
            model=response.model,
            system_fingerprint=response.system_fingerprint,
            outputs=[chat_pb2.CompletionOutputChunk(**outputs)],
        )

    for output in response.outputs:
        message, index = output.message, output.index
        if message.role == chat_pb2.ROLE_TOOL:  # a server-side tool's result arrives whole, with its call
            delta = chat_pb2.Delta(role=message.role, content=message.content, tool_calls=message.tool_calls)
            yield chunk(index=index, delta=delta)
            continue
        reasoning = tokens.split(message.reasoning_content)
        for start in range(0, len(reasoning), STREAM_TOKENS_PER_CHUNK):
            piece = "".join(reasoning[start : start + STREAM_TOKENS_PER_CHUNK])
            yield chunk(index=index, delta=chat_pb2.Delta(role=chat_pb2.ROLE_ASSISTANT, reasoning_content=piece))
        parts = pieces
        if parts is None:
            content = tokens.split(message.content)
            step = STREAM_TOKENS_PER_CHUNK
            parts = ["".join(content[start : start + step]) for start in range(0, len(content), step)]
        for piece in parts:
            yield chunk(index=index, delta=chat_pb2.Delta(role=chat_pb2.ROLE_ASSISTANT, content=piece))
        if message.citations:
            yield chunk(index=index, delta=chat_pb2.Delta(role=chat_pb2.ROLE_ASSISTANT, citations=message.citations))
        if message.tool_calls:
            delta = chat_pb2.Delta(role=chat_pb2.ROLE_ASSISTANT, tool_calls=message.tool_calls)
            yield chunk(index=index, delta=delta)
    last = chat_pb2.GetChatCompletionChunk(
        id=response.id,
        created=response.created,
        model=response.model,
        system_fingerprint=response.system_fingerprint,
        usage=response.usage,
        citations=response.citations,
        service_tier=response.service_tier,
    )
    for output in response.outputs:
        # Every chunk names the role: clients (the official one included) copy it from each delta.
        delta = chat_pb2.Delta(role=output.message.role or chat_pb2.ROLE_ASSISTANT)
        last.outputs.add(index=output.index, finish_reason=output.finish_reason, delta=delta)
    yield last


def _schema_value(text: str, what: str, rng: random.Random, words: list[str]) -> Any:
    """A value valid against the JSON schema ``text``; INVALID_ARGUMENT if it is not a usable schema."""
    try:
        wanted = json.loads(text)
    except json.JSONDecodeError as error:
        raise invalid_argument(f"{what} is not valid JSON: {error}") from None
    if not isinstance(wanted, dict):
        raise invalid_argument(f"{what} must be a JSON object (a JSON schema), got {type(wanted).__name__}")
    try:
        return schema.value_for(wanted, rng, words)
    except (LookupError, TypeError, ValueError, AttributeError, RecursionError) as error:
        raise invalid_argument(f"{what} is not a JSON schema xai_fake can follow: {error!r}") from None
