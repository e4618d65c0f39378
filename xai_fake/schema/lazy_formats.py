"""Importing ``jsonschema`` without building the IRI grammar until an IRI is checked.

``jsonschema`` checks the ``iri`` and ``iri-reference`` formats with ``rfc3987_syntax``, which
builds a lark Earley parser from its grammar when imported: about 1.3 s of the 1.5 s that
``import jsonschema`` takes. :func:`import_jsonschema` puts a stand-in module in its place first;
``jsonschema`` registers its checkers with the stand-in's ``is_valid_syntax`` as before, and the
first call (the first ``iri`` string validated) imports the real module and hands over to it,
so the checks are ``rfc3987_syntax``'s own. Nothing changes when ``jsonschema`` or
``rfc3987_syntax`` is already imported, or when ``rfc3987_syntax`` is not installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

__all__ = ["import_jsonschema"]

_NAME = "rfc3987_syntax"
_lock = threading.Lock()


def _real() -> Any:
    """The real ``rfc3987_syntax`` (imported on first use, replacing the stand-in in ``sys.modules``)."""
    with _lock:
        module = sys.modules.get(_NAME)
        if module is None or getattr(module, "_xai_fake_stand_in", False):
            sys.modules.pop(_NAME, None)
            module = importlib.import_module(_NAME)
        return module


def _is_valid_syntax(term: str, value: str) -> Any:
    return _real().is_valid_syntax(term, value)


def _stand_in() -> types.ModuleType:
    module = types.ModuleType(_NAME, "Stand-in for rfc3987_syntax until its first use (xai_fake.schema.lazy_formats).")
    module._xai_fake_stand_in = True  # type: ignore[attr-defined]
    module.is_valid_syntax = _is_valid_syntax  # type: ignore[attr-defined]
    module.__getattr__ = _attribute  # type: ignore[method-assign]
    return module


def _attribute(name: str) -> Any:
    """Any other attribute of the stand-in: the real module's (not the import system's ``__path__`` and such)."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_real(), name)


def import_jsonschema() -> Any:
    """``import jsonschema``, with ``rfc3987_syntax`` imported only when first needed (see the module)."""
    if "jsonschema" not in sys.modules and _NAME not in sys.modules:
        with _lock:
            if _NAME not in sys.modules and importlib.util.find_spec(_NAME) is not None:
                sys.modules[_NAME] = _stand_in()
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    return jsonschema
