"""Drive the official ``xai-sdk`` 1.21.0 client against an API host; print one JSON object of results.

Run by the python of the official SDK's venv (see ``official_venv.py``), never imported by our
tests' interpreter: both packages are named ``xai_sdk``. Only the official public API is used::

    XAI_API_KEY=... python -I official_client_script.py --api-host localhost:PORT

Each step's result (or its error) is a key of the output; the calls, in this order, are:

sync ``Client``: chat sample, chat stream, a function tool call round trip (two samples),
models list and get, tokenize, image (base64, then url), auth;
``AsyncClient``: chat sample, then a chat stream of the same conversation.
"""

# Our mypy checks this file against our own ``xai_sdk`` (meant to be a drop-in for the official one);
# names our package does not have (yet) must not fail the check, so those two codes are off here.
# mypy: disable-error-code="attr-defined,import-not-found"

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from xai_sdk import AsyncClient, Client, __version__
from xai_sdk.chat import system, tool, tool_result, user

MODEL = "grok-4"
MODEL_ALIAS = "grok-4-latest"
IMAGE_MODEL = "grok-2-image"
SYSTEM_PROMPT = "You are a terse assistant."
SAMPLE_PROMPT = "Say hello to the conformance test."
STREAM_PROMPT = "Stream a short greeting."
TOOL_PROMPT = "What is the weather in Paris, in celsius?"
ASYNC_PROMPT = "Tell me something generated."
TOKENIZE_TEXT = "Hello, fake xAI! Ünïcödé and emoji: 🚀"
IMAGE_PROMPT = "A lighthouse at dusk, flat colours"
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "unit"],
        "additionalProperties": False,
    },
}
RPC_TIMEOUT = 30.0

Json = dict[str, Any]


def describe(response: Any) -> Json:
    """The fields of an official ``chat.Response`` that the test checks."""
    usage = response.usage
    return {
        "id": response.id,
        "content": response.content,
        "role": response.role,
        "finish_reason": response.finish_reason,
        "system_fingerprint": response.system_fingerprint,
        "usage": {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens,
        },
        "tool_calls": [
            {"id": call.id, "name": call.function.name, "arguments": call.function.arguments}
            for call in response.tool_calls
        ],
    }


def chat_sample(client: Any) -> Json:
    chat = client.chat.create(model=MODEL, messages=[system(SYSTEM_PROMPT), user(SAMPLE_PROMPT)])
    return {"prompt": SAMPLE_PROMPT, "response": describe(chat.sample())}


def chat_stream(client: Any) -> Json:
    chat = client.chat.create(model=MODEL, messages=[user(STREAM_PROMPT)])
    pieces: list[str] = []
    final = None
    for response, chunk in chat.stream():  # ``response`` accumulates the chunks so far
        pieces.append(chunk.content)
        final = response
    assert final is not None, "the stream yielded no chunk"
    return {"prompt": STREAM_PROMPT, "chunks": pieces, "accumulated": "".join(pieces), "response": describe(final)}


def weather(city: str, unit: str) -> Json:
    return {"city": city, "temperature": 18 if unit == "celsius" else 64, "unit": unit}


def tool_round_trip(client: Any) -> Json:
    spec = WEATHER_TOOL
    chat = client.chat.create(
        model=MODEL,
        messages=[user(TOOL_PROMPT)],
        tools=[tool(spec["name"], spec["description"], spec["parameters"])],
    )
    first = chat.sample()
    chat.append(first)
    results = []
    for call in first.tool_calls:
        arguments = json.loads(call.function.arguments)
        result = json.dumps(weather(**arguments))
        results.append({"tool_call_id": call.id, "result": result})
        chat.append(tool_result(result, tool_call_id=call.id))
    second = chat.sample()
    return {"prompt": TOOL_PROMPT, "first": describe(first), "tool_results": results, "second": describe(second)}


def models(client: Any) -> Json:
    listed = client.models.list_language_models()
    got = client.models.get_language_model(MODEL_ALIAS)
    return {
        "names": [model.name for model in listed],
        "got": {"requested": MODEL_ALIAS, "name": got.name, "aliases": list(got.aliases)},
    }


def tokenize(client: Any) -> Json:
    tokens = client.tokenize.tokenize_text(TOKENIZE_TEXT, MODEL)
    return {
        "text": TOKENIZE_TEXT,
        "tokens": [
            {"id": t.token_id, "string": t.string_token, "bytes": base64.b64encode(t.token_bytes).decode()}
            for t in tokens
        ],
    }


def image(client: Any) -> Json:
    inline = client.image.sample(IMAGE_PROMPT, IMAGE_MODEL, image_format="base64")
    linked = client.image.sample(IMAGE_PROMPT, IMAGE_MODEL, image_format="url")
    return {
        "prompt": IMAGE_PROMPT,
        "base64": {"model": inline.model, "image": base64.b64encode(inline.image).decode()},
        "url": {"model": linked.model, "url": linked.url, "image": base64.b64encode(linked.image).decode()},
    }


def auth(client: Any) -> Json:
    info = client.auth.get_api_key_info()
    return {"redacted_api_key": info.redacted_api_key, "name": info.name, "acls": list(info.acls)}


async def async_chat(client: Any) -> Json:
    chat = client.chat.create(model=MODEL, messages=[user(ASYNC_PROMPT)])
    sampled = await chat.sample()
    pieces: list[str] = []
    final = None
    async for response, chunk in chat.stream():  # the same conversation: the fake generates the same text
        pieces.append(chunk.content)
        final = response
    assert final is not None, "the stream yielded no chunk"
    return {
        "prompt": ASYNC_PROMPT,
        "sample": describe(sampled),
        "stream": {"chunks": pieces, "accumulated": "".join(pieces), "response": describe(final)},
    }


def failure(exc: BaseException) -> Json:
    return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}


def run_sync(api_host: str) -> dict[str, Json]:
    results: dict[str, Json] = {}
    steps: dict[str, Callable[[Any], Json]] = {
        "chat_sample": chat_sample,
        "chat_stream": chat_stream,
        "tool_call": tool_round_trip,
        "models": models,
        "tokenize": tokenize,
        "image": image,
        "auth": auth,
    }
    with Client(api_host=api_host, timeout=RPC_TIMEOUT) as client:  # the key comes from XAI_API_KEY
        for name, step in steps.items():
            try:
                results[name] = step(client)
            except Exception as exc:
                results[name] = failure(exc)
    return results


async def run_async(api_host: str) -> dict[str, Json]:
    steps: dict[str, Callable[[Any], Awaitable[Json]]] = {"chat": async_chat}
    results: dict[str, Json] = {}
    async with AsyncClient(api_host=api_host, timeout=RPC_TIMEOUT) as client:
        for name, step in steps.items():
            try:
                results[name] = await step(client)
            except Exception as exc:
                results[name] = failure(exc)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--api-host", default=os.environ.get("XAI_API_HOST", ""), help="e.g. localhost:50051")
    args = parser.parse_args(argv)
    if not args.api_host:
        parser.error("pass --api-host or set XAI_API_HOST")
    output = {
        "sdk_version": __version__,
        "python": sys.version.split()[0],
        "sync": run_sync(args.api_host),
        "async": asyncio.run(run_async(args.api_host)),
    }
    json.dump(output, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
