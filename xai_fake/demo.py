"""``xai-fake demo``: a guided tour of xai_sdk against the embedded fake server.

No API key and no network: everything below talks to a FakeServer in this process.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

import grpc

from xai_fake.server import FakeServer


class Tour:
    """Prints numbered sections and keeps going when one fails, reporting it at the end."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failures: list[str] = []
        self.count = 0

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def section(self, title: str, body: Callable[[], None]) -> None:
        self.count += 1
        self.say(f"\n{self.count}. {title}")
        try:
            body()
        except Exception as error:  # a tour step must not hide the others
            self.failures.append(title)
            self.say(f"   FAILED: {type(error).__name__}: {error}")


def run(out: TextIO = sys.stdout, seed: int = 0) -> int:
    """Run the tour; returns 0 when every step worked."""
    tour = Tour(out)
    with FakeServer(seed=seed) as fake, fake.client() as client:
        tour.say(f"xai-fake demo: a fake xAI API is serving on {fake.address} (seed {seed}).")
        tour.say("The same code runs against api.x.ai once XAI_API_KEY is a real key and XAI_API_HOST is unset.")
        for title, step in STEPS:
            tour.section(title, lambda step=step: step(tour, fake, client))  # type: ignore[misc]
        tour.say(f"\nThe fake logged {len(fake.requests)} calls: {json.dumps(fake.requests.counts(), indent=1)}")
    if tour.failures:
        tour.say(f"\n{len(tour.failures)} step(s) failed: {', '.join(tour.failures)}")
        return 1
    tour.say("\nAll steps worked. Next: the xai_fake_server pytest fixture (see README).")
    return 0


def _chat(tour: Tour, fake: FakeServer, client: Any) -> None:
    from xai_sdk.chat import system, user

    response = client.chat.create("grok-4", messages=[system("Be brief."), user("What is gRPC?")]).sample()
    usage = response.usage
    tour.say(f"   grok-4 says: {response.content}")
    tour.say(f"   {usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens, ${response.cost_usd:.6f}")


def _stream(tour: Tour, fake: FakeServer, client: Any) -> None:
    from xai_sdk.chat import user

    fake.chat.stream(["Streams ", "arrive ", "chunk ", "by ", "chunk."], delay=0.05, times=1)
    tour.out.write("   ")
    for _, chunk in client.chat.create("grok-4", messages=[user("Show me streaming")]).stream():
        tour.out.write(chunk.content)
        tour.out.flush()
    tour.say()


def _tool_call(tour: Tour, fake: FakeServer, client: Any) -> None:
    from xai_sdk.chat import tool, tool_result, user

    weather = tool(
        "get_weather",
        "Current temperature in a city",
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    )
    fake.chat.tool_call("get_weather", {"city": "Paris"}, times=1)
    conversation = client.chat.create("grok-4", messages=[user("Weather in Paris?")], tools=[weather])
    first = conversation.sample()
    call = first.tool_calls[0]
    tour.say(f"   the model calls {call.function.name}({call.function.arguments})")
    conversation.append(first)
    conversation.append(tool_result(json.dumps({"celsius": 21}), call.id))
    fake.chat.reply("It is 21 °C in Paris.", times=1)
    tour.say(f"   after the tool result: {conversation.sample().content}")


def _structured(tour: Tour, fake: FakeServer, client: Any) -> None:
    from xai_sdk.chat import user
    from xai_sdk.proto import chat_pb2

    schema = {"type": "object", "properties": {"name": {"type": "string"}, "year": {"type": "integer"}}}
    response_format = chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=json.dumps(schema))
    conversation = client.chat.create("grok-4", messages=[user("A protocol, as JSON")], response_format=response_format)
    tour.say(f"   JSON that validates against the schema: {conversation.sample().content}")


def _retries(tour: Tour, fake: FakeServer, client: Any) -> None:
    from xai_sdk.chat import user

    fake.fault(grpc.StatusCode.UNAVAILABLE, times=3, method="Chat/GetCompletion")
    before = fake.requests.count("Chat/GetCompletion")
    started = time.monotonic()
    response = client.chat.create("grok-4", messages=[user("Are you there?")]).sample()
    seconds = time.monotonic() - started
    attempts = fake.requests.count("Chat/GetCompletion") - before
    tour.say(f"   3 injected UNAVAILABLE errors, absorbed by the SDK's retry policy in {seconds:.2f} s")
    tour.say(f"   ({attempts} attempts in the fake's request log); answer: {response.content[:50]}...")


def _deadline(tour: Tour, fake: FakeServer, client: Any) -> None:
    from xai_sdk.chat import user

    fake.fault(delay=5.0, method="Chat/GetCompletion", times=1)
    try:
        client.chat.create("grok-4", messages=[user("Slow?")]).sample(timeout=0.3)
    except grpc.RpcError as error:
        tour.say(f"   a 5 s stall with timeout=0.3 gives {error.code().name}")


def _record_replay(tour: Tour, fake: FakeServer, client: Any) -> None:
    import tempfile
    from pathlib import Path

    from xai_fake.cassette import load
    from xai_sdk.chat import user

    # A second fake stands in for api.x.ai; the demo never uses the network.
    with tempfile.TemporaryDirectory() as folder:
        cassette = Path(folder) / "tour.txtpb"
        with FakeServer(seed=99) as upstream:
            upstream.chat.reply("Recorded once, replayed forever.")
            recorder = FakeServer(cassette=cassette, record_mode="once", upstream=upstream.address)
            with recorder, recorder.client() as recording:
                recorded = recording.chat.create("grok-4", messages=[user("Say something")]).sample().content
        tour.say(f"   recorded through the proxy: {recorded!r} -> {cassette.name} ({cassette.stat().st_size} bytes)")
        with FakeServer(cassette=cassette) as player, player.client() as replaying:
            replayed = replaying.chat.create("grok-4", messages=[user("Say something")]).sample().content
        tour.say(f"   replayed offline, upstream gone: {replayed!r}")
        interactions = len(load(cassette).interactions)
        where = "IN" if recorder.api_key in cassette.read_text() else "not in"
        tour.say(f"   the cassette holds {interactions} interaction(s); the API key is {where} it")


def _extras(tour: Tour, fake: FakeServer, client: Any) -> None:
    names = [m.name for m in client.models.list_language_models()]
    tour.say(f"   models: {', '.join(names[:4])}, ... ({len(names)} language models)")
    tokens = client.tokenize.tokenize_text("Hello, fake world!", "grok-4")
    tour.say(f"   tokenizer: {[t.string_token for t in tokens]}")
    image = client.image.sample("a lighthouse at dusk", "grok-2-image", image_format="base64")
    tour.say(f"   image: a {len(image.image)}-byte PNG ({image.image[:8]!r})")


STEPS: list[tuple[str, Callable[[Tour, FakeServer, Any], None]]] = [
    ("Chat", _chat),
    ("Streaming", _stream),
    ("Function calling", _tool_call),
    ("Structured output", _structured),
    ("Retries absorb UNAVAILABLE", _retries),
    ("Deadlines", _deadline),
    ("Models, tokenizer and images", _extras),
    ("Record and replay", _record_replay),
]
