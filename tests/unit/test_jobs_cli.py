"""``shopops jobs list|show|resume`` over a job of a registered kind, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from shopops.cli.main import app
from shopops.context import AppContext
from shopops.errors import JobError, NotFoundError
from shopops.jobs import JobKind, WorkFn, get_job, register_job_kind, run_job

KEYS = ["alpha", "beta", "gamma", "delta"]


def _factory(ctx: AppContext, params: dict[str, Any]) -> WorkFn:
    def work(key: str) -> dict[str, Any]:
        if key in params.get("fail", []):
            raise RuntimeError(f"{key} is broken")
        return {"upper": key.upper()}

    return work


def _extra_keys(ctx: AppContext, params: dict[str, Any]) -> list[str]:
    return ["epsilon"]


@pytest.fixture(autouse=True)
def _kind() -> None:
    register_job_kind(JobKind("test.upper", _factory, keys=_extra_keys))


def _cli(db_url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--database-url", db_url, "--llm-backend", "fake", *args])


def test_list_show_resume(ctx: AppContext, db_url: str) -> None:
    def crash_on_gamma(key: str) -> dict[str, Any]:
        if key == "gamma":
            raise KeyboardInterrupt
        return _factory(ctx, {"fail": ["beta"]})(key)

    with pytest.raises(KeyboardInterrupt):
        run_job(
            ctx.db, "upper", "test.upper", KEYS, crash_on_gamma, params={"fail": ["beta"]}, progress=False
        )

    listed = _cli(db_url, "jobs", "list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["name"], r["status"], r["done"], r["failed"]) for r in rows] == [
        ("upper", "interrupted", 1, 1)
    ]

    shown = _cli(db_url, "jobs", "show", "upper")
    assert shown.exit_code == 0, shown.output
    assert "interrupted" in shown.output and "beta is broken" in shown.output
    assert "shopops jobs resume upper" in shown.output

    resumed = _cli(db_url, "jobs", "resume", "upper", "--quiet")
    assert resumed.exit_code == 1  # beta fails again under the stored params
    assert "beta is broken" in resumed.output and "jobs resume upper" in resumed.output
    info = get_job(ctx.db, "upper")
    assert (info.status, info.done, info.failed, info.total) == ("failed", 4, 1, 5)  # + epsilon

    shown_json = json.loads(_cli(db_url, "jobs", "show", "upper", "--json").output)
    assert shown_json["failed_items"][0]["key"] == "beta"
    assert shown_json["failed_items"][0]["attempts"] == 2


def test_resume_errors(ctx: AppContext, db_url: str) -> None:
    missing = _cli(db_url, "jobs", "resume", "nope")
    assert isinstance(missing.exception, NotFoundError)
    assert "jobs list" in str(missing.exception)
    run_job(ctx.db, "mystery", "test.unregistered", ["a"], lambda key: {}, progress=False)
    result = _cli(db_url, "jobs", "resume", "mystery")
    assert isinstance(result.exception, JobError)
    assert "no job kind 'test.unregistered'" in str(result.exception)
