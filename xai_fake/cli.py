"""The ``xai-fake`` command: run the fake xAI API for other programs.

``xai-fake serve``
    Serve until SIGINT or SIGTERM. Once ready, print ``export XAI_API_HOST=...``
    lines, so that ``eval "$(xai-fake serve &)"``-style scripts and humans can use it.
    The management key is new each run (``--management-key`` fixes it); ``--require-key KEY``
    (repeatable) accepts only those API keys; a ``--host`` other than loopback is a warning.
    Beside the API, on the same port: reflection, health and the control API, whose token is
    printed as ``XAI_FAKE_CONTROL_TOKEN`` (``--no-reflection``, ``--no-health``, ``--no-control``).
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
``xai-fake protos [--copy-to DIR]``
    Print (or copy) the folder of self-contained ``.proto`` files, for clients in other languages.
``xai-fake cassette show|redact|check PATH``
    Print a cassette as text with decoded messages; rewrite it with more redaction;
    validate it (exit 1 with the reason if it is unusable, fails its checksum, cannot be
    replayed or holds a credential). ``check --fix`` seals a hand-edited text cassette again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from xai_fake.server import FakeServer
from xai_sdk.__about__ import __version__

#: The request log of a server the CLI starts: a long-running server has no tests to reset it between,
#: so it keeps fewer calls than an in-process FakeServer (10,000), about 1.5 to 4 KB each.
SERVER_REQUEST_LOG_SIZE = 1_000


def _log_size(value: str) -> int:
    """``--request-log-size``: a positive number of calls."""
    try:
        size = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        size = 0
    if size < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of calls, got {value!r}")
    return size


def _server(args: argparse.Namespace) -> FakeServer:
    return FakeServer(
        host=args.host, port=args.port, seed=args.seed, unix_socket=args.unix_socket,
        request_log_size=args.request_log_size, **_key_options(args), **_beside_options(args),
    )  # fmt: skip


def _beside_options(args: argparse.Namespace) -> dict[str, Any]:
    """What a command's server serves beside the xAI API: reflection, health, the control API and its token.

    The control token is ``--control-token``, else ``$XAI_FAKE_CONTROL_TOKEN``, else a new random
    one for each run, printed in the export lines as ``XAI_FAKE_CONTROL_TOKEN``.
    """
    token = args.control_token or os.environ.get("XAI_FAKE_CONTROL_TOKEN") or None
    return {
        "reflection": not args.no_reflection, "health": not args.no_health, "control": not args.no_control,
        "control_token": token,
    }  # fmt: skip


def _key_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keys a command's server accepts: ``--require-key`` (else any), and one management key.

    The management key is ``--management-key``, else a new random one for each run (printed in
    the export lines), never the fixed :data:`~xai_fake.DEFAULT_MANAGEMENT_KEY` of in-process servers.
    """
    management_key = args.management_key or f"xai-fake-management-{secrets.token_urlsafe(24)}"
    return {"api_keys": tuple(args.require_key) or None, "management_keys": (management_key,)}


def _exposure_warning(command: str, args: argparse.Namespace) -> None:
    """Warn on stderr (one line) when ``--host`` is reachable from other machines."""
    from xai_sdk._target import is_local_host

    if is_local_host(args.host):
        return
    keys = getattr(args, "require_key", None)  # None: the command checks no keys (record forwards them)
    if keys is None:
        who = "anyone who connects can use it"
    elif keys:
        who = "only the --require-key keys are accepted"
    else:
        who = "any API key is accepted (restrict them with --require-key KEY)"
    print(
        f"xai-fake {command}: warning: listening on {args.host or '*'}, reachable from other machines; {who}",
        file=sys.stderr,
        flush=True,
    )


def _bind_host(value: str) -> str:
    """``--host``: a bare IPv6 address (``::``, ``::1``) is bracketed, as gRPC's ``host:port`` needs."""
    return f"[{value}]" if value.count(":") > 1 and not value.startswith("[") else value


def _listen_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (one line), or None; checked before gRPC tries.

    gRPC's own failure is a traceback plus a C-core log line; a plain socket bound the way
    gRPC binds (``SO_REUSEADDR``, so a port in TIME_WAIT passes) finds the same problem first.
    """
    if port == 0:
        return None
    try:
        bare = host.removeprefix("[").removesuffix("]")
        addresses = socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"cannot listen on {host}:{port}: the host does not resolve ({error.strerror})"
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                reason = error.strerror or str(error)
                return f"cannot listen on {host}:{port}: {reason}; choose another --port (0 picks a free one)"
    return None


def _start_problem(command: str, args: argparse.Namespace) -> bool:
    """Print why ``command`` cannot serve on ``--host``/``--port`` (one line) and return True, or return False.

    Returning False, it first warns when the host is reachable from other machines.
    """
    problem = _listen_problem(args.host, args.port)
    if problem is not None:
        print(f"xai-fake {command}: {problem}", file=sys.stderr)
    else:
        _exposure_warning(command, args)
    return problem is not None


def export_lines(env: dict[str, str]) -> str:
    """``export NAME=value`` lines, shell-quoted."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


class _CannotServe(Exception):
    """The server could not start (its one-line reason is the message)."""


async def _serve(server: FakeServer, *, keys: bool = True, what: str = "serving") -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await server.start_async()
    except (OSError, RuntimeError) as error:  # binding lost a race with another program, say
        address = f"{server.host}:{server.requested_port}"
        raise _CannotServe(f"cannot serve on {address}: {' '.join(str(error).split())}") from None
    try:
        env = {k: v for k, v in server.env().items() if keys or not k.endswith("_KEY")}
        sys.stdout.write(export_lines(env))
        sys.stdout.flush()
        print(f"xai-fake {__version__}: {what} on {server.address}; stop with Ctrl-C", file=sys.stderr, flush=True)
        await stop.wait()
    finally:
        await server.stop_async()
    print("xai-fake: stopped", file=sys.stderr, flush=True)


def _run_server(command: str, server: FakeServer, **options: Any) -> bool:
    """Serve until stopped; False (after one line on stderr) if the server could not start."""
    try:
        asyncio.run(_serve(server, **options))
    except _CannotServe as error:
        print(f"xai-fake {command}: {error}", file=sys.stderr)
        return False
    return True


def serve(args: argparse.Namespace) -> int:
    """Run until SIGINT or SIGTERM."""
    if _start_problem("serve", args):
        return 1
    return 0 if _run_server("serve", _server(args)) else 1


def exec_(args: argparse.Namespace) -> int:
    """Run a command against a fresh fake server and return its exit code."""
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("xai-fake exec: give the command to run after --, e.g. xai-fake exec -- pytest", file=sys.stderr)
        return 2
    if _start_problem("exec", args):
        return 1
    with _server(args) as server:
        env = {**os.environ, **server.env()}
        try:
            return subprocess.call(command, env=env)
        except FileNotFoundError:
            print(f"xai-fake exec: command not found: {command[0]}", file=sys.stderr)
            return 127
        except KeyboardInterrupt:
            return 130


def protos(args: argparse.Namespace) -> int:
    """Print (or copy) the folder of .proto files."""
    from xai_fake.proto_files import copy_protos, proto_root

    if args.copy_to is None:
        print(proto_root())
        return 0
    try:
        count = copy_protos(args.copy_to)
    except OSError as error:
        print(f"xai-fake protos: cannot copy to {args.copy_to}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"xai-fake protos: copied {count} .proto files to {args.copy_to}", file=sys.stderr)
    return 0


def demo(args: argparse.Namespace) -> int:
    """Run the guided tour."""
    from xai_fake.demo import run

    return run(seed=args.seed)


def _one_line(command: str, exc: BaseException | str) -> None:
    print(f"xai-fake cassette {command}: {' '.join(str(exc).split())}", file=sys.stderr)


def _warned(command: str, caught: list[warnings.WarningMessage]) -> None:
    """Print each warning caught while loading as one line (never Python's two-line warning format)."""
    for warning in caught:
        print(f"xai-fake cassette {command}: warning: {warning.message}", file=sys.stderr)


def cassette_show(args: argparse.Namespace) -> int:
    """Print a cassette as text, messages decoded, credentials redacted."""
    from xai_fake.cassette import CassetteError, CassetteWarning, load, to_text

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CassetteWarning)
            text = to_text(load(args.path))
    except CassetteError as exc:
        _one_line("show", exc)
        return 1
    _warned("show", caught)
    sys.stdout.write(text)
    return 0


def cassette_redact(args: argparse.Namespace) -> int:
    """Rewrite a cassette (atomically) with credentials and the given keys and fields redacted."""
    from xai_fake.cassette import CassetteError, Redactor, examine, save
    from xai_fake.cassette.format import seal_problem

    try:
        redactor = Redactor(
            redact_metadata=args.redact_metadata,
            drop_metadata=args.drop_metadata,
            redact_fields=args.redact_field,
            drop_fields=args.drop_field,
        )
    except ValueError as exc:
        _one_line("redact", exc)
        return 2
    try:
        # Like `check --fix`, redacting rewrites and seals: an edited text cassette may be redacted.
        cassette, seal, _, problem = examine(args.path)
        sealing = seal_problem(seal, args.path, for_rewrite=True)
        if sealing is not None:
            raise CassetteError(args.path, sealing)
        if problem is not None:
            raise problem
        redacted = redactor.apply_all(cassette.interactions)
        del cassette.interactions[:]
        cassette.interactions.extend(redacted)
        target = save(cassette, args.output or args.path)
    except CassetteError as exc:
        _one_line("redact", exc)
        return 1
    except OSError as exc:
        _one_line("redact", f"cannot write {args.output or args.path!r}: {exc.strerror or exc}")
        return 1
    print(f"xai-fake cassette redact: wrote {target} ({len(redacted)} interactions)", file=sys.stderr)
    return 0


def cassette_check(args: argparse.Namespace) -> int:
    """Validate cassettes (with ``--fix``: seal edited text cassettes again); exit 1 naming each bad one's problem.

    One line per cassette. The first problem is named: a leaked credential (even in a file with
    other problems), then the checksum, then what stops a replay.
    """
    from xai_fake.cassette import CassetteError, examine, reseal
    from xai_fake.cassette.format import seal_problem
    from xai_fake.credentials import leaks as unredacted

    failed = 0
    for path in args.paths:
        if getattr(args, "recover", False) and not _recovered(path):
            failed += 1
            continue
        _journal_left_behind(path)
        try:
            cassette, seal, written, problem = examine(path)
            leaks = [
                f"interaction {number}: {key}"
                for number, interaction in enumerate(cassette.interactions, start=1)
                for key in unredacted(interaction)
            ]
            if leaks and not args.fix:
                raise CassetteError(
                    path,
                    f"unredacted credentials ({', '.join(leaks)}); fix it with: xai-fake cassette redact "
                    f"{shlex.quote(path)}",
                )
            if args.fix:
                cassette, seal, written, problem = reseal(path)
            else:
                sealing = seal_problem(seal, path)
                if sealing is not None:
                    raise CassetteError(path, sealing)
                if problem is not None:
                    raise problem
            not_reached = _not_reached(cassette)
            if not_reached is not None:
                raise CassetteError(path, not_reached)
        except CassetteError as exc:
            _one_line("check", exc)
            failed += 1
            continue
        except OSError as exc:
            _one_line("check", f"cassette {path!r}: cannot write it: {exc.strerror or exc}")
            failed += 1
            continue
        count = f"{len(cassette.interactions)} interactions"
        if args.fix and (seal != "sealed" or leaks):
            redacted = f", {len(leaks)} credential(s) redacted" if leaks else ""
            done = "sealed" if seal != "sealed" else "rewritten"
            print(f"{path}: {done} (format {written} -> {cassette.format_version}, {count}{redacted})")
        elif seal == "unsealed":
            print(
                f"{path}: ok (format {written}, {count}), but no checksum (written before checksums): "
                f"seal it with: xai-fake cassette check --fix {shlex.quote(path)}"
            )
        else:
            print(f"{path}: ok (format {written}, {count}), checksum verified")
    return 1 if failed else 0


def _recovered(path: str) -> bool:
    """``check --recover``: fold the journal left next to ``path`` into it, saying so in a line; False if it failed."""
    from xai_fake.cassette import CassetteError
    from xai_fake.cassette.journal import recover
    from xai_fake.cassette.writable import CassetteLock

    lock = CassetteLock(path)
    try:
        lock.acquire()  # no recorder may be writing the journal now
        try:
            recovered = recover(path)
        finally:
            lock.release()
    except CassetteError as exc:
        _one_line("check", exc)
        return False
    print(f"{path}: {recovered.explain()}" if recovered is not None else f"{path}: no recording journal to recover")
    return True


def _journal_left_behind(path: str) -> None:
    """Warn (one line) when a killed recorder left a journal next to ``path`` that ``--recover`` would fold in."""
    from xai_fake.cassette import CassetteError
    from xai_fake.cassette.journal import journal_path, read_journal
    from xai_fake.cassette.writable import CassetteLock

    journal = journal_path(path)
    if not journal.exists() or CassetteLock(path).busy():  # no journal, or a recorder is writing it
        return
    try:
        count = len(read_journal(journal).interactions)
    except CassetteError as exc:
        _one_line("check", f"warning: {exc}")
        return
    if count:
        _one_line(
            "check",
            f"warning: {journal} holds {count} interaction(s) of an interrupted recording that are not in the "
            f"cassette; fold them in with: xai-fake cassette check --recover {shlex.quote(path)}",
        )


def _not_reached(cassette: Any) -> str | None:
    """Why a cassette holds calls that failed in the recording proxy (older versions wrote them), or None."""
    from xai_fake.cassette.recorder import proxy_failure

    found = [(number, why) for number, i in enumerate(cassette.interactions, start=1) if (why := proxy_failure(i))]
    if not found:
        return None
    numbers = ", ".join(str(number) for number, _ in found)
    return (
        f"interaction(s) {numbers} never reached the API: they are the recording proxy's own failure "
        f"({found[0][1]}), which a replay would repeat as if the API had answered; record the cassette again"
    )


def _cassette_server(args: argparse.Namespace, **options: Any) -> FakeServer:
    from xai_fake.cassette.matchers import RequestMatcher

    RequestMatcher(ignore_fields=args.ignore_field)  # validate before serving
    return FakeServer(
        host=args.host, port=args.port, seed=args.seed, unix_socket=args.unix_socket, cassette=args.cassette,
        ignore_fields=args.ignore_field, request_log_size=args.request_log_size, **_beside_options(args), **options,
    )  # fmt: skip


def _upstream_problem(option: str, value: str | None) -> str | None:
    """Why ``--upstream``/``--management-upstream`` cannot be recorded from (one line), or None.

    Checks the form (``host:port``), then that a host name resolves, so that a typo fails now
    rather than as an UNAVAILABLE on every call (skipped behind a gRPC proxy, which resolves).
    """
    from xai_fake.cassette.recorder import check_upstream
    from xai_sdk._target import parse_target

    if value is None:
        return None
    try:
        check_upstream(value)
    except ValueError as error:
        return f"{option}: {error}"
    target = parse_target(value)
    if target.scheme != "dns" or target.host is None or any(os.environ.get(v) for v in _PROXY_VARIABLES):
        return None
    try:
        socket.getaddrinfo(target.host, target.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return f"{option} {value}: cannot resolve the host {target.host!r} ({reason})"
    return None


#: Environment variables that make gRPC connect through a proxy (which then resolves the upstream).
_PROXY_VARIABLES = ("grpc_proxy", "https_proxy", "http_proxy", "GRPC_PROXY", "HTTPS_PROXY", "HTTP_PROXY")


def record(args: argparse.Namespace) -> int:
    """Proxy to the upstream until SIGINT or SIGTERM, then write the cassette."""
    from xai_fake.cassette import CassetteError

    for option, value in (("--upstream", args.upstream), ("--management-upstream", args.management_upstream)):
        problem = _upstream_problem(option, value)
        if problem is not None:
            print(f"xai-fake record: {problem}", file=sys.stderr)
            return 2
    certificates = None
    if args.upstream_root_certificates:
        try:
            with open(args.upstream_root_certificates, "rb") as file:
                certificates = file.read()
        except OSError as exc:
            print(f"xai-fake record: --upstream-root-certificates: {exc.strerror or exc}", file=sys.stderr)
            return 2
    try:
        server = _cassette_server(
            args, record_mode=args.record_mode, upstream=args.upstream, management_upstream=args.management_upstream,
            upstream_root_certificates=certificates,
        )  # fmt: skip
    except (CassetteError, ValueError, TypeError) as exc:
        print(f"xai-fake record: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    layer = server.cassette
    if layer is not None and layer.recovered is not None and layer.recovered.added:
        print(f"xai-fake record: {layer.recovered.explain()}", file=sys.stderr)
    if _start_problem("record", args):
        if layer is not None:
            layer.release()
        return 1
    upstream = args.upstream or "api.x.ai:443"
    try:
        served = _run_server("record", server, keys=False, what=f"recording {args.cassette} from {upstream}")
    except CassetteError as exc:  # the cassette could not be written at stop: a full disk, say
        print(f"xai-fake record: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    if not served:
        if layer is not None:
            layer.release()
        return 1
    failures = layer.proxy_failures if layer is not None else []
    if failures:
        print(
            f"xai-fake record: {len(failures)} call attempt(s) could not reach the upstream {failures[0].target} "
            f"({failures[0].code.name}: {failures[0].details}); nothing was written to {args.cassette}",
            file=sys.stderr,
        )
        return 1
    if layer is not None and layer.removed:
        outcome = "nothing recorded, removed"
    else:
        outcome = "wrote" if layer is not None and layer.saved else "nothing recorded, left alone"
    print(f"xai-fake record: {outcome} {args.cassette}", file=sys.stderr)
    return 0


def replay(args: argparse.Namespace) -> int:
    """Answer from the cassette until SIGINT or SIGTERM."""
    from xai_fake.cassette import CassetteError

    if not os.path.isfile(args.cassette):
        what = "is not a file" if os.path.exists(args.cassette) else "does not exist"
        print(
            f"xai-fake replay: cassette {args.cassette} {what}; record one with: "
            f"xai-fake record --cassette {shlex.quote(args.cassette)}",
            file=sys.stderr,
        )
        return 2
    try:
        server = _cassette_server(
            args, allow_playback_repeats=args.allow_playback_repeats, honour_timing=args.honour_timing,
            speed=args.speed, fallback_to_defaults=args.fallback_to_defaults, **_key_options(args),
        )  # fmt: skip
    except (CassetteError, ValueError, TypeError) as exc:
        print(f"xai-fake replay: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    if _start_problem("replay", args):
        return 1
    return 0 if _run_server("replay", server, what=f"replaying {args.cassette}") else 1


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
    recorder.add_argument(
        "--record-mode", default="all", help="all (default), rewrite, new_episodes (add to the file) or once"
    )
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
    _add_key_options(player)
    player.set_defaults(run=replay)


def _add_key_options(parser: argparse.ArgumentParser) -> None:
    """``--require-key`` and ``--management-key``, for the commands whose server checks keys."""
    parser.add_argument(
        "--require-key",
        action="append",
        default=[],
        metavar="KEY",
        help="accept only this API key (repeatable; default: any key); the first is printed as XAI_API_KEY",
    )
    parser.add_argument(
        "--management-key", metavar="KEY", help="the management key (default: a new random one each run, printed)"
    )


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
    check = actions.add_parser(
        "check",
        help="validate cassettes (checksum, replayability, secrets); exit 1 with the reason if one is unusable",
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="cassettes to check")
    check.add_argument(
        "--fix",
        action="store_true",
        help="seal again text cassettes edited by hand (and cassettes of format 1); rewrites them, credentials "
        "redacted, comments not kept",
    )
    check.add_argument(
        "--recover",
        action="store_true",
        help="first fold into each cassette the journal a killed recorder left next to it (PATH.journal): the "
        "cassette's interactions are kept and the journal's added",
    )
    check.set_defaults(run=cassette_check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xai-fake", description="A fake xAI API server for tests.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="name", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--host",
            type=_bind_host,
            default="127.0.0.1",
            help="address to bind (default: 127.0.0.1); another than loopback is reachable from other machines",
        )
        sub.add_argument("--port", type=int, default=0, help="port to bind (default: 0, any free port)")
        sub.add_argument("--seed", type=int, default=0, help="seed for generated answers (default: 0)")
        sub.add_argument("--unix-socket", metavar="PATH", help="also serve on this unix socket")
        sub.add_argument(
            "--request-log-size",
            type=_log_size,
            default=SERVER_REQUEST_LOG_SIZE,
            metavar="N",
            help=f"calls the request log keeps, the newest (default: {SERVER_REQUEST_LOG_SIZE:,}; a long-running "
            "server holds flat memory)",
        )
        beside = sub.add_argument_group("beside the xAI API, on the same port")
        beside.add_argument("--no-reflection", action="store_true", help="do not serve gRPC server reflection")
        beside.add_argument("--no-health", action="store_true", help="do not serve grpc.health.v1")
        beside.add_argument("--no-control", action="store_true", help="do not serve the control API")
        beside.add_argument(
            "--control-token",
            metavar="TOKEN",
            help="the control API's token (default: $XAI_FAKE_CONTROL_TOKEN, else new each run; printed as "
            "XAI_FAKE_CONTROL_TOKEN)",
        )
        return sub

    server = add("serve", "serve until interrupted, printing export lines once ready")
    _add_key_options(server)
    server.set_defaults(run=serve)
    run = add("exec", "run a command with XAI_* variables pointing at a fresh fake server")
    _add_key_options(run)
    run.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    run.set_defaults(run=exec_)
    tour = commands.add_parser("demo", help="a tour of xai_sdk against the embedded fake (no key, no network)")
    tour.add_argument("--seed", type=int, default=0, help="seed for generated answers (default: 0)")
    tour.set_defaults(run=demo)
    files = commands.add_parser(
        "protos",
        help="print the folder of the .proto files (the xAI API, the control API, the cassette format)",
        description="Print the folder that holds every .proto file a client in another language needs, "
        "self-contained (compile or load them with only this folder on the include path); --copy-to copies them.",
    )
    files.add_argument("--copy-to", metavar="DIR", help="copy the .proto files (and their licenses) into DIR")
    files.set_defaults(run=protos)
    _add_cassette_commands(commands)
    _add_record_replay_commands(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``xai-fake`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
