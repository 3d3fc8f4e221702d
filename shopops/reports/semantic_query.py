"""Run a :class:`~shopops.reports.semantic_spec.QuerySpec` on a read-only connection and answer it.

Safety, in three layers:

1. statements are built only from the registry in :mod:`shopops.reports.semantic`; a person's or a
   model's words never become SQL (filter values are bound parameters);
2. before running, every table a statement reads is checked against
   :data:`~shopops.reports.semantic.SEMANTIC_TABLES` (users, sessions, drafts, logs are refused);
3. the connection itself is read-only: on SQLite ``PRAGMA query_only=ON`` plus an authorizer that
   allows nothing but reading the semantic tables (both undone before the connection goes back to
   the pool); on PostgreSQL ``SET TRANSACTION READ ONLY`` (and a statement timeout), rolled back.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Connection, Select, Table, func, literal_column, select, text
from sqlalchemy.exc import CompileError
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnElement

from shopops.errors import PermissionDeniedError
from shopops.reports.semantic import (
    DIMENSIONS,
    FACTS,
    ORDERS,
    REVIEWS,
    SALES,
    SEMANTIC_TABLES,
    Dimension,
    Measure,
    TimeGrain,
    filter_condition,
    value_expression,
)
from shopops.reports.semantic_periods import DateRange
from shopops.reports.semantic_spec import QuerySpec
from shopops.store.db import Database

STATEMENT_TIMEOUT_MS = 15_000
MAX_ROWS = 100  # rows of a split without top-N (a chart and a table stay readable)
# SQL functions the statements of the semantic layer use; the SQLite authorizer allows only these.
SQLITE_FUNCTIONS = frozenset(
    {"count", "sum", "min", "max", "coalesce", "nullif", "lower", "date", "strftime", "like"}
)


def tables_read(statement: Select[Any] | CompoundSelect[Any]) -> set[str]:
    """Every table ``statement`` reads, subqueries and joins included."""
    return {node.name for node in visitors.iterate(statement) if isinstance(node, Table)}


def check_tables(statement: Select[Any] | CompoundSelect[Any]) -> None:
    outside = tables_read(statement) - SEMANTIC_TABLES
    if outside:
        raise PermissionDeniedError(
            f"a question may read only the store's sales, order, product, customer and review tables; "
            f"this query reads {', '.join(sorted(outside))}",
            hint="ask about a metric of the semantic layer (see `shopops ask --help`)",
        )


def _sqlite_authorizer(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, _src: str | None
) -> int:
    if action == sqlite3.SQLITE_SELECT:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ:
        return sqlite3.SQLITE_OK if arg1 in SEMANTIC_TABLES else sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_OK if (arg2 or "").lower() in SQLITE_FUNCTIONS else sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_DENY


@contextmanager
def read_only_connection(db: Database) -> Iterator[Connection]:
    """A connection on which writes, and on SQLite reads outside the semantic tables, fail."""
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            raw: Any = conn.connection.dbapi_connection
            raw.execute("PRAGMA query_only = ON")
            raw.set_authorizer(_sqlite_authorizer)
            try:
                yield conn
            finally:
                raw.set_authorizer(None)
                conn.rollback()
                raw.execute("PRAGMA query_only = OFF")
            return
        conn.execute(text("SET TRANSACTION READ ONLY"))
        conn.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
        try:
            yield conn
        finally:
            conn.rollback()


def store_today(conn: Connection) -> dt.date:
    """The store's "today": the date of its newest order; for a store without orders, of its newest
    sales-history day, then of its newest review; for an empty store, the calendar's today."""
    for column in (ORDERS.c.placed_at, SALES.c.date, REVIEWS.c.reviewed_at):
        newest = conn.execute(select(func.max(column))).scalar()
        if isinstance(newest, str):  # a raw SQLite value, should a driver hand one back
            newest = dt.datetime.fromisoformat(newest)
        if newest is not None:
            return newest.date() if isinstance(newest, dt.datetime) else newest
    return dt.date.today()


def time_bucket(grain: TimeGrain, column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """The first day of ``column``'s day, week (Monday) or month, as ``YYYY-MM-DD`` text.

    Constants are literal SQL (not parameters) so the SELECT and GROUP BY expressions are identical,
    which PostgreSQL requires."""
    if dialect == "sqlite":
        if grain == "day":
            return func.date(column)
        if grain == "week":
            return func.date(column, literal_column("'weekday 0'"), literal_column("'-6 days'"))
        return func.strftime(literal_column("'%Y-%m-01'"), column)
    return func.to_char(func.date_trunc(literal_column(f"'{grain}'"), column), literal_column("'YYYY-MM-DD'"))


@dataclass(frozen=True)
class Group:
    """One row of a result: a label (None for a whole period) and the metric's parts."""

    label: str | None
    numerator: float
    denominator: float | None


def build_statement(
    spec: QuerySpec,
    period: DateRange,
    dialect: str,
    *,
    dimension: Dimension | None = None,
    grain: TimeGrain | None = None,
    limit: int | None = None,
    labels: Sequence[str] | None = None,
) -> Select[Any]:
    """The SELECT for ``spec`` over ``period``: split by ``dimension`` or a time ``grain``, if any.

    A split by a dimension is ranked by value (ties by label) and cut at ``limit`` (default
    :data:`MAX_ROWS`), or restricted to ``labels`` (the rows of another period, to compare)."""
    measure: Measure = spec.measure
    fact = FACTS[measure.fact]
    start: dt.date | dt.datetime = period.start
    end: dt.date | dt.datetime = period.end
    if not fact.date_only:
        start, end = dt.datetime.combine(period.start, dt.time()), dt.datetime.combine(period.end, dt.time())
    conditions = [fact.date >= start, fact.date < end, *measure.where]
    conditions += [filter_condition(name, fact.name, value) for name, value in sorted(spec.filters.items())]
    parts: list[ColumnElement[Any]] = [measure.numerator.label("numerator")]
    if measure.denominator is not None:
        parts.append(measure.denominator.label("denominator"))
    grain = grain or (dimension.grain if dimension else None)
    if grain is None and dimension is None:
        return select(*parts).select_from(fact.source).where(*conditions)
    if grain is not None:
        label = time_bucket(grain, fact.date, dialect)
    else:
        assert dimension is not None
        label = func.coalesce(dimension.columns[fact.name], literal_column("''"))
    statement = (
        select(label.label("label"), *parts).select_from(fact.source).where(*conditions).group_by(label)
    )
    if grain is not None:
        return statement.order_by(label)
    if labels is not None:
        return statement.where(label.in_(list(labels)))
    value = value_expression(measure)
    ranked = value.asc().nulls_last() if spec.order == "asc" else value.desc().nulls_last()
    return statement.order_by(ranked, label.asc()).limit(limit or MAX_ROWS)


def fetch(conn: Connection, statement: Select[Any]) -> list[Group]:
    """Run one statement (tables checked first) and read its rows as :class:`Group`."""
    check_tables(statement)
    groups = []
    for row in conn.execute(statement).mappings():
        denominator = row.get("denominator")
        groups.append(
            Group(
                label=None if "label" not in row else str(row["label"] or ""),
                numerator=float(row["numerator"] or 0),
                denominator=None if "denominator" not in row else float(denominator or 0),
            )
        )
    return groups


def group_value(group: Group | None, measure: Measure) -> float | None:
    """The metric's value for a group: a ratio is None when its denominator is 0."""
    if group is None:
        return 0.0 if measure.denominator is None else None
    if measure.denominator is None:
        return group.numerator
    return group.numerator / group.denominator if group.denominator else None


def render_sql(statement: Select[Any], dialect: Any) -> str:
    """The statement as SQL text with its values inlined (for showing, never for running)."""
    try:
        return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except (CompileError, NotImplementedError, TypeError):
        compiled = statement.compile(dialect=dialect)
        return f"{compiled}\n-- parameters: {compiled.params}"


def auto_grain(period: DateRange) -> TimeGrain:
    """The time grain of a trend chart: days up to two months, weeks up to a year, else months."""
    if period.days <= 62:
        return "day"
    return "week" if period.days <= 366 else "month"


def run_statements(db: Database, statements: Sequence[Select[Any]]) -> list[list[Group]]:
    """Run ``statements`` on one read-only connection."""
    with read_only_connection(db) as conn:
        return [fetch(conn, statement) for statement in statements]


def read_values(db: Database, statements: Sequence[Select[Any] | CompoundSelect[Any]]) -> list[list[str]]:
    """The first column of each statement as text (e.g. the store's categories), read-only."""
    with read_only_connection(db) as conn:
        out = []
        for statement in statements:
            check_tables(statement)
            out.append([str(value) for value in conn.execute(statement).scalars() if value is not None])
        return out


def dimension_of(spec: QuerySpec) -> Dimension | None:
    return DIMENSIONS[spec.dimension] if spec.dimension else None
