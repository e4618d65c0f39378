"""Turn the keyword arguments of ``chat.create(...)`` into a ``GetCompletionsRequest``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xai_sdk._chat.parse import schema_of
from xai_sdk.proto import chat_pb2, usage_pb2

REASONING_EFFORT = {
    "none": chat_pb2.EFFORT_NONE,
    "low": chat_pb2.EFFORT_LOW,
    "medium": chat_pb2.EFFORT_MEDIUM,
    "high": chat_pb2.EFFORT_HIGH,
    "xhigh": chat_pb2.EFFORT_XHIGH,
}
TOOL_MODE = {"auto": chat_pb2.TOOL_MODE_AUTO, "none": chat_pb2.TOOL_MODE_NONE, "required": chat_pb2.TOOL_MODE_REQUIRED}
RESPONSE_FORMAT = {"text": chat_pb2.FORMAT_TYPE_TEXT, "json_object": chat_pb2.FORMAT_TYPE_JSON_OBJECT}
INCLUDE_OPTION = {
    "web_search_call_output": chat_pb2.INCLUDE_OPTION_WEB_SEARCH_CALL_OUTPUT,
    "x_search_call_output": chat_pb2.INCLUDE_OPTION_X_SEARCH_CALL_OUTPUT,
    "code_execution_call_output": chat_pb2.INCLUDE_OPTION_CODE_EXECUTION_CALL_OUTPUT,
    "collections_search_call_output": chat_pb2.INCLUDE_OPTION_COLLECTIONS_SEARCH_CALL_OUTPUT,
    "attachment_search_call_output": chat_pb2.INCLUDE_OPTION_ATTACHMENT_SEARCH_CALL_OUTPUT,
    "mcp_call_output": chat_pb2.INCLUDE_OPTION_MCP_CALL_OUTPUT,
    "inline_citations": chat_pb2.INCLUDE_OPTION_INLINE_CITATIONS,
    "verbose_streaming": chat_pb2.INCLUDE_OPTION_VERBOSE_STREAMING,
}
AGENT_COUNT = {4: chat_pb2.AGENT_COUNT_4, 16: chat_pb2.AGENT_COUNT_16}
SERVICE_TIER = {"default": usage_pb2.SERVICE_TIER_DEFAULT, "priority": usage_pb2.SERVICE_TIER_PRIORITY}
GUIDELINE_CATEGORY = {
    "nsfw": chat_pb2.GUIDELINE_CATEGORY_NSFW,
    "violence": chat_pb2.GUIDELINE_CATEGORY_VIOLENCE,
    "profanity": chat_pb2.GUIDELINE_CATEGORY_PROFANITY,
}
GUIDELINE_BEHAVIOR = {"decline": chat_pb2.GUIDELINE_BEHAVIOR_DECLINE}


def literal(name: str, value: Any, table: Mapping[Any, int], enum: Any) -> int:
    """Map a literal, or pass a valid enum value through; a ValueError names the choices otherwise."""
    if not isinstance(value, bool):
        if value in table:
            return table[value]
        if isinstance(value, int) and value in enum.values() and value != 0:
            return value
    choices = ", ".join(repr(k) for k in table)
    raise ValueError(f"Invalid {name}: {value!r}. Must be one of: {choices}")


def tool_choice(value: Any) -> chat_pb2.ToolChoice:
    if isinstance(value, chat_pb2.ToolChoice):
        return value
    return chat_pb2.ToolChoice(mode=literal("tool mode", value, TOOL_MODE, chat_pb2.ToolMode))  # type: ignore[arg-type]


def response_format(value: Any) -> chat_pb2.ResponseFormat:
    """A literal, a ``ResponseFormat`` proto, or a pydantic model class (JSON schema output)."""
    if isinstance(value, chat_pb2.ResponseFormat):
        return value
    if isinstance(value, type) and hasattr(value, "model_json_schema"):
        return chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=schema_of(value))
    kind = literal("response format", value, RESPONSE_FORMAT, chat_pb2.FormatType)
    return chat_pb2.ResponseFormat(format_type=kind)  # type: ignore[arg-type]


def guideline(value: Any) -> chat_pb2.Guideline:
    if isinstance(value, chat_pb2.Guideline):
        return value
    if not isinstance(value, Mapping):
        raise ValueError(f"Invalid guideline: {value!r}. Pass a Guideline dict or a chat_pb2.Guideline")
    return chat_pb2.Guideline(
        policy=chat_pb2.PolicyGuideline(
            category=literal(
                "guideline category", value.get("category"), GUIDELINE_CATEGORY, chat_pb2.GuidelineCategory
            ),  # type: ignore[arg-type]
            behavior=literal(
                "guideline behavior", value.get("behavior"), GUIDELINE_BEHAVIOR, chat_pb2.GuidelineBehavior
            ),  # type: ignore[arg-type]
        )
    )


def build_request(
    model: str, messages: Sequence[chat_pb2.Message] | None, **params: Any
) -> chat_pb2.GetCompletionsRequest:
    """The request for ``chat.create(model, messages=..., **params)``; ``None`` means unset."""
    if not model or not isinstance(model, str):
        raise ValueError(f"model must be a model name such as 'grok-4', got {model!r}")
    request = chat_pb2.GetCompletionsRequest(model=model, messages=messages or ())
    simple = (
        "user", "safety_identifier", "max_tokens", "seed", "temperature", "top_p", "logprobs", "top_logprobs",
        "parallel_tool_calls", "frequency_penalty", "presence_penalty", "store_messages", "previous_response_id",
        "use_encrypted_content", "max_turns",
    )  # fmt: skip
    for name in simple:
        value = params.get(name)
        if value is not None:
            setattr(request, name, value)
    if params.get("stop") is not None:
        if isinstance(params["stop"], str):
            raise ValueError("stop must be a list of strings, e.g. stop=['\\n\\n']")
        request.stop.extend(params["stop"])
    if params.get("tools") is not None:
        request.tools.extend(params["tools"])
    if params.get("tool_choice") is not None:
        request.tool_choice.CopyFrom(tool_choice(params["tool_choice"]))
    if params.get("response_format") is not None:
        request.response_format.CopyFrom(response_format(params["response_format"]))
    if params.get("reasoning_effort") is not None:
        request.reasoning_effort = literal(  # type: ignore[assignment]
            "reasoning effort", params["reasoning_effort"], REASONING_EFFORT, chat_pb2.ReasoningEffort
        )
    search = params.get("search_parameters")
    if search is not None:
        request.search_parameters.CopyFrom(
            search if isinstance(search, chat_pb2.SearchParameters) else search._to_proto()
        )
    if params.get("include") is not None:
        options = [
            literal("include option", item, INCLUDE_OPTION, chat_pb2.IncludeOption) for item in params["include"]
        ]
        request.include.extend(options)  # type: ignore[arg-type]
    if params.get("agent_count") is not None:
        request.agent_count = literal("agent count", params["agent_count"], AGENT_COUNT, chat_pb2.AgentCount)  # type: ignore[assignment]
    if params.get("service_tier") is not None:
        request.service_tier = literal("service tier", params["service_tier"], SERVICE_TIER, usage_pb2.ServiceTier)  # type: ignore[assignment]
    if params.get("guidelines") is not None:
        request.guidelines.extend(guideline(item) for item in params["guidelines"])
    return request
