"""``shopops users``: accounts for people and machines, from the shell of the machine that runs shopops.

Whoever can run this command on the server is already trusted with the store (they can read the
database file), so the CLI needs no sign-in; every change is still written to the audit log as
``cli:<login name>``. Passwords are read from a hidden prompt or from standard input
(``--password-stdin``), never from an argument, so they stay out of shell history and ``ps``.
"""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from shopops.auth.accounts import create_user, list_users, normalise_email, update_user, user_by_email
from shopops.auth.sessions import issue_api_key, revoke_api_key
from shopops.cli.common import console, err_console, get_ctx
from shopops.cli.drafts_cmd import default_actor
from shopops.errors import NotFoundError
from shopops.store.db import Database

app = typer.Typer(help="Accounts, roles and API keys.", no_args_is_help=True)

ROLE_HELP = "owner | manager | operator | agent | analyst"


def _read_password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


def _user_id(db: Database, email: str) -> int:
    with db.session() as session:
        user = user_by_email(session, email)
        if user is None:
            raise NotFoundError(f"no user {normalise_email(email)}", hint="see `shopops users list`")
        return user.id


@app.command("create")
def create(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="sign-in email"),
    role: str = typer.Option("analyst", "--role", help=ROLE_HELP),
    name: str = typer.Option("", "--name", help="display name"),
    language: str = typer.Option("en", "--language", help="UI language: en | zh"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
    no_password: bool = typer.Option(False, "--no-password", help="a machine account: API key only"),
) -> None:
    """Create an account (the first one should be an owner)."""
    app_ctx = get_ctx(ctx)
    password = None if no_password else _read_password(password_stdin)
    user = create_user(
        app_ctx.db, email, password, role=role, name=name, language=language, actor=default_actor(None)
    )
    console.print(f"created {user.email} ({user.role})", highlight=False)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every account with its role, state and API key prefix."""
    table = Table("id", "name", "role", "active", "api key", "last sign-in")
    table.add_column("email", overflow="fold")
    for user in list_users(get_ctx(ctx).db):
        table.add_row(
            str(user.id),
            user.name,
            user.role.value,
            "yes" if user.active else "no",
            f"{user.api_key_prefix}…" if user.api_key_prefix else "",
            user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "",
            user.email,
        )
    console.print(table)


@app.command("update")
def update(
    ctx: typer.Context,
    email: str = typer.Argument(...),
    role: str | None = typer.Option(None, "--role", help=ROLE_HELP),
    name: str | None = typer.Option(None, "--name"),
    language: str | None = typer.Option(None, "--language", help="en | zh"),
    active: bool | None = typer.Option(None, "--active/--disabled", help="enable or disable sign-in"),
) -> None:
    """Change an account's role, name, language or state."""
    db = get_ctx(ctx).db
    user = update_user(
        db,
        _user_id(db, email),
        actor=default_actor(None),
        role=role,
        name=name,
        language=language,
        active=active,
    )
    console.print(
        f"{user.email}: {user.role.value}, {'active' if user.active else 'disabled'}", highlight=False
    )


@app.command("password")
def password(
    ctx: typer.Context,
    email: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
) -> None:
    """Set a new password."""
    db = get_ctx(ctx).db
    user_id = _user_id(db, email)
    update_user(db, user_id, actor=default_actor(None), password=_read_password(password_stdin))
    console.print("password changed")


@app.command("key")
def key(
    ctx: typer.Context,
    email: str = typer.Argument(...),
    revoke: bool = typer.Option(False, "--revoke", help="remove the key instead of making a new one"),
) -> None:
    """Make a new API key for the account (shown once; the old key stops working)."""
    db = get_ctx(ctx).db
    user_id = _user_id(db, email)
    if revoke:
        revoke_api_key(db, user_id, actor=default_actor(None))
        console.print("API key revoked")
        return
    new_key = issue_api_key(db, user_id, actor=default_actor(None))
    err_console.print("the key is shown once; store it in your secret manager:", style="yellow")
    print(new_key)
