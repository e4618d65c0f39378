"""Server reflection (v1, v1alpha) and grpc.health.v1, through real gRPC, on FakeServer and the CLI's servers."""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from tests.fake.conftest import API_METADATA
from xai_fake import FakeServer

API_SERVICES = {
    "collections.Collections", "xai_api.Auth", "xai_api.BatchMgmt", "xai_api.Chat", "xai_api.Documents",
    "xai_api.Embedder", "xai_api.Files", "xai_api.Image", "xai_api.Models", "xai_api.Sample", "xai_api.Tokenize",
    "xai_api.Video",
}  # fmt: skip
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def _reflect(channel: grpc.Channel, version: str, request: reflection_pb2.ServerReflectionRequest) -> Any:
    """One reflection request on the ``version`` service (v1 and v1alpha share the wire format)."""
    call = channel.stream_stream(
        f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    return next(iter(call(iter([request]), timeout=10)))


def test_reflection_lists_every_api_service_and_a_dynamic_call_works(fake: FakeServer) -> None:
    with grpc.insecure_channel(fake.address) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        listed = set(database.get_services())
        assert listed >= API_SERVICES
        assert {"grpc.health.v1.Health", "xai_fake.control.v1.Control"} <= listed
        assert {"grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"} <= listed
        assert len(listed & API_SERVICES) == 12

        chat_file = database.FindFileContainingSymbol("xai_api.Chat")
        assert chat_file.name == "xai/api/v1/chat.proto"
        assert "GetCompletion" in [method.name for method in chat_file.service[0].method]

        # A dynamic call, with nothing but what reflection gave: no generated code.
        pool = descriptor_pool.DescriptorPool(database)
        method = pool.FindServiceByName("xai_api.Models").methods_by_name["ListLanguageModels"]
        request_class = message_factory.GetMessageClass(method.input_type)
        response_class = message_factory.GetMessageClass(method.output_type)
        call = channel.unary_unary(
            "/xai_api.Models/ListLanguageModels",
            request_serializer=request_class.SerializeToString,
            response_deserializer=response_class.FromString,
        )
        answer = call(request_class(), metadata=API_METADATA, timeout=10)
        assert len(answer.models) > 0
        assert answer.models[0].name
    # Reflection is beside the chain: only the dynamic API call was logged.
    assert fake.requests.counts() == {"xai_api.Models/ListLanguageModels": 1}


@pytest.mark.parametrize("version", ["v1", "v1alpha"])
def test_both_reflection_versions_answer_and_the_v1_file_resolves(fake: FakeServer, version: str) -> None:
    with grpc.insecure_channel(fake.address) as channel:
        listed = _reflect(channel, version, reflection_pb2.ServerReflectionRequest(list_services=""))
        assert {service.name for service in listed.list_services_response.service} >= API_SERVICES
        found = _reflect(
            channel,
            version,
            reflection_pb2.ServerReflectionRequest(
                file_containing_symbol=f"grpc.reflection.{version}.ServerReflection"
            ),
        )
        assert found.WhichOneof("message_response") == "file_descriptor_response", found
        missing = _reflect(channel, version, reflection_pb2.ServerReflectionRequest(file_by_filename="nope.proto"))
        assert missing.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


async def test_health_check_answers_serving_and_a_scripted_watch_sequence_is_seen() -> None:
    async with FakeServer() as fake, grpc.aio.insecure_channel(fake.address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "xai_api.Chat", "collections.Collections"):
            assert (await health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)).status == SERVING
        with pytest.raises(grpc.aio.AioRpcError) as unknown:
            await health.Check(health_pb2.HealthCheckRequest(service="no.Such"), timeout=5)
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND

        watch = health.Watch(health_pb2.HealthCheckRequest(service="xai_api.Chat"), timeout=10)
        seen = [(await watch.read()).status]
        fake.health.set("xai_api.Chat", "NOT_SERVING")
        seen.append((await watch.read()).status)
        assert fake.health.status("xai_api.Chat") == "NOT_SERVING"
        assert (await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)).status == SERVING
        fake.health.set("xai_api.Chat", "SERVING")
        seen.append((await watch.read()).status)
        watch.cancel()
        assert seen == [SERVING, NOT_SERVING, SERVING]
        assert len(fake.requests) == 0  # health is never logged as an API call


def test_health_from_a_sync_test_and_reset_undoes_it(fake: FakeServer) -> None:
    with grpc.insecure_channel(fake.address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        statuses: queue.Queue[int] = queue.Queue()
        watch = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=10)

        def read() -> None:
            try:
                for answer in watch:
                    statuses.put(answer.status)
            except grpc.RpcError:
                pass  # cancelled at the end of the test

        reader = threading.Thread(target=read)
        reader.start()
        try:
            assert statuses.get(timeout=5) == SERVING
            fake.health.set("", "NOT_SERVING")
            assert statuses.get(timeout=5) == NOT_SERVING
            assert health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status == NOT_SERVING
            fake.reset()
            assert statuses.get(timeout=5) == SERVING
            fake.health.set("custom.Service", "NOT_SERVING")
            assert (
                health.Check(health_pb2.HealthCheckRequest(service="custom.Service"), timeout=5).status == NOT_SERVING
            )
            fake.reset()
            assert fake.health.status("custom.Service") == "SERVICE_UNKNOWN"
        finally:
            watch.cancel()
            reader.join(timeout=5)
        assert not reader.is_alive()


def test_health_reports_not_serving_once_the_server_stops() -> None:
    fake = FakeServer().start()
    statuses: queue.Queue[int] = queue.Queue()
    with grpc.insecure_channel(fake.address) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""), timeout=10)

        def read() -> None:
            try:
                for answer in watch:
                    statuses.put(answer.status)
            except grpc.RpcError:
                statuses.put(-1)  # the stream ended with the server

        reader = threading.Thread(target=read)
        reader.start()
        assert statuses.get(timeout=5) == SERVING
        assert fake.health.status() == "SERVING"
        fake.stop(grace=1.0)
        assert statuses.get(timeout=5) == NOT_SERVING
        reader.join(timeout=5)
    assert fake.health.status() == "NOT_SERVING"


def test_bad_health_statuses_are_refused_with_the_choices() -> None:
    fake = FakeServer()
    with pytest.raises(ValueError, match="SERVING, NOT_SERVING, SERVICE_UNKNOWN"):
        fake.health.set("", "HEALTHY")
    with pytest.raises(TypeError, match=r"xai_api\.Chat"):
        fake.health.set(None, "SERVING")  # type: ignore[arg-type]
    fake.health.set("xai_api.Chat", "not_serving")  # before start: applied once it serves
    assert fake.health.status("xai_api.Chat") == "NOT_SERVING"


@pytest.mark.parametrize("switch", ["reflection", "health", "control"])
def test_each_beside_service_can_be_turned_off(switch: str) -> None:
    paths = {
        "reflection": "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "health": "/grpc.health.v1.Health/Check",
        "control": "/xai_fake.control.v1.Control/Reset",
    }
    with FakeServer(**{switch: False}) as fake, grpc.insecure_channel(fake.address) as channel:  # type: ignore[arg-type]
        for name, path in paths.items():
            call = channel.unary_unary(path, request_serializer=bytes, response_deserializer=bytes)
            try:
                call(b"", timeout=5, metadata=(("x-xai-fake-control-token", fake.control_token),))
                code = grpc.StatusCode.OK
            except grpc.RpcError as error:
                code = error.code()  # type: ignore[attr-defined]
            if name == switch:
                assert code == grpc.StatusCode.UNIMPLEMENTED, name
            else:
                assert code != grpc.StatusCode.UNIMPLEMENTED, name
        if switch == "control":
            assert "XAI_FAKE_CONTROL_TOKEN" not in fake.env()


def test_a_recording_server_serves_reflection_and_health_and_records_neither(tmp_path: Any) -> None:
    cassette = tmp_path / "beside.pb"
    with FakeServer() as upstream:
        recorder = FakeServer(cassette=cassette, record_mode="all", upstream=upstream.address, upstream_tls=False)
        with recorder, grpc.insecure_channel(recorder.address) as channel:
            assert set(ProtoReflectionDescriptorDatabase(channel).get_services()) >= API_SERVICES
            health = health_pb2_grpc.HealthStub(channel)
            assert health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status == SERVING
        assert len(upstream.requests) == 0  # nothing was forwarded
    assert not cassette.exists()  # and nothing recorded: no cassette written


async def test_reflection_and_health_run_in_the_callers_loop_too() -> None:
    async with FakeServer() as fake, grpc.aio.insecure_channel(fake.address) as channel:
        call = channel.stream_stream(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )
        stream = call(timeout=5)  # type: ignore[call-arg]  # an aio stream is written to
        await stream.write(reflection_pb2.ServerReflectionRequest(list_services=""))
        answer = await asyncio.wait_for(stream.read(), 5)
        await stream.done_writing()
        assert {service.name for service in answer.list_services_response.service} >= API_SERVICES
