"""Column resolution and per-row field parsing with row/field error collection.

Every importer names its fields canonically (``price``, ``sku``...) and lists the headers real
exports use for each (``Variant Price``, ``Price``...). :func:`resolve_columns` finds them in a
file's header (case, spaces, dashes and underscores do not matter) and applies the user's mapping
(``{"title": "product_name"}``: canonical field = the file's column). :class:`RowParser` then reads
one row: each accessor returns ``None`` for an empty value and records a :class:`RowError` that
names the column *as the file spells it* when a value is missing or malformed, so one pass over a
row reports every problem in it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from shopops.errors import InputError, RowError
from shopops.ingest.tables import SourceRow, Table

MONEY_MAX = Decimal("9999999999.99")  # Numeric(12, 2)
_TRUE = {"true", "t", "yes", "y", "1", "on", "published", "active"}
_FALSE = {"false", "f", "no", "n", "0", "off", "-1", "unpublished"}


def norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().lower())


def resolve_columns(
    table: Table,
    aliases: Mapping[str, Iterable[str]],
    mapping: Mapping[str, str] | None = None,
    *,
    required: Iterable[str] = (),
    open_prefixes: tuple[str, ...] = (),
) -> dict[str, str | None]:
    """Map each canonical field to the header that holds it (``None`` when the file lacks it).

    ``mapping`` entries win over aliases. Targets starting with one of ``open_prefixes`` (e.g.
    ``attributes.``) are accepted as free-form fields.
    """
    by_norm = {norm(h): h for h in table.headers}
    columns: dict[str, str | None] = {}
    for name, names in aliases.items():
        columns[name] = next((by_norm[norm(a)] for a in (name, *names) if norm(a) in by_norm), None)
    for target, source in (mapping or {}).items():
        target = target.strip()
        if target not in aliases and not target.startswith(open_prefixes):
            raise InputError(
                f"{table.path}: cannot map to '{target}': not a field of this import",
                hint="map one of: "
                + ", ".join(sorted(aliases))
                + ("" if not open_prefixes else f", or {open_prefixes[0]}NAME"),
            )
        header = by_norm.get(norm(source))
        if header is None:
            raise InputError(
                f"{table.path}: the mapping {target}={source} names a column the file does not have",
                hint="the file's columns are: " + ", ".join(table.headers),
            )
        columns[target] = header
    claimed = {(mapping or {}).get(name) and columns[name] for name in (mapping or {})}
    for name, header in columns.items():  # a column the user mapped elsewhere is not also matched by name
        if header in claimed and name not in (mapping or {}):
            columns[name] = None
    missing = [name for name in required if columns.get(name) is None]
    if missing:
        raise InputError(
            f"{table.path}: no column for {', '.join(repr(m) for m in missing)}",
            hint="add the column, or map one of the file's columns to it, e.g. "
            f"--map {missing[0]}=COLUMN (the file's columns are: {', '.join(table.headers)})",
        )
    return columns


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _clean_number(text: str) -> str:
    if _PLAIN_NUMBER.fullmatch(text):  # the common case, kept fast for files of 10^5 rows
        return text
    text = "".join(c for c in text if unicodedata.category(c) != "Sc" and not c.isspace())
    text = re.sub(r"^[A-Za-z]{3}(?=[\d.,+-])|(?<=[\d.])[A-Za-z]{3}$", "", text)  # "USD 12", "12EUR"
    if "," in text and "." in text:
        text = (
            text.replace(",", "")
            if text.rfind(".") > text.rfind(",")
            else text.replace(".", "").replace(",", ".")
        )
    elif "," in text:
        text = (
            text.replace(",", "")
            if re.fullmatch(r"[+-]?\d{1,3}(,\d{2,3})*,\d{3}", text)
            else text.replace(",", ".")
        )
    return text


def parse_decimal(text: str) -> Decimal:
    """``"₹1,099"`` -> 1099, ``"₹1,39,900"`` (Indian grouping) -> 139900, ``"19,99 €"`` -> 19.99,
    ``"$1,234.50"`` -> 1234.50. A lone comma followed by three digits is a thousands separator."""
    try:
        value = Decimal(_clean_number(text))
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite():
        raise ValueError("not a number")
    return value


def parse_money(text: str) -> Decimal:
    value = parse_decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if abs(value) > MONEY_MAX:
        raise ValueError(f"too large (at most {MONEY_MAX})")
    return value


def parse_int(text: str) -> int:
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValueError("not a whole number")
    if abs(value) > 2**31 - 1:
        raise ValueError("too large")
    return int(value)


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("not true/false (use true, false, yes, no, 1 or 0)")


def parse_datetime(text: str) -> dt.datetime:
    """ISO 8601 (``2024-05-01``, ``2024-05-01T13:45:00Z``) or Shopify's ``2024-05-01 13:45:00 -0400``.

    Times with an offset are converted to UTC; the store keeps naive UTC datetimes.
    """
    text = text.strip()
    value: dt.datetime | None = None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("/", "-"))
    except ValueError:
        for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%dT%H:%M:%S.%f%z"):
            try:
                value = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is None:
        raise ValueError("not a date/time (use ISO 8601, e.g. 2024-05-01 or 2024-05-01T13:45:00Z)")
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        pass
    try:
        return parse_datetime(text).date()
    except ValueError:
        raise ValueError("not a date (use YYYY-MM-DD, e.g. 2024-05-01)") from None


class RowParser:
    """Reads typed values from one row, collecting every problem as a :class:`RowError`."""

    def __init__(self, row: SourceRow, columns: Mapping[str, str | None]) -> None:
        self.row = row
        self.columns = columns
        self.errors: list[RowError] = []
        if row.extra_values:
            self.errors.append(
                RowError(
                    row.number,
                    "(row)",
                    f"{row.extra_values} value(s) beyond the last column; check the quoting of this row",
                )
            )

    def label(self, name: str) -> str:
        return self.columns.get(name) or name

    def has(self, name: str) -> bool:
        """Whether the file has a column for ``name`` (absent columns leave stored values alone)."""
        return self.columns.get(name) is not None

    def raw(self, name: str) -> str:
        return self.row.get(self.columns.get(name)).strip()

    def error(self, name: str, message: str, value: str | None = None) -> None:
        self.errors.append(RowError(self.row.number, self.label(name), message, value))

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str | None:
        value = self.raw(name)
        if not value:
            if required:
                self.error(name, "required")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(name, f"longer than {max_length} characters ({len(value)})", value)
            return None
        return value

    def _typed(self, name: str, parse, required: bool):  # type: ignore[no-untyped-def]
        value = self.raw(name)
        if not value:
            if required:
                self.error(name, "required")
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.error(name, str(exc), value)
            return None

    def money(
        self, name: str, *, required: bool = False, minimum: Decimal | None = Decimal(0)
    ) -> Decimal | None:
        value: Decimal | None = self._typed(name, parse_money, required)
        if value is not None and minimum is not None and value < minimum:
            self.error(name, f"must be at least {minimum}", self.raw(name))
            return None
        return value

    def integer(self, name: str, *, required: bool = False, minimum: int | None = None) -> int | None:
        value: int | None = self._typed(name, parse_int, required)
        if value is not None and minimum is not None and value < minimum:
            self.error(name, f"must be at least {minimum}", self.raw(name))
            return None
        return value

    def number(self, name: str, *, required: bool = False, minimum: float | None = None) -> float | None:
        value: Decimal | None = self._typed(name, parse_decimal, required)
        if value is None:
            return None
        if minimum is not None and value < minimum:
            self.error(name, f"must be at least {minimum}", self.raw(name))
            return None
        return float(value)

    def boolean(self, name: str, *, required: bool = False) -> bool | None:
        return self._typed(name, parse_bool, required)  # type: ignore[no-any-return]

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        return self._typed(name, parse_date, required)  # type: ignore[no-any-return]

    def datetime(self, name: str, *, required: bool = False) -> dt.datetime | None:
        return self._typed(name, parse_datetime, required)  # type: ignore[no-any-return]

    def choice(self, name: str, allowed: Mapping[str, str], *, required: bool = False) -> str | None:
        """A value from a closed set; ``allowed`` maps accepted spellings (lowercase) to stored values."""
        value = self.raw(name)
        if not value:
            if required:
                self.error(name, "required")
            return None
        key = norm(value)
        for spelling, stored in allowed.items():
            if norm(spelling) == key:
                return stored
        choices = ", ".join(sorted(set(allowed.values())))
        self.error(name, f"not one of: {choices}", value)
        return None

    def code(self, name: str, length: int) -> str | None:
        """An upper-case code of exactly ``length`` letters (ISO currency or country)."""
        value = self.raw(name)
        if not value:
            return None
        if len(value) != length or not value.isalpha():
            self.error(name, f"must be a {length}-letter code (e.g. {'USD' if length == 3 else 'US'})", value)
            return None
        return value.upper()

    def email(self, name: str) -> str | None:
        value = self.raw(name)
        if not value:
            return None
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) or len(value) > 320:
            self.error(name, "not an email address", value)
            return None
        return value.lower()


def split_list(text: str | None, sep: str = ",") -> list[str]:
    """``"a, b,,a"`` -> ``["a", "b"]``: trimmed, empty and repeated items dropped, order kept."""
    if not text:
        return []
    return list(dict.fromkeys(part.strip() for part in text.split(sep) if part.strip()))
