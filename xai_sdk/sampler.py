"""``client.sampler``: raw text completion of prompts (the ``Sample`` service).

The official SDK has no wrapper for this service; this one is ours::

    response = client.sampler.sample("Once upon a time", model="grok-3-mini", max_tokens=40)
    print(response.text)
    for so_far, chunk in client.sampler.stream("Once upon a time", model="grok-3-mini"):
        print(chunk.text, end="")

Everything without I/O lives here; ``xai_sdk.sync.sampler`` and ``xai_sdk.aio.sampler``
add the calls.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import grpc

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk.meta import ProtoDecorator
from xai_sdk.proto import sample_pb2, sample_pb2_grpc, usage_pb2

__all__ = ["BaseClient", "SampleAccumulator", "SampleResponse", "sample_request"]


def sample_request(
    prompt: str | Sequence[str],
    model: str,
    *,
    n: int | None = None,
    max_tokens: int | None = None,
    seed: int | None = None,
    stop: Sequence[str] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    frequency_penalty: float | None = None,
    presence_penalty: float | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    user: str | None = None,
) -> sample_pb2.SampleTextRequest:
    """The request completing ``prompt`` (one string, or several) with ``model``; unset options use server defaults."""
    if not model:
        raise ValueError("model is required, e.g. model='grok-3-mini'; client.models.list_language_models() lists them")
    prompts = [prompt] if isinstance(prompt, str) else list(prompt)
    if not prompts or not all(isinstance(p, str) for p in prompts):
        raise ValueError(f"prompt must be a string or a non-empty sequence of strings, got {prompt!r}")
    if isinstance(stop, str):
        raise ValueError(f"stop must be a list of strings, e.g. stop=[{stop!r}]")
    if n is not None and n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    request = sample_pb2.SampleTextRequest(prompt=prompts, model=model, stop=stop or ())
    optional = {
        "n": n, "max_tokens": max_tokens, "seed": seed, "temperature": temperature, "top_p": top_p,
        "frequency_penalty": frequency_penalty, "presence_penalty": presence_penalty, "logprobs": logprobs,
        "top_logprobs": top_logprobs, "user": user,
    }  # fmt: skip
    for field, value in optional.items():
        if value is not None:
            setattr(request, field, value)
    return request


class SampleResponse(ProtoDecorator[sample_pb2.SampleTextResponse]):
    """A completion (or, while streaming, one chunk of it); ``text`` is the first choice's text."""

    @property
    def id(self) -> str:
        """The request's id."""
        return self._proto.id

    @property
    def model(self) -> str:
        """The model that answered (its full name, also when called by an alias)."""
        return self._proto.model

    @property
    def created(self) -> datetime.datetime:
        """When the completion was created (UTC)."""
        return self._proto.created.ToDatetime(tzinfo=datetime.timezone.utc)

    @property
    def system_fingerprint(self) -> str:
        """The backend configuration that produced the completion."""
        return self._proto.system_fingerprint

    @property
    def usage(self) -> usage_pb2.SamplingUsage:
        """Prompt and completion token counts (set on the last chunk of a stream)."""
        return self._proto.usage

    @property
    def choices(self) -> list[sample_pb2.SampleChoice]:
        """The raw choices, sorted by index."""
        return sorted(self._proto.choices, key=lambda choice: choice.index)

    @property
    def texts(self) -> list[str]:
        """The text of every choice, by index."""
        return [choice.text for choice in self.choices]

    @property
    def text(self) -> str:
        """The text of choice 0 (``""`` if this response has none)."""
        return next((choice.text for choice in self._proto.choices if choice.index == 0), "")

    @property
    def finish_reason(self) -> str:
        """Why choice 0 ended, e.g. ``"REASON_STOP"`` or ``"REASON_MAX_LEN"``; ``"REASON_INVALID"`` while running."""
        reason = next((c.finish_reason for c in self._proto.choices if c.index == 0), sample_pb2.REASON_INVALID)
        return sample_pb2.FinishReason.Name(reason)

    def __repr__(self) -> str:
        return f"SampleResponse(id={self.id!r}, model={self.model!r}, text={self.text!r})"


class SampleAccumulator:
    """Merges streamed chunks into one growing :class:`SampleResponse`."""

    def __init__(self) -> None:
        self._proto = sample_pb2.SampleTextResponse()
        self._choices: dict[int, sample_pb2.SampleChoice] = {}
        self.response = SampleResponse(self._proto)

    def add(self, chunk: sample_pb2.SampleTextResponse) -> SampleResponse:
        """Fold ``chunk`` into :attr:`response` and return the chunk, wrapped."""
        for field in ("id", "model", "system_fingerprint"):
            if getattr(chunk, field):
                setattr(self._proto, field, getattr(chunk, field))
        if chunk.HasField("created"):
            self._proto.created.CopyFrom(chunk.created)
        if chunk.HasField("usage"):
            self._proto.usage.CopyFrom(chunk.usage)
        for part in chunk.choices:
            choice = self._choices.get(part.index)
            if choice is None:
                choice = self._choices[part.index] = self._proto.choices.add(index=part.index)
            choice.text += part.text
            if part.finish_reason:
                choice.finish_reason = part.finish_reason
        return SampleResponse(chunk)


class BaseClient:
    """What the blocking and asyncio ``client.sampler`` share: the stub and the call settings."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = sample_pb2_grpc.SampleStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)
