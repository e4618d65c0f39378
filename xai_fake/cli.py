"""The ``xai-fake`` command: run the fake xAI API for other programs.

``xai-fake serve``
    Serve until SIGINT or SIGTERM. Once ready, print ``export XAI_API_HOST=...``
    lines, so that ``eval "$(xai-fake serve &)"``-style scripts and humans can use it.
``xai-fake exec -- CMD ...``
    Start the fake, run CMD with the ``XAI_*`` variables pointing at it, stop the
    fake, and exit with CMD's exit code.
``xai-fake demo``
    A guided tour of xai_sdk against the embedded fake: no key, no network.
``xai-fake record --upstream HOST:PORT --cassette PATH``
    A recording proxy: serve like ``serve`` (export lines for the hosts; your own keys
    are forwarded), pass every call to the upstream, write the cassette when stopped.
``xai-fake replay --cassette PATH``
    Serve like ``serve``, answering from the cassette.
``xai-fake cassette show|redact|check PATH``
    Print a cassette as text with decoded messages; rewrite it with more redaction;
    validate it (exit 1 with the reason if it is unusable or holds a credential).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

from xai_fake.server import FakeServer
from xai_sdk.__about__ import __version__


def _server(args: argparse.Namespace) -> FakeServer:
    return FakeServer(host=args.host, port=args.port, seed=args.seed, unix_socket=args.unix_socket)


def export_lines(env: dict[str, str]) -> str:
    """``export NAME=value`` lines, shell-quoted."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


async def _serve(server: FakeServer, *, keys: bool = True, what: str = "serving") -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        env = {k: v for k, v in server.env().items() if keys or not k.endswith("_KEY")}
        sys.stdout.write(export_lines(env))
        sys.stdout.flush()
        print(f"xai-fake {__version__}: {what} on {server.address}; stop with Ctrl-C", file=sys.stderr, flush=True)
        await stop.wait()
    print("xai-fake: stopped", file=sys.stderr, flush=True)


def serve(args: argparse.Namespace) -> int:
    """Run until SIGINT or SIGTERM."""
    asyncio.run(_serve(_server(args)))
    return 0


def exec_(args: argparse.Namespace) -> int:
    """Run a command against a fresh fake server and return its exit code."""
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("xai-fake exec: give the command to run after --, e.g. xai-fake exec -- pytest", file=sys.stderr)
        return 2
    with _server(args) as server:
        env = {**os.environ, **server.env()}
        try:
            return subprocess.call(command, env=env)
        except FileNotFoundError:
            print(f"xai-fake exec: command not found: {command[0]}", file=sys.stderr)
            return 127
        except KeyboardInterrupt:
            return 130


def demo(args: argparse.Namespace) -> int:
    """Run the guided tour."""
    from xai_fake.demo import run

    return run(seed=args.seed)


def cassette_show(args: argparse.Namespace) -> int:
    """Print a cassette as text, messages decoded, credentials redacted."""
    from xai_fake.cassette import CassetteError, load, to_text

    try:
        sys.stdout.write(to_text(load(args.path)))
    except CassetteError as exc:
        print(f"xai-fake cassette show: {exc}", file=sys.stderr)
        return 1
    return 0


def cassette_redact(args: argparse.Namespace) -> int:
    """Rewrite a cassette (atomically) with credentials and the given keys and fields redacted."""
    from xai_fake.cassette import CassetteError, Redactor, load, save

    try:
        redactor = Redactor(
            redact_metadata=args.redact_metadata,
            drop_metadata=args.drop_metadata,
            redact_fields=args.redact_field,
            drop_fields=args.drop_field,
        )
    except ValueError as exc:
        print(f"xai-fake cassette redact: {exc}", file=sys.stderr)
        return 2
    try:
        cassette = load(args.path)
    except CassetteError as exc:
        print(f"xai-fake cassette redact: {exc}", file=sys.stderr)
        return 1
    redacted = redactor.apply_all(cassette.interactions)
    del cassette.interactions[:]
    cassette.interactions.extend(redacted)
    target = save(cassette, args.output or args.path)
    print(f"xai-fake cassette redact: wrote {target} ({len(redacted)} interactions)", file=sys.stderr)
    return 0


def cassette_check(args: argparse.Namespace) -> int:
    """Validate cassettes; exit 1 naming the first problem of each bad one."""
    from xai_fake.cassette import CassetteError, load
    from xai_fake.credentials import leaks as unredacted

    failed = 0
    for path in args.paths:
        try:
            cassette = load(path)
        except CassetteError as exc:
            print(f"xai-fake cassette check: {exc}", file=sys.stderr)
            failed += 1
            continue
        leaks = [
            f"interaction {number}: {key}"
            for number, interaction in enumerate(cassette.interactions, start=1)
            for key in unredacted(interaction)
        ]
        if leaks:
            print(
                f"xai-fake cassette check: cassette {path!r}: unredacted credentials ({', '.join(leaks)}); "
                f"fix it with: xai-fake cassette redact {shlex.quote(path)}",
                file=sys.stderr,
            )
            failed += 1
            continue
        print(f"{path}: ok (format {cassette.format_version}, {len(cassette.interactions)} interactions)")
    return 1 if failed else 0


def _cassette_server(args: argparse.Namespace, **options: Any) -> FakeServer:
    from xai_fake.cassette.matchers import RequestMatcher

    RequestMatcher(ignore_fields=args.ignore_field)  # validate before serving
    return FakeServer(
        host=args.host, port=args.port, seed=args.seed, unix_socket=args.unix_socket, cassette=args.cassette,
        ignore_fields=args.ignore_field, **options,
    )  # fmt: skip


def record(args: argparse.Namespace) -> int:
    """Proxy to the upstream until SIGINT or SIGTERM, then write the cassette."""
    from xai_fake.cassette import CassetteError

    certificates = None
    if args.upstream_root_certificates:
        with open(args.upstream_root_certificates, "rb") as file:
            certificates = file.read()
    try:
        server = _cassette_server(
            args, record_mode=args.record_mode, upstream=args.upstream, management_upstream=args.management_upstream,
            upstream_root_certificates=certificates,
        )  # fmt: skip
    except (CassetteError, ValueError) as exc:
        print(f"xai-fake record: {exc}", file=sys.stderr)
        return 2
    upstream = args.upstream or "api.x.ai:443"
    asyncio.run(_serve(server, keys=False, what=f"recording {args.cassette} from {upstream}"))
    layer = server.cassette
    written = layer is not None and layer.saved
    print(f"xai-fake record: {'wrote' if written else 'nothing recorded, left alone'} {args.cassette}", file=sys.stderr)
    return 0


def replay(args: argparse.Namespace) -> int:
    """Answer from the cassette until SIGINT or SIGTERM."""
    from xai_fake.cassette import CassetteError

    try:
        server = _cassette_server(
            args, allow_playback_repeats=args.allow_playback_repeats, honour_timing=args.honour_timing,
            speed=args.speed, fallback_to_defaults=args.fallback_to_defaults,
        )  # fmt: skip
    except (CassetteError, ValueError) as exc:
        print(f"xai-fake replay: {exc}", file=sys.stderr)
        return 2
    asyncio.run(_serve(server, what=f"replaying {args.cassette}"))
    return 0


def _add_record_replay_commands(
    add: Callable[[str, str], argparse.ArgumentParser],
) -> None:
    recorder = add("record", "a recording proxy to the real API: serve, forward every call, write a cassette")
    recorder.add_argument("--cassette", required=True, metavar="PATH", help="where to write (.pb binary, .txtpb text)")
    recorder.add_argument("--upstream", metavar="HOST:PORT", help="the API to record (default: api.x.ai:443, TLS)")
    recorder.add_argument(
        "--management-upstream", metavar="HOST:PORT", help="for Collections (default: management-api.x.ai:443)"
    )
    recorder.add_argument("--upstream-root-certificates", metavar="PEM", help="CA certificates for a private upstream")
    recorder.add_argument("--record-mode", default="all", help="all (default), new_episodes (add to the file) or once")
    recorder.add_argument("--ignore-field", action="append", default=[], metavar="PATH", help="for new_episodes")
    recorder.set_defaults(run=record)
    player = add("replay", "serve the answers of a cassette, printing export lines once ready")
    player.add_argument("--cassette", required=True, metavar="PATH", help="the cassette to replay")
    player.add_argument("--ignore-field", action="append", default=[], metavar="PATH", help="e.g. seed")
    player.add_argument("--allow-playback-repeats", action="store_true", help="let interactions answer again")
    player.add_argument("--honour-timing", action="store_true", help="replay the recorded pauses")
    player.add_argument("--speed", type=float, default=1.0, help="divide the recorded pauses by this (default: 1)")
    player.add_argument(
        "--fallback-to-defaults", action="store_true", help="answer misses like `serve` instead of an error"
    )
    player.set_defaults(run=replay)


def _add_cassette_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    help_text = "inspect, redact and validate cassette files (recorded gRPC calls)"
    cassette = commands.add_parser("cassette", help=help_text, description=help_text)
    actions = cassette.add_subparsers(dest="action", required=True, metavar="{show,redact,check}")
    show = actions.add_parser("show", help="print a cassette as text, messages decoded, secrets redacted")
    show.add_argument("path", metavar="PATH", help="a .pb (binary) or .txtpb (text) cassette")
    show.set_defaults(run=cassette_show)
    redact = actions.add_parser("redact", help="rewrite a cassette atomically with more redaction")
    redact.add_argument("path", metavar="PATH", help="the cassette to redact")
    redact.add_argument("-o", "--output", metavar="OUT", help="write here instead (suffix picks text or binary)")
    redact.add_argument("--redact-metadata", action="append", default=[], metavar="KEY", help="metadata key to redact")
    redact.add_argument("--drop-metadata", action="append", default=[], metavar="KEY", help="metadata key to remove")
    redact.add_argument(
        "--redact-field", action="append", default=[], metavar="PATH", help="e.g. xai_api.GetCompletionsRequest.user"
    )
    redact.add_argument("--drop-field", action="append", default=[], metavar="PATH", help="a body field to clear")
    redact.set_defaults(run=cassette_redact)
    check = actions.add_parser("check", help="validate cassettes; exit 1 with the reason if one is unusable")
    check.add_argument("paths", nargs="+", metavar="PATH", help="cassettes to check")
    check.set_defaults(run=cassette_check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xai-fake", description="A fake xAI API server for tests.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="name", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
        sub.add_argument("--port", type=int, default=0, help="port to bind (default: 0, any free port)")
        sub.add_argument("--seed", type=int, default=0, help="seed for generated answers (default: 0)")
        sub.add_argument("--unix-socket", metavar="PATH", help="also serve on this unix socket")
        return sub

    add("serve", "serve until interrupted, printing export lines once ready").set_defaults(run=serve)
    run = add("exec", "run a command with XAI_* variables pointing at a fresh fake server")
    run.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    run.set_defaults(run=exec_)
    tour = commands.add_parser("demo", help="a tour of xai_sdk against the embedded fake (no key, no network)")
    tour.add_argument("--seed", type=int, default=0, help="seed for generated answers (default: 0)")
    tour.set_defaults(run=demo)
    _add_cassette_commands(commands)
    _add_record_replay_commands(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``xai-fake`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
