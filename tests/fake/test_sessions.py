"""Sessions: calls naming a session see only its scripts, faults, log, files and clock, on one shared server."""

from __future__ import annotations

import concurrent.futures
import urllib.request

import grpc
import pytest
from google.protobuf import empty_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fake.conftest import API_METADATA
from xai_fake import FakeServer
from xai_fake.session import SESSION_HEADER, Session, Sessions, check_session_name
from xai_sdk.chat import user
from xai_sdk.proto import files_pb2, files_pb2_grpc, models_pb2_grpc

WORKERS = 8


def _ask(client: object) -> str:
    chat = client.chat.create("grok-4", messages=[user("Hi")])  # type: ignore[attr-defined]
    return str(chat.sample().content)


def test_eight_threads_in_eight_sessions_never_see_each_other(fake: FakeServer) -> None:
    def work(number: int) -> tuple[int, list[str], set[str], int, list[str]]:
        session = fake.session(f"worker-{number}")
        session.chat.reply(f"answer {number}")
        session.fault(grpc.StatusCode.UNAVAILABLE, method="Models/ListLanguageModels", times=1)
        with session.client() as client:
            answers = [_ask(client) for _ in range(5)]
            uploaded = client.files.upload(f"file of {number}".encode(), filename=f"w{number}.txt")
            listed = {file.id for file in client.files.list().data}
            client.models.list_language_models()  # the fault fires once; the SDK retries UNAVAILABLE
            stored = [client.files.content(file_id) for file_id in listed]
        assert uploaded.id in listed
        return number, answers, listed, len(session.requests), [content.decode() for content in stored]

    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(work, range(WORKERS)))

    # Each session counts its ids as a fresh server would (the same ids as a test run alone), so
    # sessions are told apart by what their files hold: each sees exactly its own upload.
    for number, answers, listed, logged, contents in results:
        assert answers == [f"answer {number}"] * 5
        assert len(listed) == 1
        assert contents == [f"file of {number}"]
        session = fake.session(f"worker-{number}")
        assert logged == len(session.requests)
        counts = session.requests.counts()
        assert counts["xai_api.Chat/GetCompletion"] == 5
        assert counts["xai_api.Models/ListLanguageModels"] == 2  # the faulted attempt and its retry
        assert all(call.metadata[SESSION_HEADER] == f"worker-{number}" for call in session.requests)
    assert len(fake.requests) == 0  # the server's own session saw none of it
    with fake.client() as client:
        assert client.files.list().data == []
        assert _ask(client) not in {f"answer {number}" for number in range(WORKERS)}


async def test_an_async_client_of_a_session_sends_its_header(fake: FakeServer) -> None:
    session = fake.session("async-one")
    session.chat.reply("from the session")
    async with session.async_client() as client:
        chat = client.chat.create("grok-4", messages=[user("Hi")])
        assert (await chat.sample()).content == "from the session"
    async with fake.async_client() as client:
        chat = client.chat.create("grok-4", messages=[user("Hi")])
        assert (await chat.sample()).content != "from the session"
    assert session.requests.count("Chat/GetCompletion") == 1
    assert fake.requests.count("Chat/GetCompletion") == 1


def test_any_grpc_client_names_a_session_with_the_header(fake: FakeServer, channel: grpc.Channel) -> None:
    stub = models_pb2_grpc.ModelsStub(channel)
    fake.session("raw").fault(grpc.StatusCode.PERMISSION_DENIED, "in the session only")
    in_session = (*API_METADATA, *fake.session("raw").metadata)
    with pytest.raises(grpc.RpcError) as failed:
        stub.ListLanguageModels(empty_pb2.Empty(), metadata=in_session, timeout=5)
    assert failed.value.code() == grpc.StatusCode.PERMISSION_DENIED  # type: ignore[attr-defined]
    assert stub.ListLanguageModels(empty_pb2.Empty(), metadata=API_METADATA, timeout=5).models
    assert fake.session("raw").requests.counts() == {"xai_api.Models/ListLanguageModels": 1}
    assert fake.requests.counts() == {"xai_api.Models/ListLanguageModels": 1}
    assert fake.metadata == ()


@pytest.mark.parametrize("name", ["", "has space", "x" * 129, "caf\u00e9"])
def test_a_bad_session_name_fails_the_call_with_the_rule(fake: FakeServer, channel: grpc.Channel, name: str) -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        fake.session(name)
    stub = models_pb2_grpc.ModelsStub(channel)
    if name.isascii():  # gRPC refuses non-ASCII metadata before it is sent
        with pytest.raises(grpc.RpcError) as failed:
            stub.ListLanguageModels(empty_pb2.Empty(), metadata=(*API_METADATA, (SESSION_HEADER, name)), timeout=5)
        assert failed.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
        assert SESSION_HEADER in failed.value.details()  # type: ignore[attr-defined]


def test_sessions_past_the_limit_are_refused_until_a_reset(fake: FakeServer, channel: grpc.Channel) -> None:
    made: list[str] = []

    def make(name: str) -> Session:
        made.append(name)
        return fake.session("backing")

    sessions = Sessions(make, limit=2)
    sessions.get("a")
    sessions.get("b")
    sessions.get("a")  # known: no new session
    with pytest.raises(OverflowError, match="2 sessions"):
        sessions.get("c")
    assert made == ["a", "b"]
    assert len(sessions.clear()) == 2
    sessions.get("c")

    fake.sessions._limit = len(fake.sessions) + 1
    try:
        fake.session("only")
        stub = models_pb2_grpc.ModelsStub(channel)
        with pytest.raises(grpc.RpcError) as failed:
            stub.ListLanguageModels(
                empty_pb2.Empty(),
                metadata=(*API_METADATA, (SESSION_HEADER, "one-more")),
                timeout=5,
            )
        assert failed.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED  # type: ignore[attr-defined]
    finally:
        fake.sessions._limit = 1_000


def test_a_session_reset_is_its_own_and_a_server_reset_forgets_every_session(fake: FakeServer) -> None:
    one, two = fake.session("one"), fake.session("two")
    one.chat.reply("one")
    two.chat.reply("two")
    with one.client() as client:
        _ask(client)
    one.reset()
    assert len(one.requests) == 0
    with two.client() as client:
        assert _ask(client) == "two"
    with one.client() as client:
        assert _ask(client) != "one"
    assert "two" in fake.sessions
    fake.reset()
    assert len(fake.sessions) == 0
    assert fake.session("two").requests.count() == 0  # made again, empty


def test_each_session_has_its_own_clock_and_files_on_the_http_server(fake: FakeServer) -> None:
    session = fake.session("images")
    session.clock.freeze(1_000_000)
    assert not fake.clock.frozen
    with session.client() as client:
        image = client.image.sample("a cat", model="grok-2-image", image_format="url")
        uploaded = client.files.upload(b"abc", filename="a.txt")
        assert client.files.content(uploaded.id) == b"abc"
        assert client.files.list().data[0].created_at.seconds == 1_000_000
    assert "/sessions/images/" in image.url
    with urllib.request.urlopen(image.url, timeout=5) as answer:
        assert answer.read()[:4] == b"\x89PNG"
    fake.session("other").reset()  # another session's reset leaves this one's files
    with urllib.request.urlopen(image.url, timeout=5) as answer:
        assert answer.status == 200
    session.reset()
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(image.url, timeout=5)
    assert gone.value.code == 404
    gone.value.close()
    with fake.client() as client:
        with pytest.raises(grpc.RpcError) as missing:
            client.files.content(uploaded.id)
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]


_NAMES = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=128)


@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=_NAMES, second=_NAMES)
def test_any_two_valid_names_are_two_sessions(fake: FakeServer, first: str, second: str) -> None:
    fake.reset()
    assert check_session_name(first) == first
    fake.session(first).script("Files/ListFiles").respond(files_pb2.ListFilesResponse(pagination_token=first))
    stub_channel = grpc.insecure_channel(fake.address)
    try:
        stub = files_pb2_grpc.FilesStub(stub_channel)
        answer = stub.ListFiles(files_pb2.ListFilesRequest(), metadata=(*API_METADATA, (SESSION_HEADER, first)))
        assert answer.pagination_token == first
        other = stub.ListFiles(files_pb2.ListFilesRequest(), metadata=(*API_METADATA, (SESSION_HEADER, second)))
        assert other.pagination_token == ("" if second != first else first)
    finally:
        stub_channel.close()


@given(st.text(max_size=140).filter(lambda name: not (0 < len(name) <= 128 and all("!" <= c <= "~" for c in name))))
@settings(max_examples=60, derandomize=True)
def test_every_invalid_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        check_session_name(name)
