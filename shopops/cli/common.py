"""Shared helpers for CLI command modules: the AppContext and console of one invocation."""

from __future__ import annotations

import typer
from rich.console import Console

from shopops.context import AppContext

console = Console()
err_console = Console(stderr=True)


def get_ctx(typer_ctx: typer.Context) -> AppContext:
    """The AppContext built by the root callback from the global flags."""
    root = typer_ctx.find_root()
    if not isinstance(root.obj, AppContext):
        raise RuntimeError("the shopops root callback did not run")
    return root.obj
