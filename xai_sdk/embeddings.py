"""``client.embeddings``: vectors for texts and images (the ``Embedder`` service).

The official SDK has no wrapper for this service; this one is ours::

    response = client.embeddings.embed(["a red fox", embeddings.image(url)], model="v1")
    first = response.vectors[0]  # list[float], decoded also when encoding_format="base64"

Everything without I/O lives here; ``xai_sdk.sync.embeddings`` and
``xai_sdk.aio.embeddings`` add the calls.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Sequence
from typing import Literal, TypeAlias

import grpc

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk.meta import ProtoDecorator
from xai_sdk.proto import embed_pb2, embed_pb2_grpc, image_pb2, usage_pb2
from xai_sdk.types.chat import ImageDetail

__all__ = ["BaseClient", "EmbedInput", "EmbeddingResponse", "EncodingFormat", "embed_request", "image", "text"]

EncodingFormat = Literal["float", "base64"]
#: One thing to embed: a string, or an input built with :func:`text` or :func:`image`.
EmbedInput: TypeAlias = str | embed_pb2.EmbedInput

_FORMATS = {"float": embed_pb2.FORMAT_FLOAT, "base64": embed_pb2.FORMAT_BASE64}
_DETAILS = {"auto": image_pb2.DETAIL_AUTO, "low": image_pb2.DETAIL_LOW, "high": image_pb2.DETAIL_HIGH}


def text(content: str) -> embed_pb2.EmbedInput:
    """A text to embed (a plain ``str`` works as well)."""
    return embed_pb2.EmbedInput(string=content)


def image(image_url: str, *, detail: ImageDetail = "auto") -> embed_pb2.EmbedInput:
    """An image to embed, by URL (``https://...`` or ``data:image/...;base64,...``)."""
    if detail not in _DETAILS:
        raise ValueError(f"Invalid image detail: {detail!r}. Use one of: {', '.join(_DETAILS)}")
    return embed_pb2.EmbedInput(image_url=image_pb2.ImageUrlContent(image_url=image_url, detail=_DETAILS[detail]))


def embed_request(
    inputs: EmbedInput | Sequence[EmbedInput],
    model: str,
    *,
    encoding_format: EncodingFormat = "float",
    user: str | None = None,
) -> embed_pb2.EmbedRequest:
    """The request embedding ``inputs`` (one input, or a sequence of them) with ``model``."""
    if not model:
        raise ValueError("model is required, e.g. model='v1'; client.models.list_embedding_models() lists them")
    if encoding_format not in _FORMATS:
        raise ValueError(f"Invalid encoding_format: {encoding_format!r}. Use 'float' or 'base64'")
    items = [inputs] if isinstance(inputs, (str, embed_pb2.EmbedInput)) else list(inputs)
    if not items:
        raise ValueError("inputs is empty: pass at least one string or embeddings.image(url)")
    request = embed_pb2.EmbedRequest(model=model, encoding_format=_FORMATS[encoding_format])
    for index, item in enumerate(items):
        if isinstance(item, str):
            request.input.add(string=item)
        elif isinstance(item, embed_pb2.EmbedInput):
            request.input.append(item)
        else:
            raise ValueError(
                f"inputs[{index}] is a {type(item).__name__}; use a str, embeddings.text(...) or embeddings.image(url)"
            )
    if user is not None:
        request.user = user
    return request


def decode(vector: embed_pb2.FeatureVector) -> list[float]:
    """The floats of a feature vector, decoding the little-endian float32 bytes of ``base64_array``."""
    if vector.base64_array:
        raw = base64.b64decode(vector.base64_array)
        return list(struct.unpack(f"<{len(raw) // 4}f", raw))
    return list(vector.float_array)


class EmbeddingResponse(ProtoDecorator[embed_pb2.EmbedResponse]):
    """The embeddings of one request, in the order of its inputs."""

    @property
    def id(self) -> str:
        """The request's id."""
        return self._proto.id

    @property
    def model(self) -> str:
        """The model that answered (its full name, also when called by an alias)."""
        return self._proto.model

    @property
    def system_fingerprint(self) -> str:
        """The backend configuration that produced the embeddings."""
        return self._proto.system_fingerprint

    @property
    def usage(self) -> usage_pb2.EmbeddingUsage:
        """How many text and image inputs were embedded."""
        return self._proto.usage

    @property
    def embeddings(self) -> Sequence[embed_pb2.Embedding]:
        """The raw ``Embedding`` messages, sorted by input index."""
        return sorted(self._proto.embeddings, key=lambda embedding: embedding.index)

    @property
    def vectors(self) -> list[list[float]]:
        """One vector per input, in input order (the first feature vector of each embedding)."""
        return [decode(embedding.embeddings[0]) if embedding.embeddings else [] for embedding in self.embeddings]

    def __len__(self) -> int:
        return len(self._proto.embeddings)

    def __repr__(self) -> str:
        return f"EmbeddingResponse(model={self.model!r}, inputs={len(self)})"


class BaseClient:
    """What the blocking and asyncio ``client.embeddings`` share: the stub and the call settings."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = embed_pb2_grpc.EmbedderStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)
