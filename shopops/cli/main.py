"""The ``shopops`` command: global flags, command groups, and error handling.

Each command group lives in its own module and stays thin over the capability functions.
Errors: a :class:`ShopopsError` prints its message (with how to fix it) and exits 1; the traceback
is shown only with ``--debug`` (or ``SHOPOPS_DEBUG=1``).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click
import typer
from rich.text import Text

from shopops import __version__
from shopops.cli import (
    alerts_cmd,
    ask_cmd,
    config_cmd,
    copy_batch_cmd,  # noqa: F401 - registers `copy generate` and `copy export`
    copy_cmd,
    db_cmd,
    demo_cmd,
    drafts_cmd,
    eval_cmd,
    forecast_cmd,
    import_cmd,
    jobs_cmd,
    llm_cmd,
    plan_cmd,
    report_cmd,
    reviews_cmd,
    search_cmd,
    serve_cmd,
    strategy_cmd,
    support_cmd,
    train_cmd,
    users_cmd,
)
from shopops.cli.common import err_console
from shopops.config import load_settings
from shopops.context import AppContext
from shopops.errors import ShopopsError

app = typer.Typer(
    name="shopops",
    help="shopops: a self-hosted AI operations copilot for e-commerce merchants.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(config_cmd.app, name="config")
app.add_typer(db_cmd.app, name="db")
app.add_typer(import_cmd.app, name="import")
app.add_typer(llm_cmd.app, name="llm")
app.add_typer(llm_cmd.model_app, name="model")
app.add_typer(jobs_cmd.app, name="jobs")
app.add_typer(demo_cmd.app, name="demo")
app.add_typer(copy_cmd.app, name="copy")
app.add_typer(drafts_cmd.app, name="drafts")
app.add_typer(eval_cmd.app, name="eval")
app.add_typer(train_cmd.app, name="train")
app.add_typer(users_cmd.app, name="users")
app.add_typer(support_cmd.app, name="support")
app.add_typer(reviews_cmd.app, name="reviews")
app.add_typer(alerts_cmd.app, name="alerts")
app.add_typer(forecast_cmd.app, name="forecast")
app.add_typer(plan_cmd.app, name="plan")
app.add_typer(report_cmd.app, name="report")
app.add_typer(strategy_cmd.app, name="strategy")
app.command("briefing")(strategy_cmd.briefing)
app.command("ask")(ask_cmd.ask)
app.command("search")(search_cmd.search)
app.command("search-index")(search_cmd.search_index)
app.command("recommend")(search_cmd.recommend)
app.command("serve")(serve_cmd.serve)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shopops {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Path | None = typer.Option(None, "--config", help="TOML config file (default ./shopops.toml)"),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="where the database and models live"),
    database_url: str | None = typer.Option(None, "--database-url", help="SQLAlchemy URL"),
    llm_backend: str | None = typer.Option(None, "--llm-backend", help="local | openai | fake"),
    local_model: str | None = typer.Option(None, "--local-model", help="qwen2.5-coder-0.5b | -1.5b"),
    embed_backend: str | None = typer.Option(None, "--embed-backend", help="local | openai | hash"),
    debug: bool = typer.Option(False, "--debug", help="show tracebacks"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    if config is not None:
        os.environ["SHOPOPS_CONFIG"] = str(config)
    settings = load_settings(
        data_dir=data_dir,
        database_url=database_url,
        llm_backend=llm_backend,
        local_model=local_model,
        embed_backend=embed_backend,
    )
    ctx.obj = AppContext(settings)
    ctx.call_on_close(ctx.obj.close)


INTERRUPTED = "interrupted; long jobs resume where they stopped (`shopops jobs resume`)"
# Typer >= 0.20 vendors its own click (typer._click): its exceptions are not the `click` package's.
# Catch both families, so usage errors print usage rather than a traceback either way.
USAGE_ERRORS: tuple[type[Exception], ...] = (typer.TyperException, click.ClickException)
ABORTS: tuple[type[BaseException], ...] = (typer.Abort, click.exceptions.Abort, KeyboardInterrupt)
EXITS: tuple[type[Exception], ...] = (typer.Exit, click.exceptions.Exit)


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("SHOPOPS_DEBUG") == "1"
    try:
        # Outside standalone mode typer *returns* the code of a `typer.Exit` (130 for Ctrl-C).
        result = app(args=args, prog_name="shopops", standalone_mode=False)
    except ShopopsError as exc:
        if debug:
            traceback.print_exc()
        # Text, not markup: a message may contain [brackets]; soft_wrap keeps long lines intact.
        err_console.print(Text.assemble(("error: ", "bold red"), str(exc)), highlight=False, soft_wrap=True)
        sys.exit(1)
    except ABORTS:
        err_console.print(INTERRUPTED)
        sys.exit(130)
    except EXITS as exc:
        sys.exit(getattr(exc, "exit_code", 1))
    except USAGE_ERRORS as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err_console.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(getattr(exc, "exit_code", 2))
    if isinstance(result, int) and not isinstance(result, bool) and result != 0:
        if result == 130:
            err_console.print(INTERRUPTED)
        sys.exit(result)
