"""The import pipeline every importer shares: validate everything, then write in one transaction.

An importer turns each input file into *units*: the smallest group of rows that is accepted or
rejected together (one row for sales or inventory; every row of one order; every row of one
product, so a product is never half-imported). A unit carries either a parsed record or the
:class:`RowError` list that rejects it.

:func:`run_import` then

1. validates every file (nothing touches the database yet);
2. raises :class:`ImportValidationError` listing every bad row and field if any unit failed, unless
   ``skip_invalid``; then it writes the rejected rows to a rejects file (the input's format plus an
   ``error`` column) and goes on with the good units;
3. writes all good units in one transaction (upsert by natural key) and returns an
   :class:`ImportReport` of what was created, updated, left unchanged or deleted.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shopops.errors import ImportValidationError, InputError, RowError
from shopops.ingest.fields import RowParser, resolve_columns
from shopops.ingest.tables import SourceRow, Table, default_rejects_path, read_table, write_rejects
from shopops.store.db import Database

T = TypeVar("T")
ProgressFn = Callable[[str, int, int], None]  # (phase, done, total)
OUTCOMES = ("created", "updated", "unchanged", "deleted")


@dataclass
class EntityCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class ImportReport:
    """What an import did. ``created``/``updated``/``unchanged`` count the kind's main entity
    (products, orders, ...); ``entities`` has the counts of everything touched (variants, lines...)."""

    kind: str
    path: Path
    entity: str
    formats: list[str] = field(default_factory=list)
    files: int = 0
    rows: int = 0
    rejected: int = 0
    rejects_paths: list[Path] = field(default_factory=list)
    entities: dict[str, EntityCounts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def count(self, entity: str, outcome: str, n: int = 1) -> None:
        counts = self.entities.setdefault(entity, EntityCounts())
        setattr(counts, outcome, getattr(counts, outcome) + n)

    def _main(self, outcome: str) -> int:
        counts = self.entities.get(self.entity)
        return getattr(counts, outcome) if counts else 0

    @property
    def created(self) -> int:
        return self._main("created")

    @property
    def updated(self) -> int:
        return self._main("updated")

    @property
    def unchanged(self) -> int:
        return self._main("unchanged")

    @property
    def rejects_path(self) -> Path | None:
        return self.rejects_paths[0] if self.rejects_paths else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": str(self.path),
            "formats": self.formats,
            "files": self.files,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejects_path": str(self.rejects_path) if self.rejects_path else None,
            "entities": {name: vars(c).copy() for name, c in self.entities.items()},
            "warnings": self.warnings,
        }


@dataclass
class Unit(Generic[T]):
    """Rows accepted or rejected together, with their parsed record or their errors."""

    rows: list[SourceRow]
    record: T | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.record is not None


@dataclass
class Prepared(Generic[T]):
    """One validated input file."""

    path: Path
    fmt: str
    units: list[Unit[T]]
    table: Table | None = None  # None for documents, which have no rows to write back
    rows: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportOptions:
    mapping: dict[str, str] | None = None
    fmt: str | None = None
    root: Path | None = None  # the directory an import started from (knowledge source keys)


class Importer(ABC, Generic[T]):
    """One kind of import. Subclasses read and validate files, then write records."""

    kind: str = ""
    entity: str = ""
    suffixes: tuple[str, ...] = (".csv", ".tsv", ".json", ".jsonl", ".ndjson")

    @abstractmethod
    def prepare(self, path: Path, options: ImportOptions) -> Prepared[T]:
        """Read and validate one file. Must not touch the database."""

    @abstractmethod
    def write(
        self, session: Session, records: list[T], report: ImportReport, progress: ProgressFn | None
    ) -> None:
        """Upsert the valid records, counting each outcome in ``report``."""


def _reject_message(unit: Unit[Any], row: SourceRow) -> str:
    own = [e for e in unit.errors if e.row == row.number]
    if own:
        return "; ".join(f"{e.field}: {e.message}" for e in own)
    first = unit.errors[0]
    return f"rejected with row {first.row} ({first.field}: {first.message})"


def _label(errors: list[RowError], prefix: str) -> list[RowError]:
    return [RowError(e.row, f"{prefix}: {e.field}", e.message, e.value) for e in errors]


def input_files(importer: Importer[Any], path: Path) -> list[Path]:
    """The file itself, or every supported file under a directory (sorted, recursive)."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise InputError(f"{path}: no such file or directory", hint="check the path")
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in importer.suffixes
        and ".rejects." not in p.name
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not files:
        raise InputError(
            f"{path}: no {importer.kind} files in this directory",
            hint=f"supported file types: {', '.join(importer.suffixes)}",
        )
    return files


def run_import(
    db: Database,
    importer: Importer[Any],
    path: Path,
    options: ImportOptions,
    *,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    files = input_files(importer, path)
    is_dir = path.is_dir()
    options = ImportOptions(options.mapping, options.fmt, path if is_dir else path.parent)
    report = ImportReport(importer.kind, path, importer.entity, files=len(files))
    prepared = []
    for index, file in enumerate(files, start=1):
        if progress:
            progress("validating", index - 1, len(files))
        prepared.append(importer.prepare(file, options))
    errors: list[RowError] = []
    failed_files = [p for p in prepared if any(u.errors for u in p.units)]
    for p in prepared:
        report.rows += p.rows
        report.warnings.extend(p.warnings)
        if p.fmt not in report.formats:
            report.formats.append(p.fmt)
        for unit in p.units:
            if unit.errors:
                report.rejected += len(unit.rows)
                errors.extend(
                    _label(unit.errors, p.path.relative_to(path).as_posix())
                    if is_dir and len(failed_files) > 1
                    else unit.errors
                )
    if errors and not skip_invalid:
        raise ImportValidationError(str(failed_files[0].path if len(failed_files) == 1 else path), errors)

    with db.session() as session:
        records = [u.record for p in prepared for u in p.units if u.ok]
        importer.write(session, records, report, progress)
        for p in failed_files:  # inside the transaction: if the rejects cannot be written, nothing is
            _write_rejects(p, rejects_path, is_dir, report)
        session.flush()
    return report


def _write_rejects(p: Prepared[Any], rejects_path: Path | None, is_dir: bool, report: ImportReport) -> None:
    bad = [u for u in p.units if u.errors]
    if p.table is None:
        for unit in bad:
            report.warnings.append(f"skipped {p.path}: " + "; ".join(str(e) for e in unit.errors))
        return
    if rejects_path is None:
        target = default_rejects_path(p.path)
    elif is_dir:
        target = rejects_path / default_rejects_path(p.path).name
    else:
        target = rejects_path
    write_rejects(p.table, [(row, _reject_message(u, row)) for u in bad for row in u.rows], target)
    report.rejects_paths.append(target)


def same(old: Any, new: Any) -> bool:
    """Equality that ignores representation: Decimal('19.9') equals 19.90 from the database."""
    if isinstance(old, Decimal | int | float) and isinstance(new, Decimal | int | float):
        if isinstance(old, bool) or isinstance(new, bool):
            return old is new
        return Decimal(str(old)) == Decimal(str(new))
    return bool(old == new)


def apply_fields(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; returns whether anything changed (so ``updated_at`` moves
    only on a real change and a re-import reports ``unchanged``)."""
    changed = False
    for name, value in values.items():
        if not same(getattr(obj, name), value):
            setattr(obj, name, value)
            changed = True
    return changed


def chunked(items: Sequence[T] | Iterable[T], size: int = 500) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def duplicate_check(seen: dict[Any, int], key: Any, row: SourceRow, what: str) -> RowError | None:
    """An error when ``key`` already appeared on an earlier row of the same file."""
    if key in seen:
        return RowError(row.number, "(row)", f"duplicate {what}: same as row {seen[key]}")
    seen[key] = row.number
    return None


class RowImporter(Importer[T]):
    """An importer whose unit is one row (sales, inventory, customers, reviews).

    Subclasses declare ``aliases`` (canonical field -> header spellings), the ``required`` columns,
    and ``parse`` one row; ``key`` gives the natural key so that a file repeating a key is refused.
    """

    aliases: ClassVar[dict[str, tuple[str, ...]]] = {}
    required: tuple[str, ...] = ()
    what: str = "row"

    @abstractmethod
    def parse(self, p: RowParser) -> T | None:
        """The row's record (``None`` when ``p.errors`` says why not)."""

    def key(self, record: T) -> Hashable | None:
        return None

    def prepare(self, path: Path, options: ImportOptions) -> Prepared[T]:
        if options.fmt is not None:
            raise InputError(f"--format applies to product imports only, not {self.kind}")
        table = read_table(path)
        columns = resolve_columns(table, self.aliases, options.mapping, required=self.required)
        seen: dict[Any, int] = {}
        units: list[Unit[T]] = []
        for row in table.rows:
            p = RowParser(row, columns)
            record = self.parse(p)
            if not p.errors and record is not None and (key := self.key(record)) is not None:
                duplicate = duplicate_check(seen, key, row, self.what)
                if duplicate:
                    p.errors.append(duplicate)
            units.append(Unit([row], None if p.errors else record, p.errors))
        return Prepared(path, table.fmt, units, table, rows=len(table.rows))


def bulk_upsert(
    session: Session,
    model: type,
    keys: tuple[str, ...],
    rows: list[dict[str, Any]],
    report: ImportReport,
    entity: str,
    progress: ProgressFn | None = None,
) -> None:
    """Upsert plain rows by a natural key with set-based statements (sales files run to 10^5 rows).

    Existing rows are read in batches of the key's first column; only fields present in a row
    are compared and written, so columns a file lacks keep their stored values.
    """
    first = getattr(model, keys[0])
    rows = list({tuple(r[k] for k in keys): r for r in rows}.values())  # across files: the last one wins
    done = 0
    for batch in chunked(sorted({r[keys[0]] for r in rows}), 500):
        wanted = set(batch)
        batch_rows = [r for r in rows if r[keys[0]] in wanted]
        fields = sorted({name for r in batch_rows for name in r})
        existing = {
            tuple(getattr(e, k) for k in keys): e
            for e in session.execute(
                select(model.id, *(getattr(model, f) for f in fields)).where(first.in_(batch))
            )
        }
        inserts: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        updates: list[dict[str, Any]] = []
        for r in batch_rows:
            current = existing.get(tuple(r[k] for k in keys))
            if current is None:
                inserts.setdefault(tuple(sorted(r)), []).append(r)
                report.count(entity, "created")
            elif all(same(getattr(current, name), value) for name, value in r.items()):
                report.count(entity, "unchanged")
            else:
                updates.append({"id": current.id, **r})
                report.count(entity, "updated")
        for group in inserts.values():
            for part in chunked(group, 1000):
                session.execute(insert(model), part)
        for part in chunked(updates, 1000):
            session.execute(update(model), part)
        done += len(batch_rows)
        if progress:
            progress("writing", done, len(rows))
