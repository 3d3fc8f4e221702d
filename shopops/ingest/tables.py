"""Reading tabular input (CSV, TSV, JSON, JSONL) into rows, and writing rejected rows back out.

Row numbers follow what the merchant sees: in CSV the header is row 1 and the first data row is
row 2, as in a spreadsheet (a value with a quoted newline is still one row). In JSONL a row's number
is its line number; in a JSON array it is the item's position (1-based).

CSV is decoded as UTF-8 (a byte-order mark is dropped; UTF-16 with a BOM, as Excel's "Unicode
text" writes it, is accepted too). The delimiter is taken from the header line (comma, semicolon or
tab). A file that is not valid UTF-8 is refused with the file name, the line and how to fix it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopops.errors import InputError

TABULAR_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
csv.field_size_limit(2**31 - 1)  # product descriptions and review bodies can exceed csv's 128 KiB default


@dataclass
class SourceRow:
    """One input row: its number as the merchant counts it, its values by header, and the raw row."""

    number: int
    values: dict[str, str]
    raw: Any
    extra_values: int = 0  # values beyond the header's columns (a CSV quoting mistake, usually)

    def get(self, column: str | None) -> str:
        if column is None:
            return ""
        return self.values.get(column, "")

    def is_blank(self) -> bool:
        return not any(v.strip() for v in self.values.values())


@dataclass
class Table:
    path: Path
    fmt: str  # csv | json | jsonl
    headers: list[str]
    rows: list[SourceRow] = field(default_factory=list)
    delimiter: str = ","
    json_key: str | None = None  # the key of the list inside a JSON object, if the file had one


def file_format(path: Path) -> str:
    fmt = TABULAR_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: unsupported file type '{path.suffix or '(none)'}'",
            hint="use a .csv, .tsv, .json or .jsonl file",
        )
    return fmt


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: not valid UTF-8 text (line {line}, byte {exc.start}: "
            f"{data[exc.start : exc.start + 4]!r})",
            hint="save the file as 'CSV UTF-8' (Excel) or convert it, e.g. "
            f"`iconv -f GBK -t UTF-8 {path.name} > {path.stem}.utf8{path.suffix}`",
        ) from exc


def read_text(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"{path}: no such file", hint="check the path")
    text = _decode(path, path.read_bytes())
    if not text.strip():
        raise InputError(f"{path}: the file is empty", hint="export the data again; the file has no header")
    return text


def _sniff_delimiter(path: Path, first_line: str) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path) -> Table:
    text = read_text(path)
    delimiter = _sniff_delimiter(path, text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"{path}: cannot read the header line: {exc}") from exc
    headers = [h.strip() for h in header]
    seen: set[str] = set()
    for name in headers:
        if name and name in seen:
            raise InputError(f"{path}: the column '{name}' appears twice in the header", hint="rename one")
        seen.add(name)
    table = Table(path, "csv", headers, delimiter=delimiter)
    number = 1
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(
                f"{path}: malformed CSV after row {number}: {exc}",
                hint="check the quoting of that row (a quote inside a value must be doubled)",
            ) from exc
        number += 1
        values = {h: (raw[i] if i < len(raw) else "") for i, h in enumerate(headers) if h}
        extra = sum(1 for v in raw[len(headers) :] if v.strip())
        row = SourceRow(number, values, raw, extra)
        if not row.is_blank() or extra:
            table.rows.append(row)
    return table


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(_scalar(v) for v in value)
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False)


def _json_row(path: Path, number: int, item: Any) -> SourceRow:
    if not isinstance(item, dict):
        raise InputError(
            f"{path}: row {number} is {type(item).__name__}, not an object",
            hint='each row must be a JSON object such as {"sku": "A1", "units": 3}',
        )
    return SourceRow(number, {str(k).strip(): _scalar(v) for k, v in item.items()}, item)


def _headers_of(rows: list[SourceRow]) -> list[str]:
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(row.values))
    return list(headers)


def read_jsonl(path: Path) -> Table:
    rows: list[SourceRow] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: line {number} is not valid JSON: {exc.msg} (column {exc.colno})"
            ) from exc
        rows.append(_json_row(path, number, item))
    return Table(path, "jsonl", _headers_of(rows), rows)


def load_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc


def read_json(path: Path) -> Table:
    """A JSON array of objects, or an object holding exactly one such array (``{"orders": [...]}``)."""
    data = load_json(path)
    key = None
    if isinstance(data, dict):
        lists = [k for k, v in data.items() if isinstance(v, list)]
        if len(lists) != 1:
            raise InputError(
                f"{path}: expected a JSON array of objects, or an object with one array in it",
                hint='write the rows as [{...}, {...}] or {"rows": [{...}]}',
            )
        key = lists[0]
        data = data[key]
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON array of objects")
    rows = [_json_row(path, number, item) for number, item in enumerate(data, start=1)]
    return Table(path, "json", _headers_of(rows), rows, json_key=key)


def read_table(path: Path) -> Table:
    fmt = file_format(path)
    return {"csv": read_csv, "json": read_json, "jsonl": read_jsonl}[fmt](path)


def default_rejects_path(path: Path) -> Path:
    """``orders.csv`` -> ``orders.rejects.csv`` beside it."""
    return path.with_name(f"{path.stem}.rejects{path.suffix}")


def write_rejects(table: Table, rejected: list[tuple[SourceRow, str]], target: Path) -> None:
    """Rejected rows in the input's own format, with an ``error`` column saying why."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if table.fmt == "csv":
            with target.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, delimiter=table.delimiter)
                writer.writerow([*table.headers, "error"])
                for row, error in rejected:
                    raw = list(row.raw) + [""] * (len(table.headers) - len(row.raw))
                    writer.writerow([*raw[: len(table.headers)], error])
            return
        items = [{**row.raw, "error": error} for row, error in rejected]
        if table.fmt == "jsonl":
            text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        else:
            payload: Any = {table.json_key: items} if table.json_key else items
            text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot write the rejected rows to {target}: {exc.strerror}",
            hint="pass --rejects PATH (rejects_path=...) somewhere writable",
        ) from exc
