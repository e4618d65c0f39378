"""Helpers that build conversation messages, content parts and tools."""

from __future__ import annotations

import json
from typing import Any

from xai_sdk.proto import chat_pb2, image_pb2
from xai_sdk.types.chat import ImageDetail

_DETAILS = {"auto": image_pb2.DETAIL_AUTO, "low": image_pb2.DETAIL_LOW, "high": image_pb2.DETAIL_HIGH}


def text(content: str) -> chat_pb2.Content:
    """A text part of a message."""
    return chat_pb2.Content(text=content)


def image(image_url: str, *, detail: ImageDetail | None = "auto") -> chat_pb2.Content:
    """An image part, by URL (``https://...`` or ``data:image/...;base64,...``).

    ``detail`` is ``"low"``, ``"high"`` or ``"auto"``; any other value (``None`` included) means ``"auto"``.
    """
    level = _DETAILS.get(detail, image_pb2.DETAIL_AUTO) if isinstance(detail, str) else image_pb2.DETAIL_AUTO
    return chat_pb2.Content(image_url=image_pb2.ImageUrlContent(image_url=image_url, detail=level))


def file(
    file_id: str | None = None,
    *,
    data: bytes | None = None,
    url: str | None = None,
    filename: str | None = None,
    mime_type: str | None = None,
) -> chat_pb2.Content:
    """A file part: an uploaded file by id, inline bytes, or a URL."""
    if sum(value is not None for value in (file_id, data, url)) != 1:
        raise ValueError("Exactly one of `file_id`, `data`, or `url` must be set.")
    if file_id is not None and (filename is not None or mime_type is not None):
        raise ValueError("`filename`/`mime_type` are only supported for inline uploads (`data`) or URL (`url`).")
    content = chat_pb2.FileContent()
    if file_id is not None:
        content.file_id = file_id
    elif data is not None:
        content.data = data
    else:
        content.url = url or ""
    if filename is not None:
        content.filename = filename
    if mime_type is not None:
        content.mime_type = mime_type
    return chat_pb2.Content(file=content)


def _contents(parts: tuple[str | chat_pb2.Content, ...]) -> list[chat_pb2.Content]:
    contents = []
    for part in parts:
        if isinstance(part, str):
            contents.append(chat_pb2.Content(text=part))
        elif isinstance(part, chat_pb2.Content):
            contents.append(part)
        else:
            raise TypeError(
                f"Unrecognized content type {type(part).__name__}: pass str or a Content (text(), image(), file())"
            )
    return contents


def _message(role: int, parts: tuple[str | chat_pb2.Content, ...]) -> chat_pb2.Message:
    return chat_pb2.Message(role=role, content=_contents(parts))  # type: ignore[arg-type]


def user(*args: str | chat_pb2.Content) -> chat_pb2.Message:
    """A user message made of text and other parts."""
    return _message(chat_pb2.ROLE_USER, args)


def assistant(*args: str | chat_pb2.Content) -> chat_pb2.Message:
    """An assistant message, e.g. to replay an earlier answer."""
    return _message(chat_pb2.ROLE_ASSISTANT, args)


def system(*args: str | chat_pb2.Content) -> chat_pb2.Message:
    """A system message (instructions)."""
    return _message(chat_pb2.ROLE_SYSTEM, args)


def developer(*args: str | chat_pb2.Content) -> chat_pb2.Message:
    """A developer message (instructions from the application)."""
    return _message(chat_pb2.ROLE_DEVELOPER, args)


def tool_result(result: str, tool_call_id: str | None = None) -> chat_pb2.Message:
    """The result of a client-side tool call, to append after the call."""
    message = chat_pb2.Message(role=chat_pb2.ROLE_TOOL, content=[chat_pb2.Content(text=result)])
    if tool_call_id is not None:
        message.tool_call_id = tool_call_id
    return message


def tool(name: str, description: str, parameters: dict[str, Any]) -> chat_pb2.Tool:
    """A client-side function the model may call; ``parameters`` is a JSON schema."""
    return chat_pb2.Tool(
        function=chat_pb2.Function(name=name, description=description, parameters=json.dumps(parameters))
    )


def required_tool(name: str) -> chat_pb2.ToolChoice:
    """A tool choice that forces the model to call the function ``name``."""
    return chat_pb2.ToolChoice(function_name=name)
