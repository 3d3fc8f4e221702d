"""Shared fixtures. Every test that touches the store runs once on SQLite and once on PostgreSQL.

PostgreSQL tests use ``SHOPOPS_TEST_POSTGRES_URL`` (``make test`` starts a throwaway server when
the PostgreSQL binaries are installed; `.ci/run` installs them). Without a server they skip, unless
``SHOPOPS_REQUIRE_POSTGRES=1`` (set in CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shopops.config import Settings
from shopops.context import AppContext
from shopops.store.db import Database, normalise_url, open_database

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def postgres_base_url() -> Iterator[str | None]:
    """A database of this test run's own on the test server, dropped at the end (runs can overlap)."""
    url = os.environ.get("SHOPOPS_TEST_POSTGRES_URL")
    if not url:
        yield None
        return
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    name = f"shopops_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield str(make_url(url).set(database=name).render_as_string(hide_password=False))
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _postgres_url(base_url: str | None) -> str:
    if not base_url:
        if os.environ.get("SHOPOPS_REQUIRE_POSTGRES") == "1":
            pytest.fail("SHOPOPS_REQUIRE_POSTGRES=1 but SHOPOPS_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set SHOPOPS_TEST_POSTGRES_URL)")
    engine = create_engine(normalise_url(base_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:  # a clean schema for every test
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return base_url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_base_url: str | None) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shopops.db'}"
    return _postgres_url(postgres_base_url)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url, llm_backend="fake", embed_backend="hash")


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = AppContext(settings)
    yield context
    context.close()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


@pytest.fixture
def auth_headers(ctx: AppContext) -> Callable[[str], dict[str, str]]:
    """``auth_headers("manager")``: API-key headers of a user with that role (made on first use)."""
    from shopops.auth.accounts import create_user
    from shopops.auth.sessions import issue_api_key

    made: dict[str, dict[str, str]] = {}

    def headers(role: str) -> dict[str, str]:
        if role not in made:
            user = create_user(ctx.db, f"{role}@test.example", None, role=role, name=role.title())
            made[role] = {"Authorization": f"Bearer {issue_api_key(ctx.db, user.id, actor='test')}"}
        return made[role]

    return headers


@pytest.fixture(autouse=True)
def _search_sees_catalog_changes_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests change the catalog and search right after; the product index's look-again interval
    (seconds in a server) would make them wait. test_search_service checks the interval itself."""
    from shopops.search.service import clear_index_cache

    clear_index_cache()  # the PostgreSQL tests reuse one database URL for a fresh schema each time
    monkeypatch.setattr("shopops.search.service.STAMP_TTL_S", 0.0)
