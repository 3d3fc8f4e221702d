"""``shopops serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import ipaddress

import typer

from shopops.cli.common import err_console, get_ctx

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


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
) -> None:
    """Serve the web UI and the HTTP API (sign in at /, API docs at /docs)."""
    import uvicorn

    from shopops.api.app import create_app

    app_ctx = get_ctx(ctx)
    from shopops.auth.accounts import count_users

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
    uvicorn.run(create_app(context=app_ctx), host=host, port=port, log_level="info")
