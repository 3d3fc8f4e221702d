"""Response plans: numbers computed per alert kind, a checker that reads every number and date of
the model's text, repair of a plan whose wording invents numbers, and the draft in the queue."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from shopops.context import AppContext
from shopops.forecast.plan_check import check_plan_text, remove_unsupported
from shopops.forecast.plans import PLAN_KIND, draft_plan, plan_facts
from shopops.workflow.alerts import AlertCandidate, AlertView, raise_alerts
from shopops.workflow.drafts import get_draft

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
OUT_RISK: dict[str, Any] = {
    "sku": "MUG-1", "as_of": "2026-11-01", "on_hand": 12.0, "position": 12.0, "daily_demand": 5.73,
    "demand_over_lead_time": 80.2, "safety_stock": 9.4, "reorder_point": 89.6, "order_up_to": 170.3,
    "order_quantity": 160.0, "days_of_cover": 2.09, "weeks_of_supply": 0.3, "stockout_in_days": 2.09,
    "stockout_date": "2026-11-04", "overstock": False, "overstock_weeks_limit": 26.0, "aged_units": 0.0,
    "lead_time_days": 14.0, "service_level": 0.95, "skus": ["MUG-1"], "shortfall_over_lead_time": 68.2,
}  # fmt: skip
DECLINE: dict[str, Any] = {
    "skus": ["VASE"], "window_start": "2026-09-07", "window_end": "2026-10-26", "periods": 8,
    "breaches": 6, "min_breaches": 5, "level": 80, "first_breach": "2026-09-14", "actual_total": 20.0,
    "expected_total": 50.0, "lower_total": 30.0, "shortfall_pct": 60.0, "model": "auto_ets",
}  # fmt: skip


def view(kind: str, evidence: dict[str, Any], severity: str = "high", sku: str = "MUG-1") -> AlertView:
    return AlertView(
        id=7, kind=kind, severity=severity, subject_type="sku", subject_id=sku, title=f"{sku}: {kind}",
        evidence=evidence, status="open", detected_at=NOW, updated_at=NOW,
    )  # fmt: skip


def test_stock_out_facts_are_computed_from_the_evidence() -> None:
    facts = plan_facts(view("stock.out_risk", OUT_RISK))
    assert facts.facts["order_quantity"] == 160 and facts.facts["order_by_date"] == "2026-11-02"
    assert facts.facts["days_short"] == 12  # runs out on day 2.09 of a 14-day lead time
    assert facts.facts["units_at_risk"] == 69  # ceil(5.73 * 11.91)
    assert facts.facts["reorder_point"] == 90 and facts.facts["stockout_date"] == "2026-11-04"
    assert [a.action for a in facts.actions] == ["reorder", "contact_supplier", "pause_ads"]
    rendered = " ".join(a.render(facts) for a in facts.actions) + " " + facts.render_summary()
    assert "Order 160 units of MUG-1 by 2026-11-02" in rendered
    assert check_plan_text(rendered, facts) == []  # the code's own wording passes its check


def test_overstock_promotion_stays_under_half_the_margin_and_decline_counts_the_shortfall() -> None:
    evidence = {**OUT_RISK, "on_hand": 300.0, "position": 340.0, "weeks_of_supply": 60.0, "overstock": True}
    facts = plan_facts(view("stock.overstock", evidence), price=40.0, cost=30.0)
    assert facts.facts["excess_units"] == 170  # 300 * (1 - 26/60)
    assert facts.facts["weekly_demand"] == 5 and facts.facts["on_order"] == 40
    assert facts.facts["discount_pct"] == 12 and facts.facts["promotion_price"] == 35.2  # margin 25%
    assert [a.action for a in facts.actions] == ["promotion", "contact_supplier", "fix_listing"]
    decline = plan_facts(view("sales.decline", DECLINE, "medium", "VASE"))
    assert decline.facts["units_below"] == 30 and decline.facts["share_of_forecast_pct"] == 40
    assert decline.facts["breaches"] == 6 and decline.facts["first_breach_date"] == "2026-09-14"


def test_checker_flags_numbers_dates_and_shares_that_are_not_facts() -> None:
    facts = plan_facts(view("stock.out_risk", OUT_RISK))
    ok = "Order 160 units of MUG-1 by 2026-11-02. Cover is 2.1 days (2 days), lead time 14 days."
    assert check_plan_text(ok, facts) == []
    bad = "Order 200 units by 2026-11-09. Demand is up 15%. Stock lasts 2 days."
    problems = check_plan_text(bad, facts)
    assert {(p.kind, p.claim) for p in problems} == {
        ("unsupported_number", "200"),
        ("unsupported_date", "2026-11-09"),
        ("unsupported_percent", "15%"),
    }
    kept, removed = remove_unsupported(bad, facts)
    assert kept == "Stock lasts 2 days." and len(removed) == 3


def test_a_plan_with_invented_numbers_is_repaired_and_lands_in_the_queue(ctx: AppContext) -> None:
    (alert,) = raise_alerts(
        ctx.db,
        [AlertCandidate(kind="stock.out_risk", severity="high", subject_type="sku", subject_id="MUG-1",
                        title="MUG-1: stock runs out in 2 days", evidence=OUT_RISK, dedupe_key="k1")],
        actor="test",
    )  # fmt: skip
    ctx.llm.backend.add_script(  # type: ignore[attr-defined]
        json.dumps(
            {
                "summary": "MUG-1 runs out on 2026-11-04. Sales jumped 40% last week.",
                "steps": [
                    {"action": "reorder", "text": "Order 500 units today."},
                    {
                        "action": "contact_supplier",
                        "text": "Ask the supplier to expedite; we are 12 days short.",
                    },
                    {"action": "transfer", "text": "Move 30 units from the other warehouse."},
                ],
            }
        )
    )
    plan = draft_plan(ctx, alert.id, actor="lead@test.example")
    assert plan.summary == "MUG-1 runs out on 2026-11-04."
    steps = dict(plan.steps)
    assert steps["reorder"].startswith("Order 160 units of MUG-1 by 2026-11-02")  # the code's words
    assert steps["contact_supplier"] == "Ask the supplier to expedite; we are 12 days short."
    assert "pause_ads" in steps and "transfer" not in steps
    rules = sorted(f.rule for f in plan.flags)
    assert rules == ["plan.action_not_planned", "plan.unsupported_number", "plan.unsupported_percent"]
    assert check_plan_text(plan.text, plan.facts) == []
    draft = get_draft(ctx.db, plan.draft_id or 0)
    assert draft.kind == PLAN_KIND and draft.status == "draft" and draft.subject_type == "alert"
    assert draft.subject_id == str(alert.id) and draft.content["text"] == plan.text
    assert draft.content["evidence"]["order_quantity"] == 160 and draft.content["facts"]["days_short"] == 12
    assert len(draft.flags) == 3 and not draft.blocking_flags


def test_unknown_alert_is_a_clear_error(ctx: AppContext) -> None:
    from shopops.errors import NotFoundError

    with pytest.raises(NotFoundError):
        draft_plan(ctx, 999, actor="test")
