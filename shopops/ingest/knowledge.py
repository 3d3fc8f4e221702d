"""Knowledge documents: store policies, guides and FAQs the support drafts are grounded in.

Accepted: Markdown (``.md``), text (``.txt``), HTML (``.html``; tags stripped to text, headings kept
as ``#`` lines) and two JSON shapes. A JSON FAQ is a list of ``{"question", "answer"}`` objects or an
object holding such a list (``{"questions": [...]}``); it is stored as one document of
``## question`` / answer sections, which retrieval can split at the headings. A JSON policy manual
(flows of subflows of agent instructions and actions, the ABCD guidelines shape) is converted to
Markdown by :mod:`shopops.ingest.policy_manual` and stored as a policy with format ``manual``.

Each file is one document keyed by its path relative to the import root (the directory given,
or the file's own directory), so re-importing a folder updates documents in place; the content
hash tells an unchanged document from a changed one. A file is accepted or rejected whole; with
``skip_invalid`` a bad file is skipped and named in the report's warnings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopops.errors import InputError, RowError
from shopops.ingest.base import (
    Importer,
    ImportOptions,
    ImportReport,
    Prepared,
    ProgressFn,
    Unit,
    apply_fields,
    chunked,
)
from shopops.ingest.policy_manual import is_policy_manual, policy_manual_markdown
from shopops.ingest.tables import SourceRow, load_json, read_text
from shopops.ingest.text import guess_language, html_to_text_and_title
from shopops.store.models import KnowledgeDocument

FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".json": "faq",
}
FAQ_LIST_KEYS = ("questions", "faq", "faqs", "items")
TITLE_MAX = KnowledgeDocument.__table__.c.title.type.length or 500
KEY_MAX = KnowledgeDocument.__table__.c.source_key.type.length or 500


@dataclass
class DocumentRecord:
    source_key: str
    fields: dict[str, Any]


def _pretty(stem: str) -> str:
    words = re.sub(r"[_\-]+", " ", stem).strip().capitalize().split(" ")
    return " ".join("FAQ" if w.lower() == "faq" else w for w in words)


def _kind(path: Path, fmt: str) -> str:
    name = path.name.lower()
    if fmt == "manual":
        return "manual"  # agents' procedures: retrieved for people, never quoted to customers
    if fmt == "faq" or "faq" in name:
        return "faq"
    return "guide" if "guide" in name or "how-to" in name else "policy"


def _faq(path: Path) -> tuple[str, str, list[RowError]]:
    """A JSON document as (Markdown content, format, errors): an FAQ (format ``faq``) or a policy
    manual (format ``manual``)."""
    data = load_json(path)
    if isinstance(data, dict):
        faq = next((data[k] for k in FAQ_LIST_KEYS if isinstance(data.get(k), list)), None)
        if faq is None and is_policy_manual(data):
            content, errors = policy_manual_markdown(data)
            return content, "manual", errors
        data = faq
    if not isinstance(data, list):
        raise InputError(
            f"{path}: not an FAQ or a policy manual",
            hint='write a list of {"question": ..., "answer": ...} objects, or {"questions": [that list]}; '
            'a policy manual is {"<flow>": {"description": ..., "subflows": {"<subflow>": '
            '{"instructions": [...], "actions": [{"button": ..., "text": ..., "subtext": [...]}]}}}}',
        )
    sections: list[str] = []
    errors: list[RowError] = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(number, "(item)", "not an object with a question and an answer"))
            continue
        item = {str(k).lower(): v for k, v in item.items()}
        for name in ("question", "answer"):
            if not isinstance(item.get(name), str) or not item[name].strip():
                errors.append(RowError(number, name, "required (a non-empty string)"))
        if not errors:
            sections.append(f"## {' '.join(item['question'].split())}\n\n{item['answer'].strip()}")
    return "\n\n".join(sections), "faq", errors


def read_document(path: Path, root: Path) -> Unit[DocumentRecord]:
    """One file as a document record (or the errors that reject it)."""
    fmt = FORMATS[path.suffix.lower()]
    key = path.relative_to(root).as_posix()
    row = SourceRow(1, {}, None)
    title = ""
    errors: list[RowError] = []
    if fmt == "faq":
        content, fmt, errors = _faq(path)
    elif fmt == "html":
        content, title = html_to_text_and_title(read_text(path))
    else:
        content = read_text(path).strip()
        if fmt == "markdown":
            heading = re.search(r"^#\s+(.+?)\s*#*\s*$", content, flags=re.MULTILINE)
            title = heading.group(1) if heading else ""
    if not errors and not content.strip():
        errors.append(RowError(1, "content", "the document has no text"))
    if len(key) > KEY_MAX:
        errors.append(RowError(1, "path", f"the path is longer than {KEY_MAX} characters"))
    if errors:
        return Unit([row], errors=errors)
    fields = {
        "title": (title or _pretty(path.stem))[:TITLE_MAX],
        "kind": _kind(path, fmt),
        "format": fmt,
        "content": content,
        "content_hash": hashlib.sha256(content.encode("utf-8")).hexdigest(),
        "language": guess_language(content[:5000]),
    }
    return Unit([row], DocumentRecord(key, fields))


class KnowledgeImporter(Importer[DocumentRecord]):
    kind = "knowledge"
    entity = "knowledge_documents"
    suffixes = tuple(FORMATS)

    def prepare(self, path: Path, options: ImportOptions) -> Prepared[DocumentRecord]:
        if options.fmt is not None or options.mapping:
            raise InputError("--format and --map apply to tabular imports, not knowledge documents")
        if path.suffix.lower() not in FORMATS:
            raise InputError(f"{path}: unsupported document type", hint=f"use one of: {', '.join(FORMATS)}")
        unit = read_document(path, options.root or path.parent)
        fmt = unit.record.fields["format"] if unit.record is not None else FORMATS[path.suffix.lower()]
        return Prepared(path, fmt, [unit], table=None, rows=1)

    def write(
        self,
        session: Session,
        records: list[DocumentRecord],
        report: ImportReport,
        progress: ProgressFn | None,
    ) -> None:
        for batch in chunked(records, 200):
            existing = {
                d.source_key: d
                for d in session.scalars(
                    select(KnowledgeDocument).where(
                        KnowledgeDocument.source_key.in_([r.source_key for r in batch])
                    )
                )
            }
            for record in batch:
                document = existing.get(record.source_key)
                if document is None:
                    session.add(KnowledgeDocument(source_key=record.source_key, **record.fields))
                    report.count(self.entity, "created")
                else:
                    report.count(
                        self.entity, "updated" if apply_fields(document, record.fields) else "unchanged"
                    )
        session.flush()
