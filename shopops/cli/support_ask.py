"""``shopops support ask`` and ``shopops support gaps``: thin over shopops.support.

``ask`` runs a question through the pipeline against this store's knowledge base and orders and
prints the draft (or the hand-off); ``--save`` records it as a ticket, as the API does.
"""

from __future__ import annotations

import json

import typer
from rich.markup import escape

from shopops.cli.common import console, get_ctx
from shopops.cli.drafts_cmd import default_actor
from shopops.support.gaps import suggest_faq_entries
from shopops.support.orders import OrderLookup, lookup_order
from shopops.support.pipeline import SupportRequest, draft_reply
from shopops.support.service import IncomingMessage, handle_message, knowledge_index, support_config
from shopops.support.types import SupportDraft


def _print(draft: SupportDraft, ticket_id: int | None = None) -> None:
    where = f" · ticket #{ticket_id}" if ticket_id else ""
    colour = "green" if draft.decision == "answer" else "yellow"
    triage = draft.triage
    console.print(
        f"[bold {colour}]{draft.decision}[/] · confidence {draft.confidence:.2f} · intent {triage.intent} · "
        f"{triage.language or '?'} · {triage.sentiment}/{triage.urgency}{where}",
        highlight=False,
    )
    console.print(escape(draft.text))
    for citation in draft.citations:
        console.print(
            f"  [dim]cited[/] {escape(citation.passage_id)} — {escape(citation.title)}", highlight=False
        )
    if draft.policy is not None:
        verdict = "allowed" if draft.policy.allowed else "not allowed"
        console.print(f"  [dim]policy[/] {draft.policy.topic} {verdict}: {escape(draft.policy.explanation)}")
    for flag in draft.checks:
        console.print(f"  [red]check[/] {flag.code}: {escape(flag.message)}", highlight=False)
    handoff = draft.handoff
    if handoff is not None:
        console.print(f"[bold]hand-off[/] {handoff.reason}: {escape(handoff.detail)}")
        console.print(f"  summary: {escape(handoff.summary)}")
        for step in handoff.tried:
            console.print(f"  tried: {escape(step)}", highlight=False)
        console.print(f"  next step: {escape(handoff.next_step)}")


def ask(
    typer_ctx: typer.Context,
    question: str = typer.Argument(..., help="the customer's message"),
    order: str | None = typer.Option(None, "--order", help="the conversation's order number"),
    email: str | None = typer.Option(None, "--email", help="the customer's email (their orders only)"),
    save: bool = typer.Option(False, "--save", help="record it as a ticket (draft or escalation)"),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
    actor: str | None = typer.Option(None, "--as", help="who is acting (with --save)"),
) -> None:
    """Draft a reply to a customer question from the knowledge base and the order data."""
    ctx = get_ctx(typer_ctx)
    if save:
        outcome = handle_message(
            ctx,
            IncomingMessage(text=question, customer_email=email, order_number=order, channel="cli"),
            actor=default_actor(actor),
        )
        if as_json:
            console.print_json(outcome.model_dump_json())
            return
        draft = SupportDraft(
            decision=outcome.decision,
            text=outcome.text,
            confidence=outcome.confidence,
            citations=outcome.citations,
            handoff=outcome.handoff,
            triage=outcome.triage,
            checks=outcome.checks,
        )
        _print(draft, outcome.ticket_id)
        return

    def order_tool(number: str) -> OrderLookup:
        return lookup_order(ctx.db, number, customer_id=None, customer_email=email)

    request = SupportRequest(message=question, order_number=order, order_tool=order_tool)
    with console.status("drafting…"):
        draft = draft_reply(request, index=knowledge_index(ctx), llm=ctx.llm, config=support_config(ctx))
    if as_json:
        print(json.dumps(draft.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        _print(draft)


def gaps(
    typer_ctx: typer.Context,
    min_count: int = typer.Option(2, "--min-count", min=1, help="leave out questions asked fewer times"),
    as_json: bool = typer.Option(False, "--json", help="print the suggestions as JSON"),
) -> None:
    """Suggested FAQ entries: questions people had to answer because the knowledge base could not."""
    ctx = get_ctx(typer_ctx)
    suggestions = suggest_faq_entries(ctx.db, ctx.embedder, min_count=min_count)
    if as_json:
        print(json.dumps([s.model_dump() for s in suggestions], indent=2, ensure_ascii=False))
        return
    if not suggestions:
        console.print(f"no question was escalated for lack of knowledge at least {min_count} time(s)")
        return
    for s in suggestions:
        console.print(
            f"[bold]{s.count}×[/] {escape(s.question)}  [dim]tickets {s.ticket_ids}[/]", highlight=False
        )
        if s.suggested_answer:
            console.print(f"    answered by a person: {escape(s.suggested_answer[:200])}")
