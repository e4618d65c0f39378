"""The ``xai-fake`` command: run the fake xAI API for other programs.

``xai-fake serve``
    Serve until SIGINT or SIGTERM. Once ready, print ``export XAI_API_HOST=...``
    lines, so that ``eval "$(xai-fake serve &)"``-style scripts and humans can use it.
``xai-fake exec -- CMD ...``
    Start the fake, run CMD with the ``XAI_*`` variables pointing at it, stop the
    fake, and exit with CMD's exit code.
``xai-fake demo``
    A guided tour of xai_sdk against the embedded fake: no key, no network.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Sequence

from xai_fake.server import FakeServer
from xai_sdk.__about__ import __version__


def _server(args: argparse.Namespace) -> FakeServer:
    return FakeServer(host=args.host, port=args.port, seed=args.seed, unix_socket=args.unix_socket)


def export_lines(env: dict[str, str]) -> str:
    """``export NAME=value`` lines, shell-quoted."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


async def _serve(server: FakeServer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        sys.stdout.write(export_lines(server.env()))
        sys.stdout.flush()
        print(f"xai-fake {__version__}: serving on {server.address}; stop with Ctrl-C", file=sys.stderr, flush=True)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``xai-fake`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
