"""Engine, sessions and schema upgrades for the store.

SQLite (default) runs in WAL mode with foreign keys on; PostgreSQL by setting
``SHOPOPS_DATABASE_URL=postgresql://...`` (the psycopg 3 driver is used). The schema is created and
upgraded by Alembic, never by ``create_all``, so every deployment follows the same migrations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shopops.config import redact_url
from shopops.errors import ConfigError, MigrationError, StoreError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean the psycopg 3 driver, which shopops installs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; a malformed URL or an unusable SQLite directory is a clear error."""
    shown = redact_url(url)
    url = normalise_url(url)
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ConfigError(
            f"database_url {shown!r} is not a usable database URL ({exc})",
            hint="use sqlite:///path/to/shopops.db or postgresql://user@host/dbname",
        ) from None
    except OSError as exc:
        raise StoreError(
            f"cannot create the directory of the SQLite database {shown}: {exc}",
            hint="choose a writable location with --data-dir / SHOPOPS_DATA_DIR, or set --database-url",
        ) from exc


@contextmanager
def connection_errors(shown_url: str) -> Iterator[None]:
    """Turn a failure to reach the database into a :class:`StoreError` that names the (redacted) URL."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        reason = " ".join(str(exc.orig or exc).split())
        raise StoreError(
            f"cannot use the database at {shown_url}: {reason}",
            hint="check SHOPOPS_DATABASE_URL (or --database-url), that the server is running, and that "
            "the user may connect (passwords go in SHOPOPS_DATABASE_URL, PGPASSWORD or ~/.pgpass)",
        ) from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """One store: an engine, a session factory, and the migrations that shape it."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.shown_url = redact_url(url)  # as the user wrote it, password masked: for messages
        self.engine = create_store_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self, revision: str = "head") -> None:
        from alembic import command

        with connection_errors(self.shown_url):
            command.upgrade(alembic_config(self.url, self.engine), revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with connection_errors(self.shown_url), self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def ping(self) -> None:
        """A round trip to the server (``SELECT 1``): raises StoreError when it is gone."""
        with connection_errors(self.shown_url), self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def check_current(self) -> None:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config(self.url, self.engine)).get_current_head()
        current = self.current_revision()
        if current != head:
            raise MigrationError(
                f"database schema is at revision {current or 'none'}, shopops needs {head}",
                hint="run `shopops db upgrade`",
            )

    def table_names(self) -> list[str]:
        with connection_errors(self.shown_url):
            return inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str, engine: Engine | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def open_database(url: str, *, upgrade: bool = True) -> Database:
    """Open a store and bring its schema to the newest revision (idempotent)."""
    db = Database(url)
    if upgrade:
        db.upgrade()
    return db
