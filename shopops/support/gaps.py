"""Gap mining: questions escalated for lack of knowledge, grouped into suggested FAQ entries.

Each escalated ticket whose hand-off says the knowledge base did not answer (``no_knowledge`` or
``low_confidence``) contributes its first customer question. Questions are grouped greedily by
embedding similarity (and shared content words, which keeps groups honest when cosines of unrelated
texts are high, as with e5); a group becomes a suggested entry: a representative question, how many
customers asked, the tickets, and — when a person answered one of them — that answer as the
suggested text. A merchant adds the entry to the knowledge base; nothing is added automatically.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select

from shopops.embed.base import EmbeddingBackend
from shopops.store.db import Database
from shopops.store.models import Draft, Ticket, TicketMessage
from shopops.support.tokens import content_tokens
from shopops.workflow.replies import REPLY_KIND

GAP_REASONS = ("no_knowledge", "low_confidence")
# Same-question cosines per embedding model (e5 puts unrelated texts at ~0.8).
SIMILAR: dict[str, float] = {"multilingual-e5-small-q4": 0.90}
DEFAULT_SIMILAR = 0.6
MIN_SHARED_WORDS = 1


class FaqSuggestion(BaseModel):
    question: str  # the most central question of the group
    count: int  # customers (tickets) who asked it
    ticket_ids: list[int]
    examples: list[str] = Field(default_factory=list)  # up to five wordings
    suggested_answer: str = ""  # a person's approved answer to one of these tickets, if any
    language: str = ""


def _escalated_questions(db: Database, limit: int) -> list[tuple[int, str, str, str]]:
    """(ticket id, first customer message, language, an approved human answer or "")."""
    with db.session() as session:
        tickets = session.scalars(
            select(Ticket)
            .where(Ticket.status.in_(("escalated", "answered", "closed")))
            .order_by(Ticket.id.desc())
        )
        chosen = [t for t in tickets if (t.handoff or {}).get("reason") in GAP_REASONS][:limit]
        ids = [t.id for t in chosen]
        first: dict[int, str] = {}
        for row in session.execute(
            select(TicketMessage.ticket_id, TicketMessage.body)
            .where(TicketMessage.ticket_id.in_(ids), TicketMessage.role == "customer")
            .order_by(TicketMessage.id)
        ):
            first.setdefault(row.ticket_id, row.body)
        answers: dict[int, str] = {}
        for draft in session.scalars(
            select(Draft).where(
                Draft.kind == REPLY_KIND,
                Draft.status == "approved",
                Draft.subject_id.in_([str(i) for i in ids]),
                ~Draft.author.startswith("ai:"),
            )
        ):
            answers.setdefault(int(draft.subject_id), str(draft.content.get("text") or ""))
        return [(t.id, first.get(t.id, t.subject), t.language, answers.get(t.id, "")) for t in chosen]


def suggest_faq_entries(
    db: Database, embedder: EmbeddingBackend, *, min_count: int = 2, limit: int = 500
) -> list[FaqSuggestion]:
    """Suggested FAQ entries, most-asked first; groups smaller than ``min_count`` are left out."""
    rows = _escalated_questions(db, limit)
    if not rows:
        return []
    questions = [question for _, question, _, _ in rows]
    vectors = embedder.embed_queries(questions)
    words = [content_tokens(q) for q in questions]
    threshold = SIMILAR.get(embedder.model, DEFAULT_SIMILAR)
    groups: list[list[int]] = []
    for i in range(len(rows)):
        for group in groups:
            lead = group[0]
            if (
                float(vectors[i] @ vectors[lead]) >= threshold
                and len(words[i] & words[lead]) >= MIN_SHARED_WORDS
            ):
                group.append(i)
                break
        else:
            groups.append([i])
    suggestions = []
    for group in groups:
        if len(group) < min_count:
            continue
        centre = vectors[group].mean(axis=0)
        best = group[int(np.argmax(vectors[group] @ centre))]
        answer = next((rows[i][3] for i in group if rows[i][3]), "")
        suggestions.append(
            FaqSuggestion(
                question=" ".join(questions[best].split())[:300],
                count=len(group),
                ticket_ids=sorted(rows[i][0] for i in group),
                examples=[" ".join(questions[i].split())[:200] for i in group[:5]],
                suggested_answer=answer,
                language=rows[best][2],
            )
        )
    return sorted(suggestions, key=lambda s: (-s.count, s.question))
