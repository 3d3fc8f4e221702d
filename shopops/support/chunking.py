"""Knowledge documents -> passages: the units retrieval ranks and replies cite.

A document is split at its ``#``/``##``/``###`` headings (headings inside fenced code blocks do not
count). An FAQ is stored as ``## question`` / answer sections, so each question with its answer is
one passage. A section longer than :data:`MAX_CHARS` is cut at paragraph, then line, then sentence
boundaries (English ``.!?`` followed by a space, Chinese ``。！？``), and only as a last resort
inside a sentence.

Every passage's text starts with its heading path ("Shipping policy › Tracking", or the FAQ
question), so BM25 and the embedding see what the section is about and a quoted passage is
self-contained. Passage ids are ``"<document key>#<position>"``, positions counting from 0 over the
passages of the document; ``KnowledgeChunk.position`` is the same number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from shopops.support.types import Passage

MAX_CHARS = 700  # a passage's text, heading line included (unless the heading alone is longer)
MIN_BODY_BUDGET = 200  # room left for the body even under a very long heading
HEADING_SEPARATOR = " › "
HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
BLANK_LINES = re.compile(r"\n[ \t]*\n+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'”’)\]])\s+|(?<=[。！？；])\s*")
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class DocumentText:
    """A knowledge document as chunking needs it (no database handle)."""

    key: str
    title: str
    content: str
    kind: str = "policy"  # policy|faq|guide|manual
    language: str = ""


@dataclass
class _Section:
    path: list[str]  # the headings above and of this section, outermost first
    lines: list[str]


def _sections(content: str) -> list[_Section]:
    """The content split at level 1-3 headings; text before the first heading has an empty path."""
    sections = [_Section([], [])]
    levels: list[tuple[int, str]] = []  # the open headings: (level, text)
    fenced = False
    for line in content.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if FENCE.match(line):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match is None:
            sections[-1].lines.append(line)
            continue
        level, text = len(match.group(1)), " ".join(match.group(2).split())
        levels = [(lv, t) for lv, t in levels if lv < level] + [(level, text)]
        sections.append(_Section([t for _, t in levels], []))
    return sections


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in BLANK_LINES.split(text) if p.strip()]


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n") if line.strip()]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]


def _words(text: str) -> list[str]:
    return text.split()


# How a piece too long for a passage is cut, coarsest first, and how its parts are joined again.
_LEVELS: tuple[tuple[Callable[[str], list[str]], str], ...] = (
    (_paragraphs, "\n\n"),
    (_lines, "\n"),
    (_sentences, " "),
    (_words, " "),
)


def _join(left: str, right: str, joiner: str) -> str:
    # Chinese sentences are written without a space between them.
    if joiner == " " and left and left[-1] in "。！？；":
        return left + right
    return left + joiner + right


def _split(text: str, budget: int, level: int = 0) -> list[str]:
    """``text`` as consecutive pieces of at most ``budget`` characters, cut as coarsely as possible."""
    text = text.strip()
    if len(text) <= budget:
        return [text] if text else []
    for depth in range(level, len(_LEVELS)):
        splitter, joiner = _LEVELS[depth]
        parts = splitter(text)
        if len(parts) < 2:
            continue
        pieces: list[str] = []
        for part in parts:
            for unit in _split(part, budget, depth + 1):
                if pieces and len(_join(pieces[-1], unit, joiner)) <= budget:
                    pieces[-1] = _join(pieces[-1], unit, joiner)
                else:
                    pieces.append(unit)
        return pieces
    # One unbroken run (a long URL, Chinese text without sentence ends): cut it.
    return [text[i : i + budget] for i in range(0, len(text), budget)]


def chunk_document(doc: DocumentText) -> list[Passage]:
    """The document's passages in reading order; sections without text produce none."""
    passages: list[Passage] = []
    for section in _sections(doc.content):
        body = "\n".join(section.lines).strip()
        if not body:
            continue
        heading = HEADING_SEPARATOR.join(section.path) if section.path else doc.title.strip()
        prefix = f"{heading}\n\n" if heading else ""
        budget = max(MAX_CHARS - len(prefix), MIN_BODY_BUDGET)
        for piece in _split(body, budget):
            passages.append(
                Passage(
                    id=f"{doc.key}#{len(passages)}",
                    document_key=doc.key,
                    title=doc.title,
                    heading=heading,
                    text=prefix + piece,
                    language=doc.language,
                    kind=doc.kind,
                )
            )
    return passages


def passages_from_text(
    text: str, key: str = "context", *, title: str = "", language: str = ""
) -> list[Passage]:
    """Passages of a bare context string (evaluation sets bring one per question)."""
    return chunk_document(DocumentText(key=key, title=title, content=text, language=language))


def searchable_text(passage: Passage) -> str:
    """What retrieval indexes: the passage text, with its heading in front when the text lacks it
    (passages made by :func:`chunk_document` already start with it)."""
    if passage.heading and not passage.text.startswith(passage.heading):
        return f"{passage.heading}\n\n{passage.text}"
    return passage.text
