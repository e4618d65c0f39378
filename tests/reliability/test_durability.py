"""SIGKILL of a recording process at random points never leaves an unloadable cassette.

The child records and saves over and over (every FakeServer stop writes the cassette
atomically); the parent kills it at a seeded random moment, 20 times. Whatever instant the
kill lands on (mid-call, mid-write, mid-rename), the cassette must load and hold a whole
recording: the previous one or the new one.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from xai_fake import FakeServer
from xai_fake.cassette import load

RECORD_FOREVER = textwrap.dedent(
    """
    import sys
    from xai_fake import FakeServer
    from xai_sdk.chat import user
    upstream, path = sys.argv[1], sys.argv[2]
    round = 0
    while True:
        round += 1
        with FakeServer(cassette=path, record_mode="all", upstream=upstream) as proxy:
            with proxy.client(api_key="k") as client:
                for prompt in ("one", "two", "three"):
                    client.chat.create("grok-4", messages=[user(f"{prompt} {round}")]).sample()
        print("SAVED", round, flush=True)
    """
)
KILLS = 20


def test_sigkill_at_random_points_always_leaves_a_loadable_cassette(tmp_path: Path) -> None:
    path = tmp_path / "durable.pb"
    rng = random.Random(20261126)
    root = Path(__file__).parents[2]
    with FakeServer(seed=1) as upstream:
        for kill in range(KILLS):
            child = subprocess.Popen(
                [sys.executable, "-c", RECORD_FOREVER, upstream.address, str(path)],
                stdout=subprocess.PIPE, text=True, cwd=root,
            )  # fmt: skip
            try:
                assert child.stdout is not None
                if kill == 0:  # the first child must save once, so that there is an old cassette to keep
                    assert child.stdout.readline().startswith("SAVED")
                time.sleep(rng.uniform(0.0, 1.2))  # the kill lands anywhere in the record/save loop
                os.kill(child.pid, signal.SIGKILL)
            finally:
                child.kill()
                child.wait(timeout=30)
                if child.stdout is not None:
                    child.stdout.close()
            cassette = load(path)  # raises CassetteError if the file were half-written
            assert len(cassette.interactions) == 3, f"kill {kill}: a whole recording, old or new"
            assert all(i.status_code == 0 for i in cassette.interactions)
