"""The official xai-sdk 1.21.0 examples run unmodified on our xai_sdk against xai_fake.

This is the drop-in promise, checked with code we did not write. The examples come
from the official sdist at test time and are never stored in this repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from xai_fake import FakeServer

#: Example -> what to type at its prompts (the chat examples loop until "exit").
EXAMPLES = {
    "chat.py": "Hello there\nTell me more\nexit\n" * 4,
    "compaction.py": "Hello\nexit\n" * 4,
    "deferred_chat.py": "",
    "function_calling.py": "What is the weather in Paris?\nexit\n" * 4,
    "image_understanding.py": "",
    "reasoning.py": "What is 12 * 7?\nexit\n" * 4,
    "server_side_tools.py": "",
    "stored_chat.py": "",
    "structured_outputs.py": "",
    "telemetry.py": "",
    # Services.
    "auth.py": "",
    "batch_request.py": "",
    "collection.py": "",
    "files.py": "",
    "files_chat.py": "",
    "image_generation.py": "a red fox in the snow\nmake it blue\n\n\n\n\n",  # saves into the cwd
    "image_generation_tool.py": "",
    "image_multi_reference_editing.py": "",
    "inline_files_chat.py": "",
    "models.py": "",
    "tokenizer.py": "Hello, tokenizer!\n",
    "video_extension.py": "the cat walks away\n\n\n",
    "video_generation.py": "a cat on a roof\n\n\n",
    "video_keyframes.py": "",
    # Not run: collections_tool.py downloads two PDFs from the internet.
}
#: Command-line flags the examples require (absl flags).
ARGUMENTS = {
    "image_generation.py": ["--output-dir=."],
    "image_multi_reference_editing.py": [
        "--prompt=put the fox in the garden",
        "--image-url=https://example.com/fox.png",
        "--image-url=https://example.com/garden.png",
        "--output-dir=.",
    ],
    "models.py": ["--model-type=language"],
    "video_extension.py": ["--video-url=https://example.com/cat.mp4"],
}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeServer]:
    with FakeServer(seed=121) as server:
        # collection.py uploads with wait_for_indexing=True and the official 10 s poll interval: documents
        # indexed at once spare it two sleeps per flavour (its PROCESSING path is tested in tests/fake).
        server.defaults.services["collections.Collections"].indexing_seconds = 0
        yield server


@pytest.mark.parametrize("flavour", ["sync", "aio"])
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_official_example_runs_on_our_sdk(
    official_examples: tuple[Path, Path], fake: FakeServer, example: str, flavour: str, tmp_path: Path
) -> None:
    examples, dependencies = official_examples
    fake.reset()
    env = {**os.environ, **fake.env(), "PYTHONPATH": str(dependencies)}
    result = subprocess.run(
        [sys.executable, str(examples / flavour / example), *ARGUMENTS.get(example, [])],
        input=EXAMPLES[example], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, f"{flavour}/{example} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    assert len(fake.requests) > 0, "the example made no call to the fake"
    assert all(call.code.name == "OK" for call in fake.requests if call.method != "xai_api.Chat/GetDeferredCompletion")
