"""The demo's customer-service step: reply drafts for the demo tickets nobody has handled yet.

The seeded tickets that are still open (a delivery question with its order, a product question)
go through the support pipeline against the demo store's policies, FAQ and orders, so the workspace
opens with AI reply drafts, their citations and any hand-off waiting for the demo agents. Tickets
that already have a reply draft or a hand-off are left alone (running the demo twice adds nothing).
"""

from __future__ import annotations

from sqlalchemy import exists, select

from shopops.context import AppContext
from shopops.store.models import Draft, Ticket
from shopops.support.service import SupportOutcome, draft_for_ticket
from shopops.workflow.replies import REPLY_KIND


def tickets_to_draft(ctx: AppContext) -> list[tuple[int, str]]:
    """(id, subject) of open demo tickets without a reply draft or a hand-off, oldest first."""
    has_draft = exists().where(
        Draft.kind == REPLY_KIND,
        Draft.subject_type == "ticket",
        Draft.subject_id == Ticket.id.cast(Draft.subject_id.type),
    )
    with ctx.db.session() as session:
        rows = session.execute(
            select(Ticket.id, Ticket.subject, Ticket.handoff)
            .where(Ticket.external_id.like("demo-%"), Ticket.status == "open", ~has_draft)
            .order_by(Ticket.id)
        )
        return [(row.id, row.subject) for row in rows if not row.handoff]


def draft_demo_tickets(ctx: AppContext) -> list[tuple[str, SupportOutcome]]:
    """Run the pipeline on each demo ticket that needs it; (subject, outcome) per ticket."""
    return [
        (subject, draft_for_ticket(ctx, ticket_id, actor="demo"))
        for ticket_id, subject in tickets_to_draft(ctx)
    ]
