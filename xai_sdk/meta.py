"""``ProtoDecorator``: the base of the SDK's read-only views over protobuf messages."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class ProtoDecorator(Generic[T]):
    """Wraps a protobuf message; ``.proto`` gives the message itself."""

    __slots__ = ("_proto",)

    def __init__(self, proto: T) -> None:
        self._proto = proto

    @property
    def proto(self) -> T:
        """The underlying protobuf message."""
        return self._proto

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._proto!s})"
