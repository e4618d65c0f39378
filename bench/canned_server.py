"""A bare ``grpc.aio`` chat servicer with canned answers, for baselines.

``python bench/canned_server.py`` serves ``xai_api.Chat/GetCompletion`` (always the same
response, or a fixed JSON content when ``response_format`` asks for a JSON schema) and
``GetCompletionChunk`` (``max_tokens`` fixed chunks, 100 by default) on a free local port,
prints ``READY <port>`` and serves until its stdin closes. It is the generated servicer and
nothing else: the cost floor of a Python gRPC server.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

import canned
import grpc

from xai_sdk.proto import chat_pb2, chat_pb2_grpc


class CannedChat(chat_pb2_grpc.ChatServicer):
    """Fixed answers, whatever the request (one of two, by whether it asks for JSON-schema output)."""

    def __init__(self) -> None:
        self._response = canned.response()
        self._json_response = canned.json_response()

    async def GetCompletion(
        self, request: chat_pb2.GetCompletionsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> chat_pb2.GetChatCompletionResponse:
        if request.response_format.format_type == chat_pb2.FORMAT_TYPE_JSON_SCHEMA:
            return self._json_response
        return self._response

    async def GetCompletionChunk(
        self, request: chat_pb2.GetCompletionsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[chat_pb2.GetChatCompletionChunk]:
        for chunk in canned.chunks(canned.chunk_count(request)):
            yield chunk


async def announce_and_wait(port: int) -> None:
    """Print ``READY <port>`` for the parent, then wait until it closes our stdin."""
    print(f"READY {port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def main() -> None:
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    chat_pb2_grpc.add_ChatServicer_to_server(CannedChat(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await announce_and_wait(port)
    await server.stop(0)


if __name__ == "__main__":
    asyncio.run(main())
