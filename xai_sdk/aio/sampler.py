"""Asyncio ``client.sampler`` calls; everything else lives in :mod:`xai_sdk.sampler`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from xai_sdk._streams import cancel_on_exit
from xai_sdk.sampler import BaseClient, SampleAccumulator, SampleResponse, sample_request

__all__ = ["Client"]


class Client(BaseClient):
    """Raw text completion; the options are those of :func:`xai_sdk.sampler.sample_request`."""

    async def sample(
        self,
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
        timeout: float | None = None,
    ) -> SampleResponse:
        """Complete ``prompt`` with ``model`` in one call."""
        request = sample_request(
            prompt, model, n=n, max_tokens=max_tokens, seed=seed, stop=stop, temperature=temperature, top_p=top_p,
            frequency_penalty=frequency_penalty, presence_penalty=presence_penalty, logprobs=logprobs,
            top_logprobs=top_logprobs, user=user,
        )  # fmt: skip
        return SampleResponse(await self._stub.SampleText(request, **self._calls.kwargs(timeout)))

    async def stream(
        self,
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
        timeout: float | None = None,
    ) -> AsyncIterator[tuple[SampleResponse, SampleResponse]]:
        """Stream the completion: yields ``(completion so far, chunk)`` pairs."""
        request = sample_request(
            prompt, model, n=n, max_tokens=max_tokens, seed=seed, stop=stop, temperature=temperature, top_p=top_p,
            frequency_penalty=frequency_penalty, presence_penalty=presence_penalty, logprobs=logprobs,
            top_logprobs=top_logprobs, user=user,
        )  # fmt: skip
        accumulator = SampleAccumulator()
        with cancel_on_exit(self._stub.SampleTextStreaming(request, **self._calls.kwargs(timeout))) as call:
            async for chunk in call:
                yield accumulator.response, accumulator.add(chunk)
