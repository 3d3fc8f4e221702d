"""Reading and validating evaluation JSONL files, line by line, with errors that name the line.

A line of a copy evaluation file is one JSON object::

    {"id": "B07JW9H4J1", "title": "...", "category": "USBCables", "price": 399, "list_price": 1099,
     "attributes": {"colour": "grey"}, "description": "...", "reference": "human-written copy"}

Only ``id`` is required, plus at least one of ``title``, ``description`` or ``attributes`` to
write from. ``price`` and ``list_price`` may be numbers or price strings ("₹1,099", "19.99 USD").
``currency`` is read when present; other keys are ignored, so catalogs with more columns load.
A line without ``reference`` is still generated and checked but is left out of ROUGE-L and BLEU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shopops.evals.jsonl import LineError, read_jsonl

RECORD_FIELDS = ("id", "title", "category", "price", "list_price", "attributes", "description")
TEXT_FIELDS = ("title", "category", "description")
HINT = (
    "each line must be one JSON object with an 'id' and at least one of 'title', 'description' or "
    "'attributes'; see docs/evaluation.md"
)


@dataclass(frozen=True)
class EvalItem:
    """One product of an evaluation file. ``record`` has the keys of a product record
    (:data:`RECORD_FIELDS`, plus ``currency`` when the line has one); ``line`` is 1-based."""

    id: str
    line: int
    record: dict[str, Any]
    reference: str | None = None


def _price(value: Any, field: str) -> Any:
    """Check a price (a number or a price string such as "₹1,099"); return it unchanged, so the
    facts mapping still sees its currency symbol. ``None`` for null or an empty string."""
    from shopops.copy.facts import parse_price

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise LineError(field, f"must be a number or a price string, got {type(value).__name__}")
    number, _ = parse_price(value)
    if number is None:
        raise LineError(field, f"is not a price: {str(value)[:40]!r}")
    if not math.isfinite(number) or number < 0:
        raise LineError(field, f"must be a non-negative finite number, got {value!r}")
    return value


def _text(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LineError(name, f"must be a string, got {type(value).__name__}")
    return value.strip()


def _attributes(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LineError("attributes", f"must be an object of name: value, got {type(value).__name__}")
    out: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            out[str(key)] = "yes" if item else "no"
        elif isinstance(item, str | int | float):
            out[str(key)] = str(item).strip()
        elif isinstance(item, list) and all(isinstance(v, str | int | float) for v in item):
            out[str(key)] = ", ".join(str(v) for v in item)
        elif item is not None:
            raise LineError(f"attributes.{key}", "must be a string, number or list of them")
    return {k: v for k, v in out.items() if v}


def _reference(value: Any) -> str | None:
    """The reference text; a list of strings (bullet points) is joined into one text."""
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = " ".join(v.strip() for v in value if v.strip())
    if not isinstance(value, str):
        raise LineError("reference", f"must be a string or a list of strings, got {type(value).__name__}")
    return value.strip() or None


def parse_line(obj: Any, line: int) -> EvalItem:
    """Validate one decoded line; raise ``LineError`` naming the first bad field."""
    if not isinstance(obj, dict):
        raise LineError("(line)", f"must be a JSON object, got {type(obj).__name__}")
    raw_id = obj.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        raise LineError("id", "is required (a non-empty string or integer)")
    item_id = str(raw_id).strip()
    record: dict[str, Any] = {"id": item_id}
    for name in TEXT_FIELDS:
        record[name] = _text(obj, name)
    record["price"] = _price(obj.get("price"), "price")
    record["list_price"] = _price(obj.get("list_price"), "list_price")
    record["attributes"] = _attributes(obj.get("attributes"))
    if not (record["title"] or record["description"] or record["attributes"]):
        raise LineError(
            "title", "is missing, and so are 'description' and 'attributes': nothing to write from"
        )
    if obj.get("currency") is not None:
        record["currency"] = _text(obj, "currency")
    return EvalItem(item_id, line, record, _reference(obj.get("reference")))


def read_eval_file(path: Path, *, limit: int | None = None) -> list[EvalItem]:
    """Every item of a JSONL evaluation file (the first ``limit`` when given).

    All lines are checked before anything runs; one :class:`InputError` lists every bad line as
    ``FILE:LINE: field 'NAME': problem`` (the first 20). Blank lines are skipped.
    """
    return read_jsonl(path, parse_line, limit=limit, noun="product", hint=HINT)
