"""Turn the keyword arguments of ``chat.create(...)`` into a ``GetCompletionsRequest``.

Literals (strings, and the ints of ``agent_count``) are looked up in the public tables of
:mod:`xai_sdk.types`; OpenAI-shaped dicts for ``tool_choice``, ``response_format`` and ``tools``
are translated (:mod:`xai_sdk._chat.openai_shapes`); anything else is taken to be a proto value
and handed to protobuf as is, so proto enum values and messages work and wrong types fail the
way protobuf fails them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xai_sdk._chat import openai_shapes
from xai_sdk._chat.parse import schema_of
from xai_sdk.proto import chat_pb2
from xai_sdk.service_tier import ServiceTierMap
from xai_sdk.types.chat import AgentCountMap, GuidelineBehaviorMap, GuidelineCategoryMap, IncludeOptionMap

REASONING_EFFORT: Mapping[str, int] = {
    "none": chat_pb2.EFFORT_NONE,
    "low": chat_pb2.EFFORT_LOW,
    "medium": chat_pb2.EFFORT_MEDIUM,
    "high": chat_pb2.EFFORT_HIGH,
    "xhigh": chat_pb2.EFFORT_XHIGH,
}
TOOL_MODE: Mapping[str, int] = {
    "auto": chat_pb2.TOOL_MODE_AUTO,
    "none": chat_pb2.TOOL_MODE_NONE,
    "required": chat_pb2.TOOL_MODE_REQUIRED,
}
# "json_schema" is accepted as a string too; a schema then comes from chat.parse(Model).
RESPONSE_FORMAT: Mapping[str, int] = {
    "text": chat_pb2.FORMAT_TYPE_TEXT,
    "json_object": chat_pb2.FORMAT_TYPE_JSON_OBJECT,
    "json_schema": chat_pb2.FORMAT_TYPE_JSON_SCHEMA,
}
# The public tables, under the names the rest of the package has used.
INCLUDE_OPTION: Mapping[Any, int] = IncludeOptionMap
AGENT_COUNT: Mapping[Any, int] = AgentCountMap
SERVICE_TIER: Mapping[Any, int] = ServiceTierMap
GUIDELINE_CATEGORY: Mapping[Any, int] = GuidelineCategoryMap
GUIDELINE_BEHAVIOR: Mapping[Any, int] = GuidelineBehaviorMap

_SIMPLE_FIELDS = (
    "user", "safety_identifier", "max_tokens", "seed", "stop", "temperature", "top_p", "logprobs", "top_logprobs",
    "parallel_tool_calls", "frequency_penalty", "presence_penalty", "store_messages",
    "previous_response_id", "use_encrypted_content", "max_turns",
)  # fmt: skip


def lookup(name: str, value: Any, table: Mapping[Any, int]) -> int:
    """The enum value of a literal; a ValueError lists the valid literals otherwise."""
    try:
        return table[value]
    except KeyError:
        choices = ", ".join(repr(key) for key in table)
        raise ValueError(f"Invalid {name}: {value!r}. Must be one of: {choices}") from None


def literal(name: str, value: Any, table: Mapping[Any, int]) -> Any:
    """A string literal mapped through ``table``; other values (proto enum values) pass through."""
    return lookup(name, value, table) if isinstance(value, str) else value


def tool_choice(value: Any) -> Any:
    """A mode literal, an OpenAI-shaped dict (:mod:`xai_sdk._chat.openai_shapes`), or a ``ToolChoice`` proto."""
    if isinstance(value, str):
        return chat_pb2.ToolChoice(mode=lookup("tool mode", value, TOOL_MODE))  # type: ignore[arg-type]
    if isinstance(value, Mapping):
        return openai_shapes.tool_choice(value)
    return value


def response_format(value: Any) -> Any:
    """A literal, a pydantic model class (JSON schema output), an OpenAI-shaped dict, or a ``ResponseFormat`` proto."""
    if isinstance(value, str):
        return chat_pb2.ResponseFormat(format_type=lookup("response format", value, RESPONSE_FORMAT))  # type: ignore[arg-type]
    if isinstance(value, type) and hasattr(value, "model_json_schema"):
        return chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=schema_of(value))
    if isinstance(value, Mapping):
        return openai_shapes.response_format(value)
    return value


def tools(value: Any) -> Any:
    """Tool protos, with OpenAI-shaped function dicts among them translated."""
    if value is None or isinstance(value, (str, bytes)):
        return value
    return [openai_shapes.tool(item) if isinstance(item, Mapping) else item for item in value]


def agent_count(value: Any) -> Any:
    """4 or 16 (any other int is refused); non-int values are taken as proto values."""
    return lookup("agent count", value, AGENT_COUNT) if isinstance(value, int) else value


def guideline(value: Any) -> chat_pb2.Guideline:
    """A ``Guideline`` dict (``type`` must be ``"policy"``; other keys are ignored) or a ``chat_pb2.Guideline``."""
    if isinstance(value, chat_pb2.Guideline):
        return value
    if not isinstance(value, Mapping):
        raise ValueError(
            f"Invalid guideline: {value!r}. Pass a dict such as "
            "{'type': 'policy', 'category': 'nsfw', 'behavior': 'decline'} or a chat_pb2.Guideline"
        )
    if value.get("type") != "policy":
        raise ValueError(f"Invalid guideline type: {value.get('type')!r}. Must be 'policy'")
    category, behavior = value.get("category"), value.get("behavior")
    return chat_pb2.Guideline(
        policy=chat_pb2.PolicyGuideline(
            category=lookup("guideline category", category if isinstance(category, str) else None, GUIDELINE_CATEGORY),  # type: ignore[arg-type]
            behavior=lookup("guideline behavior", behavior if isinstance(behavior, str) else None, GUIDELINE_BEHAVIOR),  # type: ignore[arg-type]
        )
    )


def build_request(
    model: str, messages: Sequence[chat_pb2.Message] | None, **params: Any
) -> chat_pb2.GetCompletionsRequest:
    """The request for ``chat.create(model, messages=..., **params)``; ``None`` means unset."""
    fields: dict[str, Any] = {name: params.get(name) for name in _SIMPLE_FIELDS}
    if isinstance(fields["stop"], str):
        # One stop sequence given as a string. The official SDK splits it into characters
        # (stop="END" stops at "E", "N" or "D"); we send the sequence the caller meant.
        fields["stop"] = [fields["stop"]]
    fields.update(
        model=model,
        messages=messages,
        tools=tools(params.get("tools")),
        tool_choice=tool_choice(params.get("tool_choice")),
        response_format=response_format(params.get("response_format")),
        reasoning_effort=literal("reasoning effort", params.get("reasoning_effort"), REASONING_EFFORT),
        agent_count=agent_count(params.get("agent_count")),
        service_tier=literal("service tier", params.get("service_tier"), SERVICE_TIER),
    )
    search = params.get("search_parameters")
    if search is not None and not isinstance(search, chat_pb2.SearchParameters):
        if not callable(getattr(search, "_to_proto", None)):
            raise TypeError(
                f"search_parameters must be a SearchParameters(...) or a chat_pb2.SearchParameters, "
                f"got {type(search).__name__}"
            )
        search = search._to_proto()
    fields["search_parameters"] = search
    include = params.get("include")
    if include is not None:
        fields["include"] = [literal("include option", item, INCLUDE_OPTION) for item in include]
    guidelines = params.get("guidelines")
    if guidelines is not None:
        fields["guidelines"] = [guideline(item) for item in guidelines]
    try:
        return chat_pb2.GetCompletionsRequest(**{name: value for name, value in fields.items() if value is not None})
    except OverflowError as error:  # protobuf's answer to a huge int in a bool or int field
        raise ValueError(f"A chat.create() argument is out of range: {error}") from None
