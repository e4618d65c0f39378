"""Tracing setup: :class:`Telemetry`, :func:`get_tracer` and the ``XAI_SDK_*`` switches.

OpenTelemetry is optional: nothing here imports it until a :class:`Telemetry` is created or
:func:`get_tracer` is called. Without it those raise :class:`ImportError` naming the extra to
install; the SDK's own spans then simply do not happen.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from xai_sdk.__about__ import __version__

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Tracer

__all__ = ["Telemetry", "get_tracer", "should_disable_sensitive_attributes"]

DISABLE_TRACING_ENV = "XAI_SDK_DISABLE_TRACING"
DISABLE_SENSITIVE_ENV = "XAI_SDK_DISABLE_SENSITIVE_TELEMETRY_ATTRIBUTES"
_TRUE = ("1", "true")

_HTTP_HINT = "pip install 'xai-devkit[telemetry-http]'"
_GRPC_HINT = "pip install 'xai-devkit[telemetry-grpc]'"
_PROTOCOLS = ("http/protobuf", "grpc")


def _flag(name: str) -> bool:
    """True when the variable ``name`` is ``1`` or ``true`` (any case)."""
    value = os.environ.get(name)
    return value is not None and value.lower() in _TRUE


def tracing_disabled() -> bool:
    """True when ``XAI_SDK_DISABLE_TRACING`` is ``1`` or ``true``: the SDK then emits no spans."""
    return _flag(DISABLE_TRACING_ENV)


def should_disable_sensitive_attributes() -> bool:
    """True when ``XAI_SDK_DISABLE_SENSITIVE_TELEMETRY_ATTRIBUTES`` is ``1`` or ``true`` (any case).

    Spans then keep only what identifies the operation (operation name, provider, output type,
    model, server address and port): no request parameters, no prompt or completion text, no
    response id, usage or finish reasons.
    """
    return _flag(DISABLE_SENSITIVE_ENV)


def _missing(what: str, hint: str) -> ImportError:
    return ImportError(f"{what} is not installed; install it with: {hint}")


def get_tracer(name: str) -> Tracer:
    """An OpenTelemetry tracer named ``name``, or a no-op tracer when ``XAI_SDK_DISABLE_TRACING`` is set.

    Raises:
        ImportError: ``opentelemetry-api`` is not installed.
    """
    try:
        from opentelemetry import trace
    except ImportError as exc:
        raise _missing("OpenTelemetry (opentelemetry-api)", _HTTP_HINT) from exc
    if tracing_disabled():
        return trace.NoOpTracer()
    return trace.get_tracer(name)


class Telemetry:
    """Sends the SDK's traces somewhere: the console while developing, an OTLP collector in production.

    Without ``provider``, a ``TracerProvider`` describing the service as ``xai-sdk`` (with the
    SDK's version) is created and installed as the process-wide provider. With ``provider``, that
    provider is used as is and the global one is left alone; the SDK's spans go to the global
    provider, so install yours with ``opentelemetry.trace.set_tracer_provider`` too.

    Every standard ``OTEL_*`` variable keeps working (``OTEL_EXPORTER_OTLP_PROTOCOL``,
    ``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_HEADERS``, ...). ``XAI_SDK_DISABLE_TRACING``
    turns the SDK's spans off; ``XAI_SDK_DISABLE_SENSITIVE_TELEMETRY_ATTRIBUTES`` keeps prompts,
    completions and request details out of them.

    Needs ``opentelemetry-sdk``, which comes with the ``telemetry-http`` and ``telemetry-grpc``
    extras of ``xai-devkit``.

    Example::

        from xai_sdk import Client
        from xai_sdk.chat import user
        from xai_sdk.telemetry import Telemetry

        Telemetry().setup_console_exporter()
        chat = Client().chat.create(model="grok-4", messages=[user("Hi")])
        chat.sample()  # prints a "chat.sample grok-4" span

    Raises:
        ImportError: ``opentelemetry-sdk`` is not installed.
    """

    def __init__(self, provider: TracerProvider | None = None) -> None:
        try:
            from opentelemetry.sdk.trace import TracerProvider  # noqa: F401
        except ImportError as exc:
            raise _missing("OpenTelemetry (opentelemetry-sdk)", _HTTP_HINT) from exc
        self.provider: TracerProvider = provider if provider is not None else self._setup_provider()

    def _setup_provider(self) -> TracerProvider:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
        from opentelemetry.sdk.trace import TracerProvider

        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: "xai-sdk", SERVICE_VERSION: __version__}))
        trace.set_tracer_provider(provider)
        return provider

    def setup_otlp_exporter(
        self, *, endpoint: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        """Export spans in batches to an OTLP endpoint (Jaeger, Langfuse, an OpenTelemetry Collector, ...).

        The protocol comes from ``OTEL_EXPORTER_OTLP_PROTOCOL``: ``http/protobuf`` (default) or
        ``grpc``. Arguments go to the exporter only when given; whatever is not given, the
        exporter reads from its ``OTEL_EXPORTER_OTLP_*`` variables.

        Args:
            endpoint: Where to send spans (else ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` /
                ``OTEL_EXPORTER_OTLP_ENDPOINT``).
            headers: Extra headers, e.g. ``{"Authorization": "Bearer ..."}`` (else
                ``OTEL_EXPORTER_OTLP_HEADERS``).
            **kwargs: Other ``OTLPSpanExporter`` arguments (``timeout=``, ``compression=``, ...).

        Raises:
            ValueError: ``OTEL_EXPORTER_OTLP_PROTOCOL`` names another protocol.
            ImportError: The exporter package for the protocol is not installed (the message
                names the extra to install).
        """
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        exporter_class = _otlp_exporter_class(os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"))
        if endpoint is not None:
            kwargs["endpoint"] = endpoint
        if headers is not None:
            kwargs["headers"] = headers
        self.provider.add_span_processor(BatchSpanProcessor(exporter_class(**kwargs)))

    def setup_console_exporter(self, **kwargs: Any) -> None:
        """Print every span to stdout as it ends, as JSON; for development and debugging.

        Arguments go to OpenTelemetry's ``ConsoleSpanExporter`` (``out=``, ``formatter=``, ...).
        """
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

        self.provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(**kwargs)))


def _otlp_exporter_class(protocol: str) -> Any:
    """The ``OTLPSpanExporter`` class for ``protocol``, imported on demand."""
    protocol = protocol.strip().lower()
    if protocol == "grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            raise _missing("The gRPC OTLP exporter (opentelemetry-exporter-otlp-proto-grpc)", _GRPC_HINT) from exc
        return OTLPSpanExporter
    if protocol == "http/protobuf":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
        except ImportError as exc:
            raise _missing(
                "The HTTP/protobuf OTLP exporter (opentelemetry-exporter-otlp-proto-http)", _HTTP_HINT
            ) from exc
        return HttpExporter
    raise ValueError(
        f"Unsupported OTLP protocol {protocol!r} in OTEL_EXPORTER_OTLP_PROTOCOL: "
        f"set it to one of {', '.join(repr(p) for p in _PROTOCOLS)}"
    )
