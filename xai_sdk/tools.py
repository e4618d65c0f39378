"""Server-side tools for agentic requests: pass them in ``chat.create(tools=[...])``.

The server runs these tools itself; client-side functions are declared with ``xai_sdk.chat.tool``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Literal, TypeAlias

from google.protobuf.message import Message

from xai_sdk.proto import chat_pb2, documents_pb2
from xai_sdk.search import _set, timestamp

__all__ = [
    "code_execution",
    "collections_search",
    "get_tool_call_type",
    "image_generation",
    "mcp",
    "web_search",
    "x_search",
]

#: How a collections search ranks documents, by name.
DocumentRetrievalMode: TypeAlias = Literal["hybrid", "semantic", "keyword"]
#: A retrieval mode by name or as the matching ``documents_pb2`` message.
RetrievalMode: TypeAlias = (
    DocumentRetrievalMode
    | documents_pb2.HybridRetrieval
    | documents_pb2.SemanticRetrieval
    | documents_pb2.KeywordRetrieval
)

# name -> (oneof field of CollectionsSearch, message class of that field)
_RETRIEVAL_FIELDS: dict[str, tuple[str, type[Message]]] = {
    "hybrid": ("hybrid_retrieval", documents_pb2.HybridRetrieval),
    "semantic": ("semantic_retrieval", documents_pb2.SemanticRetrieval),
    "keyword": ("keyword_retrieval", documents_pb2.KeywordRetrieval),
}


def web_search(
    excluded_domains: list[str] | None = None,
    allowed_domains: list[str] | None = None,
    *,
    enable_image_understanding: bool = False,
    enable_image_search: bool = False,
    user_location_country: str | None = None,
    user_location_city: str | None = None,
    user_location_region: str | None = None,
    user_location_timezone: str | None = None,
) -> chat_pb2.Tool:
    """Let the model search the web.

    Args:
        excluded_domains: Up to 5 domains (no scheme or subdomain) to leave out; not together with
            ``allowed_domains``.
        allowed_domains: Up to 5 domains to search exclusively; not together with ``excluded_domains``.
        enable_image_understanding: Let the model look at images found while searching.
        enable_image_search: Let the model find images to embed in its answer.
        user_location_country: ISO 3166-1 alpha-2 country of the user.
        user_location_city: City of the user, free text.
        user_location_region: Region of the user, free text.
        user_location_timezone: IANA time zone of the user, e.g. ``"Europe/Paris"``.
    """
    location = _set(
        country=user_location_country,
        city=user_location_city,
        region=user_location_region,
        timezone=user_location_timezone,
    )
    search = chat_pb2.WebSearch(
        **_set(
            excluded_domains=excluded_domains,
            allowed_domains=allowed_domains,
            user_location=chat_pb2.WebSearchUserLocation(**location) if location else None,
        ),
        enable_image_understanding=enable_image_understanding,
        enable_image_search=enable_image_search,
    )
    return chat_pb2.Tool(web_search=search)


def x_search(
    from_date: datetime.datetime | None = None,
    to_date: datetime.datetime | None = None,
    allowed_x_handles: list[str] | None = None,
    excluded_x_handles: list[str] | None = None,
    *,
    enable_image_understanding: bool = False,
    enable_video_understanding: bool = False,
) -> chat_pb2.Tool:
    """Let the model search posts on X.

    Args:
        from_date: Only posts after this moment (naive means UTC).
        to_date: Only posts before this moment (naive means UTC).
        allowed_x_handles: Only posts by these handles (without ``@``); not together with
            ``excluded_x_handles``.
        excluded_x_handles: No posts by these handles; not together with ``allowed_x_handles``.
        enable_image_understanding: Let the model look at images in posts.
        enable_video_understanding: Let the model watch videos in posts.
    """
    search = chat_pb2.XSearch(
        **_set(
            from_date=timestamp(from_date),
            to_date=timestamp(to_date),
            allowed_x_handles=allowed_x_handles,
            excluded_x_handles=excluded_x_handles,
        ),
        enable_image_understanding=enable_image_understanding,
        enable_video_understanding=enable_video_understanding,
    )
    return chat_pb2.Tool(x_search=search)


def code_execution() -> chat_pb2.Tool:
    """Let the model run code (computations, data analysis) on the server."""
    return chat_pb2.Tool(code_execution=chat_pb2.CodeExecution())


def image_generation(action: Literal["auto", "generate", "edit"] | None = None) -> chat_pb2.Tool:
    """Let the model create images (``"generate"``), edit them (``"edit"``) or both (``"auto"``).

    ``None`` leaves the choice to the server, which then behaves as ``"auto"``.
    """
    return chat_pb2.Tool(image_generation=chat_pb2.ImageGeneration(**_set(action=action)))


def collections_search(
    collection_ids: list[str],
    limit: int | None = None,
    *,
    instructions: str | None = None,
    retrieval_mode: RetrievalMode | None = None,
) -> chat_pb2.Tool:
    """Let the model search your document collections.

    Args:
        collection_ids: Up to 10 collection ids.
        limit: At most this many results per search (server default 10).
        instructions: How to interpret and rank the search; the server has generic defaults.
        retrieval_mode: ``"hybrid"`` (server default), ``"semantic"`` or ``"keyword"``, or the matching
            ``documents_pb2`` message.
    """
    search = chat_pb2.CollectionsSearch(collection_ids=collection_ids, **_set(limit=limit, instructions=instructions))
    if retrieval_mode is not None:
        for field, message_class in _RETRIEVAL_FIELDS.values():
            if isinstance(retrieval_mode, message_class):
                getattr(search, field).CopyFrom(retrieval_mode)
                break
        else:
            if not isinstance(retrieval_mode, str) or retrieval_mode not in _RETRIEVAL_FIELDS:
                raise ValueError(
                    f"Unsupported retrieval_mode {retrieval_mode!r}: use 'hybrid', 'semantic' or 'keyword', "
                    "or a documents_pb2.HybridRetrieval/SemanticRetrieval/KeywordRetrieval message"
                )
            field, message_class = _RETRIEVAL_FIELDS[retrieval_mode]
            getattr(search, field).CopyFrom(message_class())
    return chat_pb2.Tool(collections_search=search)


def mcp(  # noqa: PLR0917 - the official positional signature
    server_url: str,
    server_label: str | None = None,
    server_description: str | None = None,
    allowed_tool_names: list[str] | None = None,
    authorization: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> chat_pb2.Tool:
    """Let the model call the tools of a remote MCP server.

    Args:
        server_url: URL of the MCP server.
        server_label: Prefix for the server's tool names.
        server_description: What the server offers.
        allowed_tool_names: The tools the model may call; all when empty.
        authorization: Token sent to the server.
        extra_headers: Further HTTP headers sent to the server.
    """
    server = chat_pb2.MCP(
        server_url=server_url,
        **_set(
            server_label=server_label,
            server_description=server_description,
            allowed_tool_names=allowed_tool_names,
            authorization=authorization,
            extra_headers=extra_headers,
        ),
    )
    return chat_pb2.Tool(mcp=server)


def get_tool_call_type(tool_call: chat_pb2.ToolCall) -> str:
    """The kind of a tool call, e.g. ``"client_side_tool"``, ``"web_search_tool"`` or ``"mcp_tool"``.

    It is the lower-cased name of ``tool_call.type`` without its ``TOOL_CALL_TYPE_`` prefix.
    """
    name = chat_pb2.ToolCallType.Name(tool_call.type)
    prefix = "TOOL_CALL_TYPE_"
    return name[len(prefix) :].lower() if name.startswith(prefix) else name.lower()
