"""FakeServer lifecycle, addresses and environment, sync and async."""

from __future__ import annotations

import threading
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2

from tests.fake.conftest import API_METADATA
from xai_fake import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY, FakeServer
from xai_fake.methods import all_methods, resolve_method, services
from xai_sdk.proto import models_pb2_grpc


def test_serves_every_method_of_every_service() -> None:
    assert len(services()) == 12
    assert len(all_methods()) == 51


def test_sync_server_binds_a_free_port_and_stops_its_thread() -> None:
    before = {t.name for t in threading.enumerate()}
    with FakeServer() as fake:
        host, port = fake.address.split(":")
        assert host == "127.0.0.1"
        assert int(port) > 0
        assert fake.env() == {
            "XAI_API_HOST": fake.address,
            "XAI_MANAGEMENT_API_HOST": fake.address,
            "XAI_API_KEY": DEFAULT_API_KEY,
            "XAI_MANAGEMENT_KEY": DEFAULT_MANAGEMENT_KEY,
            "XAI_FAKE_CONTROL_TOKEN": fake.control_token,
        }
        with grpc.insecure_channel(fake.address) as channel:
            models = models_pb2_grpc.ModelsStub(channel).ListLanguageModels(empty_pb2.Empty(), metadata=API_METADATA)
        assert models.models
    assert "xai-fake-server" not in {t.name for t in threading.enumerate()} - before
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.address


def test_two_servers_get_two_ports() -> None:
    with FakeServer() as one, FakeServer() as two:
        assert one.address != two.address


async def test_async_server_runs_in_the_callers_loop(tmp_path: Path) -> None:
    socket = tmp_path / "xai.sock"
    async with FakeServer(unix_socket=str(socket)) as fake:
        assert fake.unix_address == f"unix:{socket}"
        for target in (fake.address, fake.unix_address):
            async with grpc.aio.insecure_channel(target) as channel:
                stub = models_pb2_grpc.ModelsStub(channel)
                response = await stub.ListEmbeddingModels(empty_pb2.Empty(), metadata=API_METADATA)
            assert response.models[0].name == "v1"
        assert fake.requests.count("Models/ListEmbeddingModels") == 2


def test_starting_twice_is_an_error() -> None:
    with FakeServer() as fake, pytest.raises(RuntimeError, match="already running"):
        fake.start()


@pytest.mark.parametrize(
    "spelling",
    ["xai_api.Chat/GetCompletion", "/xai_api.Chat/GetCompletion", "Chat/GetCompletion", "Chat.GetCompletion"],
)
def test_method_names_resolve_from_common_spellings(spelling: str) -> None:
    assert resolve_method(spelling).full_name == "xai_api.Chat/GetCompletion"


def test_an_unknown_method_name_suggests_the_close_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown xAI method 'xai_api.Chat/GetCompletions'.*did you mean"):
        resolve_method("xai_api.Chat/GetCompletions")
