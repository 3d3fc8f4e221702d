"""Response plans with the real packaged 0.5B model: every number and date in the stored plan is
one of the facts computed in code (the acceptance test of issue 8's plans).

The model's wording may be kept or replaced sentence by sentence; what must hold is that nothing
it invented reaches the draft. What it wrote and what the checker removed are printed for the log."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopops.config import Settings, default_data_dir
from shopops.context import AppContext
from shopops.forecast.plan_check import check_plan_text, readings
from shopops.forecast.plans import PLAN_KIND, draft_plan
from shopops.llm.local import LocalLLM
from shopops.llm.logging import LoggedLLM
from shopops.llm.model_files import MODELS, missing_parts
from shopops.workflow.alerts import AlertCandidate, raise_alerts
from shopops.workflow.drafts import get_draft

pytestmark = pytest.mark.integration
SPEC = MODELS["qwen2.5-coder-0.5b"]
EVIDENCE = {
    "sku": "MUG-1", "as_of": "2026-11-01", "on_hand": 12.0, "position": 12.0, "daily_demand": 5.73,
    "demand_over_lead_time": 80.2, "safety_stock": 9.4, "reorder_point": 89.6, "order_up_to": 170.3,
    "order_quantity": 160.0, "days_of_cover": 2.09, "weeks_of_supply": 0.3, "stockout_in_days": 2.09,
    "stockout_date": "2026-11-04", "overstock": False, "overstock_weeks_limit": 26.0, "aged_units": 0.0,
    "lead_time_days": 14.0, "service_level": 0.95, "skus": ["MUG-1"],
}  # fmt: skip
DECLINE = {
    "skus": ["VASE"], "window_start": "2026-09-07", "window_end": "2026-10-26", "periods": 8,
    "breaches": 6, "level": 80, "first_breach": "2026-09-14", "actual_total": 20.0,
    "expected_total": 50.0, "shortfall_pct": 60.0, "model": "auto_ets",
}  # fmt: skip


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLLM]:
    if missing_parts(SPEC):
        pytest.skip(f"model wheels not installed: {SPEC.pip_command}")
    data_dir = Path(os.environ.get("SHOPOPS_DATA_DIR") or default_data_dir())
    llm = LocalLLM(SPEC, data_dir, n_ctx=2048)
    yield llm
    llm.close()


@pytest.fixture
def ctx(local: LocalLLM, tmp_path: Path) -> Iterator[AppContext]:
    context = AppContext(Settings(data_dir=tmp_path, llm_backend="fake", embed_backend="hash"))
    context.__dict__["llm"] = LoggedLLM(local, context.db)  # the real model behind the usual log
    yield context
    context.__dict__.pop("llm")
    context.close()


@pytest.mark.parametrize(
    ("kind", "sku", "evidence"), [("stock.out_risk", "MUG-1", EVIDENCE), ("sales.decline", "VASE", DECLINE)]
)
def test_every_number_of_a_drafted_plan_is_a_computed_fact(
    ctx: AppContext, kind: str, sku: str, evidence: dict[str, object]
) -> None:
    (alert,) = raise_alerts(
        ctx.db,
        [AlertCandidate(kind=kind, severity="high", subject_type="sku", subject_id=sku,
                        title=f"{sku}: {kind}", evidence=evidence, dedupe_key=f"{kind}:{sku}")],
        actor="test",
    )  # fmt: skip
    plan = draft_plan(ctx, alert.id, actor="test", max_tokens=220)
    print(f"\n{kind}: {plan.numbers_checked} numbers read, {len(plan.flags)} flags; removed: {plan.removed}")
    print(plan.text)
    assert check_plan_text(plan.text, plan.facts) == []
    allowed = set().union(*(readings(v) for v in plan.facts.values()))
    draft = get_draft(ctx.db, plan.draft_id or 0)
    assert draft.kind == PLAN_KIND and draft.content["text"] == plan.text
    assert all(float(v) in allowed for v in draft.content["facts"].values() if not isinstance(v, str))
    assert [s["action"] for s in draft.content["steps"]] == [a.action for a in plan.facts.actions]
    if kind == "stock.out_risk":
        assert plan.facts.facts["order_quantity"] == 160 and plan.facts.facts["order_by_date"] == "2026-11-02"
        assert "160" in plan.text  # the order quantity reaches the plan, in the model's words or the code's
