"""``xai-fake record`` and ``xai-fake replay`` as separate processes, against a local upstream."""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
from pathlib import Path

from tests.cassette.conftest import SECRET_KEY, make_upstream
from xai_fake.cassette import load
from xai_sdk import Client
from xai_sdk.chat import user

XAI_FAKE = [sys.executable, "-m", "xai_fake"]


def exports(proc: subprocess.Popen[str], count: int) -> dict[str, str]:
    assert proc.stdout is not None
    env = {}
    for _ in range(count):
        name, _, value = proc.stdout.readline().removeprefix("export ").strip().partition("=")
        env[name] = shlex.split(value)[0]
    return env


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    return stderr


def ask(host: str, key: str) -> str:
    with Client(api_key=key, api_host=host) as client:
        return client.chat.create("grok-4", messages=[user("hi from the cli")]).sample().content


def test_record_then_replay(tmp_path: Path) -> None:
    path = tmp_path / "cli.txtpb"
    with make_upstream() as upstream:
        upstream.chat.reply("recorded by the cli", times=1)
        command = [*XAI_FAKE, "record", "--upstream", upstream.address, "--cassette", str(path)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
            env = exports(proc, 2)
            assert set(env) == {"XAI_API_HOST", "XAI_MANAGEMENT_API_HOST"}, "the user's own keys are kept"
            assert ask(env["XAI_API_HOST"], SECRET_KEY) == "recorded by the cli"
            assert f"wrote {path}" in stop(proc)
    assert "recorded by the cli" in path.read_text()
    assert SECRET_KEY not in path.read_text()
    assert len(load(path).interactions) == 1

    with subprocess.Popen(
        [*XAI_FAKE, "replay", "--cassette", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        env = exports(proc, 4)
        assert ask(env["XAI_API_HOST"], env["XAI_API_KEY"]) == "recorded by the cli"
        stop(proc)


def test_bad_arguments_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pb"
    broken.write_bytes(b"\xff\xff not a cassette")
    result = subprocess.run([*XAI_FAKE, "replay", "--cassette", str(broken)], capture_output=True, text=True)
    assert result.returncode == 2 and "broken.pb" in result.stderr
    result = subprocess.run(
        [*XAI_FAKE, "record", "--cassette", str(tmp_path / "x.pb"), "--record-mode", "sometimes"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "use one of: none, once, new_episodes, all" in result.stderr
