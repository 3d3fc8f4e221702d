"""The store: SQLAlchemy models, sessions and Alembic migrations (SQLite default, PostgreSQL)."""

from shopops.store.db import Database, open_database

__all__ = ["Database", "open_database"]
