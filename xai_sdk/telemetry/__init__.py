"""OpenTelemetry tracing of SDK calls (optional: ``pip install 'xai-devkit[telemetry-http]'`` or ``[telemetry-grpc]``).

Set up an exporter once, then every chat call (``sample``, ``stream``, ``parse``, ``defer`` and
the ``*_batch`` variants) emits one ``CLIENT`` span following the OpenTelemetry GenAI semantic
conventions, named ``"chat.<method> <model>"``::

    from xai_sdk.telemetry import Telemetry

    telemetry = Telemetry()                  # installs a global TracerProvider (service "xai-sdk")
    telemetry.setup_console_exporter()       # or telemetry.setup_otlp_exporter(endpoint=..., headers=...)

Image and video generation (``"image.sample <model>"``, ``"video.generate <model>"``, ...), file
uploads and deletions, collection changes, and the models, tokenizer and auth calls emit spans
too, with the names and attributes of the official SDK (see ``_media.py`` and ``_services.py``).

Spans carry ``gen_ai.operation.name``, ``gen_ai.provider.name`` (``xai``), ``gen_ai.request.*``,
``gen_ai.response.*``, ``gen_ai.usage.*``, the prompt and completion text
(``gen_ai.prompt.<i>.*``, ``gen_ai.completion.<i>.*``) and the ``server.address`` and
``server.port`` the client is connected to. Environment switches (``1`` or ``true``, any case):

* ``XAI_SDK_DISABLE_TRACING``: no spans at all.
* ``XAI_SDK_DISABLE_SENSITIVE_TELEMETRY_ATTRIBUTES``: spans keep only the operation, provider,
  output type, model and server; no request parameters, prompts, completions, ids or usage.

Without OpenTelemetry installed, or without a tracer provider, or with tracing disabled, a call
pays a couple of dictionary lookups and nothing is imported.

Adding spans to another service (for SDK developers) is one ``with`` line around the call,
with the I/O-free helper :func:`xai_sdk.telemetry._spans.span`::

    from xai_sdk.telemetry._spans import span

    with span(__name__, f"image.sample {request.model}", lambda: attributes_of(request), result=result_attributes) as s:
        return s.done(ImageResponse(self._stub.GenerateImage(request, **self._calls.kwargs(timeout))))

``attributes`` (a mapping or a function returning one) are set when the span starts, and
``result(value)`` when ``s.done(value)`` is called; both are only computed for a recorded span.
Use ``server_attributes(self._calls.target)`` for ``server.address``/``server.port``, and
``should_disable_sensitive_attributes()`` to leave out user data. Pass ``current=False`` for a
span kept open across the ``yield`` of a generator; ``s.mark_time(key)`` stamps the first chunk.
"""

from xai_sdk.telemetry.config import Telemetry, get_tracer, should_disable_sensitive_attributes

__all__ = ["Telemetry", "get_tracer", "should_disable_sensitive_attributes"]
