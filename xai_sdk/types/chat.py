"""Literal types of the chat API and the tables that turn them into proto enum values."""

from __future__ import annotations

from typing import Literal, TypeAlias

from xai_sdk.proto import chat_pb2

try:  # pydantic validates only typing_extensions' TypedDict before Python 3.12
    from typing_extensions import TypedDict
except ImportError:  # pragma: no cover - typing_extensions is not a dependency
    from typing import TypedDict

__all__ = [
    "AgentCount",
    "AgentCountMap",
    "Content",
    "Guideline",
    "GuidelineBehavior",
    "GuidelineBehaviorMap",
    "GuidelineCategory",
    "GuidelineCategoryMap",
    "ImageDetail",
    "IncludeOption",
    "IncludeOptionMap",
    "ReasoningEffort",
    "ResponseFormat",
    "ToolMode",
]

#: How many agents a multi-agent model runs.
AgentCount: TypeAlias = Literal[4, 16]
ReasoningEffort: TypeAlias = Literal["none", "low", "medium", "high", "xhigh"]
ImageDetail: TypeAlias = Literal["auto", "low", "high"]
#: A part of a message: plain text, or a part built with ``text()``, ``image()`` or ``file()``.
Content: TypeAlias = str | chat_pb2.Content
ToolMode: TypeAlias = Literal["auto", "none", "required"]
#: Free-form output formats; structured (JSON schema) output goes through ``chat.parse(Model)``.
ResponseFormat: TypeAlias = Literal["text", "json_object"]

IncludeOption: TypeAlias = Literal[
    "web_search_call_output",
    "x_search_call_output",
    "code_execution_call_output",
    "collections_search_call_output",
    "attachment_search_call_output",
    "mcp_call_output",
    "inline_citations",
    "verbose_streaming",
]

IncludeOptionMap: dict[IncludeOption, chat_pb2.IncludeOption] = {
    "web_search_call_output": chat_pb2.INCLUDE_OPTION_WEB_SEARCH_CALL_OUTPUT,
    "x_search_call_output": chat_pb2.INCLUDE_OPTION_X_SEARCH_CALL_OUTPUT,
    "code_execution_call_output": chat_pb2.INCLUDE_OPTION_CODE_EXECUTION_CALL_OUTPUT,
    "collections_search_call_output": chat_pb2.INCLUDE_OPTION_COLLECTIONS_SEARCH_CALL_OUTPUT,
    "attachment_search_call_output": chat_pb2.INCLUDE_OPTION_ATTACHMENT_SEARCH_CALL_OUTPUT,
    "mcp_call_output": chat_pb2.INCLUDE_OPTION_MCP_CALL_OUTPUT,
    "inline_citations": chat_pb2.INCLUDE_OPTION_INLINE_CITATIONS,
    "verbose_streaming": chat_pb2.INCLUDE_OPTION_VERBOSE_STREAMING,
}

AgentCountMap: dict[AgentCount, chat_pb2.AgentCount] = {
    4: chat_pb2.AGENT_COUNT_4,
    16: chat_pb2.AGENT_COUNT_16,
}

GuidelineCategory: TypeAlias = Literal["nsfw", "violence", "profanity"]
GuidelineBehavior: TypeAlias = Literal["decline"]


class Guideline(TypedDict):
    """An output guideline for ``chat.create(guidelines=[...])``, shaped like its REST counterpart.

    Example: ``{"type": "policy", "category": "violence", "behavior": "decline"}``.
    """

    type: Literal["policy"]
    category: GuidelineCategory
    behavior: GuidelineBehavior


GuidelineCategoryMap: dict[GuidelineCategory, chat_pb2.GuidelineCategory] = {
    "nsfw": chat_pb2.GUIDELINE_CATEGORY_NSFW,
    "violence": chat_pb2.GUIDELINE_CATEGORY_VIOLENCE,
    "profanity": chat_pb2.GUIDELINE_CATEGORY_PROFANITY,
}

GuidelineBehaviorMap: dict[GuidelineBehavior, chat_pb2.GuidelineBehavior] = {
    "decline": chat_pb2.GUIDELINE_BEHAVIOR_DECLINE,
}
