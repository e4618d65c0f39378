"""One span around one SDK call, free when nobody records it.

:func:`span` returns :data:`NO_SPAN`, a shared object whose methods do nothing, unless all of
these hold, checked on every call:

* OpenTelemetry is imported already. A tracer provider can only be installed by importing
  ``opentelemetry``, so until the application does, there is nothing to record and the SDK does
  not import it either (unless ``OTEL_PYTHON_TRACER_PROVIDER`` names a provider to load, in which
  case the first call imports it, once);
* ``XAI_SDK_DISABLE_TRACING`` is not set;
* the global tracer provider is a real one, not OpenTelemetry's default proxy or no-op provider.

Otherwise it starts a ``CLIENT`` span named ``name`` on the tracer ``scope`` (by convention the
module of the calling facade, e.g. ``xai_sdk.sync.chat``), with ``attributes``, which may be a
function so that they are only computed for a recorded span. Leaving the ``with`` block with an
exception records it on the span and sets its status to ERROR; the span ends either way.

The returned object also records results::

    with span(scope, f"image.sample {model}", lambda: request_attributes(request), result=response_attributes) as s:
        return s.done(ImageResponse(await self._stub.GenerateImage(request, **kwargs)))

``done(value)`` sets ``result(value)`` on the span (only if it is recorded) and returns ``value``.
"""

from __future__ import annotations

import datetime
import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

from xai_sdk.__about__ import __version__
from xai_sdk.telemetry.config import tracing_disabled

__all__ = ["NO_SPAN", "Attributes", "Span", "server_attributes", "span", "tracer_for"]

T = TypeVar("T")

AttributeValue = str | bool | int | float | Sequence[str] | Sequence[bool] | Sequence[int] | Sequence[float]
Attributes = Mapping[str, AttributeValue]
LazyAttributes = Attributes | Callable[[], Attributes] | None

_PROVIDER_ENV = "OTEL_PYTHON_TRACER_PROVIDER"
_UNKNOWN = object()
_tracers: dict[str, tuple[Any, Any]] = {}


@functools.cache
def _provider_from_env() -> bool:
    """True when ``OTEL_PYTHON_TRACER_PROVIDER`` names a provider for OpenTelemetry to load (read once)."""
    return bool(os.environ.get(_PROVIDER_ENV))


def _trace_module() -> Any:
    """``opentelemetry.trace`` if something imported it (or the environment asks for a provider), else None."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None and _provider_from_env():
        try:
            from opentelemetry import trace
        except ImportError:
            return None
    return trace


def tracer_for(scope: str) -> Any:
    """The tracer to record a span of ``scope`` with, or None when no span should be recorded."""
    trace = _trace_module()
    if trace is None:
        return None
    # Fast path for "OpenTelemetry imported, no provider installed": get_tracer_provider() would
    # find that out too, but reads the environment on every call to do so.
    if getattr(trace, "_TRACER_PROVIDER", _UNKNOWN) is None and not _provider_from_env():
        return None
    if tracing_disabled():
        return None
    provider = trace.get_tracer_provider()
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return None
    cached = _tracers.get(scope)
    if cached is None or cached[0] is not provider:
        cached = (provider, provider.get_tracer(scope, __version__))
        _tracers[scope] = cached
    return cached[1]


class Span:
    """A span nobody records: every method does nothing. :class:`_RecordedSpan` does the work."""

    __slots__ = ()

    def __enter__(self) -> Span:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def done(self, value: T) -> T:
        """Record the attributes of a result (see ``result=`` of :func:`span`) and return it."""
        return value

    def set(self, attributes: LazyAttributes) -> None:
        """Set more attributes (a mapping, or a function returning one)."""

    def mark_time(self, key: str) -> None:
        """Set ``key`` to the current UTC time (ISO 8601), the first time only."""


NO_SPAN = Span()


class _RecordedSpan(Span):
    __slots__ = ("_attributes", "_current", "_marked", "_name", "_result", "_span", "_token", "_tracer")

    def __init__(
        self,
        tracer: Any,
        name: str,
        attributes: LazyAttributes,
        result: Callable[[Any], Attributes] | None,
        current: bool,
    ) -> None:
        self._tracer = tracer
        self._name = name
        self._attributes = attributes
        self._result = result
        self._current = current
        self._marked: set[str] = set()
        self._span: Any = None
        self._token: Any = None

    def __enter__(self) -> Span:
        from opentelemetry import context, trace

        attributes = self._attributes() if callable(self._attributes) else self._attributes
        self._span = self._tracer.start_span(self._name, kind=trace.SpanKind.CLIENT, attributes=attributes)
        if self._current:
            self._token = context.attach(trace.set_span_in_context(self._span))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        from opentelemetry import context, trace

        span = self._span
        if self._token is not None:
            context.detach(self._token)
            self._token = None
        # Only errors: GeneratorExit (a stream closed early) and other BaseExceptions are not failures.
        if isinstance(exc, Exception) and span.is_recording():
            span.record_exception(exc)
            span.set_status(trace.Status(trace.StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
        span.end()

    def done(self, value: T) -> T:
        if self._result is not None and self._span.is_recording():
            self._span.set_attributes(self._result(value))
        return value

    def set(self, attributes: LazyAttributes) -> None:
        if attributes is not None and self._span.is_recording():
            self._span.set_attributes(attributes() if callable(attributes) else attributes)

    def mark_time(self, key: str) -> None:
        if key not in self._marked:
            self._marked.add(key)
            self._span.set_attribute(key, datetime.datetime.now(datetime.timezone.utc).isoformat())


def span(
    scope: str,
    name: str,
    attributes: LazyAttributes = None,
    *,
    result: Callable[[Any], Attributes] | None = None,
    current: bool = True,
) -> Span:
    """A ``CLIENT`` span for one call, or :data:`NO_SPAN` when nothing would record it.

    Args:
        scope: The tracer (instrumentation scope) name, e.g. ``"xai_sdk.sync.image"``.
        name: The span name, e.g. ``"image.sample grok-imagine-image"``.
        attributes: Attributes known at the start, or a function computing them.
        result: Computes the attributes of the value given to ``done()``.
        current: Make the span the current one inside the ``with`` block (so that spans started
            there become its children). Pass False for a span kept open across the ``yield`` of
            a generator: a context attached in a generator can be left in another context (an
            async generator closed by the event loop), which OpenTelemetry cannot detach.
    """
    tracer = tracer_for(scope)
    if tracer is None:
        return NO_SPAN
    return _RecordedSpan(tracer, name, attributes, result, current)


@functools.lru_cache(maxsize=64)
def server_attributes(target: str | None) -> dict[str, AttributeValue]:
    """``server.address`` and ``server.port`` of a gRPC target, read by :func:`xai_sdk._target.parse_target`.

    A target without a port reports 443, gRPC's default. Unix sockets report their path (or
    abstract name) and no port; an unknown target (None) reports nothing.
    """
    if not target:
        return {}
    from xai_sdk._target import DEFAULT_PORT, parse_target  # once per target (cached): spans stay cheap to import

    parsed = parse_target(target)
    if parsed.path is not None:
        return {"server.address": parsed.path}
    return {"server.address": parsed.address, "server.port": DEFAULT_PORT if parsed.port is None else parsed.port}
