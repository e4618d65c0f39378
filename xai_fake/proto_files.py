"""The ``.proto`` files of the xAI API, the control API and the cassette format, self-contained.

Every import they make resolves inside the one folder (the few well-known and googleapis files
they use are shipped beside them, with their licenses), so a client in any language compiles or
loads them with that folder as its only include path. In a source checkout the folder is the
repository's ``protos/``; an installed wheel carries the same files as ``xai_fake/protos/``.
``xai-fake protos`` prints the folder; ``xai-fake protos --copy-to DIR`` copies it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["copy_protos", "proto_root"]

_PACKAGED = Path(__file__).resolve().parent / "protos"
_CHECKOUT = Path(__file__).resolve().parent.parent / "protos"


def proto_root() -> Path:
    """The folder holding every ``.proto`` file (the wheel's copy, else the source checkout's)."""
    for folder in (_PACKAGED, _CHECKOUT):
        if (folder / "xai" / "api" / "v1" / "chat.proto").is_file():
            return folder
    raise FileNotFoundError(f"no .proto files in {_PACKAGED} or {_CHECKOUT}: reinstall xai-devkit")


def copy_protos(destination: str | Path) -> int:
    """Copy the folder's files (``.proto`` files, licenses, notices) into ``destination``; the .proto count."""
    root, target = proto_root(), Path(destination)
    count = 0
    for source in sorted(root.rglob("*")):
        if not source.is_file():
            continue
        copied = target / source.relative_to(root)
        copied.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copied)
        count += source.suffix == ".proto"
    return count
