"""Response plans for alerts: the numbers computed here, the words from the model, then checked.

:func:`plan_facts` turns an alert's evidence into named facts and the actions that fit it (a
stock-out risk gets a reorder of the computed quantity by a date, an overstock a promotion sized to
the excess, a sales decline a listing check with the shortfall, a review-aspect rise the counts
behind it). :func:`draft_plan` asks the model to word a short summary and one step per action under
a JSON schema, removes every sentence whose numbers or dates are not the facts'
(:mod:`shopops.forecast.plan_check`), words a step the model left out (or lost to the check) from
the code's own template, and stores the plan as a ``plan.response`` draft with the evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from shopops.context import AppContext
from shopops.copy.types import Flag
from shopops.forecast.plan_check import check_plan_text, numbers_in, remove_unsupported
from shopops.forecast.plan_facts import ActionName, PlanFacts, PlannedAction, fmt, plan_facts
from shopops.llm.base import Message
from shopops.store.models import ProductVariant
from shopops.structured import generate_with_result
from shopops.workflow.alerts import AlertView, get_alert
from shopops.workflow.drafts import add_ai_draft

PLAN_KIND = "plan.response"
AI_AUTHOR = "ai:plan.response"
__all__ = ["PLAN_KIND", "PlanDraft", "PlanFacts", "PlannedAction", "draft_plan", "plan_facts", "word_plan"]


class PlanStep(BaseModel):
    action: ActionName
    text: str = Field(min_length=1, max_length=300)


class PlanOutput(BaseModel):
    summary: str = Field(min_length=1, max_length=400)
    steps: list[PlanStep] = Field(min_length=1, max_length=5)


@dataclass(frozen=True)
class PlanDraft:
    alert_id: int
    facts: PlanFacts
    summary: str
    steps: list[tuple[str, str]]  # (action, text)
    text: str
    flags: list[Flag]
    removed: list[str]
    numbers_checked: int
    draft_id: int | None = None
    generation_id: int | None = None


def _messages(alert: AlertView, facts: PlanFacts) -> list[Message]:
    system = (
        "You write a short response plan for an e-commerce operations alert. Write a one-sentence "
        "summary and one step for each listed action, in that order, each step one or two sentences. "
        "Use only the numbers and dates given in the facts, written exactly as given (dates as "
        "YYYY-MM-DD). Do not invent other numbers, prices or dates."
    )
    user = (
        f"Alert: {alert.kind} ({alert.severity}) about {facts.sku}\n"
        f"Facts: {json.dumps({k: fmt(v) for k, v in facts.facts.items()}, ensure_ascii=False)}\n"
        f"Actions: {', '.join(a.action for a in facts.actions)}"
    )
    return [Message("system", system), Message("user", user)]


def _unsupported(problems: list[Any], where: str) -> list[Flag]:
    return [
        Flag(
            kind="unsupported",
            rule=f"plan.{p.kind}",
            claim=p.claim,
            message=f"{where}: {p.message}; removed",
            blocking=False,
        )
        for p in problems
    ]


def word_plan(ctx: AppContext, alert: AlertView, facts: PlanFacts, *, max_tokens: int = 400) -> PlanDraft:
    """The model's wording, every sentence with a number not in ``facts`` removed (see the module)."""
    generated = generate_with_result(
        ctx.llm, _messages(alert, facts), PlanOutput, task=PLAN_KIND, max_tokens=max_tokens
    )
    out = generated.output
    flags: list[Flag] = []
    removed: list[str] = []
    checked = numbers_in(out.summary, facts) + sum(numbers_in(s.text, facts) for s in out.steps)
    summary, problems = remove_unsupported(out.summary.strip(), facts)
    flags += _unsupported(problems, "summary")
    removed += sorted({p.sentence.strip() for p in problems})
    summary = summary or facts.render_summary()
    steps: list[tuple[str, str]] = []
    wanted = {a.action for a in facts.actions}
    for step in (s for s in out.steps if s.action not in wanted):
        message = f"the model added a '{step.action}' step the alert does not call for; removed"
        flags.append(
            Flag(
                kind="unsupported",
                rule="plan.action_not_planned",
                claim=step.action,
                message=message,
                blocking=False,
            )
        )
    for action in facts.actions:
        words = next((s.text for s in out.steps if s.action == action.action), "")
        text, problems = remove_unsupported(words.strip(), facts)
        flags += _unsupported(problems, action.action)
        removed += sorted({p.sentence.strip() for p in problems})
        steps.append((action.action, text or action.render(facts)))
    text = summary + "\n" + "\n".join(f"- {words}" for _, words in steps)
    left = check_plan_text(text, facts)
    if left:  # cannot happen with the templates; kept as a guard so no unchecked number is stored
        raise AssertionError(f"plan text failed its own check: {left}")
    return PlanDraft(
        alert.id, facts, summary, steps, text, flags, removed, checked, None, generated.result.generation_id
    )


def _terms(ctx: AppContext, sku: str) -> tuple[float | None, float | None]:
    with ctx.db.session() as session:
        row = session.execute(
            select(ProductVariant.price, ProductVariant.cost).where(ProductVariant.sku == sku)
        ).first()
    if row is None:
        return None, None
    price, cost = row
    return (float(price) if isinstance(price, Decimal | float | int) else None,
            float(cost) if isinstance(cost, Decimal | float | int) else None)  # fmt: skip


def draft_plan(ctx: AppContext, alert_id: int, *, actor: str, max_tokens: int = 400) -> PlanDraft:
    """Compute, word, check and store a response plan for one alert (a ``plan.response`` draft)."""
    alert = get_alert(ctx.db, alert_id)
    sku = alert.subject_id if alert.subject_type == "sku" else ""
    price, cost = _terms(ctx, sku) if sku else (None, None)
    facts = plan_facts(alert, price=price, cost=cost)
    plan = word_plan(ctx, alert, facts, max_tokens=max_tokens)
    with ctx.db.session() as session:
        row = add_ai_draft(
            session,
            kind=PLAN_KIND,
            subject_type="alert",
            subject_id=str(alert.id),
            content={
                "text": plan.text,
                "summary": plan.summary,
                "steps": [{"action": a, "text": t} for a, t in plan.steps],
                "facts": facts.facts,
                "alert": {
                    "id": alert.id,
                    "kind": alert.kind,
                    "severity": alert.severity,
                    "title": alert.title,
                },
                "sku": facts.sku,
                "evidence": alert.evidence,
            },
            checks={
                "flags": [f.model_dump() for f in plan.flags],
                "numbers_checked": plan.numbers_checked,
                "removed": plan.removed,
            },
            author=AI_AUTHOR,
            actor=actor,
            generation_id=plan.generation_id,
        )
        draft_id = row.id
    return PlanDraft(**{**plan.__dict__, "draft_id": draft_id})
