"""Fixtures shared by the SDK tests: OpenTelemetry spans recorded in memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

_TELEMETRY_ENV = (
    "XAI_SDK_DISABLE_TRACING",
    "XAI_SDK_DISABLE_SENSITIVE_TELEMETRY_ATTRIBUTES",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
)


@pytest.fixture
def otel_globals(monkeypatch: pytest.MonkeyPatch) -> None:
    """No global tracer provider during the test (the previous one comes back after it), no telemetry switches."""
    from opentelemetry import trace
    from opentelemetry.util._once import Once

    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", Once())
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    for name in _TELEMETRY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def spans(otel_globals: None) -> Iterator[InMemorySpanExporter]:
    """A global tracer provider for the test that keeps every finished span in memory."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    yield exporter
    provider.shutdown()
