"""Telemetry: chat spans recorded in memory through real gRPC against xai_fake, and exporter setup."""

from __future__ import annotations

import datetime
import io
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import grpc
import pytest
from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from opentelemetry.util._once import Once
from pydantic import BaseModel

import xai_sdk
from xai_fake import FakeServer
from xai_fake.defaults.chat_answers import function_call
from xai_sdk.__about__ import __version__
from xai_sdk.chat import Response, system, tool, tool_result, user
from xai_sdk.proto import chat_pb2, sample_pb2
from xai_sdk.telemetry import Telemetry, get_tracer, should_disable_sensitive_attributes
from xai_sdk.telemetry._chat import chat_span
from xai_sdk.telemetry._spans import NO_SPAN, server_attributes
from xai_sdk.telemetry.config import DISABLE_SENSITIVE_ENV, DISABLE_TRACING_ENV

FAST = {"interval": datetime.timedelta(milliseconds=5)}
DRIVERS = ["sync", "aio"]
IDENTITY = {
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.output.type",
    "gen_ai.request.model",
    "server.address",
    "server.port",
}
# What the official SDK 1.21.0 sets on a plain sample() (recorded against the fake).
OFFICIAL_SAMPLE_KEYS = IDENTITY | {
    "gen_ai.request.frequency_penalty",
    "gen_ai.request.presence_penalty",
    "gen_ai.request.temperature",
    "gen_ai.request.parallel_tool_calls",
    "gen_ai.request.store_messages",
    "gen_ai.request.use_encrypted_content",
    "gen_ai.request.logprobs",
    "gen_ai.prompt.0.role",
    "gen_ai.prompt.0.content",
    "gen_ai.prompt.1.role",
    "gen_ai.prompt.1.content",
    "gen_ai.response.id",
    "gen_ai.response.model",
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.total_tokens",
    "gen_ai.usage.reasoning_tokens",
    "gen_ai.usage.cached_prompt_text_tokens",
    "gen_ai.usage.prompt_text_tokens",
    "gen_ai.usage.prompt_image_tokens",
    "gen_ai.usage.cost_in_usd_ticks",
    "gen_ai.response.system_fingerprint",
    "gen_ai.response.finish_reasons",
    "gen_ai.completion.0.role",
    "gen_ai.completion.0.content",
    "gen_ai.completion.0.reasoning_content",
}


class Answer(BaseModel):
    text: str


@pytest.fixture
def otel_globals(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenTelemetry's global tracer provider unset for this test (and restored after it)."""
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", Once())
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    for name in (DISABLE_TRACING_ENV, DISABLE_SENSITIVE_ENV, "OTEL_EXPORTER_OTLP_PROTOCOL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def spans(otel_globals: None) -> Iterator[InMemorySpanExporter]:
    """A global tracer provider that keeps finished spans in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    yield exporter
    provider.shutdown()


def open_client(fake: FakeServer, driver: str) -> Any:
    return fake.client() if driver == "sync" else fake.async_client()


async def close(client: Any) -> None:
    result = client.close()
    if result is not None:
        await result


async def call(chat: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """Run one chat method with either facade; streams are drained and give their final response(s)."""
    result = getattr(chat, method)(*args, **kwargs)
    if method.startswith("stream"):
        last: Any = None
        if hasattr(result, "__aiter__"):
            async for last in result:  # noqa: B007
                pass
        else:
            for last in result:  # noqa: B007
                pass
        return last[0]
    return (await result) if hasattr(result, "__await__") else result


def finished(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return list(exporter.get_finished_spans())


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("sample", ()),
        ("sample_batch", (2,)),
        ("stream", ()),
        ("stream_batch", (2,)),
        ("parse", (Answer,)),
        ("defer", ()),
        ("defer_batch", (2,)),
    ],
)
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
async def test_chat_spans_follow_the_genai_conventions(
    xai_fake_server: FakeServer, spans: InMemorySpanExporter, driver: str, method: str, args: tuple[Any, ...]
) -> None:
    client = open_client(xai_fake_server, driver)
    chat = client.chat.create(
        "grok-4", messages=[system("be brief"), user("hi ", "there")], conversation_id="conv-1", temperature=0.3
    )
    result = await call(chat, method, *args, **(FAST if method.startswith("defer") else {}))
    await close(client)
    if method == "parse":
        result = result[0]
    responses: list[Response] = [result] if isinstance(result, Response) else list(result)

    [span] = finished(spans)
    assert span.name == f"chat.{method} grok-4"
    assert span.kind == SpanKind.CLIENT
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == f"xai_sdk.{driver}.chat"
    assert span.status.status_code == StatusCode.UNSET
    attributes = dict(span.attributes or {})
    host, port = xai_fake_server.address.rsplit(":", 1)
    assert {key: attributes[key] for key in IDENTITY} == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "xai",
        "gen_ai.output.type": "json_schema" if method == "parse" else "text",
        "gen_ai.request.model": "grok-4",
        "server.address": host,
        "server.port": int(port),
    }
    assert attributes["gen_ai.conversation.id"] == "conv-1"
    assert attributes["gen_ai.request.temperature"] == 0.3
    assert attributes["gen_ai.request.frequency_penalty"] == 0.0
    assert attributes["gen_ai.prompt.0.role"] == "system"
    assert attributes["gen_ai.prompt.0.content"] == "be brief"
    assert attributes["gen_ai.prompt.1.role"] == "user"
    assert attributes["gen_ai.prompt.1.content"] == "hi there"
    first = responses[0]
    assert attributes["gen_ai.response.id"] == first.id
    assert attributes["gen_ai.response.model"] == first.proto.model
    assert attributes["gen_ai.usage.input_tokens"] == first.usage.prompt_tokens
    assert attributes["gen_ai.usage.output_tokens"] == first.usage.completion_tokens
    assert attributes["gen_ai.usage.total_tokens"] == first.usage.total_tokens
    assert attributes["gen_ai.usage.reasoning_tokens"] == first.usage.reasoning_tokens
    assert attributes["gen_ai.response.finish_reasons"] == tuple(r.finish_reason for r in responses)
    for index, response in enumerate(responses):
        assert attributes[f"gen_ai.completion.{index}.role"] == "assistant"
        assert attributes[f"gen_ai.completion.{index}.content"] == response.content
        assert attributes[f"gen_ai.completion.{index}.reasoning_content"] == response.reasoning_content
    assert f"gen_ai.completion.{len(responses)}.content" not in attributes
    if method.startswith("stream"):
        started = datetime.datetime.fromisoformat(str(attributes.pop("gen_ai.completion.start_time")))
        assert started.tzinfo is not None and started <= datetime.datetime.now(datetime.timezone.utc)
        assert span.start_time is not None and span.end_time is not None
        assert span.start_time <= started.timestamp() * 1e9 <= span.end_time
    if method == "sample":  # the same attribute names as the official SDK
        assert set(attributes) - {"gen_ai.conversation.id"} == OFFICIAL_SAMPLE_KEYS


@pytest.mark.parametrize("driver", DRIVERS)
async def test_request_parameters_and_tool_calls(
    xai_fake_server: FakeServer, spans: InMemorySpanExporter, driver: str
) -> None:
    weather = tool("get_weather", "Weather", {"type": "object", "properties": {"city": {"type": "string"}}})
    # No model takes all of these parameters at once (stop and the penalties need a model that does
    # not reason, reasoning_effort one that does: https://docs.x.ai/docs/guides/reasoning), so the
    # fake, which rejects such requests like the real API, answers with scripted protos it does not validate.
    called = chat_pb2.CompletionMessage(
        role=chat_pb2.ROLE_ASSISTANT, tool_calls=[function_call("get_weather", {"city": "Paris"}, call_id="call_1")]
    )
    answered = chat_pb2.CompletionMessage(role=chat_pb2.ROLE_ASSISTANT, content="Sunny.")
    xai_fake_server.script("Chat/GetCompletion").sequence(
        [
            chat_pb2.GetChatCompletionResponse(
                model="grok-4",
                outputs=[chat_pb2.CompletionOutput(finish_reason=sample_pb2.REASON_TOOL_CALLS, message=called)],
            ),
            chat_pb2.GetChatCompletionResponse(
                model="grok-4",
                outputs=[chat_pb2.CompletionOutput(finish_reason=sample_pb2.REASON_STOP, message=answered)],
            ),
        ]
    )
    client = open_client(xai_fake_server, driver)
    chat = client.chat.create(
        "grok-4", messages=[user("Weather?")], tools=[weather], max_tokens=50, seed=7, stop=["\n"], top_p=0.9,
        user="u-1", reasoning_effort="high", parallel_tool_calls=False, frequency_penalty=0.1, logprobs=True,
        top_logprobs=2, response_format="json_object",
    )  # fmt: skip
    first = await call(chat, "sample")
    chat.append(first)
    chat.append(tool_result("sunny", "call_1"))
    await call(chat, "sample")
    await close(client)

    calling, answering = (dict(span.attributes or {}) for span in finished(spans))
    expected_call = [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}
    ]
    assert json.loads(str(calling["gen_ai.completion.0.tool_calls"])) == expected_call
    assert calling["gen_ai.response.finish_reasons"] == ("REASON_TOOL_CALLS",)
    assert {key: calling[key] for key in calling if key.startswith("gen_ai.request.") or key == "user_id"} == {
        "gen_ai.request.model": "grok-4",
        "gen_ai.request.max_tokens": 50,
        "gen_ai.request.seed": 7,
        "gen_ai.request.stop_sequences": ("\n",),
        "gen_ai.request.top_p": 0.9,
        "gen_ai.request.temperature": 1.0,
        "gen_ai.request.presence_penalty": 0.0,
        "gen_ai.request.frequency_penalty": 0.1,
        "gen_ai.request.reasoning_effort": "high",
        "gen_ai.request.parallel_tool_calls": False,
        "gen_ai.request.store_messages": False,
        "gen_ai.request.use_encrypted_content": False,
        "gen_ai.request.logprobs": True,
        "gen_ai.request.top_logprobs": 2,
        "user_id": "u-1",
    }
    assert calling["gen_ai.output.type"] == "json_object"
    assert answering["gen_ai.prompt.1.role"] == "assistant"
    assert json.loads(str(answering["gen_ai.prompt.1.tool_calls"])) == expected_call
    assert (answering["gen_ai.prompt.2.role"], answering["gen_ai.prompt.2.content"]) == ("tool", "sunny")


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("value", ["1", "true", "TRUE"])
async def test_sensitive_attributes_can_be_left_out(
    xai_fake_server: FakeServer,
    spans: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
    driver: str,
    value: str,
) -> None:
    monkeypatch.setenv(DISABLE_SENSITIVE_ENV, value)
    client = open_client(xai_fake_server, driver)
    chat = client.chat.create("grok-4", messages=[user("my secret")], conversation_id="c", user="u")
    await call(chat, "sample")
    await call(chat, "stream")
    await close(client)

    sampled, streamed = (dict(span.attributes or {}) for span in finished(spans))
    assert set(sampled) == IDENTITY
    assert set(streamed) == IDENTITY | {"gen_ai.completion.start_time"}
    assert "my secret" not in json.dumps(sampled)


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(
    ("value", "traced"), [("1", False), ("true", False), ("True", False), ("0", True), ("yes", True)]
)
async def test_tracing_can_be_disabled(
    xai_fake_server: FakeServer,
    spans: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
    driver: str,
    value: str,
    traced: bool,
) -> None:
    monkeypatch.setenv(DISABLE_TRACING_ENV, value)
    client = open_client(xai_fake_server, driver)
    chat = client.chat.create("grok-4", messages=[user("hi")])
    await call(chat, "sample")
    await call(chat, "stream")
    await close(client)
    assert len(finished(spans)) == (2 if traced else 0)
    assert isinstance(get_tracer("x"), trace.NoOpTracer) is not traced


@pytest.mark.parametrize("driver", DRIVERS)
async def test_failed_call_marks_the_span(
    xai_fake_server: FakeServer, spans: InMemorySpanExporter, driver: str
) -> None:
    xai_fake_server.chat.error(grpc.StatusCode.RESOURCE_EXHAUSTED, "slow down", times=2)
    client = open_client(xai_fake_server, driver)
    chat = client.chat.create("grok-4", messages=[user("hi")])
    for method in ("sample", "stream"):
        with pytest.raises(grpc.RpcError):
            await call(chat, method)
    await close(client)
    for span in finished(spans):
        assert span.status.status_code == StatusCode.ERROR
        assert "slow down" in (span.status.description or "")
        assert [event.name for event in span.events] == ["exception"]
        assert "gen_ai.response.id" not in (span.attributes or {})


@pytest.mark.parametrize("driver", DRIVERS)
async def test_stream_left_early_ends_its_span(
    xai_fake_server: FakeServer, spans: InMemorySpanExporter, driver: str
) -> None:
    xai_fake_server.chat.stream(["a", "b", "c"])
    client = open_client(xai_fake_server, driver)
    stream = client.chat.create("grok-4", messages=[user("hi")]).stream()
    if driver == "sync":
        next(stream)
        stream.close()
    else:
        await stream.__anext__()
        await stream.aclose()
    await close(client)
    [span] = finished(spans)
    assert span.status.status_code == StatusCode.UNSET
    assert "gen_ai.completion.start_time" in (span.attributes or {})
    assert "gen_ai.response.id" not in (span.attributes or {})


def test_no_provider_means_no_span(xai_client: xai_sdk.Client, otel_globals: None) -> None:
    chat = xai_client.chat.create("grok-4", messages=[user("hi")])
    assert chat_span(chat, "sample") is NO_SPAN
    assert chat.sample().content


def test_chat_calls_do_not_import_opentelemetry(xai_fake_server: FakeServer) -> None:
    code = (
        "import sys; from xai_sdk import Client; from xai_sdk.chat import user;"
        " before = 'opentelemetry' in sys.modules;"
        " chat = Client().chat.create('grok-4', messages=[user('hi')]); chat.sample(); list(chat.stream());"
        " print(before, 'opentelemetry' in sys.modules)"
    )
    env = {**xai_fake_server.env(), "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("api.x.ai", {"server.address": "api.x.ai", "server.port": 443}),
        ("localhost:50051", {"server.address": "localhost", "server.port": 50051}),
        ("[::1]:8080", {"server.address": "::1", "server.port": 8080}),
        ("[::1]", {"server.address": "::1", "server.port": 443}),
        ("dns:///api.x.ai:8443", {"server.address": "api.x.ai", "server.port": 8443}),
        ("dns://8.8.8.8/api.x.ai", {"server.address": "api.x.ai", "server.port": 443}),
        ("unix:/tmp/xai.sock", {"server.address": "/tmp/xai.sock"}),
        ("unix:///tmp/xai.sock", {"server.address": "/tmp/xai.sock"}),
        (None, {}),
    ],
)
def test_server_attributes(target: str | None, expected: dict[str, Any]) -> None:
    assert server_attributes(target) == expected


# -- setup ------------------------------------------------------------------------------------------


def test_telemetry_installs_a_global_provider(otel_globals: None) -> None:
    telemetry = Telemetry()
    assert trace.get_tracer_provider() is telemetry.provider
    resource = telemetry.provider.resource.attributes
    assert (resource[SERVICE_NAME], resource[SERVICE_VERSION]) == ("xai-sdk", __version__)


def test_telemetry_keeps_a_given_provider_local(otel_globals: None) -> None:
    provider = TracerProvider()
    assert Telemetry(provider=provider).provider is provider
    assert trace.get_tracer_provider() is not provider


def test_console_exporter_prints_chat_spans(xai_client: xai_sdk.Client, otel_globals: None) -> None:
    out = io.StringIO()
    Telemetry().setup_console_exporter(out=out)
    xai_client.chat.create("grok-4", messages=[user("hi")]).sample()
    printed = json.loads(out.getvalue())
    assert printed["name"] == "chat.sample grok-4"
    assert printed["attributes"]["gen_ai.provider.name"] == "xai"


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]]

    def do_POST(self) -> None:
        self.received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    """A local OTLP/HTTP endpoint: its base URL and the (path, body) of each request."""
    received: list[tuple[str, bytes]] = []
    handler = type("Handler", (_Collector,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("explicit", [True, False])
def test_otlp_http_exporter_sends_spans(
    xai_client: xai_sdk.Client,
    otel_globals: None,
    monkeypatch: pytest.MonkeyPatch,
    collector: tuple[str, list[tuple[str, bytes]]],
    explicit: bool,
) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    url, received = collector
    telemetry = Telemetry()
    if explicit:
        telemetry.setup_otlp_exporter(endpoint=f"{url}/custom", headers={"x-team": "sdk"})
    else:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", url)
        telemetry.setup_otlp_exporter()
    xai_client.chat.create("grok-4", messages=[user("hi")]).sample()
    assert telemetry.provider.force_flush()
    telemetry.provider.shutdown()
    [(path, body)] = received
    assert path == ("/custom" if explicit else "/v1/traces")
    exported = ExportTraceServiceRequest.FromString(body)
    assert [s.name for s in exported.resource_spans[0].scope_spans[0].spans] == ["chat.sample grok-4"]


def test_otlp_grpc_exporter_sends_spans(
    xai_client: xai_sdk.Client, otel_globals: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

    received: list[Any] = []

    class Collector(trace_service_pb2_grpc.TraceServiceServicer):  # type: ignore[misc]
        def Export(self, request: Any, context: Any) -> Any:
            received.append(request)
            return trace_service_pb2.ExportTraceServiceResponse()

    server = grpc.server(__import__("concurrent.futures").futures.ThreadPoolExecutor(2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Collector(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
        telemetry = Telemetry()
        telemetry.setup_otlp_exporter(endpoint=f"http://127.0.0.1:{port}", insecure=True)
        xai_client.chat.create("grok-4", messages=[user("hi")]).sample()
        assert telemetry.provider.force_flush()
        telemetry.provider.shutdown()
    finally:
        server.stop(None)
    [request] = received
    assert [s.name for s in request.resource_spans[0].scope_spans[0].spans] == ["chat.sample grok-4"]


def test_unknown_otlp_protocol(otel_globals: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
    with pytest.raises(ValueError, match=r"'http/json'.*'http/protobuf', 'grpc'"):
        Telemetry(provider=TracerProvider()).setup_otlp_exporter()


@pytest.mark.parametrize(
    ("protocol", "module", "extra"),
    [
        ("http/protobuf", "opentelemetry.exporter.otlp.proto.http.trace_exporter", "xai-devkit[telemetry-http]"),
        ("grpc", "opentelemetry.exporter.otlp.proto.grpc.trace_exporter", "xai-devkit[telemetry-grpc]"),
    ],
)
def test_missing_exporter_names_the_extra(
    otel_globals: None, monkeypatch: pytest.MonkeyPatch, protocol: str, module: str, extra: str
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    with pytest.raises(ImportError, match=re.escape(f"pip install '{extra}'")):
        Telemetry(provider=TracerProvider()).setup_otlp_exporter()


def test_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk.trace", None)
    with pytest.raises(ImportError, match=r"xai-devkit\[telemetry-http\]"):
        Telemetry()


@pytest.mark.parametrize(
    ("value", "disabled"), [(None, False), ("1", True), ("True", True), ("0", False), ("no", False)]
)
def test_should_disable_sensitive_attributes(
    monkeypatch: pytest.MonkeyPatch, value: str | None, disabled: bool
) -> None:
    if value is None:
        monkeypatch.delenv(DISABLE_SENSITIVE_ENV, raising=False)
    else:
        monkeypatch.setenv(DISABLE_SENSITIVE_ENV, value)
    assert should_disable_sensitive_attributes() is disabled


def test_public_names_match_the_official_modules() -> None:
    import xai_sdk.telemetry
    import xai_sdk.telemetry.config

    expected = ["Telemetry", "get_tracer", "should_disable_sensitive_attributes"]
    assert sorted(xai_sdk.telemetry.__all__) == expected
    assert all(hasattr(xai_sdk.telemetry.config, name) for name in expected)
