"""Reading an evaluation JSONL file: every line validated before anything runs, errors that name
the file, the line and the field, and nothing evaluated when any line is bad."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from shopops.errors import InputError

MAX_LISTED = 20


class LineError(Exception):
    """One bad field of one line; raised by a line parser."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_Identified)


def read_jsonl(
    path: Path,
    parse: Callable[[Any, int], T],
    *,
    limit: int | None,
    noun: str,
    hint: str,
) -> list[T]:
    """``parse(obj, line_number)`` for every non-blank line (the first ``limit`` items); ids must be
    unique. One :class:`InputError` lists the bad lines as ``FILE:LINE: field 'NAME': problem``."""
    if not path.is_file():
        raise InputError(f"{path}: no such file", hint=f"pass the path of a JSONL file, one {noun} per line")
    items: list[T] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for number, raw in enumerate(handle, start=1):
            if limit is not None and len(items) >= limit:
                break
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                errors.append(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            try:
                item = parse(obj, number)
            except LineError as exc:
                errors.append(f"{path}:{number}: field '{exc.field}' {exc.message}")
                continue
            if item.id in seen:
                errors.append(f"{path}:{number}: field 'id' {item.id!r} repeats line {seen[item.id]}")
                continue
            seen[item.id] = number
            items.append(item)
    if errors:
        listed = "\n".join(f"  {e}" for e in errors[:MAX_LISTED])
        more = f"\n  ... and {len(errors) - MAX_LISTED} more" if len(errors) > MAX_LISTED else ""
        raise InputError(
            f"{len(errors)} invalid line(s) in {path}; nothing was evaluated.\n{listed}{more}", hint=hint
        )
    if not items:
        raise InputError(f"{path} has no {noun}s", hint=hint)
    return items
