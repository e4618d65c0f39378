"""Defaults for the small services: Auth, Tokenize, Sample and Embedder."""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator
from typing import ClassVar

from google.protobuf import empty_pb2

from xai_fake.defaults import tokens
from xai_fake.defaults.enums import check_enum
from xai_fake.defaults.models import EMBEDDING_MODELS, find, language_model
from xai_fake.defaults.state import State
from xai_fake.defaults.text import generate
from xai_fake.errors import invalid_argument
from xai_sdk.proto import auth_pb2, embed_pb2, image_pb2, sample_pb2, tokenize_pb2, usage_pb2

EMBEDDING_DIMENSION = 64
MAX_INPUT_CHARS = 1_000_000


class AuthDefaults:
    """Describes the key the call came with, redacted as the real API does, and the team it belongs to.

    The key is the call's tenant (:mod:`xai_fake.tenancy`), decided by the auth layer: the
    handler never reads the key itself.
    """

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "xai_api.Auth"

    def __init__(self, state: State) -> None:
        self.state = state

    def get_api_key_info(self, request: empty_pb2.Empty, context: object) -> auth_pb2.ApiKey:
        tenant = self.state.tenant
        rng = self.state.rng("api-key", tenant.key_id)
        created = self.state.now()
        return auth_pb2.ApiKey(
            redacted_api_key=tenant.redacted_key,
            user_id=f"user-{rng.getrandbits(32):08x}",
            name="xai-fake key",
            create_time=created,
            modify_time=created,
            team_id=tenant.team,
            acls=["api-key:model:*", "api-key:endpoint:*"],
            api_key_id=tenant.key_id,
        )


class TokenizeDefaults:
    """Splits text with the fake tokenizer; the tokens' bytes concatenate back to the input."""

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "xai_api.Tokenize"

    def TokenizeText(
        self, request: tokenize_pb2.TokenizeTextRequest, context: object
    ) -> tokenize_pb2.TokenizeTextResponse:
        model = language_model(request.model or "")
        if len(request.text) > MAX_INPUT_CHARS:
            raise invalid_argument(f"text is {len(request.text)} characters; the limit is {MAX_INPUT_CHARS}")
        return tokenize_pb2.TokenizeTextResponse(
            model=model.name,
            tokens=[
                tokenize_pb2.Token(token_id=tokens.token_id(t), string_token=t, token_bytes=t.encode())
                for t in tokens.split(request.text)
            ],
        )


class SampleDefaults:
    """Raw text sampling, unary and streaming."""

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "xai_api.Sample"

    def __init__(self, state: State) -> None:
        self.state = state

    def _samples(self, request: sample_pb2.SampleTextRequest) -> sample_pb2.SampleTextResponse:
        if not request.model:
            raise invalid_argument("model is required, e.g. model='grok-3-mini'")
        if not request.prompt:
            raise invalid_argument("prompt must hold at least one string")
        model = language_model(request.model)
        rng = self.state.rng(request)
        n = request.n if request.HasField("n") else 1
        if not 1 <= n <= 128:
            raise invalid_argument(f"n must be between 1 and 128, got {n}")
        if request.HasField("max_tokens") and request.max_tokens < 1:
            raise invalid_argument(f"max_tokens must be positive, got {request.max_tokens}")
        choices, completion = [], 0
        for index in range(n):
            out = generate(self.state, rng, max_tokens=request.max_tokens or None, stop=list(request.stop))
            completion += out.tokens
            choices.append(sample_pb2.SampleChoice(index=index, text=out.text, finish_reason=out.finish_reason))  # type: ignore[arg-type]
        prompt = sum(tokens.count(p) for p in request.prompt)
        return sample_pb2.SampleTextResponse(
            id=self.state.new_id("sample"),
            choices=choices,
            created=self.state.now(),
            model=model.name,
            system_fingerprint=model.system_fingerprint,
            usage=usage_pb2.SamplingUsage(
                prompt_tokens=prompt,
                prompt_text_tokens=prompt,
                completion_tokens=completion,
                total_tokens=prompt + completion,
            ),
        )

    def SampleText(self, request: sample_pb2.SampleTextRequest, context: object) -> sample_pb2.SampleTextResponse:
        return self._samples(request)

    def SampleTextStreaming(
        self, request: sample_pb2.SampleTextRequest, context: object
    ) -> Iterator[sample_pb2.SampleTextResponse]:
        full = self._samples(request)
        for choice in full.choices:
            pieces = tokens.split(choice.text)
            for start in range(0, len(pieces), 4):
                yield sample_pb2.SampleTextResponse(
                    id=full.id, model=full.model, created=full.created,
                    choices=[sample_pb2.SampleChoice(index=choice.index, text="".join(pieces[start : start + 4]))],
                )  # fmt: skip
        last = sample_pb2.SampleTextResponse(id=full.id, model=full.model, created=full.created, usage=full.usage)
        for choice in full.choices:
            last.choices.add(index=choice.index, finish_reason=choice.finish_reason)
        yield last


class EmbedderDefaults:
    """Unit vectors of a fixed dimension, deterministic per input."""

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "xai_api.Embedder"

    def __init__(self, state: State) -> None:
        self.state = state

    def Embed(self, request: embed_pb2.EmbedRequest, context: object) -> embed_pb2.EmbedResponse:
        model = find(EMBEDDING_MODELS, request.model, "embedding")
        if not request.input:
            raise invalid_argument("input must hold at least one text or image")
        check_enum("encoding_format", request.encoding_format, embed_pb2.EmbedEncodingFormat)
        response = embed_pb2.EmbedResponse(
            id=self.state.new_id("embed"), model=model.name, system_fingerprint=model.system_fingerprint
        )
        texts = images = 0
        for index, item in enumerate(request.input):
            kind = item.WhichOneof("input")
            if kind is None:
                raise invalid_argument(f"input[{index}] is empty: set `string` or `image_url`")
            if kind == "image_url":
                check_enum(f"input[{index}].image_url.detail", item.image_url.detail, image_pb2.ImageDetail)
            texts, images = (texts + 1, images) if kind == "string" else (texts, images + 1)
            rng = self.state.rng("embed", item)
            vector = [rng.gauss(0.0, 1.0) for _ in range(EMBEDDING_DIMENSION)]
            norm = sum(v * v for v in vector) ** 0.5 or 1.0
            vector = [v / norm for v in vector]
            if request.encoding_format == embed_pb2.FORMAT_BASE64:
                packed = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
                feature = embed_pb2.FeatureVector(base64_array=packed)
            else:
                feature = embed_pb2.FeatureVector(float_array=vector)
            response.embeddings.add(index=index, embeddings=[feature])
        response.usage.CopyFrom(usage_pb2.EmbeddingUsage(num_text_embeddings=texts, num_image_embeddings=images))
        return response
