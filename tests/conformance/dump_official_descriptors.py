"""Write the official wheel's file descriptors as a serialized FileDescriptorSet.

Run in its own interpreter (``python -I``), because the official package is also
named ``xai_sdk``::

    python -I dump_official_descriptors.py UNPACKED_WHEEL_DIR OUT_FILE

Only the generated ``*_pb2`` modules are loaded. Their parent packages are
registered as empty namespaces first, so the official ``xai_sdk/__init__.py`` and
its dependencies (pydantic, opentelemetry, ...) are never imported.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import google.protobuf
from google.protobuf import descriptor_pb2


def main(wheel_dir: Path, out_file: Path) -> None:
    # The wheel carries gencode for protobuf 5 and for protobuf 6+; load the one
    # this runtime accepts, as the official package itself does.
    flavour = "v5" if google.protobuf.__version__.startswith("5.") else "v6"
    parents = ["xai_sdk", "xai_sdk.proto", f"xai_sdk.proto.{flavour}"]
    for name in parents:
        module = types.ModuleType(name)
        module.__path__ = [str(wheel_dir.joinpath(*name.split(".")))]
        sys.modules[name] = module
    generated = sorted(wheel_dir.joinpath(*parents[-1].split(".")).glob("*_pb2.py"))
    if not generated:
        raise SystemExit(f"no generated modules under {wheel_dir}/{parents[-1].replace('.', '/')}")
    descriptor_set = descriptor_pb2.FileDescriptorSet()
    for path in generated:
        module = importlib.import_module(f"{parents[-1]}.{path.stem}")
        module.DESCRIPTOR.CopyToProto(descriptor_set.file.add())
    out_file.write_bytes(descriptor_set.SerializeToString())


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
