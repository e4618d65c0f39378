"""gRPC server reflection for the fake, v1 and v1alpha: what grpcurl, Postman, Evans and ``buf curl`` read.

The servicer is grpcio-reflection's (asyncio), over protobuf's default descriptor pool, where
every generated module of the xAI API and of the control API registers its file. grpcio-reflection
ships only ``grpc.reflection.v1alpha``; ``grpc.reflection.v1`` is the same protocol under another
package (the messages are field for field the same), so the one servicer answers both, and the
v1 file, derived from the v1alpha one by renaming its package, is added to the pool so that
clients can resolve it too. Reflection calls run beside the chain: never logged, never recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool

__all__ = ["V1ALPHA_SERVICE", "V1_SERVICE", "serve_reflection"]

V1ALPHA_SERVICE = "grpc.reflection.v1alpha.ServerReflection"
V1_SERVICE = "grpc.reflection.v1.ServerReflection"
_V1_FILE = "grpc/reflection/v1/reflection.proto"


def serve_reflection(server: grpc.aio.Server, services: Iterable[str]) -> None:
    """Serve reflection v1 and v1alpha on ``server``, listing ``services`` and both reflection services."""
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
    from grpc_reflection.v1alpha._async import ReflectionServicer

    _add_v1_file(reflection_pb2.DESCRIPTOR)
    servicer = ReflectionServicer((*services, V1_SERVICE, V1ALPHA_SERVICE))
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(servicer, server)
    handler: Any = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(V1_SERVICE, {"ServerReflectionInfo": handler}),)
    )


def _add_v1_file(v1alpha: Any) -> None:
    """Put ``grpc/reflection/v1/reflection.proto`` in the default pool, once: v1alpha's file, renamed."""
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(_V1_FILE)
        return
    except KeyError:
        pass
    file = descriptor_pb2.FileDescriptorProto()
    v1alpha.CopyToProto(file)
    old, new = f".{file.package}.", ".grpc.reflection.v1."
    file.name, file.package = _V1_FILE, "grpc.reflection.v1"
    file.ClearField("options")
    for message in file.message_type:
        for field in message.field:
            if field.type_name.startswith(old):
                field.type_name = new + field.type_name[len(old) :]
    for service in file.service:
        for method in service.method:
            method.input_type = new + method.input_type[len(old) :]
            method.output_type = new + method.output_type[len(old) :]
    pool.AddSerializedFile(file.SerializeToString())
