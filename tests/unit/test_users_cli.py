"""``shopops users``: accounts, roles and API keys from the server's shell, on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from shopops.auth.accounts import authenticate
from shopops.auth.sessions import principal_for_api_key
from shopops.cli.main import app
from shopops.store.db import Database, open_database
from shopops.store.models import AuditLog, User

PASSWORD = "correct horse battery"


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Iterator[tuple[CliRunner, list[str], Database]]:
    db = open_database(db_url)
    yield CliRunner(), ["--data-dir", str(tmp_path / "data"), "--database-url", db_url], db
    db.dispose()


def test_create_sign_in_key_and_update(cli: tuple[CliRunner, list[str], Database]) -> None:
    runner, args, db = cli
    made = runner.invoke(
        app,
        [*args, "users", "create", "Owner@Shop.example", "--role", "owner", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    assert authenticate(db, "owner@shop.example", PASSWORD).role == "owner"

    bot = runner.invoke(app, [*args, "users", "create", "bot@shop.example", "--no-password"])
    assert bot.exit_code == 0, bot.output
    keyed = runner.invoke(app, [*args, "users", "key", "bot@shop.example"])
    assert keyed.exit_code == 0, keyed.output
    key = next(line for line in keyed.output.splitlines() if line.startswith("sk-shopops-"))
    assert principal_for_api_key(db, key).email == "bot@shop.example"

    listed = runner.invoke(app, [*args, "users", "list"], env={"COLUMNS": "200"})
    assert "owner@shop.example" in listed.output and key not in listed.output

    demoted = runner.invoke(app, [*args, "users", "update", "owner@shop.example", "--role", "manager"])
    assert demoted.exit_code == 1 and "last active owner" in str(demoted.exception)
    changed = runner.invoke(app, [*args, "users", "update", "bot@shop.example", "--role", "agent"])
    assert changed.exit_code == 0 and "agent" in changed.output

    revoked = runner.invoke(app, [*args, "users", "key", "bot@shop.example", "--revoke"])
    assert revoked.exit_code == 0
    with db.session() as session:
        assert session.scalar(select(User.api_key_hash).where(User.email == "bot@shop.example")) is None
        audit = [row.after or {} for row in session.scalars(select(AuditLog))]
    assert all(PASSWORD not in str(after) and key not in str(after) for after in audit)


def test_short_password_and_unknown_user_are_clear_errors(cli: tuple[CliRunner, list[str], Database]) -> None:
    runner, args, _db = cli
    short = runner.invoke(
        app, [*args, "users", "create", "a@shop.example", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1 and "too short" in str(short.exception)
    missing = runner.invoke(app, [*args, "users", "key", "nobody@shop.example"])
    assert missing.exit_code == 1 and "no user nobody@shop.example" in str(missing.exception)
