"""The xai-fake command: serve (export lines, signals) and exec (env, exit code, cleanup)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from xai_fake.cli import export_lines

XAI_FAKE = [sys.executable, "-m", "xai_fake"]

CHILD = textwrap.dedent(
    """
    import os, grpc
    from google.protobuf import empty_pb2
    from xai_sdk.proto import models_pb2_grpc
    with grpc.insecure_channel(os.environ["XAI_API_HOST"]) as channel:
        stub = models_pb2_grpc.ModelsStub(channel)
        auth = [("authorization", "Bearer " + os.environ["XAI_API_KEY"])]
        print(stub.ListLanguageModels(empty_pb2.Empty(), metadata=auth).models[0].name)
    assert os.environ["XAI_MANAGEMENT_API_HOST"] == os.environ["XAI_API_HOST"]
    raise SystemExit(7)
    """
)


def test_exec_runs_the_command_against_the_fake_and_returns_its_exit_code() -> None:
    result = subprocess.run([*XAI_FAKE, "exec", "--seed", "3", "--", sys.executable, "-c", CHILD],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 7, result.stderr
    assert result.stdout.strip() == "grok-4"


@pytest.mark.parametrize(
    ("command", "code", "message"),
    [([], 2, "give the command to run after --"), (["no-such-command-xyz"], 127, "command not found")],
)
def test_exec_reports_a_missing_command(command: list[str], code: int, message: str) -> None:
    result = subprocess.run([*XAI_FAKE, "exec", "--", *command], capture_output=True, text=True, timeout=60)
    assert result.returncode == code
    assert message in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_prints_export_lines_then_stops_on_a_signal(signum: signal.Signals) -> None:
    with subprocess.Popen([*XAI_FAKE, "serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(5)]
        env = dict(line.removeprefix("export ").strip().split("=", 1) for line in lines)
        assert set(env) == {
            "XAI_API_HOST", "XAI_MANAGEMENT_API_HOST", "XAI_API_KEY", "XAI_MANAGEMENT_KEY", "XAI_FAKE_CONTROL_TOKEN"
        }  # fmt: skip
        child = subprocess.run([sys.executable, "-c", CHILD], env={**env, "PATH": ""}, capture_output=True,
                               text=True, timeout=60)  # fmt: skip
        assert child.returncode == 7, child.stderr
        proc.send_signal(signum)
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None
        assert "stopped" in proc.stderr.read()


def test_export_lines_are_shell_quoted() -> None:
    assert export_lines({"A": "x y", "B": "z"}) == "export A='x y'\nexport B=z\n"


def test_demo_tours_the_sdk_against_the_embedded_fake() -> None:
    result = subprocess.run([*XAI_FAKE, "demo", "--seed", "1"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for needle in (
        "1. Chat",
        "Streams arrive chunk by chunk.",
        "get_weather",
        "4 attempts",
        "DEADLINE_EXCEEDED",
        "replayed offline, upstream gone: 'Recorded once, replayed forever.'",
        "the API key is not in it",
        "All steps worked",
    ):
        assert needle in result.stdout
    assert "FAILED" not in result.stdout


def test_a_busy_port_is_one_line_naming_it() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        commands = [[*XAI_FAKE, "serve", "--port", str(port)], [*XAI_FAKE, "exec", "--port", str(port), "--", "true"]]
        running = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
        outcomes = [(proc.wait(timeout=60), *proc.communicate()) for proc in running]
    for (code, stdout, stderr), name in zip(outcomes, ("serve", "exec"), strict=True):
        assert code == 1, stderr
        assert stdout == ""
        assert stderr.count("\n") == 1, stderr
        assert stderr.startswith(f"xai-fake {name}: cannot listen on 127.0.0.1:{port}: Address already in use"), stderr


@pytest.mark.parametrize(
    ("argv", "size"),
    [
        (["serve"], 1_000),
        (["serve", "--request-log-size", "5"], 5),
        (["exec", "--request-log-size", "20_000", "--", "true"], 20_000),
        (["replay", "--cassette", "c.pb", "--request-log-size", "7"], 7),
    ],
)
def test_the_request_log_of_a_cli_server_is_bounded(argv: list[str], size: int) -> None:
    from xai_fake import cli

    args = cli.build_parser().parse_args(argv)
    assert args.request_log_size == size
    if argv[0] != "replay":  # a replay server needs its cassette; the option reaches it the same way
        assert cli._server(args).requests.max_size == size


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_a_bad_request_log_size_is_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    from xai_fake import cli

    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(["serve", "--request-log-size", value])
    assert exited.value.code == 2
    assert f"expected a positive number of calls, got {value!r}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["serve"], {}, {"reflection": True, "health": True, "control": True, "control_token": None}),
        (["serve", "--no-reflection", "--no-health"], {}, {"reflection": False, "health": False, "control": True}),
        (["replay", "--cassette", "c.pb", "--no-control"], {}, {"control": False}),
        (["record", "--cassette", "c.pb", "--control-token", "given"], {}, {"control_token": "given"}),
        (["exec", "--", "true"], {"XAI_FAKE_CONTROL_TOKEN": "from-env"}, {"control_token": "from-env"}),
        (["serve", "--control-token", "flag"], {"XAI_FAKE_CONTROL_TOKEN": "env"}, {"control_token": "flag"}),
    ],
)
def test_every_server_command_switches_what_it_serves_beside_the_api(
    argv: list[str], environ: dict[str, str], expected: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from xai_fake import cli

    monkeypatch.delenv("XAI_FAKE_CONTROL_TOKEN", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    options = cli._beside_options(cli.build_parser().parse_args(argv))
    assert {name: options[name] for name in expected} == expected
    if argv[0] in {"serve", "exec"}:
        server = cli._server(cli.build_parser().parse_args(argv))
        assert server.serves == {name: options[name] for name in ("reflection", "health", "control")}
        if options["control_token"] is not None:
            assert server.control_token == options["control_token"]


def test_serve_without_control_prints_no_token_and_serves_no_control_api() -> None:
    argv = [*XAI_FAKE, "serve", "--no-control", "--no-reflection"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        env = dict(line.removeprefix("export ").strip().split("=", 1) for line in lines)
        child = textwrap.dedent(
            """
            import os, grpc
            from grpc_health.v1 import health_pb2, health_pb2_grpc
            with grpc.insecure_channel(os.environ["XAI_API_HOST"]) as channel:
                print(health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10).status)
                reset = channel.unary_unary("/xai_fake.control.v1.Control/Reset")
                try:
                    reset(b"", timeout=10)
                except grpc.RpcError as error:
                    print(error.code().name)
            """
        )
        result = subprocess.run([sys.executable, "-c", child], env={**env, "PATH": ""}, capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert "XAI_FAKE_CONTROL_TOKEN" not in env
    assert result.stdout.split() == ["1", "UNIMPLEMENTED"], result.stderr  # 1: SERVING


def test_protos_prints_the_folder_and_copies_it(tmp_path: Path) -> None:
    from xai_fake.proto_files import proto_root

    shown = subprocess.run([*XAI_FAKE, "protos"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    assert Path(shown.stdout.strip()) == proto_root()
    copied = subprocess.run([*XAI_FAKE, "protos", "--copy-to", str(tmp_path / "out")], capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert copied.returncode == 0, copied.stderr
    files = {path.relative_to(tmp_path / "out").as_posix() for path in (tmp_path / "out").rglob("*.proto")}
    assert {"xai/api/v1/chat.proto", "xai_fake/control/v1/control.proto", "google/rpc/status.proto"} <= files
    assert f"copied {len(files)} .proto files" in copied.stderr
    assert (tmp_path / "out" / "google" / "rpc" / "LICENSE").is_file()
    blocked = tmp_path / "file"
    blocked.write_text("")
    refused = subprocess.run([*XAI_FAKE, "protos", "--copy-to", str(blocked)], capture_output=True, text=True,
                             timeout=60)  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.startswith("xai-fake protos: cannot copy to")
    assert "Traceback" not in refused.stderr
