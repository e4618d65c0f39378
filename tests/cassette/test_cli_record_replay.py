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


#: What a recording with an unreachable upstream used to write: attempts that never reached the API.
DNS_FAILURE = (
    "errors resolving nonexistent.invalid:443: [field:hostname lookup error:address lookup failed for "
    "nonexistent.invalid:443: Domain name not found]"
)


def old_outage_cassette(path: Path) -> None:
    """A cassette as xai_fake 0.1 recorded it from an unreachable upstream: five UNAVAILABLE attempts."""
    from xai_fake._proto import cassette_pb2
    from xai_fake.cassette import new_cassette, pack, save
    from xai_sdk.proto import chat_pb2

    cassette = new_cassette()
    request = chat_pb2.GetCompletionsRequest(model="grok-4")
    for _ in range(5):
        cassette.interactions.append(
            cassette_pb2.Interaction(
                method="/xai_api.Chat/GetCompletion", requests=[pack(request)], status_code=14,
                status_details=DNS_FAILURE,
            )
        )  # fmt: skip
    save(cassette, path)


def test_mistakes_are_one_line_and_exit_non_zero(tmp_path: Path) -> None:
    missing, outage = tmp_path / "missing.pb", tmp_path / "outage.pb"
    broken = tmp_path / "broken.pb"
    broken.write_bytes(b"\xff\xff not a cassette")
    old_outage_cassette(outage)
    cases = {
        "missing": ([*XAI_FAKE, "replay", "--cassette", str(missing)], 2, f"cassette {missing} does not exist"),
        "broken": ([*XAI_FAKE, "replay", "--cassette", str(broken)], 2, "broken.pb"),
        "bad upstream": (
            [*XAI_FAKE, "record", "--cassette", str(tmp_path / "x.pb"), "--upstream", "bad host:xx"],
            2,
            "xai-fake record: --upstream: upstream 'bad host:xx': 'bad host' is not a host name",
        ),
        "unresolvable": (
            [*XAI_FAKE, "record", "--cassette", str(tmp_path / "x.pb"), "--upstream", "nonexistent.invalid:443"],
            2,
            "xai-fake record: --upstream nonexistent.invalid:443: cannot resolve the host 'nonexistent.invalid'",
        ),
        "outage": ([*XAI_FAKE, "cassette", "check", str(outage)], 1, "interaction(s) 1, 2, 3, 4, 5 never reached"),
    }
    running = {
        name: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, (command, _, _) in cases.items()
    }
    for name, proc in running.items():
        _, stderr = proc.communicate(timeout=60)
        _, code, message = cases[name]
        assert (proc.returncode, stderr.count("\n")) == (code, 1), f"{name}: {stderr}"
        assert message in stderr, f"{name}: {stderr}"
    assert not (tmp_path / "x.pb").exists()
