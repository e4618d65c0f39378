"""``fake.clock``: every lifecycle follows it, through real gRPC, sync and async.

Each lifecycle test freezes the clock first, so the only way it can pass is the clock being
advanced: polls of a frozen clock's job never finish it. Minutes (or days) of the fake's time
then pass in one call; no test waits for them, and none asserts on wall time.
"""

from __future__ import annotations

import datetime
import inspect
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest

from xai_fake import Clock, FakeServer
from xai_fake.defaults.batch import SECONDS_PER_REQUEST
from xai_fake.defaults.chat_answers import ChatState, DeferredChat
from xai_fake.defaults.collections import INDEXING_SECONDS
from xai_fake.defaults.video import render_seconds
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, collections_pb2, deferred_pb2

UTC = datetime.timezone.utc
NEW_YEAR = datetime.datetime(2030, 1, 1, tzinfo=UTC)
#: The same instant as the SDK's ``Response.created`` gives it: naive UTC, as the official SDK does.
NEW_YEAR_NAIVE = NEW_YEAR.replace(tzinfo=None)
VIDEO_MODEL = "grok-imagine-video"
PENDING, DONE, EXPIRED = deferred_pb2.PENDING, deferred_pb2.DONE, deferred_pb2.EXPIRED
PROCESSING, PROCESSED = collections_pb2.DOCUMENT_STATUS_PROCESSING, collections_pb2.DOCUMENT_STATUS_PROCESSED
FAST = {"interval": datetime.timedelta(milliseconds=1), "timeout": datetime.timedelta(seconds=20)}


async def settle(value: Any) -> Any:
    """The value of a sync call, or of an async call once awaited."""
    return await value if inspect.isawaitable(value) else value


@pytest.fixture(params=["sync", "async"])
async def client(request: pytest.FixtureRequest, fake: FakeServer) -> AsyncIterator[Any]:
    """``fake.client()``, then ``fake.async_client()``: every scenario runs on both."""
    if request.param == "sync":
        with fake.client() as sync_client:
            yield sync_client
    else:
        async_client = fake.async_client()
        try:
            yield async_client
        finally:
            await async_client.close()


async def not_found(call: Callable[[], Any]) -> str:
    """The details of the NOT_FOUND that ``call`` ends with."""
    with pytest.raises(grpc.RpcError) as info:
        await settle(call())
    assert info.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
    return str(info.value.details())  # type: ignore[attr-defined]


class AdvanceAfter(threading.Thread):
    """Advances the fake's clock by ``seconds`` once ``polls`` calls of ``method`` have finished.

    For the SDK's own polling loops (``defer()``, ``generate()``): they return only once a poll
    says DONE, which a frozen clock's job never does, so they can only return after this advance.
    A thread, so that it also runs while a blocking client holds the test's event loop.
    """

    def __init__(self, fake: FakeServer, method: str, polls: int, seconds: float) -> None:
        super().__init__(daemon=True)
        self.fake, self.method, self.polls, self.seconds = fake, method, polls, seconds
        self.advanced_after: int | None = None

    def run(self) -> None:
        try:
            self.fake.requests.wait(self.method, count=self.polls, timeout=10)
        except AssertionError:
            return  # advanced_after stays None: the test says what went wrong
        self.advanced_after = len(self.fake.requests.of(self.method))
        self.fake.clock.advance(self.seconds)

    def __enter__(self) -> AdvanceAfter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.join(timeout=10)


# -- the clock itself ------------------------------------------------------------------------


def test_the_clock_is_real_time_until_a_test_takes_control() -> None:
    clock = Clock()
    before = time.time()
    reading = clock.time()
    assert before <= reading <= time.time()
    assert (clock.real, clock.frozen) == (True, False)
    assert clock.now().tzinfo is UTC
    assert repr(clock) == "Clock(real time)"


def test_freeze_advance_move_to_and_reset() -> None:
    clock = Clock()
    assert clock.freeze(at=NEW_YEAR) is clock
    assert (clock.real, clock.frozen, clock.now()) == (False, True, NEW_YEAR)
    assert clock.time() == clock.time() == NEW_YEAR.timestamp()  # it stands still
    clock.advance(90)
    clock.advance(datetime.timedelta(minutes=1, seconds=30))
    assert clock.now() == NEW_YEAR + datetime.timedelta(minutes=3)
    clock.move_to(NEW_YEAR - datetime.timedelta(days=1))  # back in time too
    assert clock.now() == NEW_YEAR - datetime.timedelta(days=1)
    clock.move_to(datetime.datetime(2031, 6, 1))  # naive means UTC, as in freezegun
    assert clock.now() == datetime.datetime(2031, 6, 1, tzinfo=UTC)
    assert repr(clock) == "Clock(frozen at 2031-06-01T00:00:00+00:00)"
    clock.reset()
    assert (clock.real, clock.frozen) == (True, False)
    assert abs(clock.time() - time.time()) < 60


def test_a_moved_or_advanced_running_clock_keeps_running_from_there() -> None:
    clock = Clock()
    clock.move_to(NEW_YEAR)
    assert (clock.real, clock.frozen) == (False, False)
    first = clock.time()
    assert NEW_YEAR.timestamp() <= first < NEW_YEAR.timestamp() + 60
    clock.advance(3600)
    assert clock.time() >= first + 3600
    assert repr(clock).startswith("Clock(running, +")


def test_freeze_is_a_context_manager_that_ends_in_real_time() -> None:
    clock = Clock()
    with clock.freeze() as frozen:
        assert frozen is clock and clock.frozen
        stopped = clock.time()
        clock.advance(5)
        assert clock.time() == stopped + 5
    assert clock.real


@pytest.mark.parametrize("span", [-1, float("nan"), float("inf"), "10", True, datetime.timedelta(seconds=-1)])
def test_advance_refuses_what_is_not_a_forward_span(span: Any) -> None:
    clock = Clock().freeze(at=NEW_YEAR)
    with pytest.raises(ValueError, match="non-negative number of seconds"):
        clock.advance(span)
    assert clock.now() == NEW_YEAR


@pytest.mark.parametrize("when", [float("nan"), "2030-01-01", None])
def test_freeze_and_move_to_refuse_what_is_not_a_time(when: Any) -> None:
    clock = Clock()
    with pytest.raises(ValueError, match="POSIX timestamp"):
        clock.move_to(when)
    if when is not None:
        with pytest.raises(ValueError, match="POSIX timestamp"):
            clock.freeze(at=when)
    assert clock.real


def test_one_clock_read_through_the_state_and_reset_with_the_server(fake: FakeServer) -> None:
    assert fake.clock is fake.defaults.state.clock
    fake.clock.freeze(at=NEW_YEAR)
    assert fake.defaults.state.now().seconds == int(NEW_YEAR.timestamp())
    fake.reset()
    assert fake.clock.real
    assert abs(fake.defaults.state.time() - time.time()) < 60


async def test_timestamps_come_from_the_clock(fake: FakeServer, client: Any) -> None:
    fake.clock.freeze(at=NEW_YEAR)
    second = int(NEW_YEAR.timestamp())
    response = await settle(client.chat.create("grok-3-mini", messages=[user("hi")]).sample())
    assert response.created == NEW_YEAR_NAIVE
    file = await settle(client.files.upload(b"abc", filename="a.txt", expires_after=7200))
    assert (file.created_at.seconds, file.expires_at.seconds) == (second, second + 7200)
    batch = await settle(client.batch.create("new year"))
    assert (batch.create_time.seconds, batch.expire_time.seconds) == (second, second + 24 * 3600)
    collection = await settle(client.collections.create("notes"))
    assert collection.created_at.seconds == second
    key = await settle(client.auth.get_api_key_info())
    assert key.create_time.seconds == second


# -- lifecycles ------------------------------------------------------------------------------


async def test_a_ten_minute_video_job_is_done_when_the_clock_gets_there(fake: FakeServer, client: Any) -> None:
    assert render_seconds(15) == 600
    fake.clock.freeze()
    started = await settle(client.video.start("waves on a beach", VIDEO_MODEL, duration=15))
    polls = [await settle(client.video.get(started.request_id)) for _ in range(5)]
    assert [p.status for p in polls] == [PENDING] * 5  # polling moves nothing while time stands still
    assert [p.response.progress for p in polls] == [0] * 5
    fake.clock.advance(datetime.timedelta(minutes=9, seconds=59))
    almost = await settle(client.video.get(started.request_id))
    assert (almost.status, almost.response.progress) == (PENDING, 99)
    fake.clock.advance(1)
    done = await settle(client.video.get(started.request_id))
    assert done.status == DONE
    assert (done.response.progress, done.response.video.duration) == (100, 15)
    assert done.response.video.url.startswith(fake.http_url)


async def test_the_sdk_waits_for_a_video_until_the_clock_moves(fake: FakeServer, client: Any) -> None:
    fake.clock.freeze()
    with AdvanceAfter(fake, "Video/GetDeferredVideo", polls=3, seconds=600) as advancer:
        video = await settle(client.video.generate("a wave", VIDEO_MODEL, duration=6, **FAST))
    assert video.url.startswith(fake.http_url)
    assert advancer.advanced_after is not None  # three polls said PENDING, then time moved
    assert fake.requests.count("Video/GetDeferredVideo") > 3


async def test_a_deferred_chat_is_pending_until_its_time_then_done(fake: FakeServer, client: Any) -> None:
    fake.clock.freeze()
    chat = client.chat.create("grok-3-mini", messages=[user("Tell me later")])
    with AdvanceAfter(fake, "Chat/GetDeferredCompletion", polls=3, seconds=DeferredChat.READY_SECONDS) as advancer:
        response = await settle(chat.defer(**FAST))
    assert response.content
    assert advancer.advanced_after is not None
    assert fake.requests.count("Chat/GetDeferredCompletion") > 3


def test_a_deferred_result_is_handed_out_once_and_expires_after_a_day(fake: FakeServer, channel: grpc.Channel) -> None:
    stub = chat_pb2_grpc.ChatStub(channel)
    md = (("authorization", f"Bearer {fake.api_key}"),)
    request = chat_pb2.GetCompletionsRequest(
        model="grok-3-mini", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="x")])]
    )
    fake.clock.freeze()
    fetched, unfetched = (stub.StartDeferredCompletion(request, metadata=md).request_id for _ in range(2))
    poll = deferred_pb2.GetDeferredRequest(request_id=fetched)
    assert [stub.GetDeferredCompletion(poll, metadata=md).status for _ in range(4)] == [PENDING] * 4
    fake.clock.advance(DeferredChat.READY_SECONDS - 1)
    assert stub.GetDeferredCompletion(poll, metadata=md).status == PENDING
    fake.clock.advance(1)
    done = stub.GetDeferredCompletion(poll, metadata=md)
    assert done.status == DONE and done.response.outputs[0].message.content
    with pytest.raises(grpc.RpcError) as info:
        stub.GetDeferredCompletion(poll, metadata=md)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
    assert "handed out once" in info.value.details()  # type: ignore[attr-defined]
    fake.clock.advance(datetime.timedelta(days=1))
    late = stub.GetDeferredCompletion(deferred_pb2.GetDeferredRequest(request_id=unfetched), metadata=md)
    assert late.status == EXPIRED


async def test_a_batch_works_through_its_requests_on_the_clock(fake: FakeServer, client: Any) -> None:
    fake.clock.freeze(at=NEW_YEAR)
    start = int(NEW_YEAR.timestamp())
    batch = await settle(client.batch.create("overnight"))
    chats = [
        client.chat.create("grok-3-mini", messages=[user(f"q{i}")], batch_request_id=f"chat-{i}") for i in range(3)
    ]
    video = client.video.prepare("a wave", VIDEO_MODEL, batch_request_id="video", duration=15)
    await settle(client.batch.add(batch.batch_id, [*chats, video]))
    polls = [await settle(client.batch.get(batch.batch_id)) for _ in range(5)]
    assert {p.state.num_pending for p in polls} == {4}  # polls move nothing while time stands still
    fake.clock.advance(SECONDS_PER_REQUEST)
    assert (await settle(client.batch.get(batch.batch_id))).state.num_success == 1
    # The video's turn comes after the three chats; its ten-minute job starts then.
    fake.clock.advance(3 * SECONDS_PER_REQUEST + render_seconds(15) - 1)
    assert (await settle(client.batch.get(batch.batch_id))).state.num_pending == 1
    fake.clock.advance(1)
    finished = await settle(client.batch.get(batch.batch_id))
    assert (finished.state.num_pending, finished.state.num_success) == (0, 4)
    rows = (await settle(client.batch.list_batch_requests(batch.batch_id))).batch_request_metadata
    offsets = {row.batch_request_id: row.finish_time.seconds - start for row in rows}
    # Answered as of the time each finished, not as of the poll that found it finished.
    assert offsets == {"chat-0": 60, "chat-1": 120, "chat-2": 180, "video": 4 * 60 + 600}
    results = await settle(client.batch.list_batch_results(batch.batch_id))
    created = {r.batch_request_id: r.response.created for r in results.succeeded}
    assert created["chat-2"] == NEW_YEAR_NAIVE + datetime.timedelta(minutes=3)


async def test_a_document_is_indexed_when_the_clock_gets_there(fake: FakeServer, client: Any) -> None:
    collection = await settle(client.collections.create("handbook"))
    fake.clock.freeze(at=NEW_YEAR)
    document = await settle(client.collections.upload_document(collection.collection_id, "a.txt", b"Refunds: 30 days."))
    file_id = document.file_metadata.file_id
    reads = [await settle(client.collections.get_document(file_id, collection.collection_id)) for _ in range(4)]
    assert {r.status for r in reads} == {PROCESSING}
    fake.clock.advance(INDEXING_SECONDS)
    indexed = await settle(client.collections.get_document(file_id, collection.collection_id))
    assert indexed.status == PROCESSED
    assert indexed.last_indexed_at.seconds == int(NEW_YEAR.timestamp() + INDEXING_SECONDS)
    assert indexed.chunk_count == indexed.chunks_processed_count >= 1
    await settle(client.collections.reindex_document(collection.collection_id, file_id))
    again = await settle(client.collections.get_document(file_id, collection.collection_id))
    assert again.status == PROCESSING  # re-indexing takes its time again


async def test_a_file_is_gone_when_it_expires(fake: FakeServer, client: Any) -> None:
    fake.clock.freeze()
    kept = await settle(client.files.upload(b"keep", filename="kept.txt"))
    brief = await settle(client.files.upload(b"brief", filename="brief.txt", expires_after=3600))
    fake.clock.advance(3599)
    assert (await settle(client.files.get(brief.id))).id == brief.id
    fake.clock.advance(1)
    assert "not found" in await not_found(lambda: client.files.get(brief.id))
    await not_found(lambda: client.files.content(brief.id))
    await not_found(lambda: client.files.delete(brief.id))
    listed = await settle(client.files.list())
    assert [f.id for f in listed.data] == [kept.id]  # files without expires_after are kept
    fake.clock.advance(datetime.timedelta(days=365))
    assert (await settle(client.files.get(kept.id))).id == kept.id


async def test_a_stored_completion_is_not_found_after_30_days(fake: FakeServer, client: Any) -> None:
    assert ChatState.KEPT_SECONDS == 30 * 24 * 3600
    fake.clock.freeze()
    chat = client.chat.create("grok-3-mini", messages=[user("remember me")], store_messages=True)
    response = await settle(chat.sample())
    fake.clock.advance(datetime.timedelta(days=30) - datetime.timedelta(seconds=1))
    assert len(await settle(client.chat.get_stored_completion(response.id))) == 1
    follow = client.chat.create("grok-3-mini", messages=[user("and?")], previous_response_id=response.id)
    assert (await settle(follow.sample())).content
    fake.clock.advance(1)
    assert "kept for 30 days" in await not_found(lambda: client.chat.get_stored_completion(response.id))
    late = client.chat.create("grok-3-mini", messages=[user("and?")], previous_response_id=response.id)
    assert "previous_response_id" in await not_found(late.sample)
    await not_found(lambda: client.chat.delete_stored_completion(response.id))


async def test_in_real_time_the_lifecycles_step_with_each_poll(fake: FakeServer, client: Any) -> None:
    # The default: tests that never touch the clock stay as fast as before.
    assert fake.clock.real
    started = await settle(client.video.start("waves", VIDEO_MODEL))
    statuses = [(await settle(client.video.get(started.request_id))).status for _ in range(3)]
    assert statuses == [PENDING, PENDING, DONE]
    batch = await settle(client.batch.create("quick"))
    chats = [client.chat.create("grok-3-mini", messages=[user(f"q{i}")], batch_request_id=f"c{i}") for i in range(3)]
    await settle(client.batch.add(batch.batch_id, chats))
    pending = [(await settle(client.batch.get(batch.batch_id))).state.num_pending for _ in range(2)]
    assert pending == [1, 0]
    response = await settle(client.chat.create("grok-3-mini", messages=[user("later")]).defer(**FAST))
    assert response.content
    assert fake.requests.count("Chat/GetDeferredCompletion") == 2
