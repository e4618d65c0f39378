"""Chat answers, built in one place for everything that answers a chat request.

The Chat service's default handlers (:mod:`xai_fake.defaults.chat`), batches
(:mod:`xai_fake.defaults.batch`), the chat shortcuts (``fake.chat.reply(...)``) and scripts
whose answer is a text or a :class:`Reply` all go through :class:`ChatAnswers`, so the same
request gets the same validation, usage, outputs and settings echo whichever way it came in.

Answers are deterministic per request: the generator of a call is ``State.rng(request)``,
seeded from the server seed and the request's bytes. So an answer that depends on nothing
else (no server-side tools, no ``previous_response_id``) is memoised by the request's bytes
(and the reply): the same request again gets a copy of it with a new id and time, which is
what it would have got anyway, without validating and generating it again.

Validation holds the request against the model's capabilities (:func:`xai_fake.defaults.capabilities.check`:
the parameters it accepts, image input, its context window). Usage adds up like the real API's:

- the prompt of a ``previous_response_id`` continuation includes the stored history (the earlier
  prompt and the stored outputs, as ``chat.append(response)`` would resend them);
- a call with ``x-grok-conv-id`` metadata has the leading messages its conversation sent before
  billed as ``cached_prompt_text_tokens`` at the model's cached price (:class:`PromptCacheState`);
  a call without one never is, so its usage depends on the request alone;
- reasoning tokens grow with ``reasoning_effort`` (:data:`~xai_fake.defaults.capabilities.REASONING_BANDS`);
- server-side tool calls add their tokens, ``server_side_tools_used`` and their price
  (:mod:`xai_fake.defaults.server_tools`).

A :class:`Reply` is what a test says the model answers::

    fake.chat.respond(Reply("Paris", reasoning="It is the capital.", prompt_tokens=12))
    fake.script("Chat/GetCompletion").respond_with(lambda request, context: "hi")
    Reply(tool_calls=[("get_weather", {"city": "Paris"})])      # finish_reason becomes REASON_TOOL_CALLS
    Reply(chunks=["Hel", "lo"], chunk_delay=0.05)                # streams exactly these pieces
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import random
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar, Union

import grpc
from google.protobuf.message import Message

from xai_fake.chain import current_call
from xai_fake.defaults import capabilities, schema, server_tools, tokens
from xai_fake.defaults.capabilities import Capabilities
from xai_fake.defaults.enums import check_enum
from xai_fake.defaults.models import LANGUAGE_SPECS, LanguageSpec, language_model, language_spec
from xai_fake.defaults.state import State
from xai_fake.defaults.text import generate, some_words, thought
from xai_fake.errors import FakeRpcError, invalid_argument, not_found
from xai_fake.schema.near_miss import NearMiss, NotApplicable, spoil
from xai_sdk.proto import chat_pb2, deferred_pb2, models_pb2, sample_pb2, usage_pb2

__all__ = [
    "CONVERSATION_HEADER",
    "DEFERRED",
    "SAMPLE",
    "STREAM",
    "ChatAnswers",
    "ChatState",
    "DeferredChat",
    "HistoryState",
    "PromptCacheState",
    "Reply",
    "ToolCallLike",
    "chunks_of",
    "cost_ticks",
    "function_call",
    "prompt_tokens",
]

#: The chat methods :meth:`ChatAnswers.complete` answers.
SAMPLE = "xai_api.Chat/GetCompletion"
STREAM = "xai_api.Chat/GetCompletionChunk"
DEFERRED = "xai_api.Chat/StartDeferredCompletion"

M = TypeVar("M", bound=Message)

MAX_N = 128
MESSAGE_OVERHEAD_TOKENS = 3  # role and separators, per message
#: Tokens of a content part that is not text (an image, a file).
NON_TEXT_PART_TOKENS = 256
STREAM_TOKENS_PER_CHUNK = 3
#: Length of the generated reasoning of a reasoning model, in tokens.
REASONING_TOKENS = 48
#: Words the generated strings of JSON values are made of, per output.
JSON_WORDS = 12
#: Answers to requests of up to this many bytes are memoised, at most MEMO_ENTRIES of them.
MEMO_REQUEST_BYTES = 8192
MEMO_ENTRIES = 512

#: A tool call in a :class:`Reply`: a ``chat_pb2.ToolCall``, or ``(name, arguments)`` /
#: ``(name, arguments, call_id)`` where ``arguments`` is a JSON string or a value to encode as JSON.
ToolCallLike = Union[chat_pb2.ToolCall, tuple[str, Any], tuple[str, Any, str]]  # noqa: UP007


def function_call(name: str, arguments: Any = None, *, call_id: str = "call_0") -> chat_pb2.ToolCall:
    """A completed client-side function call, as the model sends it.

    ``arguments`` is a JSON string used as is, or a value (dict, list, ...) encoded as JSON;
    None means ``{}``.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"a tool call needs a function name, got {name!r}")
    if arguments is None:
        arguments = {}
    encoded = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return chat_pb2.ToolCall(
        id=call_id,
        type=chat_pb2.TOOL_CALL_TYPE_CLIENT_SIDE_TOOL,
        status=chat_pb2.TOOL_CALL_STATUS_COMPLETED,
        function=chat_pb2.FunctionCall(name=name, arguments=encoded),
    )


def _as_tool_call(call: ToolCallLike, index: int) -> chat_pb2.ToolCall:
    if isinstance(call, chat_pb2.ToolCall):
        return call
    if isinstance(call, tuple) and len(call) in (2, 3):
        call_id = call[2] if len(call) == 3 else f"call_{index}"
        return function_call(call[0], call[1], call_id=call_id)
    raise TypeError(
        f"tool_calls[{index}] is a {type(call).__name__}; use a chat_pb2.ToolCall or (name, arguments[, call_id])"
    )


class _Output(NamedTuple):
    """What one output says, with its token counts, before it goes into a response."""

    content: str
    reasoning: str
    calls: Sequence[chat_pb2.ToolCall]
    finish_reason: int
    completion: int
    reasoning_tokens: int


def _call_tokens(calls: Sequence[chat_pb2.ToolCall]) -> int:
    return sum(tokens.count(c.function.arguments) + 1 for c in calls)


def _server_side(calls: Sequence[chat_pb2.ToolCall]) -> bool:
    """True if ``calls`` are server-side tool calls (steps of the agentic loop)."""
    return bool(calls) and all(c.type != chat_pb2.TOOL_CALL_TYPE_CLIENT_SIDE_TOOL for c in calls)


@dataclass(frozen=True)
class Reply:
    """What the model answers: one output, repeated for each of the request's ``n``.

    The response around it is built like a default answer: the request is validated, ids,
    timestamps, settings echo and usage follow the request and the fake's tokenizer, and
    ``n`` outputs are returned. Server-side tools are not run for a reply.

    - ``content``, ``reasoning``: the answer's text and reasoning (``reasoning_content``).
    - ``tool_calls``: :data:`ToolCallLike` items; after construction the field holds
      ``chat_pb2.ToolCall`` protos (tuples get the ids ``call_0``, ``call_1``, ... by position).
    - ``finish_reason``: a ``sample_pb2.FinishReason``; None picks ``REASON_TOOL_CALLS`` when
      there are tool calls, else ``REASON_STOP``.
    - ``prompt_tokens``, ``completion_tokens``, ``reasoning_tokens``, ``cached_prompt_tokens``:
      when set, the response's usage reports exactly these totals (whatever ``n`` is) instead
      of the computed ones; ``total_tokens`` and the cost follow them.
    - ``chunks``: for streams, the exact content pieces of each output (they must join to
      ``content``; ``content`` may be left empty to take them); None splits by tokens.
    - ``chunk_delay``: seconds of pause before each chunk of a stream.
    """

    content: str = ""
    reasoning: str = ""
    tool_calls: Sequence[ToolCallLike] = ()
    finish_reason: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_prompt_tokens: int | None = None
    chunks: list[str] | None = None
    chunk_delay: float = 0.0
    _output: _Output = field(init=False, repr=False, compare=False)
    #: What the response depends on (the memo's key), and whether usage is overridden.
    _key: tuple[Any, ...] = field(init=False, repr=False, compare=False)
    _overrides: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        content, reasoning = self.content, self.reasoning
        if not isinstance(content, str) or not isinstance(reasoning, str):
            raise TypeError("Reply content and reasoning must be strings")
        if self.chunks is not None:
            content = self._take_chunks()
        overrides = (self.prompt_tokens, self.completion_tokens, self.reasoning_tokens, self.cached_prompt_tokens)
        has_overrides = overrides != (None, None, None, None)
        if has_overrides:
            self._check_usage()
        if self.chunk_delay < 0:
            raise ValueError(f"chunk_delay must be >= 0, got {self.chunk_delay}")
        completion = tokens.count(content)
        calls: tuple[chat_pb2.ToolCall, ...] = ()
        if self.tool_calls:
            calls = tuple(_as_tool_call(call, index) for index, call in enumerate(self.tool_calls))
            completion += _call_tokens(calls)
        if calls or self.tool_calls != ():
            object.__setattr__(self, "tool_calls", calls)
        finish = self.finish_reason
        if finish is None:
            finish = sample_pb2.REASON_TOOL_CALLS if calls else sample_pb2.REASON_STOP
        output = _Output(content, reasoning, calls, finish, completion, tokens.count(reasoning) if reasoning else 0)
        object.__setattr__(self, "_output", output)
        encoded = tuple(call.SerializeToString(deterministic=True) for call in calls)
        object.__setattr__(self, "_key", (content, reasoning, encoded, finish, *overrides))
        object.__setattr__(self, "_overrides", has_overrides)

    def _take_chunks(self) -> str:
        if isinstance(self.chunks, str):
            raise TypeError("chunks takes a list of pieces, e.g. ['Hel', 'lo']; use content for one text")
        pieces = list(self.chunks or ())
        if not all(isinstance(piece, str) for piece in pieces):
            raise TypeError("chunks must hold strings")
        joined = "".join(pieces)
        if self.content and self.content != joined:
            raise ValueError(f"chunks join to {joined!r}, not to the content {self.content!r}")
        object.__setattr__(self, "content", joined)
        object.__setattr__(self, "chunks", pieces)
        return joined

    def _check_usage(self) -> None:
        for name in ("prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_prompt_tokens"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"{name} must be a non-negative int or None, got {value!r}")
        prompt, cached = self.prompt_tokens, self.cached_prompt_tokens
        if prompt is not None and cached is not None and cached > prompt:
            raise ValueError(f"cached_prompt_tokens ({cached}) exceeds prompt_tokens ({prompt})")


@dataclass
class DeferredChat:
    """A deferred completion: its finished response, when it started, and how often it was polled.

    It is PENDING until :attr:`READY_SECONDS` of the fake's clock after it started (while the clock
    runs in real time, also until its second poll), then DONE, once: the result is handed out a
    single time, and EXPIRED after :attr:`KEPT_SECONDS` if nobody fetched it.
    """

    #: Seconds of the fake's clock a deferred completion takes (docs.x.ai gives no figure).
    READY_SECONDS = 10.0
    #: "The result would be available to be requested exactly once within 24 hours, after which it
    #: would be discarded." https://docs.x.ai/developers/advanced-api-usage/deferred-chat-completions
    KEPT_SECONDS = 24 * 3600

    response: chat_pb2.GetChatCompletionResponse
    #: Polls made while the clock ran in real time (each one stands for the wait).
    polls: int = 0
    #: The clock time it started.
    started: float = 0.0


@dataclass
class ChatState:
    """What chat remembers between calls: stored completions (by response id) and deferred ones (by request id).

    A team's own: another team's ids are NOT_FOUND. Stored completions are kept
    :attr:`KEPT_SECONDS` of the fake's clock after they were created, then NOT_FOUND.
    """

    #: "The responses will be stored for 30 days, after which they will be removed."
    #: https://docs.x.ai/developers/model-capabilities/text/generate-text
    KEPT_SECONDS = 30 * 24 * 3600

    stored: dict[str, chat_pb2.GetChatCompletionResponse] = field(default_factory=dict)
    deferred: dict[str, DeferredChat] = field(default_factory=dict)
    #: Request ids of deferred completions whose result was handed out (it is handed out once).
    fetched: set[str] = field(default_factory=set)

    def forget(self, ident: str) -> None:
        """Drop a stored completion whose time is up (see ``State.forget_at``)."""
        self.stored.pop(ident, None)


@dataclass(frozen=True)
class _Model:
    """The catalogue entry of a language model, with what an answer reads of it."""

    proto: models_pb2.LanguageModel
    spec: LanguageSpec
    name: str
    fingerprint: str
    caps: Capabilities
    prompt_price: int
    cached_price: int
    completion_price: int


_models: dict[str, _Model] = {}


def _model(name: str) -> _Model:
    """The model with this name or alias (looked up once per name); NOT_FOUND naming the known ones."""
    found = _models.get(name)
    if found is None:
        proto, spec = language_model(name), language_spec(name)
        found = _models[name] = _Model(
            proto,
            spec,
            proto.name,
            proto.system_fingerprint,
            spec.capabilities,
            proto.prompt_text_token_price,
            proto.cached_prompt_token_price,
            proto.completion_text_token_price,
        )
    return found


def prompt_tokens(messages: Any) -> int:
    """Tokens of a conversation as the fake's tokenizer counts them."""
    total = MESSAGE_OVERHEAD_TOKENS * len(messages)
    count = tokens.count
    for message in messages:
        for part in message.content:
            total += count(part.text) if part.WhichOneof("content") == "text" else NON_TEXT_PART_TOKENS
    return total


def cost_ticks(model: models_pb2.LanguageModel, prompt: int, completion: int) -> int:
    """Cost in 1e-10 USD ticks at the catalogue's per-token prices."""
    return prompt * model.prompt_text_token_price + completion * model.completion_text_token_price


@dataclass
class HistoryState:
    """The prompt of each stored completion (its own history included), by response id.

    A ``previous_response_id`` continuation's prompt is that prompt, then the stored response's
    outputs as messages, then the request's messages: billed like the whole conversation.
    """

    prompts: dict[str, tuple[chat_pb2.Message, ...]] = field(default_factory=dict)


#: The call metadata naming a conversation, for the prompt cache (https://docs.x.ai/developers/
#: advanced-api-usage/prompt-caching/maximizing-cache-hits: "pass x-grok-conv-id as gRPC metadata").
CONVERSATION_HEADER = "x-grok-conv-id"


@dataclass
class PromptCacheState:
    """What the prompt cache holds: the leading messages each conversation has sent, by (conversation, model).

    Each entry is a digest of a message prefix. docs.x.ai: "When consecutive requests share the
    same starting messages, the xAI API automatically caches them. On the next request, messages
    at the beginning that match exactly are served from cache"
    (https://docs.x.ai/developers/advanced-api-usage/prompt-caching); entries are kept per server
    and ``x-grok-conv-id`` routes a conversation to one (.../prompt-caching/maximizing-cache-hits).
    The fake caches per tenant and conversation id, so that a call without one is never served
    from cache ("Can I force a cache miss? Yes — use a different x-grok-conv-id or omit the
    header entirely", .../prompt-caching/best-practices): the usage of such calls depends on the
    request alone. docs.x.ai states no minimum length; the unit is the whole message.
    """

    prefixes: dict[tuple[str, str], set[bytes]] = field(default_factory=dict)


def _replayed(response: chat_pb2.GetChatCompletionResponse) -> list[chat_pb2.Message]:
    """A response's outputs as the messages a client appends to continue (``chat.append(response)``)."""
    messages = []
    for output in response.outputs:
        message = output.message
        replay = chat_pb2.Message(
            role=message.role,
            content=[chat_pb2.Content(text=message.content)],
            reasoning_content=message.reasoning_content,
            encrypted_content=message.encrypted_content,
            tool_calls=message.tool_calls,
        )
        if message.role == chat_pb2.ROLE_TOOL and message.tool_calls:
            replay.tool_call_id = message.tool_calls[0].id
        messages.append(replay)
    return messages


_KNOWN_ROLES = frozenset(v for v in chat_pb2.MessageRole.values() if v != chat_pb2.INVALID_ROLE)
_ENUMS = tuple(
    (name, enum, frozenset(enum.values()))
    for name, enum in (
        ("reasoning_effort", chat_pb2.ReasoningEffort),
        ("agent_count", chat_pb2.AgentCount),
        ("service_tier", usage_pb2.ServiceTier),
    )
)
_INCLUDE_OPTIONS = frozenset(v for v in chat_pb2.IncludeOption.values() if v != chat_pb2.INCLUDE_OPTION_INVALID)
#: Request fields echoed as they are into ``settings``, and the ones copied (repeated, messages).
_ECHOED = frozenset(
    {"max_tokens", "temperature", "top_p", "reasoning_effort", "user", "store_messages", "use_encrypted_content"}
)
_EXTENDED = frozenset({"tools", "include"})
_COPIED = frozenset({"response_format", "tool_choice"})


class _Checked:
    """A validated request: its model, ``n``, prompt tokens, set fields (name -> value) and stored history."""

    __slots__ = ("history", "model", "n", "present", "prompt")

    def __init__(
        self, model: _Model, n: int, prompt: int, present: dict[str, Any], history: tuple[chat_pb2.Message, ...]
    ) -> None:
        self.model = model
        self.n = n
        self.prompt = prompt
        self.present = present
        #: The messages a ``previous_response_id`` continues (empty without one).
        self.history = history


@functools.lru_cache(maxsize=256)
def _parsed_schema(text: str, what: str) -> Any:
    try:
        wanted = json.loads(text)
    except json.JSONDecodeError as error:
        raise invalid_argument(f"{what} is not valid JSON: {error}") from None
    if not isinstance(wanted, (dict, bool)):  # ``true`` and ``false`` are schemas too
        raise invalid_argument(f"{what} must be a JSON object (a JSON schema), got {type(wanted).__name__}")
    return wanted


def _schema_value(text: str, what: str, rng: random.Random) -> Any:
    """A value valid against the JSON schema ``text`` (checked by ``jsonschema``); INVALID_ARGUMENT if none can be."""
    _parsed_schema(text, what)
    try:
        return schema.value_for_text(text, rng, some_words(rng, JSON_WORDS))
    except schema.InvalidSchema as error:
        raise invalid_argument(f"{what} is not a JSON schema xai_fake can follow: {error}") from None
    except schema.NotYetSupported as error:
        raise invalid_argument(f"{what} cannot be satisfied by xai_fake yet: {error}") from None
    except schema.Unsatisfiable as error:
        raise invalid_argument(f"{what} cannot be satisfied: {error}") from None


class _Memo:
    """Answers (without id and time) by (seed, reply, request bytes); the oldest go first when full."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: dict[tuple[Any, ...], chat_pb2.GetChatCompletionResponse] = {}

    def get(self, key: tuple[Any, ...]) -> chat_pb2.GetChatCompletionResponse | None:
        return self._entries.get(key)

    def put(self, key: tuple[Any, ...], response: chat_pb2.GetChatCompletionResponse) -> None:
        with self._lock:
            if len(self._entries) >= self._size:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = response


class ChatAnswers:
    """Builds every chat answer of the fake over one :class:`State`.

    - :meth:`validate` checks a ``GetCompletionsRequest`` like the real API (INVALID_ARGUMENT
      or NOT_FOUND with the fix in the message), the model's capabilities included;
    - :meth:`respond` is the full ``GetChatCompletionResponse``: generated (tool calls,
      structured output, server-side tools, text) or from a :class:`Reply`;
    - :meth:`stream`, :meth:`start_deferred` are the same answer as stream chunks and as a
      deferred completion; :meth:`poll_deferred`, :meth:`stored`, :meth:`delete_stored`
      read the completions kept in :class:`ChatState`;
    - :meth:`complete` turns a text or a :class:`Reply` into the answer of a chat method.
    """

    def __init__(self, state: State) -> None:
        self.state = state
        self._memo = _Memo(MEMO_ENTRIES)
        self._completers: dict[str, Callable[[chat_pb2.GetCompletionsRequest, Reply | NearMiss], Any]] = {
            SAMPLE: self.respond,
            STREAM: self.stream,
            DEFERRED: self.start_deferred,
        }

    # -- validation -------------------------------------------------------------------------

    def validate(self, request: chat_pb2.GetCompletionsRequest) -> models_pb2.LanguageModel:
        """The request's model if the real API would accept the request; else raises FakeRpcError."""
        return self._check(request).model.proto

    def _check(self, request: chat_pb2.GetCompletionsRequest) -> _Checked:
        present = {descriptor.name: value for descriptor, value in request.ListFields()}
        if not request.model:
            raise invalid_argument("model is required, e.g. model='grok-4'")
        model = _model(request.model)
        messages = request.messages
        if not messages and not present.get("previous_response_id"):
            raise invalid_argument("messages must hold at least one message (or set previous_response_id)")
        unknown = -1
        for index, message in enumerate(messages):
            if message.role not in _KNOWN_ROLES:
                if message.role == chat_pb2.INVALID_ROLE:
                    raise invalid_argument(f"messages[{index}] has no role; use ROLE_USER, ROLE_SYSTEM, ...")
                if unknown < 0:
                    unknown = index
        previous = present.get("previous_response_id")
        history = self._history(previous) if previous is not None else ()
        n = present.get("n", 1)
        if not 1 <= n <= MAX_N:
            raise invalid_argument(f"n must be between 1 and {MAX_N}, got {n}")
        max_tokens = present.get("max_tokens")
        if max_tokens is not None and max_tokens < 1:
            raise invalid_argument(f"max_tokens must be positive, got {max_tokens}")
        for name, enum, known in _ENUMS:
            value = present.get(name)
            if value is not None and value not in known:
                check_enum(name, value, enum)
        for option in present.get("include", ()):
            if option not in _INCLUDE_OPTIONS:
                names = ", ".join(chat_pb2.IncludeOption.keys()[1:])
                raise invalid_argument(f"include has no value {option}; use one of {names}")  # check_enum's style
        if unknown >= 0:
            check_enum(f"messages[{unknown}].role", messages[unknown].role, chat_pb2.MessageRole, allow_zero=False)
        prompt = prompt_tokens(messages) + (prompt_tokens(history) if history else 0)
        capabilities.check(model.spec, request, present=present, prompt=prompt, catalogue=LANGUAGE_SPECS)
        return _Checked(model, n, prompt, present, history)

    def _history(self, previous: str) -> tuple[chat_pb2.Message, ...]:
        """The conversation a ``previous_response_id`` continues: its prompt, then its outputs as messages.

        The continuation's prompt is this history followed by the request's messages, billed like
        the same conversation sent in full (as ``chat.append(response)`` would send it).
        """
        try:
            stored = self.stored(previous)
        except FakeRpcError:
            raise not_found(f"previous_response_id {previous!r} is not a stored response") from None
        earlier = self.state.of(HistoryState).prompts.get(previous, ())
        return (*earlier, *_replayed(stored))

    # -- generated outputs ------------------------------------------------------------------

    def _functions(self, request: chat_pb2.GetCompletionsRequest, present: dict[str, Any]) -> list[chat_pb2.Function]:
        functions = (
            [t.function for t in request.tools if t.WhichOneof("tool") == "function"] if "tools" in present else []
        )
        choice = present.get("tool_choice")
        if choice is None:
            return functions
        kind = choice.WhichOneof("tool_choice")
        if kind == "mode" and choice.mode == chat_pb2.TOOL_MODE_NONE:
            return []
        if kind == "function_name":
            chosen = [f for f in functions if f.name == choice.function_name]
            if not chosen:
                raise invalid_argument(f"tool_choice names {choice.function_name!r}, which is not in tools")
            return chosen
        return functions

    def _generated(
        self,
        request: chat_pb2.GetCompletionsRequest,
        checked: _Checked,
        rng: random.Random,
        miss: NearMiss | None = None,
    ) -> list[_Output]:
        present = checked.present
        functions = self._functions(request, present)
        if functions and request.messages and request.messages[-1].role == chat_pb2.ROLE_TOOL:
            functions = []  # the model answers the tool results
        caps, effort = checked.model.caps, present.get("reasoning_effort")
        fmt = present.get("response_format")
        format_type = fmt.format_type if fmt is not None else chat_pb2.FORMAT_TYPE_TEXT
        max_tokens = present.get("max_tokens")
        stop = list(present.get("stop", ()))
        outputs = []
        for _ in range(checked.n):
            reasoning, reasoning_tokens = "", 0
            finish: int
            budget = capabilities.reasoning_budget(caps, effort, rng)
            if budget is None:  # a reasoning model without an effort of its own thinks the default amount
                generated = generate(None, rng, max_tokens=REASONING_TOKENS)
                reasoning, reasoning_tokens = generated.text, generated.tokens
            elif budget:
                reasoning, reasoning_tokens = thought(rng, budget), budget
            if functions:
                function = rng.choice(functions)
                what = f"the parameters of tool {function.name!r}"
                parameters = function.parameters or '{"type": "object"}'
                arguments = _schema_value(parameters, what, rng)
                spoiled = None if miss is None else _spoiled(miss, parameters, arguments, rng, what)
                call = chat_pb2.ToolCall(
                    id=f"call_{rng.getrandbits(64):016x}",
                    type=chat_pb2.TOOL_CALL_TYPE_CLIENT_SIDE_TOOL,
                    status=chat_pb2.TOOL_CALL_STATUS_COMPLETED,
                    function=chat_pb2.FunctionCall(
                        name=function.name, arguments=json.dumps(arguments) if spoiled is None else spoiled
                    ),
                )
                calls = [call]
                finish = sample_pb2.REASON_MAX_LEN if miss is NearMiss.TRUNCATED else sample_pb2.REASON_TOOL_CALLS
                outputs.append(_Output("", reasoning, calls, finish, _call_tokens(calls), reasoning_tokens))
                continue
            if fmt is not None and format_type == chat_pb2.FORMAT_TYPE_JSON_SCHEMA:
                if not fmt.HasField("schema"):
                    raise invalid_argument("response_format json_schema needs a schema")
                what = "the response_format schema"
                value = _schema_value(fmt.schema, what, rng)
                content = json.dumps(value) if miss is None else _spoiled(miss, fmt.schema, value, rng, what)
                finish, completion = _finish(miss), tokens.count(content)
            elif format_type == chat_pb2.FORMAT_TYPE_JSON_OBJECT:
                words = some_words(rng, JSON_WORDS)
                value = {"answer": " ".join(words[:6]), "confidence": round(rng.random(), 2)}
                what = "a json_object response_format (no schema)"
                content = json.dumps(value) if miss is None else _spoiled(miss, "{}", value, rng, what)
                finish, completion = _finish(miss), tokens.count(content)
            elif miss is not None:
                raise _not_applicable(miss, "the request asks for text: near misses need a structured answer")
            else:
                text = generate(None, rng, max_tokens=max_tokens, stop=stop)
                content, finish, completion = text.text, text.finish_reason, text.tokens
            outputs.append(_Output(content, reasoning, (), finish, completion, reasoning_tokens))
        return outputs

    # -- answers ----------------------------------------------------------------------------

    def respond(
        self, request: chat_pb2.GetCompletionsRequest, reply: Reply | NearMiss | None = None
    ) -> chat_pb2.GetChatCompletionResponse:
        """The complete response to a chat request; ``reply`` replaces the generated outputs.

        A :class:`~xai_fake.schema.near_miss.NearMiss` keeps the generated answer but spoils
        its JSON that way (proven invalid against the request's schema).

        Raises FakeRpcError for a request the real API would reject. A response asked to be
        stored (``store_messages``) is kept for :meth:`stored` and ``previous_response_id``.
        """
        data = request.SerializeToString(deterministic=True)
        key = (self.state.seed, reply._key if isinstance(reply, Reply) else reply, data)
        template = self._memo.get(key) if len(data) <= MEMO_REQUEST_BYTES else None
        history: tuple[chat_pb2.Message, ...] = ()  # a memoised answer continues no stored history
        if template is None:
            template, pure, history = self._answer(request, reply, data)
            if pure and len(data) <= MEMO_REQUEST_BYTES:
                self._memo.put(key, template)
        response = chat_pb2.GetChatCompletionResponse()
        response.CopyFrom(template)
        response.id = self.state.new_uuid()
        response.created.seconds = int(self.state.time())
        call = current_call()
        if call is not None and call.metadata.get(CONVERSATION_HEADER):
            self._cache(call.metadata[CONVERSATION_HEADER], response, request, history, reply)
        if request.store_messages:
            self.state.of(HistoryState).prompts[response.id] = (*history, *request.messages)
        if request.store_messages:
            self.state.of(ChatState).stored[response.id] = response
            self.state.forget_at(response.created.seconds + ChatState.KEPT_SECONDS, ChatState, response.id)
        return response

    def _cache(
        self,
        conversation: str,
        response: chat_pb2.GetChatCompletionResponse,
        request: chat_pb2.GetCompletionsRequest,
        history: tuple[chat_pb2.Message, ...],
        reply: Reply | NearMiss | None,
    ) -> None:
        """Bill the prompt's leading messages this conversation sent before at the cached price; remember them.

        The prompt is the stored history (``previous_response_id``) and the request's messages;
        the answer's outputs, as a client appends them, are remembered after it, so that the
        next turn of the conversation finds them (its reasoning included, as docs.x.ai asks:
        .../prompt-caching/multi-turn). A Reply that states its cached tokens keeps them.
        """
        seen = self.state.of(PromptCacheState).prefixes.setdefault((conversation, response.model), set())
        digest = hashlib.blake2b(digest_size=16)
        cached = total = 0
        hit = True
        for message in (*history, *request.messages):
            body = message.SerializeToString(deterministic=True)
            digest.update(len(body).to_bytes(8, "little"))
            digest.update(body)
            total += prompt_tokens((message,))
            prefix = digest.digest()
            if hit and prefix in seen:
                cached = total
            else:
                hit = False
                seen.add(prefix)
        if request.n <= 1:
            for message in _replayed(response):
                body = message.SerializeToString(deterministic=True)
                digest.update(len(body).to_bytes(8, "little"))
                digest.update(body)
                seen.add(digest.digest())
        usage = response.usage
        if isinstance(reply, Reply) and reply.cached_prompt_tokens is not None:
            return
        cached = min(cached, usage.prompt_tokens)
        if cached > usage.cached_prompt_text_tokens:
            model = _model(response.model)
            usage.cost_in_usd_ticks -= (cached - usage.cached_prompt_text_tokens) * (
                model.prompt_price - model.cached_price
            )
            usage.cached_prompt_text_tokens = cached

    def _answer(
        self, request: chat_pb2.GetCompletionsRequest, reply: Reply | NearMiss | None, data: bytes
    ) -> tuple[chat_pb2.GetChatCompletionResponse, bool, tuple[chat_pb2.Message, ...]]:
        """The response without id and time, whether it depends on the request alone (memoisable),
        and the stored history it continues (``previous_response_id``)."""
        checked = self._check(request)
        present, model = checked.present, checked.model
        rng: random.Random | None = None
        if not isinstance(reply, Reply):
            rng = self.state.rng(data)  # the same generator as state.rng(request), without serialising again
            outputs = self._generated(request, checked, rng, reply)
            reply = None
        else:
            outputs = [reply._output] * checked.n
        response = chat_pb2.GetChatCompletionResponse(
            model=model.name,
            system_fingerprint=model.fingerprint,
            service_tier=request.service_tier or usage_pb2.SERVICE_TIER_DEFAULT,
        )
        search = present.get("search_parameters")
        if search is not None and search.mode != chat_pb2.OFF_SEARCH_MODE and search.return_citations:
            if rng is None:
                rng = self.state.rng(data)
            count = min(search.max_search_results or 3, 3)
            response.citations.extend(f"https://example.com/{rng.getrandbits(32):08x}" for _ in range(count))
        prompt, cached = checked.prompt, 0
        completion = sum(o.completion for o in outputs)
        reasoning = sum(o.reasoning_tokens for o in outputs)
        if reply is not None and reply._overrides:
            prompt, completion, reasoning, cached = _overridden(reply, prompt, completion, reasoning)
        usage = response.usage
        usage.prompt_tokens = usage.prompt_text_tokens = prompt
        usage.completion_tokens = completion
        usage.reasoning_tokens = reasoning
        usage.total_tokens = prompt + completion + reasoning
        if cached:
            usage.cached_prompt_text_tokens = cached
        if search is not None:
            usage.num_sources_used = len(search.sources)
        usage.cost_in_usd_ticks = (
            (prompt - cached) * model.prompt_price
            + cached * model.cached_price
            + (completion + reasoning) * model.completion_price
        )
        added = response.outputs.add
        for index, output in enumerate(outputs):
            message = added(index=index, finish_reason=output.finish_reason).message
            message.role = chat_pb2.ROLE_ASSISTANT
            if output.content:
                message.content = output.content
            if output.reasoning:
                message.reasoning_content = output.reasoning
            if output.calls:
                message.tool_calls.extend(output.calls)
        # Server-side tools read the fake's state (collections), and previous_response_id the stored chats.
        pure = "previous_response_id" not in present
        if reply is None and "tools" in present and server_tools.requested(request):
            server_tools.apply(self.state, request, response)
            pure = False
        _settings(present, response.settings)
        return response, pure, checked.history

    def stream(
        self, request: chat_pb2.GetCompletionsRequest, reply: Reply | NearMiss | None = None
    ) -> Iterator[chat_pb2.GetChatCompletionChunk] | AsyncIterator[chat_pb2.GetChatCompletionChunk]:
        """:meth:`respond`'s answer as stream chunks (validated now, not on the first chunk).

        With a ``reply`` the chunks follow its ``chunks``; a ``chunk_delay`` makes this an
        async iterator that pauses before each chunk.
        """
        response = self.respond(request, reply)
        verbose = chat_pb2.INCLUDE_OPTION_VERBOSE_STREAMING in request.include
        if not isinstance(reply, Reply):
            return chunks_of(response, verbose=verbose)
        chunks = chunks_of(response, reply.chunks, verbose=verbose)
        return _paced(chunks, reply.chunk_delay) if reply.chunk_delay > 0 else chunks

    def start_deferred(
        self, request: chat_pb2.GetCompletionsRequest, reply: Reply | NearMiss | None = None
    ) -> deferred_pb2.StartDeferredResponse:
        """Answer now and keep the response for :meth:`poll_deferred` under a new request id."""
        response = self.respond(request, reply)
        request_id = self.state.new_uuid()
        self.state.of(ChatState).deferred[request_id] = DeferredChat(response, started=self.state.time())
        return deferred_pb2.StartDeferredResponse(request_id=request_id)

    def poll_deferred(self, request_id: str) -> chat_pb2.GetDeferredCompletionResponse:
        """PENDING until the deferred completion's time has come (in real time: on its first poll),
        then DONE with its response, once; EXPIRED after a day unfetched; NOT_FOUND if unknown or
        already fetched (see :class:`DeferredChat`)."""
        chats = self.state.of(ChatState)
        job = chats.deferred.get(request_id)
        if job is None:
            if request_id in chats.fetched:
                raise not_found(
                    f"the deferred completion {request_id!r} was already fetched: a deferred result is handed out once"
                )
            raise not_found(f"no deferred completion with request_id {request_id!r}")
        now, real = self.state.time(), self.state.clock.real
        if now >= job.started + DeferredChat.KEPT_SECONDS:
            return chat_pb2.GetDeferredCompletionResponse(status=deferred_pb2.EXPIRED)
        if real:
            job.polls += 1
        if now < job.started + DeferredChat.READY_SECONDS and not (real and job.polls > 1):
            return chat_pb2.GetDeferredCompletionResponse(status=deferred_pb2.PENDING)
        del chats.deferred[request_id]
        chats.fetched.add(request_id)
        return chat_pb2.GetDeferredCompletionResponse(status=deferred_pb2.DONE, response=job.response)

    def stored(self, response_id: str) -> chat_pb2.GetChatCompletionResponse:
        """A stored completion; NOT_FOUND if there is none with this id (or it is older than 30 days)."""
        found = self.state.of(ChatState).stored.get(response_id)
        if found is None:
            raise not_found(
                f"no stored completion with id {response_id!r} (was store_messages=True set? "
                "stored completions are kept for 30 days)"
            )
        return found

    def delete_stored(self, response_id: str) -> None:
        """Forget a stored completion; NOT_FOUND if there is none with this id."""
        if self.state.of(ChatState).stored.pop(response_id, None) is None:
            raise not_found(f"no stored completion with id {response_id!r}")

    def accepts(self, method_full_name: str, value: object) -> bool:
        """True if :meth:`complete` answers ``method_full_name`` with ``value``: a ``str``, Reply or NearMiss."""
        return method_full_name in self._completers and isinstance(value, (str, Reply, NearMiss))

    def complete(
        self, method_full_name: str, request: Any, value: object
    ) -> Message | Iterator[Message] | AsyncIterator[Message] | None:
        """The answer of a chat method for a scripted ``value``: a ``str`` (the content), a Reply or a NearMiss.

        ``xai_api.Chat/GetCompletion`` gets the full response, ``xai_api.Chat/GetCompletionChunk``
        its chunks (an async iterator when the reply has a ``chunk_delay``) and
        ``xai_api.Chat/StartDeferredCompletion`` the id of the stored deferred answer. The request
        is validated like any other (FakeRpcError if the real API would reject it). Any other
        method or value: None, for the caller to report.
        """
        completer = self._completers.get(method_full_name)
        if completer is None:
            return None
        if isinstance(value, str):
            value = Reply(value)
        elif not isinstance(value, (Reply, NearMiss)):
            return None
        return completer(request, value)  # type: ignore[no-any-return]


def _finish(miss: NearMiss | None) -> int:
    """The finish reason of a structured answer: cut off by the token limit for a truncated near miss."""
    return sample_pb2.REASON_MAX_LEN if miss is NearMiss.TRUNCATED else sample_pb2.REASON_STOP


def _spoiled(miss: NearMiss, schema_text: str, value: Any, rng: random.Random, what: str) -> str:
    """``value`` spoiled the way ``miss`` says (proven invalid against ``schema_text``)."""
    try:
        return spoil(miss, schema_text, value, rng)
    except NotApplicable as error:
        raise _not_applicable(miss, f"{what}: {error}") from None


def _not_applicable(miss: NearMiss, why: str) -> FakeRpcError:
    """FAILED_PRECONDITION: the test scripted a near miss this request's answer cannot take."""
    return FakeRpcError(
        grpc.StatusCode.FAILED_PRECONDITION,
        f"fake.chat.near_miss({miss.value!r}) cannot spoil this answer; {why}. "
        "Script another kind, or send a schema it applies to",
    )


def _overridden(reply: Reply, prompt: int, completion: int, reasoning: int) -> tuple[int, int, int, int]:
    """Usage totals after the reply's overrides: (prompt, completion, reasoning, cached prompt)."""
    if reply.prompt_tokens is not None:
        prompt = reply.prompt_tokens
    if reply.completion_tokens is not None:
        completion = reply.completion_tokens
    if reply.reasoning_tokens is not None:
        reasoning = reply.reasoning_tokens
    cached = reply.cached_prompt_tokens or 0
    if cached > prompt:
        raise ValueError(f"Reply.cached_prompt_tokens ({cached}) exceeds the prompt's {prompt} tokens")
    return prompt, completion, reasoning, cached


def _settings(present: dict[str, Any], settings: chat_pb2.RequestSettings) -> None:
    """Echo the request's settings (its set fields, by name) into the response's ``settings``."""
    for name, value in present.items():
        if name in _ECHOED:
            setattr(settings, name, value)
        elif name in _EXTENDED:
            getattr(settings, name).extend(value)
        elif name in _COPIED:
            getattr(settings, name).CopyFrom(value)
    settings.parallel_tool_calls = present.get("parallel_tool_calls", True)


async def _paced(chunks: Iterator[M], delay: float) -> AsyncIterator[M]:
    for chunk in chunks:
        await asyncio.sleep(delay)
        yield chunk


def chunks_of(
    response: chat_pb2.GetChatCompletionResponse, pieces: Sequence[str] | None = None, *, verbose: bool = False
) -> Iterator[chat_pb2.GetChatCompletionChunk]:
    """Split a complete response into stream chunks; the last carries finish reasons, usage and citations.

    ``pieces`` sets the content of each chunk (of every output) instead of the tokenizer's split.

    ``verbose`` (the request's ``INCLUDE_OPTION_VERBOSE_STREAMING``) streams the agentic loop as
    it runs, in the shape the real API streams it (https://docs.x.ai/developers/tools/streaming-and-sync;
    recorded streams in pydantic-ai's xAI cassettes, pydantic/pydantic-ai#7153): each server-side
    tool call arrives ``IN_PROGRESS`` in its own output, then that output's finish reason
    (``REASON_TOOL_CALLS``), then its result (a ``ROLE_TOOL`` output, when ``include`` asks for
    it) ``COMPLETED``; and every chunk carries the usage so far (the prompt, and the tokens
    generated up to it). The cost, the tools used and the citations come with the last chunk.
    """
    chunker = _Chunker(response, verbose)
    for output in response.outputs:
        yield from chunker.output(output, pieces)
    finished = chunker.finished
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
        if output.index in finished:  # a verbose stream ended this step already
            continue
        # Every chunk names the role: clients (the official one included) copy it from each delta.
        added = last.outputs.add(index=output.index, finish_reason=output.finish_reason)
        added.delta.role = output.message.role or chat_pb2.ROLE_ASSISTANT
    yield last


class _Chunker:
    """Makes the chunks of one response's outputs (see :func:`chunks_of`), with the usage so far when verbose."""

    def __init__(self, response: chat_pb2.GetChatCompletionResponse, verbose: bool) -> None:
        self.verbose = verbose
        #: The outputs whose finish reason a chunk carried already (the steps of a verbose stream).
        self.finished: set[int] = set()
        self.template = chat_pb2.GetChatCompletionChunk(
            id=response.id,
            created=response.created,
            model=response.model,
            system_fingerprint=response.system_fingerprint,
        )
        self.running: usage_pb2.SamplingUsage | None = None
        if verbose:
            final = response.usage
            self.running = usage_pb2.SamplingUsage(
                prompt_tokens=final.prompt_tokens,
                prompt_text_tokens=final.prompt_text_tokens,
                prompt_image_tokens=final.prompt_image_tokens,
                cached_prompt_text_tokens=final.cached_prompt_text_tokens,
                total_tokens=final.prompt_tokens,
            )

    def delta(
        self, index: int, generated: int = 0, thought: int = 0
    ) -> tuple[chat_pb2.GetChatCompletionChunk, chat_pb2.Delta]:
        """A chunk for output ``index`` and its delta, ``generated`` completion and ``thought`` reasoning tokens on."""
        chunk = chat_pb2.GetChatCompletionChunk()
        chunk.CopyFrom(self.template)
        running = self.running
        if running is not None:
            running.completion_tokens += generated
            running.reasoning_tokens += thought
            running.total_tokens += generated + thought
            chunk.usage.CopyFrom(running)
        return chunk, chunk.outputs.add(index=index).delta

    def output(
        self, output: chat_pb2.CompletionOutput, pieces: Sequence[str] | None
    ) -> Iterator[chat_pb2.GetChatCompletionChunk]:
        """The chunks of one output."""
        message, index, assistant = output.message, output.index, chat_pb2.ROLE_ASSISTANT
        if message.role == chat_pb2.ROLE_TOOL:  # a server-side tool's result arrives whole, with its call
            chunk, part = self.delta(index)
            part.role, part.content = message.role, message.content
            part.tool_calls.extend(message.tool_calls)
            if self.verbose:
                chunk.outputs[0].finish_reason = output.finish_reason
                self.finished.add(index)
            yield chunk
            return
        if self.verbose and not message.content and _server_side(message.tool_calls):
            yield from self._started(output)
            return
        if message.reasoning_content:
            reasoning = tokens.split(message.reasoning_content)
            for start in range(0, len(reasoning), STREAM_TOKENS_PER_CHUNK):
                piece = reasoning[start : start + STREAM_TOKENS_PER_CHUNK]
                chunk, part = self.delta(index, thought=len(piece))
                part.role = assistant
                part.reasoning_content = "".join(piece)
                yield chunk
        parts = pieces
        if parts is None:
            content = tokens.split(message.content)
            step = STREAM_TOKENS_PER_CHUNK
            parts = ["".join(content[start : start + step]) for start in range(0, len(content), step)]
        for text in parts:
            chunk, part = self.delta(index, tokens.count(text) if self.verbose else 0)
            part.role, part.content = assistant, text
            yield chunk
        if message.citations:
            chunk, part = self.delta(index)
            part.role = assistant
            part.citations.extend(message.citations)
            yield chunk
        if message.tool_calls:
            chunk, part = self.delta(index, _call_tokens(message.tool_calls))
            part.role = assistant
            part.tool_calls.extend(message.tool_calls)
            yield chunk

    def _started(self, output: chat_pb2.CompletionOutput) -> Iterator[chat_pb2.GetChatCompletionChunk]:
        """A server-side tool call as the loop makes it: ``IN_PROGRESS``, then the step's finish reason."""
        chunk, part = self.delta(output.index, _call_tokens(output.message.tool_calls))
        part.role = chat_pb2.ROLE_ASSISTANT
        for call in output.message.tool_calls:
            started = part.tool_calls.add()
            started.CopyFrom(call)
            started.status = chat_pb2.TOOL_CALL_STATUS_IN_PROGRESS
        yield chunk
        chunk, part = self.delta(output.index)
        part.role = chat_pb2.ROLE_ASSISTANT
        chunk.outputs[0].finish_reason = output.finish_reason
        self.finished.add(output.index)
        yield chunk
