"""What differs between the protobuf versions the project supports (5.29 to 7), in one place."""

from __future__ import annotations

from typing import Any


def is_repeated(field: Any) -> bool:
    """True for a repeated field: ``FieldDescriptor.is_repeated`` from protobuf 6, ``label`` before it."""
    repeated = getattr(field, "is_repeated", None)
    if repeated is not None:
        return bool(repeated)
    return bool(field.label == field.LABEL_REPEATED)
