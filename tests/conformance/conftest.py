"""Fixtures that bring in the official ``xai-sdk`` 1.21.0 (its wheel, or a venv holding it) for comparison."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from tests.conformance.official_venv import OfficialSdkUnavailable, official_venv_python
from tests.conformance.official_wheel import OFFICIAL, WheelUnavailable, unpacked_wheel

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def official_wheel_dir(pytestconfig: pytest.Config) -> Path:
    """The unpacked official wheel; skips when it cannot be downloaded, fails instead in CI."""
    assert pytestconfig.cache is not None
    try:
        return unpacked_wheel(pytestconfig.cache.mkdir("official-xai-sdk-1.21.0"))
    except WheelUnavailable as exc:
        if os.environ.get("XAI_CONFORMANCE_REQUIRED"):
            pytest.fail(f"{exc} (XAI_CONFORMANCE_REQUIRED is set, so this cannot be skipped)")
        pytest.skip(f"cannot compare with {OFFICIAL}: {exc}")


@pytest.fixture(scope="session")
def official_descriptors(
    official_wheel_dir: Path, official_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[descriptor_pb2.FileDescriptorProto]:
    """The official file descriptors, read in a separate interpreter (both packages are ``xai_sdk``).

    That interpreter is the official SDK's venv: its generated modules check the protobuf runtime
    they need, which ours (down to 5.29.0) may not be.
    """
    out = tmp_path_factory.mktemp("official") / "descriptors.pb"
    script = HERE / "dump_official_descriptors.py"
    result = subprocess.run(
        [str(official_python), "-I", str(script), str(official_wheel_dir), str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"reading the official descriptors failed:\n{result.stderr}"
    descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    return list(descriptor_set.file)


@pytest.fixture(scope="session")
def official_python(pytestconfig: pytest.Config) -> Path:
    """The python of a cached venv holding the official SDK; skips when it cannot be built, fails instead in CI."""
    assert pytestconfig.cache is not None
    try:
        return official_venv_python(pytestconfig.cache.mkdir("official-xai-sdk-venv"))
    except OfficialSdkUnavailable as exc:
        if os.environ.get("XAI_CONFORMANCE_REQUIRED"):
            pytest.fail(f"{exc} (XAI_CONFORMANCE_REQUIRED is set, so this cannot be skipped)")
        pytest.skip(f"cannot run the official {OFFICIAL} client: {exc}")


@pytest.fixture(scope="session")
def official_examples(pytestconfig: pytest.Config) -> tuple[Path, Path]:
    """(the official examples/ directory, a PYTHONPATH entry with their third-party imports)."""
    from tests.conformance.official_examples import ExamplesUnavailable, dependencies_dir, examples_dir

    assert pytestconfig.cache is not None
    cache = pytestconfig.cache.mkdir("official-xai-sdk-1.21.0-examples")
    try:
        return examples_dir(cache), dependencies_dir(cache)
    except ExamplesUnavailable as exc:
        if os.environ.get("XAI_CONFORMANCE_REQUIRED"):
            pytest.fail(f"{exc} (XAI_CONFORMANCE_REQUIRED is set, so this cannot be skipped)")
        pytest.skip(f"cannot run the official examples: {exc}")
