"""Auth layer: bearer tokens like the real API, management keys for Collections."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import empty_pb2

from xai_fake import FakeServer
from xai_sdk.proto import auth_pb2_grpc, collections_pb2, collections_pb2_grpc, models_pb2_grpc


@pytest.mark.parametrize(
    "metadata", [(), (("authorization", ""),), (("authorization", "Bearer "),), (("authorization", "Basic abc"),)]
)
def test_missing_or_empty_bearer_token_is_unauthenticated(
    fake: FakeServer, channel: grpc.Channel, metadata: tuple[tuple[str, str], ...]
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        models_pb2_grpc.ModelsStub(channel).ListLanguageModels(empty_pb2.Empty(), metadata=metadata)
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "bearer token" in info.value.details()
    assert fake.requests.of("Models/ListLanguageModels")[0].code == grpc.StatusCode.UNAUTHENTICATED


def test_collections_require_the_management_key(channel: grpc.Channel, md, mgmt_md) -> None:  # type: ignore[no-untyped-def]
    stub = collections_pb2_grpc.CollectionsStub(channel)
    with pytest.raises(grpc.RpcError) as info:
        stub.ListCollections(collections_pb2.ListCollectionsRequest(), metadata=md)
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "management key" in info.value.details()


def test_allowed_keys_can_be_restricted_and_are_never_echoed() -> None:
    secret = "xai-" + "s3cr3t" * 6
    with FakeServer(api_keys={"xai-good-key-123456"}) as fake, grpc.insecure_channel(fake.address) as channel:
        stub = auth_pb2_grpc.AuthStub(channel)
        with pytest.raises(grpc.RpcError) as info:
            stub.get_api_key_info(empty_pb2.Empty(), metadata=[("authorization", f"Bearer {secret}")])
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert secret not in info.value.details()
        key = stub.get_api_key_info(empty_pb2.Empty(), metadata=[("authorization", "Bearer xai-good-key-123456")])
        assert key.redacted_api_key == "xai...3456"
        logged = [c.metadata for c in fake.requests]
        assert all(m["authorization"] == "<redacted>" for m in logged)
        assert secret not in repr(fake.requests.calls)
