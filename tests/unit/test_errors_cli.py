"""How the CLI reports errors: message and how to fix it on stderr, exit 1, traceback only with --debug."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shopops.cli.main import run
from shopops.errors import ShopopsError, StoreError
from shopops.store.db import open_database

UNREACHABLE = "postgresql://nobody:pw-not-shown@127.0.0.1:1/x"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [*(n for n in os.environ if n.startswith("SHOPOPS_")), "SHOPOPS_CONFIG"]:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


def run_failing(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as info:
        run(args)
    assert info.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_unreachable_database_is_a_clear_store_error(capsys: pytest.CaptureFixture[str]) -> None:
    err = run_failing(["--database-url", UNREACHABLE, "db", "status"], capsys)
    assert err.startswith("error: cannot use the database at postgresql://nobody:***@127.0.0.1:1/x")
    assert "How to fix:" in err and "SHOPOPS_DATABASE_URL" in err
    assert "pw-not-shown" not in err
    assert "Traceback" not in err


def test_debug_flag_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    err = run_failing(["--debug", "--database-url", UNREACHABLE, "db", "upgrade"], capsys)
    assert "Traceback (most recent call last)" in err
    assert "StoreError" in err
    assert "error: cannot use the database" in err


def test_shopops_debug_env_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHOPOPS_DEBUG", "1")
    err = run_failing(["--database-url", UNREACHABLE, "db", "status"], capsys)
    assert "Traceback (most recent call last)" in err


def test_malformed_database_url_is_a_config_error(capsys: pytest.CaptureFixture[str]) -> None:
    err = run_failing(["--database-url", "mysql-ish://x", "db", "status"], capsys)
    assert "is not a usable database URL" in err
    assert "How to fix: use sqlite:///" in err
    assert "Traceback" not in err


def test_unwritable_sqlite_location_is_a_store_error_printed_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    data_dir = blocker / "[red]data"  # brackets must print as they are, not as console markup
    err = run_failing(["--data-dir", str(data_dir), "db", "status"], capsys)
    assert "cannot create the directory of the SQLite database" in err
    assert "[red]data" in err
    assert "--data-dir" in err


def test_invalid_setting_from_env_fails_before_any_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHOPOPS_LLM_MAX_TOKENS", "lots")
    err = run_failing(["config", "show"], capsys)
    assert "llm_max_tokens" in err and "How to fix" in err


def test_usage_errors_keep_click_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run(["db", "no-such-command"])
    assert info.value.code == 2
    assert "No such command" in capsys.readouterr().err


def test_no_arguments_prints_help_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run([])
    captured = capsys.readouterr()
    assert info.value.code == 2
    assert "Usage: shopops" in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


def test_store_error_wraps_connection_failure_in_the_api_too() -> None:
    with pytest.raises(StoreError) as info:
        open_database(UNREACHABLE)
    assert "pw-not-shown" not in str(info.value)
    assert isinstance(info.value, ShopopsError) and info.value.http_status == 500


def test_message_and_hint_compose() -> None:
    error = ShopopsError("it broke", hint="do this")
    assert str(error) == "it broke\n  How to fix: do this"
    assert (error.message, error.hint) == ("it broke", "do this")
    assert str(ShopopsError("plain")) == "plain"
