"""`mkc serve`: the command line side (options, loading and checking the
project, opening the database, the listening socket, shutdown). Starlette
and uvicorn are imported only when the command runs."""

from __future__ import annotations

import errno
import os
import socket
import sys

import click

from mkc.source import BadInput


@click.command(
    "serve",
    epilog="\b\nExamples:\n  mkc serve examples/project --db state.duckdb\n"
    "  mkc serve shop.mkc --db state.duckdb --port 9000 --rate-limit off\n"
    "Then point a Marketo client at http://127.0.0.1:8787 (docs/serve.md).",
)
@click.argument("path", required=False, metavar="[PATH]")
@click.option("--db", required=True, metavar="PATH", help="The database of people (made if nothing is there).")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8787, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--client-id", envvar="MKC_CLIENT_ID", help="The client id to accept (env MKC_CLIENT_ID).")
@click.option("--client-secret", envvar="MKC_CLIENT_SECRET", help="Its secret (env MKC_CLIENT_SECRET).")
@click.option(
    "--token-ttl", default=3600, show_default=True, type=click.IntRange(1), help="Seconds an access token lives."
)
@click.option(
    "--rate-limit",
    type=click.Choice(["marketo", "off"]),
    default="marketo",
    show_default=True,
    help="marketo: 100 calls in 20 s (606) and 10 at once (615).",
)
def serve_command(path, db, host, port, client_id, client_secret, token_ttl, rate_limit) -> None:
    """Serve the project at PATH (a .mkc file or a project's directory; no
    PATH: the project of the current directory) and the database --db over
    Marketo's REST API (../shared/spec/REST.md), until SIGTERM or Ctrl-C."""
    from mkc.diagnostics import print_diagnostics
    from mkc.load import load_path, load_paths
    from mkc.store.fields import database_fields

    if (client_id is None) != (client_secret is None):
        raise BadInput("--client-id and --client-secret go together")
    known = database_fields(db)
    if path is not None and not _is_dir(path):
        loaded = [load_path(path, known)]
    else:
        loaded = load_paths([path] if path else [], known)
    if len(loaded) != 1:
        raise BadInput(f"{path or '.'}: holds {len(loaded)} programs; serve one file or one project (mkc.toml)")
    unit = loaded[0]
    print_diagnostics(unit.diagnostics, unit.sources)
    if unit.has_errors or unit.model is None:
        click.echo("mkc serve: not started: the project has errors", err=True)
        sys.exit(1)
    sock = _listen(host, port)
    try:
        name = f"the project {unit.project.name}" if unit.project is not None else unit.source.name
        _serve(unit.model, db, sock, client_id, client_secret, token_ttl, rate_limit == "marketo", name)
    finally:
        sock.close()


def _is_dir(path: str) -> bool:
    return os.path.isdir(path)


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, or one line saying why not (the port is taken)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise BadInput(f"--host {host}: {err.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise BadInput(f"--port {port}: {host}:{port} is in use by another process") from None
        raise BadInput(f"--host {host} --port {port}: cannot listen ({err.strerror})") from None
    sock.set_inheritable(True)
    return sock


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, but a SIGTERM or Ctrl-C ends it as a normal stop
        (exit 0, the database closed): uvicorn raises the signal again once the
        requests in flight are done, which would kill the process there."""

        def handle_exit(self, sig, frame) -> None:
            super().handle_exit(sig, frame)
            captured = getattr(self, "_captured_signals", None)
            if captured is not None:
                captured.clear()

    return Server


def _serve(model, db, sock, client_id, client_secret, token_ttl, rate_limit, name) -> None:
    import uvicorn

    from mkc.serve.app import Options, make_app
    from mkc.serve.world import World
    from mkc.store.db import Store

    server_class = _server_class()
    store = Store.open(db, create=True)
    world = None
    try:
        world = World(model, store)
        app = make_app(world, Options(client_id, client_secret, token_ttl, rate_limit))
        host, port = sock.getsockname()[:2]
        click.echo(f"mkc serve: {name} on http://{host}:{port} with {db} (Ctrl-C or SIGTERM stops)", err=True)
        if client_id is None:
            click.echo("mkc serve: no --client-id/--client-secret: any id and secret are accepted", err=True)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        server_class(config).run(sockets=[sock])
    finally:
        if world is not None:
            world.close()
        store.close()
    click.echo("mkc serve: stopped", err=True)
