"""``shopops serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import ipaddress
import os

import typer

from shopops.cli.common import err_console, get_ctx

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})
# One process runs asyncio's own event loop, not uvloop: under a saturating load uvloop left a few
# connections waiting over a second (p99 1.05 s vs 127 ms for asyncio on GET /api/drafts). Several
# workers keep uvicorn's default (uvloop): with asyncio, uvicorn's shared socket answered no
# faster than every 44 ms (a delayed-ACK floor). Both measured with wrk; see docs/api.md.
LOOP = "asyncio"
WORKERS_LOOP = "auto"
# The settings the root command takes as flags; `--workers` hands them to the worker processes.
WORKER_SETTINGS = ("data_dir", "database_url", "llm_backend", "local_model", "embed_backend")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="interface to listen on"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port"),
    workers: int = typer.Option(
        1, "--workers", min=1, max=32, help="server processes (each loads the model on first use)"
    ),
    access_log: bool = typer.Option(
        False,
        "--access-log/--no-access-log",
        help="log every request line; off by default: query strings can carry customers' emails, "
        "and the audit log already records every change with who made it",
    ),
) -> None:
    """Serve the web UI and the HTTP API (sign in at /, API docs at /docs)."""
    import uvicorn

    from shopops.api.app import create_app
    from shopops.auth.accounts import count_users

    app_ctx = get_ctx(ctx)
    if count_users(app_ctx.db) == 0:  # also opens and migrates the store: a bad URL fails here
        err_console.print(
            "no accounts yet: create the owner first with `shopops users create you@example.com "
            "--role owner` (or run `shopops demo run` for the demo team)",
            style="yellow",
            highlight=False,
            soft_wrap=True,
        )
    if not is_loopback(host):
        err_console.print(
            f"warning: listening on {host} exposes shopops beyond this machine over plain HTTP; "
            "put it behind a reverse proxy with TLS and set SHOPOPS_COOKIE_SECURE=true",
            style="yellow",
            highlight=False,
            soft_wrap=True,
        )
    shown = f"[{host}]" if ":" in host else host
    err_console.print(f"shopops is at http://{shown}:{port}/ (API docs at /docs)", highlight=False)
    if workers == 1:
        uvicorn.run(
            create_app(context=app_ctx),
            host=host,
            port=port,
            loop=LOOP,
            log_level="info",
            access_log=access_log,
        )
        return
    # Each worker process builds its own app from the environment: pass on the settings this
    # command was given as flags (secrets are environment-only already, so none is added here).
    for name in WORKER_SETTINGS:
        value = getattr(app_ctx.settings, name)
        if value is not None:
            os.environ[f"SHOPOPS_{name.upper()}"] = str(value)
    app_ctx.close()
    uvicorn.run(
        "shopops.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop=WORKERS_LOOP,
        log_level="info",
        access_log=access_log,
    )
