"""Bad input: random requests against the fake, random arguments to the SDK, and a table of mistakes.

1. For every method the fake serves, hypothesis builds random requests of the right proto types
   (from the descriptors: any scalar values, unknown enum numbers, repeated fields, nested
   messages, oneofs; strings often naming real models and objects) and sends them through real
   gRPC with a valid key. The answer is OK or a client-side error code with readable details:
   never INTERNAL (an unhandled exception in the fake), never a hang (each call has a deadline).
2. ``chat.create(...)`` with arguments of wrong types or values raises ValueError or TypeError,
   never another exception.
3. A table of common mistakes, each with the clear error it must give.
"""

from __future__ import annotations

import datetime
import inspect
import io
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import xai_sdk
from tests.reliability.proto_strategies import Hints, messages
from tests.reliability.seeds import seed_objects
from xai_fake import FakeServer
from xai_fake.methods import MANAGEMENT_SERVICES, Method, all_methods
from xai_sdk import chat, embeddings
from xai_sdk._chat.base import BaseClient as ChatClient
from xai_sdk.proto import image_pb2

CALL_TIMEOUT = 5.0
#: Codes a well-behaved server may answer a well-typed request with.
CLIENT_ERRORS = {
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.OUT_OF_RANGE,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
}
#: Examples per method; raise it for a deeper search, e.g. ``XAI_RELIABILITY_EXAMPLES=500``.
EXAMPLES = int(os.environ.get("XAI_RELIABILITY_EXAMPLES", "25"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- 1. random requests against the fake -------------------------------------------------------


@pytest.fixture
def channel(xai_fake_server: FakeServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(xai_fake_server.address, options=[("grpc.enable_retries", 0)]) as channel:
        yield channel


def send(channel: grpc.Channel, method: Method, requests: list[Any], metadata: Any) -> tuple[grpc.StatusCode, str]:
    """Call ``method`` through a generic multi-callable; returns (code, details)."""
    codec: dict[str, Any] = {
        "request_serializer": method.request_type.SerializeToString,
        "response_deserializer": method.response_type.FromString,
    }
    kwargs = {"metadata": metadata, "timeout": CALL_TIMEOUT}
    try:
        if method.kind == "unary_unary":
            channel.unary_unary(method.path, **codec)(requests[0], **kwargs)
        elif method.kind == "unary_stream":
            for _ in channel.unary_stream(method.path, **codec)(requests[0], **kwargs):
                pass
        elif method.kind == "stream_unary":
            channel.stream_unary(method.path, **codec)(iter(requests), **kwargs)
        else:
            for _ in channel.stream_stream(method.path, **codec)(iter(requests), **kwargs):
                pass
    except grpc.RpcError as error:
        return error.code(), error.details() or ""  # type: ignore[attr-defined]
    return grpc.StatusCode.OK, ""


@pytest.fixture
def hints(xai_fake_server: FakeServer) -> Hints:
    """Objects on the fake for random requests to name; shared by the examples of one test."""
    with xai_fake_server.client() as client:
        return seed_objects(client)


@pytest.mark.parametrize("method", list(all_methods().values()), ids=lambda method: method.full_name)
@SETTINGS
@given(data=st.data())
def test_random_requests_get_a_proper_status(
    xai_fake_server: FakeServer, channel: grpc.Channel, hints: Hints, method: Method, data: st.DataObject
) -> None:
    strategy = messages(method.request_type.DESCRIPTOR, 0, hints)
    count = data.draw(st.integers(1, 3), label="messages") if method.client_streaming else 1
    requests = [data.draw(strategy, label=f"request {i}") for i in range(count)]
    key = xai_fake_server.management_key if method.service in MANAGEMENT_SERVICES else xai_fake_server.api_key

    code, details = send(channel, method, requests, (("authorization", f"Bearer {key}"),))

    note(f"{method.full_name} -> {code.name}: {details}")
    assert code != grpc.StatusCode.INTERNAL, f"the fake crashed: {details}"
    assert code == grpc.StatusCode.OK or code in CLIENT_ERRORS, f"unexpected {code.name}: {details}"
    if code != grpc.StatusCode.OK:
        assert details.strip(), f"{code.name} without details"


# -- 2. random arguments to chat.create ---------------------------------------------------------

CREATE_PARAMETERS = [name for name in inspect.signature(ChatClient.create).parameters if name != "self"]
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=8),
    st.binary(max_size=8),
    st.sampled_from(["auto", "none", "low", "high", "xhigh", "text", "json_object", "policy", "priority", ""]),
    st.lists(st.one_of(st.integers(-5, 20), st.text(max_size=4), st.none(), st.booleans()), max_size=3),
    st.dictionaries(st.sampled_from(["type", "category", "behavior", "x"]), st.text(max_size=6), max_size=3),
    st.builds(object),
    st.sampled_from([chat.user("hi"), chat.tool("f", "d", {}), image_pb2.ImageUrlContent()]),
)


@pytest.fixture(scope="module")
def offline_client() -> Iterator[xai_sdk.Client]:
    """A client whose channel is never used: ``chat.create`` sends nothing."""
    with xai_sdk.Client(api_key="unused", api_host="127.0.0.1:9") as client:
        yield client


@settings(
    max_examples=300, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(arguments=st.dictionaries(st.sampled_from(CREATE_PARAMETERS), ODD_VALUES, min_size=1, max_size=3))
def test_chat_create_rejects_bad_arguments_with_value_or_type_errors(
    offline_client: xai_sdk.Client, arguments: dict[str, Any]
) -> None:
    arguments.setdefault("model", "grok-4")
    try:
        offline_client.chat.create(**arguments)
    except (ValueError, TypeError) as error:
        assert str(error)


# -- 3. a table of common mistakes ---------------------------------------------------------------

Mistake = Callable[[xai_sdk.Client], Any]


def no_key(client: xai_sdk.Client) -> Any:
    return xai_sdk.Client(api_key=None, api_host="127.0.0.1:9")


MISTAKES: list[tuple[str, Mistake, type[BaseException], str]] = [
    ("missing api key", no_key, ValueError, r"XAI_API_KEY"),
    ("zero timeout", lambda c: xai_sdk.Client(api_key="k", timeout=0), ValueError, r"timeout must be a positive"),
    ("negative timeout", lambda c: xai_sdk.Client(api_key="k", timeout=-1), ValueError, r"got -1"),
    (
        "metadata not pairs",
        lambda c: xai_sdk.Client(api_key="k", metadata=(("only-key",),)),  # type: ignore[arg-type]
        ValueError,
        r"metadata must be \(key, value\) pairs of strings",
    ),
    (
        "metadata value not a string",
        lambda c: xai_sdk.Client(api_key="k", metadata=(("x-n", 1),)),  # type: ignore[arg-type]
        ValueError,
        r"metadata must be",
    ),
    (
        "unknown reasoning effort",
        lambda c: c.chat.create("grok-4", reasoning_effort="extreme"),
        ValueError,
        r"Invalid reasoning effort: 'extreme'. Must be one of: 'none', 'low'",
    ),
    ("unknown tool choice", lambda c: c.chat.create("grok-4", tool_choice="maybe"), ValueError, r"Invalid tool mode"),
    (
        "unknown response format",
        lambda c: c.chat.create("grok-4", response_format="yaml"),
        ValueError,
        r"Invalid response format: 'yaml'",
    ),
    ("unknown include", lambda c: c.chat.create("grok-4", include=["nope"]), ValueError, r"Invalid include option"),
    ("unknown service tier", lambda c: c.chat.create("grok-4", service_tier="gold"), ValueError, r"service tier"),
    ("agent count not 4 or 16", lambda c: c.chat.create("grok-4", agent_count=5), ValueError, r"agent count: 5"),
    (
        "guideline of another type",
        lambda c: c.chat.create("grok-4", guidelines=[{"type": "rule"}]),
        ValueError,
        r"Invalid guideline type: 'rule'. Must be 'policy'",
    ),
    ("guideline not a dict", lambda c: c.chat.create("grok-4", guidelines=["x"]), ValueError, r"Pass a dict"),
    (
        "search parameters of the wrong type",
        lambda c: c.chat.create("grok-4", search_parameters={"mode": "on"}),  # type: ignore[arg-type]
        TypeError,
        r"search_parameters must be a SearchParameters",
    ),
    (
        "unknown search mode",
        lambda c: c.chat.create("grok-4", search_parameters=xai_sdk.search.SearchParameters(mode="always")),  # type: ignore[arg-type]
        ValueError,
        r"Invalid search mode: 'always'",
    ),
    ("huge boolean", lambda c: c.chat.create("grok-4", logprobs=2**80), ValueError, r"out of range"),  # type: ignore[arg-type]
    (
        "sampling an empty conversation",
        lambda c: c.chat.create("grok-4").sample(),
        ValueError,
        r"no messages yet: append one",
    ),
    (
        "appending a string",
        lambda c: c.chat.create("grok-4").append("hi"),
        ValueError,
        r"Unrecognized message type str",
    ),
    ("content of the wrong type", lambda c: chat.user(42), TypeError, r"Unrecognized content type int"),  # type: ignore[arg-type]
    (
        "file() with two sources",
        lambda c: chat.file("file-1", url="https://example.com/a.pdf"),
        ValueError,
        r"Exactly one of `file_id`, `data`, or `url` must be set",
    ),
    ("file() with no source", lambda c: chat.file(), ValueError, r"Exactly one of"),
    (
        "file() id with a filename",
        lambda c: chat.file("file-1", filename="a.pdf"),
        ValueError,
        r"only supported for inline uploads",
    ),
    (
        "embedding image detail",
        lambda c: embeddings.image("https://example.com/a.png", detail="ultra"),  # type: ignore[arg-type]
        ValueError,
        r"Invalid image detail: 'ultra'. Use one of: auto, low, high",
    ),
    ("embedding nothing", lambda c: c.embeddings.embed([], "v1"), ValueError, r"inputs is empty"),
    (
        "embedding format",
        lambda c: c.embeddings.embed(["a"], "v1", encoding_format="int8"),  # type: ignore[arg-type]
        ValueError,
        r"Invalid encoding_format: 'int8'",
    ),
    ("upload bytes without a name", lambda c: c.files.upload(b"data"), ValueError, r"filename is required"),
    ("upload a missing path", lambda c: c.files.upload("/nonexistent/x.pdf"), FileNotFoundError, r"does not exist"),
    ("upload an int", lambda c: c.files.upload(42), ValueError, r"cannot upload a int"),  # type: ignore[arg-type]
    (
        "upload a text-mode file",
        lambda c: c.files.upload(io.StringIO("text"), filename="a.txt"),  # type: ignore[arg-type]
        ValueError,
        r"open it in 'rb' mode",
    ),
    (
        "negative expiry",
        lambda c: c.files.upload(b"x", filename="a", expires_after=-5),
        ValueError,
        r"expires_after must be positive",
    ),
    ("unknown list order", lambda c: c.files.list(order="up"), ValueError, r"order must be one of"),  # type: ignore[arg-type]
    ("batch upload of nothing", lambda c: c.files.batch_upload([]), ValueError, r"files is empty"),
    (
        "image from a url and a file id",
        lambda c: c.image.sample("cat", "grok-imagine-image", image_url="https://e/x.png", image_file_id="f"),
        ValueError,
        r"Only one of image_url or image_file_id",
    ),
    (
        "unknown image aspect ratio",
        lambda c: c.image.sample("cat", "grok-imagine-image", aspect_ratio="5:4"),  # type: ignore[arg-type]
        ValueError,
        r"Invalid image aspect ratio '5:4'",
    ),
    (
        "image urls as one string",
        lambda c: c.image.sample("cat", "grok-imagine-image", image_urls="https://e/x.png"),
        ValueError,
        r"wrap it in a list",
    ),
    (
        "unknown video resolution",
        lambda c: c.video.start("cat", "grok-imagine-video", resolution="8k"),  # type: ignore[arg-type]
        ValueError,
        r"Invalid video resolution '8k'",
    ),
    (
        "negative poll timeout",
        lambda c: c.video.generate(
            "cat", "grok-imagine-video", timeout=datetime.timedelta(seconds=-1), interval=datetime.timedelta(seconds=1)
        ),
        ValueError,
        r"must be positive",
    ),
]


@pytest.mark.parametrize(("case", "mistake", "error", "message"), MISTAKES, ids=[row[0] for row in MISTAKES])
def test_mistakes_give_clear_errors(
    xai_client: xai_sdk.Client,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    mistake: Mistake,
    error: type[BaseException],
    message: str,
) -> None:
    monkeypatch.delenv("XAI_API_KEY", raising=False)
    with pytest.raises(error) as raised:
        mistake(xai_client)
    assert re.search(message, str(raised.value)), f"{case}: {raised.value}"


def test_unknown_image_detail_in_a_message_means_auto() -> None:
    # Accepted like the official SDK: any other detail value asks for "auto".
    part = chat.image("https://example.com/a.png", detail="ultra")  # type: ignore[arg-type]
    assert part.image_url.detail == image_pb2.DETAIL_AUTO
