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
    """Serve the HTTP API (GET /api/health, /api/config; docs at /docs)."""
    import uvicorn

    from shopops.api.app import create_app

    app_ctx = get_ctx(ctx)
    app_ctx.db  # noqa: B018 - open and migrate now, so a bad database URL fails before listening
    if not is_loopback(host):
        err_console.print(
            f"warning: listening on {host} exposes the API beyond this machine, and it has no "
            "authentication yet; prefer 127.0.0.1 behind a reverse proxy that authenticates",
            style="yellow",
            highlight=False,
            soft_wrap=True,
        )
    uvicorn.run(create_app(context=app_ctx), host=host, port=port, log_level="info")
