"""The official ``xai-sdk`` 1.21.0 client, in its own venv, works against our fake.

``official_client_script.py`` runs in the official SDK's venv with ``api_host="localhost:PORT"`` (the
official client then uses local channel credentials) and prints what it got; here we check it
against what the fake was scripted to say, what it logged, and what it generates for the same
request. The script's chat calls come in a fixed order, and the first four are scripted below.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest
from google.protobuf.message import Message

from xai_fake import FakeServer
from xai_fake.defaults.models import LANGUAGE_MODELS
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, image_pb2, image_pb2_grpc, models_pb2, tokenize_pb2

SCRIPT = Path(__file__).with_name("official_client_script.py")
SEED = 1210
SDK_VERSION = "1.21.0"
TIMEOUT = 120  # seconds for the whole script

SAMPLE_REPLY = "Hello, conformance test! — from the fake."
STREAM_PIECES = ["Hel", "lo ", "from ", "the ", "fake ", "stream."]
TOOL_ARGUMENTS = {"city": "Paris", "unit": "celsius"}
TOOL_CALL_ID = "call_weather_1"
TOOL_REPLY = "It is 18 °C in Paris."


M = TypeVar("M", bound=Message)


@dataclass
class Interop:
    fake: FakeServer
    output: dict[str, Any]

    def step(self, client: str, name: str) -> dict[str, Any]:
        """One step's result; fails with the official client's traceback when the step raised."""
        result: dict[str, Any] = self.output[client][name]
        if "error" in result:
            pytest.fail(f"{client} {name} failed in the official client: {result['error']}\n{result['traceback']}")
        return result

    def requests(self, method: str, kind: type[M]) -> list[M]:
        """The request messages the fake logged for ``method``, typed."""
        logged = self.fake.requests.requests(method)
        assert all(isinstance(request, kind) for request in logged)
        return [request for request in logged if isinstance(request, kind)]


@pytest.fixture(scope="module")
def interop(official_python: Path) -> Iterator[Interop]:
    with FakeServer(seed=SEED) as fake:
        # The script's chat calls, in order: sync sample, sync stream, the tool round trip's two
        # samples, then the async sample and stream, which get the fake's generated answer.
        fake.chat.reply(SAMPLE_REPLY, times=1)
        fake.chat.stream(STREAM_PIECES, times=1)
        fake.chat.tool_call("get_weather", TOOL_ARGUMENTS, call_id=TOOL_CALL_ID, times=1)
        fake.chat.reply(TOOL_REPLY, times=1)

        env = {k: v for k, v in os.environ.items() if not k.startswith("XAI_")}
        env.update(XAI_API_KEY=fake.api_key, NO_PROXY="localhost,127.0.0.1", no_proxy="localhost,127.0.0.1")
        command = [str(official_python), "-I", str(SCRIPT), "--api-host", f"localhost:{fake.port}"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, env=env)
        assert result.returncode == 0, f"the official client script failed:\n{result.stderr}"
        assert fake.api_key not in result.stdout
        yield Interop(fake, json.loads(result.stdout))


def replay_chat(request: chat_pb2.GetCompletionsRequest) -> chat_pb2.GetChatCompletionResponse:
    """What a fresh fake with the same seed answers to ``request`` (nothing scripted)."""
    with FakeServer(seed=SEED) as twin, grpc.insecure_channel(twin.address) as channel:
        auth = [("authorization", f"Bearer {twin.api_key}")]
        response: chat_pb2.GetChatCompletionResponse = chat_pb2_grpc.ChatStub(channel).GetCompletion(
            request, metadata=auth, timeout=30
        )
        return response


def replay_image(request: image_pb2.GenerateImageRequest) -> image_pb2.ImageResponse:
    with FakeServer(seed=SEED) as twin, grpc.insecure_channel(twin.address) as channel:
        auth = [("authorization", f"Bearer {twin.api_key}")]
        response: image_pb2.ImageResponse = image_pb2_grpc.ImageStub(channel).GenerateImage(
            request, metadata=auth, timeout=30
        )
        return response


def texts(message: chat_pb2.Message) -> str:
    return "".join(content.text for content in message.content)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of an 8-bit PNG, after checking its chunks' CRCs and inflating its pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1] == (b"IEND", b"")
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    assert depth == 8
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(pixels) == height * (1 + width * channels)
    return width, height


def test_metadata_and_calls(interop: Interop) -> None:
    assert interop.output["sdk_version"] == SDK_VERSION
    requests = interop.fake.requests
    assert requests.counts() == {
        "xai_api.Chat/GetCompletion": 4,  # sync sample, two tool round-trip samples, async sample
        "xai_api.Chat/GetCompletionChunk": 2,  # sync and async streams
        "xai_api.Models/ListLanguageModels": 1,
        "xai_api.Models/GetLanguageModel": 1,
        "xai_api.Tokenize/TokenizeText": 1,
        "xai_api.Image/GenerateImage": 2,  # base64, url
        "xai_api.Auth/get_api_key_info": 1,
    }
    for call in requests:
        assert call.code == grpc.StatusCode.OK, (call.method, call.details)
        assert call.metadata["xai-sdk-version"] == f"python/{SDK_VERSION}", call.method
        assert call.metadata["xai-sdk-language"].startswith("python/3."), call.method
        assert call.metadata["authorization"] == "<redacted>", call.method  # the key was sent, and not logged
        assert f"XaiSdk/{SDK_VERSION}" in call.metadata.get("user-agent", ""), call.method


def test_chat_sample(interop: Interop) -> None:
    step = interop.step("sync", "chat_sample")
    response = step["response"]
    assert response["content"] == SAMPLE_REPLY
    assert response["role"] == "ROLE_ASSISTANT"
    assert response["finish_reason"] == "REASON_STOP"
    assert response["system_fingerprint"] == "fp_fake_grok4"
    usage = response["usage"]
    assert usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    request = interop.requests("Chat/GetCompletion", chat_pb2.GetCompletionsRequest)[0]
    assert request.model == "grok-4"
    assert [m.role for m in request.messages] == [chat_pb2.ROLE_SYSTEM, chat_pb2.ROLE_USER]
    assert texts(request.messages[-1]) == step["prompt"]


def test_chat_stream(interop: Interop) -> None:
    step = interop.step("sync", "chat_stream")
    assert step["chunks"] == [*STREAM_PIECES, ""]  # the last chunk carries the finish reason and usage
    assert step["accumulated"] == "".join(STREAM_PIECES)
    response = step["response"]
    assert response["content"] == step["accumulated"]
    assert response["role"] == "ROLE_ASSISTANT"
    assert response["finish_reason"] == "REASON_STOP"
    assert response["usage"]["completion_tokens"] > 0
    request = interop.requests("Chat/GetCompletionChunk", chat_pb2.GetCompletionsRequest)[0]
    assert texts(request.messages[-1]) == step["prompt"]


def test_tool_call_round_trip(interop: Interop) -> None:
    step = interop.step("sync", "tool_call")
    first = step["first"]
    assert first["finish_reason"] == "REASON_TOOL_CALLS"
    assert len(first["tool_calls"]) == 1
    call = first["tool_calls"][0]
    assert call["id"] == TOOL_CALL_ID
    assert call["name"] == "get_weather"
    assert json.loads(call["arguments"]) == TOOL_ARGUMENTS
    assert step["second"]["content"] == TOOL_REPLY
    assert step["second"]["finish_reason"] == "REASON_STOP"

    asked, answered = interop.requests("Chat/GetCompletion", chat_pb2.GetCompletionsRequest)[1:3]
    (declared,) = asked.tools
    assert declared.function.name == "get_weather"
    assert json.loads(declared.function.parameters)["required"] == ["city", "unit"]
    # The second request carries the conversation: question, the assistant's call, the tool's result.
    user, assistant, tool = answered.messages
    assert (user.role, assistant.role, tool.role) == (chat_pb2.ROLE_USER, chat_pb2.ROLE_ASSISTANT, chat_pb2.ROLE_TOOL)
    assert texts(user) == step["prompt"]
    assert [(c.id, c.function.name) for c in assistant.tool_calls] == [(TOOL_CALL_ID, "get_weather")]
    assert tool.tool_call_id == TOOL_CALL_ID
    assert json.loads(texts(tool)) == {"city": "Paris", "temperature": 18, "unit": "celsius"}
    assert step["tool_results"] == [{"tool_call_id": TOOL_CALL_ID, "result": texts(tool)}]


def test_async_sample_and_stream_match_generated(interop: Interop) -> None:
    step = interop.step("async", "chat")
    sampled, streamed = step["sample"], step["stream"]
    request = interop.requests("Chat/GetCompletion", chat_pb2.GetCompletionsRequest)[3]
    assert texts(request.messages[-1]) == step["prompt"]
    expected = replay_chat(request).outputs[0].message.content
    assert expected
    assert sampled["content"] == expected
    assert sampled["finish_reason"] == "REASON_STOP"
    # The stream is of the same conversation, so the fake generates the same text in pieces.
    assert interop.requests("Chat/GetCompletionChunk", chat_pb2.GetCompletionsRequest)[1] == request
    assert len([piece for piece in streamed["chunks"] if piece]) > 1
    assert streamed["accumulated"] == expected
    assert streamed["response"]["content"] == expected
    assert streamed["response"]["role"] == "ROLE_ASSISTANT"
    assert streamed["response"]["finish_reason"] == "REASON_STOP"
    assert streamed["response"]["usage"] == sampled["usage"]


def test_models(interop: Interop) -> None:
    step = interop.step("sync", "models")
    assert step["names"] == [model.name for model in LANGUAGE_MODELS]  # the fake's catalogue, in order
    assert step["got"]["name"] == "grok-4"
    assert step["got"]["requested"] in step["got"]["aliases"]
    assert interop.requests("Models/GetLanguageModel", models_pb2.GetModelRequest)[-1].name == step["got"]["requested"]


def test_tokenize(interop: Interop) -> None:
    step = interop.step("sync", "tokenize")
    tokens = step["tokens"]
    assert len(tokens) > 5
    assert b"".join(base64.b64decode(t["bytes"]) for t in tokens) == step["text"].encode()
    assert "".join(t["string"] for t in tokens) == step["text"]
    assert all(isinstance(t["id"], int) and t["id"] > 0 for t in tokens)
    assert interop.requests("Tokenize/TokenizeText", tokenize_pb2.TokenizeTextRequest)[-1].text == step["text"]


def test_image(interop: Interop) -> None:
    step = interop.step("sync", "image")
    inline_request, linked_request = interop.requests("Image/GenerateImage", image_pb2.GenerateImageRequest)
    assert inline_request.format == image_pb2.IMG_FORMAT_BASE64
    assert linked_request.format == image_pb2.IMG_FORMAT_URL
    assert inline_request.prompt == step["prompt"]

    inline = base64.b64decode(step["base64"]["image"])
    assert png_size(inline) == (64, 64)
    assert step["base64"]["model"] == "grok-2-image-1212"  # the alias resolved
    expected = replay_image(inline_request).images[0].base64
    assert expected == "data:image/png;base64," + step["base64"]["image"]

    linked = base64.b64decode(step["url"]["image"])  # downloaded by the official client
    assert png_size(linked) == (64, 64)
    url = step["url"]["url"]
    assert url.startswith(interop.fake.http_url)
    with urllib.request.urlopen(url, timeout=10) as answer:  # the fake's own HTTP server
        assert answer.read() == linked


def test_auth(interop: Interop) -> None:
    step = interop.step("sync", "auth")
    key = interop.fake.api_key
    assert step["redacted_api_key"] == f"{key[:3]}...{key[-4:]}"
    assert key not in json.dumps(step)
    assert step["acls"]
