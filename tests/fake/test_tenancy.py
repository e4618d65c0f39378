"""Keys separate tenants, as on the real API: through real gRPC, sync and async.

Files, collections, batches, stored and deferred completions and video jobs belong to the team of
the key that made them; another team's key gets NOT_FOUND, and its lists do not show them.
"""

from __future__ import annotations

import asyncio
import inspect
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2

from xai_fake import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY, FakeServer
from xai_fake.chain import Call
from xai_fake.defaults.files import FilesState
from xai_fake.layers.auth import AuthLayer, AuthPolicy
from xai_fake.methods import resolve_method
from xai_fake.tenancy import DEFAULT_TEAM, DEFAULT_TENANT, Tenant, acting_as, team_of_key
from xai_sdk.chat import user
from xai_sdk.proto import auth_pb2_grpc, chat_pb2, chat_pb2_grpc, deferred_pb2, video_pb2, video_pb2_grpc

TEAM_B_KEY = "xai-team-b-api-key-0123456789"
TEAM_B_MANAGEMENT_KEY = "xai-team-b-management-key-0123456789"
TEAM_B_SECOND_KEY = "xai-team-b-second-api-key-0123456789"
STRANGER_KEY = "xai-a-key-of-nobody-we-know-42"


async def settle(value: Any) -> Any:
    """The value of a sync call, or of an async call once awaited."""
    return await value if inspect.isawaitable(value) else value


async def not_found(call: Callable[[], Any]) -> str:
    """The details of the NOT_FOUND that ``call`` ends with."""
    with pytest.raises(grpc.RpcError) as info:
        await settle(call())
    assert info.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
    return str(info.value.details())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def _teams_server() -> Iterator[FakeServer]:
    teams = {"team-b": [TEAM_B_KEY, TEAM_B_SECOND_KEY, TEAM_B_MANAGEMENT_KEY]}
    with FakeServer(seed=3, management_keys=[DEFAULT_MANAGEMENT_KEY, TEAM_B_MANAGEMENT_KEY], teams=teams) as server:
        yield server


@pytest.fixture
def teams(_teams_server: FakeServer) -> FakeServer:
    """A fake whose default team holds its own keys and ``team-b`` holds the TEAM_B keys; reset per test."""
    _teams_server.reset()
    return _teams_server


@pytest.fixture(params=["sync", "async"])
async def clients(request: pytest.FixtureRequest, teams: FakeServer) -> AsyncIterator[tuple[Any, Any]]:
    """A client of the default team and one of team-b, blocking then async."""
    b_keys = {"api_key": TEAM_B_KEY, "management_api_key": TEAM_B_MANAGEMENT_KEY}
    if request.param == "sync":
        with teams.client() as a, teams.client(**b_keys) as b:
            yield a, b
    else:
        async_a, async_b = teams.async_client(), teams.async_client(**b_keys)
        try:
            yield async_a, async_b
        finally:
            await async_a.close()
            await async_b.close()


# -- the resources ---------------------------------------------------------------------------


async def test_another_team_cannot_list_read_or_delete_a_file(clients: tuple[Any, Any]) -> None:
    a, b = clients
    file = await settle(a.files.upload(b"team a's notes", filename="notes.txt"))
    assert (await settle(b.files.list())).data == []
    await not_found(lambda: b.files.get(file.id))
    await not_found(lambda: b.files.content(file.id))
    await not_found(lambda: b.files.delete(file.id))
    await not_found(lambda: b.files.create_public_url(file.id))
    own = await settle(b.files.upload(b"team b's notes", filename="mine.txt"))
    assert [f.id for f in (await settle(b.files.list())).data] == [own.id]
    assert [f.id for f in (await settle(a.files.list())).data] == [file.id]
    assert await settle(a.files.content(file.id)) == b"team a's notes"  # untouched by b's attempts


async def test_another_team_cannot_list_read_search_or_delete_a_collection(clients: tuple[Any, Any]) -> None:
    a, b = clients
    collection = await settle(a.collections.create("team a handbook"))
    cid = collection.collection_id
    document = await settle(a.collections.upload_document(cid, "refunds.txt", b"Refunds take thirty days."))
    assert (await settle(b.collections.list())).collections == []
    await not_found(lambda: b.collections.get(cid))
    await not_found(lambda: b.collections.list_documents(cid))
    await not_found(lambda: b.collections.get_document(document.file_metadata.file_id, cid))
    await not_found(lambda: b.collections.search("refunds", [cid]))
    await not_found(lambda: b.collections.delete(cid))
    await not_found(lambda: b.files.get(document.file_metadata.file_id))  # the document's file is a's too
    found = await settle(a.collections.search("refunds", [cid]))
    assert [m.file_id for m in found.matches] == [document.file_metadata.file_id]
    assert [c.collection_id for c in (await settle(a.collections.list())).collections] == [cid]


async def test_another_team_cannot_list_read_change_or_cancel_a_batch(clients: tuple[Any, Any]) -> None:
    a, b = clients
    batch = await settle(a.batch.create("team a nightly"))
    chat = a.chat.create("grok-3-mini", messages=[user("hello")], batch_request_id="q")
    await settle(a.batch.add(batch.batch_id, [chat]))
    assert list((await settle(b.batch.list())).batches) == []
    await not_found(lambda: b.batch.get(batch.batch_id))
    await not_found(lambda: b.batch.list_batch_requests(batch.batch_id))
    await not_found(lambda: b.batch.list_batch_results(batch.batch_id))
    await not_found(lambda: b.batch.add(batch.batch_id, [b.chat.create("grok-3-mini", messages=[user("x")])]))
    await not_found(lambda: b.batch.cancel(batch.batch_id))
    mine = await settle(a.batch.get(batch.batch_id))
    assert (mine.state.num_requests, mine.HasField("cancel_time")) == (1, False)
    assert [x.batch_id for x in (await settle(a.batch.list())).batches] == [batch.batch_id]


async def test_another_team_cannot_read_continue_or_delete_a_stored_completion(clients: tuple[Any, Any]) -> None:
    a, b = clients
    response = await settle(a.chat.create("grok-3-mini", messages=[user("remember")], store_messages=True).sample())
    await not_found(lambda: b.chat.get_stored_completion(response.id))
    await not_found(lambda: b.chat.delete_stored_completion(response.id))
    follow = b.chat.create("grok-3-mini", messages=[user("and?")], previous_response_id=response.id)
    await not_found(follow.sample)
    assert len(await settle(a.chat.get_stored_completion(response.id))) == 1


@pytest.fixture
def b_md() -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {TEAM_B_KEY}"),)


def test_another_team_cannot_poll_a_deferred_chat_or_video(teams: FakeServer, b_md: Any) -> None:
    a_md = (("authorization", f"Bearer {teams.api_key}"),)
    request = chat_pb2.GetCompletionsRequest(
        model="grok-3-mini", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="x")])]
    )
    with grpc.insecure_channel(teams.address) as channel:
        chat, video = chat_pb2_grpc.ChatStub(channel), video_pb2_grpc.VideoStub(channel)
        deferred = chat.StartDeferredCompletion(request, metadata=a_md).request_id
        job = video.GenerateVideo(video_pb2.GenerateVideoRequest(model="grok-imagine-video", prompt="w"), metadata=a_md)
        for poll in (
            lambda: chat.GetDeferredCompletion(deferred_pb2.GetDeferredRequest(request_id=deferred), metadata=b_md),
            lambda: video.GetDeferredVideo(video_pb2.GetDeferredVideoRequest(request_id=job.request_id), metadata=b_md),
        ):
            with pytest.raises(grpc.RpcError) as info:
                poll()
            assert info.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
        mine = chat.GetDeferredCompletion(deferred_pb2.GetDeferredRequest(request_id=deferred), metadata=a_md)
        assert mine.status == deferred_pb2.PENDING  # a's job was not consumed by b's poll


async def test_tenants_do_not_mix_under_concurrent_calls(teams: FakeServer) -> None:
    a, b = teams.async_client(), teams.async_client(api_key=TEAM_B_KEY)
    try:
        uploads = [client.files.upload(f"{name}-{i}".encode(), filename=f"{name}-{i}.txt")
                   for i in range(10) for name, client in (("a", a), ("b", b))]  # fmt: skip
        await asyncio.gather(*uploads)
        names_a, names_b = await asyncio.gather(a.files.list(), b.files.list())
        assert sorted(f.filename for f in names_a.data) == sorted(f"a-{i}.txt" for i in range(10))
        assert sorted(f.filename for f in names_b.data) == sorted(f"b-{i}.txt" for i in range(10))
    finally:
        await a.close()
        await b.close()


# -- the rule --------------------------------------------------------------------------------


async def test_keys_of_one_team_share_and_any_other_key_is_a_team_of_its_own(teams: FakeServer) -> None:
    with (
        teams.client(api_key=TEAM_B_KEY) as b,
        teams.client(api_key=TEAM_B_SECOND_KEY) as b2,
        teams.client(api_key=STRANGER_KEY) as stranger,
        teams.client() as a,
    ):
        file = b.files.upload(b"shared in team b", filename="b.txt")
        assert b2.files.get(file.id).id == file.id  # the same team's second key sees it
        assert b2.files.content(file.id) == b"shared in team b"
        for other in (stranger, a):
            with pytest.raises(grpc.RpcError) as info:
                other.files.get(file.id)
            assert info.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
        infos = {name: c.auth.get_api_key_info() for name, c in (("b", b), ("b2", b2), ("s", stranger), ("a", a))}
    assert (infos["b"].team_id, infos["b2"].team_id, infos["a"].team_id) == ("team-b", "team-b", DEFAULT_TEAM)
    assert infos["s"].team_id == team_of_key(STRANGER_KEY) != DEFAULT_TEAM
    assert len({info.api_key_id for info in infos.values()}) == 4  # one id per key
    assert infos["b"].redacted_api_key == "xai...6789"


def test_the_fakes_own_keys_share_the_default_team(fake: FakeServer) -> None:
    # A collection document is a file uploaded with the API key, added with the management key.
    with fake.client() as client:
        collection = client.collections.create("docs")
        document = client.collections.upload_document(collection.collection_id, "a.txt", b"alpha beta")
        assert client.files.get(document.file_metadata.file_id).filename == "a.txt"
        info = client.auth.get_api_key_info()
    assert info.team_id == DEFAULT_TEAM
    # Code outside any call (a test reading the state) acts for the default team too.
    assert list(fake.defaults.state.of(FilesState).files) == [document.file_metadata.file_id]


def test_a_tenant_is_never_the_key_in_clear(fake: FakeServer) -> None:
    secret = "xai-" + "S3cr3tK3y" * 5
    with fake.client(api_key=secret) as client:
        file = client.files.upload(b"x", filename="x.txt")
        batch = client.batch.create("b")
        info = client.auth.get_api_key_info()
        with pytest.raises(grpc.RpcError) as info_error:
            client.files.get("file-missing")
    tenant = Tenant.of_key(secret)
    assert secret not in repr(tenant) and secret[4:-4] not in repr(tenant)
    assert batch.create_api_key_id == info.api_key_id == tenant.key_id
    assert info.team_id == tenant.team and secret not in info.team_id + info.api_key_id
    assert secret not in info_error.value.details()  # type: ignore[attr-defined]
    state = fake.defaults.state
    dump = repr(state._typed) + repr(state._deadlines) + repr(state.kept)
    assert secret not in dump and secret[4:-4] not in dump
    with acting_as(tenant):
        assert list(state.of(FilesState).files) == [file.id]  # the state is keyed by the team id
    assert secret not in repr(fake.requests.calls)


def test_while_auth_is_off_calls_act_for_the_default_tenant(fake: FakeServer) -> None:
    auth = fake.chain.layers[1]
    assert isinstance(auth, AuthLayer)
    owner = object()
    auth.switch_off(owner)  # as a recording cassette does
    try:
        with fake.client(api_key=STRANGER_KEY) as stranger:
            file = stranger.files.upload(b"recorded", filename="r.txt")
    finally:
        auth.switch_on(owner)
    with fake.client() as client:
        assert client.files.get(file.id).id == file.id  # it landed in the default team


def test_the_tenant_is_decided_once_per_distinct_key(monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[str] = []
    original = AuthPolicy.check

    def counting(self: AuthPolicy, service: str, metadata: dict[str, str]) -> str:
        checks.append(service)
        return original(self, service, metadata)

    monkeypatch.setattr(AuthPolicy, "check", counting)
    layer = AuthLayer(AuthPolicy())
    method = resolve_method("Files/ListFiles")

    def call(key: str) -> Call:
        return Call(method, [], None, {"authorization": f"Bearer {key}"})  # type: ignore[arg-type]

    first = [layer.tenant_of(call(DEFAULT_API_KEY)) for _ in range(5)]
    other = layer.tenant_of(call(STRANGER_KEY))
    assert len(checks) == 2
    assert {t.team for t in first} == {DEFAULT_TEAM} and other.team == team_of_key(STRANGER_KEY)
    layer.policy = AuthPolicy(teams={"team-x": [STRANGER_KEY]})  # a new policy forgets the tenants decided
    assert layer.tenant_of(call(STRANGER_KEY)).team == "team-x"
    assert Call(method, [], None, {}).tenant is DEFAULT_TENANT  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("teams", "message"),
    [({"": ["k"]}, "non-empty strings"), ({"a": ["k"], "b": ["k"]}, "one team only"), ({"a": "k"}, "collection")],
)
def test_a_team_configuration_that_cannot_hold_is_refused(teams: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        AuthPolicy(teams=teams)


def test_the_http_file_server_serves_no_uploaded_file(fake: FakeServer) -> None:
    # It only serves generated images and videos (public URLs on the real API too), so it needs no tenancy.
    with fake.client() as client:
        file = client.files.upload(b"private", filename="p.txt")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{fake.http_url}/files/{file.id}", timeout=5)
    info.value.close()  # the error is the response: close its socket
    assert info.value.code == 404
    assert all(data != b"private" for data, _ in fake.http_files.files.values())


def test_get_api_key_info_reads_the_tenant_not_the_metadata(fake: FakeServer, channel: grpc.Channel) -> None:
    stub = auth_pb2_grpc.AuthStub(channel)
    info = stub.get_api_key_info(empty_pb2.Empty(), metadata=[("authorization", f"Bearer {STRANGER_KEY}")])
    assert (info.team_id, info.api_key_id) == (team_of_key(STRANGER_KEY), Tenant.of_key(STRANGER_KEY).key_id)
