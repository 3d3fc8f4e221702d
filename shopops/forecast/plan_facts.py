"""The facts of a response plan: named numbers and the actions that fit an alert, from its evidence.

Every number a plan may state is computed here (principle 1), per alert kind: a stock-out risk gets
the order quantity (already rounded to the MOQ and case pack by the inventory plan), the order-by
date, the days of cover and the units of demand at risk; an overstock the excess units over the
weeks-of-supply limit and a promotion whose discount stays under half the gross margin; a sales
decline the units below forecast, the share of the forecast sold and the periods it lasted; a
review-aspect rise the counts and shares of its evidence. ``*_pct`` facts are percentages and
``*_date`` facts ISO dates, which is how :mod:`shopops.forecast.plan_check` reads them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from shopops.workflow.alerts import AlertView

ActionName = Literal[
    "reorder", "transfer", "promotion", "price_change", "pause_ads", "fix_listing", "contact_supplier"
]
Scalar = float | str


def fmt(value: Scalar) -> str:
    """How code writes a fact: whole numbers without decimals, others to one decimal."""
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


@dataclass(frozen=True)
class PlannedAction:
    action: ActionName
    template: str  # the code's wording, with ``{fact}`` fields

    def render(self, facts: PlanFacts) -> str:
        return self.template.format(sku=facts.sku, **{k: fmt(v) for k, v in facts.facts.items()})


@dataclass(frozen=True)
class PlanFacts:
    """What a plan may say: named values (``*_pct`` are percentages, ``*_date`` ISO dates)."""

    alert_id: int
    kind: str
    sku: str
    severity: str
    facts: dict[str, Scalar]
    actions: list[PlannedAction] = field(default_factory=list)
    summary: str = ""  # the code's one-line summary template

    def values(self) -> list[float]:
        return [float(v) for v in self.facts.values() if not isinstance(v, str)]

    def percents(self) -> list[float]:
        return [float(v) for k, v in self.facts.items() if k.endswith("_pct") and not isinstance(v, str)]

    def dates(self) -> dict[str, str]:
        return {k: v for k, v in self.facts.items() if isinstance(v, str) and k.endswith("_date")}

    def identifiers(self) -> list[str]:
        return [self.sku, f"#{self.alert_id}"]

    def render_summary(self) -> str:
        return PlannedAction("fix_listing", self.summary).render(self)


def _num(evidence: dict[str, Any], key: str, places: int = 1) -> float | None:
    value = evidence.get(key)
    return None if value is None else round(float(value), places)


def _add(facts: dict[str, Scalar], **values: Scalar | None) -> None:
    facts.update({k: v for k, v in values.items() if v is not None})


def _stock_out(alert: AlertView, ev: dict[str, Any]) -> tuple[dict[str, Scalar], list[PlannedAction], str]:
    facts: dict[str, Scalar] = {}
    lead = float(ev.get("lead_time_days") or 0)
    runs_out = float(ev.get("stockout_in_days") or 0)
    as_of = dt.date.fromisoformat(str(ev["as_of"]))
    _add(
        facts,
        on_hand=_num(ev, "on_hand", 0),
        on_order=((_num(ev, "position", 0) or 0) - (_num(ev, "on_hand", 0) or 0)) or None,
        daily_demand=_num(ev, "daily_demand", 2),
        days_of_cover=_num(ev, "days_of_cover"),
        lead_time_days=round(lead),
        reorder_point=float(math.ceil(float(ev.get("reorder_point") or 0))),
        order_quantity=float(math.ceil(float(ev.get("order_quantity") or 0))),
        days_short=float(math.ceil(max(lead - runs_out, 0))),
        units_at_risk=float(math.ceil(float(ev.get("daily_demand") or 0) * max(lead - runs_out, 0))),
        stockout_date=ev.get("stockout_date"),
        order_by_date=(as_of + dt.timedelta(days=1)).isoformat(),
    )
    actions = []
    if facts["order_quantity"]:
        actions.append(
            PlannedAction(
                "reorder",
                "Order {order_quantity} units of {sku} by {order_by_date}: the reorder point is "
                "{reorder_point} units and the lead time {lead_time_days} days.",
            )
        )
    actions.append(
        PlannedAction(
            "contact_supplier",
            "Ask the supplier to expedite: stock runs out on {stockout_date}, {days_short} days "
            "before an order placed now would arrive.",
        )
    )
    if alert.severity == "high":
        actions.append(
            PlannedAction(
                "pause_ads",
                "Pause ads for {sku} until stock arrives; about {units_at_risk} units of demand are at risk.",
            )
        )
    return (
        facts,
        actions,
        "{sku} has {days_of_cover} days of cover, shorter than its {lead_time_days}-day lead time.",
    )


def _overstock(
    alert: AlertView, ev: dict[str, Any], price: float | None, cost: float | None
) -> tuple[dict[str, Scalar], list[PlannedAction], str]:
    facts: dict[str, Scalar] = {}
    daily = float(ev.get("daily_demand") or 0)
    limit = float(ev.get("overstock_weeks_limit") or 26)
    on_hand = float(ev.get("on_hand") or 0)
    weeks = ev.get("weeks_of_supply")
    # from weeks of supply (2 decimals) rather than daily demand, which the evidence rounds hard
    weekly = on_hand / float(weeks) if weeks else daily * 7
    excess = on_hand * (1 - limit / float(weeks)) if weeks else on_hand
    discount = 20.0 if alert.severity == "high" else 10.0
    if price and cost is not None and price > 0:
        margin = 100 * (price - cost) / price
        discount = float(max(min(discount, math.floor(margin / 2)), 0))
    _add(
        facts,
        on_hand=round(on_hand),
        weeks_of_supply=_num(ev, "weeks_of_supply"),
        overstock_weeks_limit=round(limit),
        weekly_demand=round(weekly, 1),
        excess_units=float(max(round(excess), 0)),
        aged_units=_num(ev, "aged_units", 0) or None,
        on_order=(_num(ev, "position", 0) or 0) - on_hand or None,
        price=round(price, 2) if price else None,
        discount_pct=discount if discount > 0 else None,
        promotion_price=round(price * (1 - discount / 100), 2) if price and discount > 0 else None,
    )
    actions = []
    if "discount_pct" in facts and facts["excess_units"]:
        actions.append(
            PlannedAction(
                "promotion",
                "Run a {discount_pct}% promotion on {sku} to sell down the {excess_units} units above "
                "{overstock_weeks_limit} weeks of supply.",
            )
        )
    if facts.get("on_order"):
        actions.append(
            PlannedAction(
                "contact_supplier", "Ask the supplier to delay or cancel the {on_order} units on order."
            )
        )
    actions.append(
        PlannedAction(
            "fix_listing",
            "Check the listing of {sku} (photos, title, search terms): it sells "
            "{weekly_demand} units a week.",
        )
    )
    summary = (
        "{sku} holds {on_hand} units, {weeks_of_supply} weeks of supply (limit {overstock_weeks_limit})."
        if "weeks_of_supply" in facts
        else "{sku} holds {on_hand} units and has no forecast demand."
    )
    return facts, actions, summary


def _decline(ev: dict[str, Any]) -> tuple[dict[str, Scalar], list[PlannedAction], str]:
    facts: dict[str, Scalar] = {}
    actual, expected = float(ev.get("actual_total") or 0), float(ev.get("expected_total") or 0)
    _add(
        facts,
        actual_units=round(actual, 1),
        expected_units=round(expected, 1),
        units_below=round(expected - actual, 1),
        share_of_forecast_pct=round(100 * actual / expected, 1) if expected else None,
        shortfall_pct=_num(ev, "shortfall_pct"),
        breaches=float(ev.get("breaches") or 0),
        periods=float(ev.get("periods") or 0),
        first_breach_date=ev.get("first_breach"),
        window_end_date=ev.get("window_end"),
    )
    actions = [
        PlannedAction(
            "fix_listing",
            "Check the listing, stock status and recent reviews of {sku}: sales fell short of the forecast "
            "in {breaches} of the last {periods} periods, starting {first_breach_date}.",
        ),
        PlannedAction(
            "price_change",
            "Compare the price of {sku} with competitors; sales reached "
            "{share_of_forecast_pct}% of the forecast.",
        ),
    ]
    return (
        facts,
        actions,
        "{sku} sold {actual_units} units against {expected_units} forecast ({shortfall_pct}% short).",
    )


def _aspect(ev: dict[str, Any]) -> tuple[dict[str, Scalar], list[PlannedAction], str]:
    recent, baseline = ev.get("recent") or {}, ev.get("baseline") or {}
    facts: dict[str, Scalar] = {"aspect": str(ev.get("aspect", ""))}
    _add(
        facts,
        recent_count=float(recent.get("count", 0)),
        recent_total=float(recent.get("total", 0)),
        recent_weeks=float(recent.get("weeks", 0)),
        recent_share_pct=round(100 * float(recent.get("share", 0)), 1),
        baseline_share_pct=round(100 * float(baseline.get("share", 0)), 1),
    )
    actions = [
        PlannedAction(
            "contact_supplier",
            "Raise the {aspect} complaints with the supplier: {recent_count} of "
            "{recent_total} recent reviews.",
        ),
        PlannedAction(
            "fix_listing", "Make the listing describe {aspect} accurately so expectations match the product."
        ),
    ]
    return (
        facts,
        actions,
        "{recent_share_pct}% of reviews in the last {recent_weeks} weeks complain about {aspect} "
        "(baseline {baseline_share_pct}%).",
    )


def plan_facts(alert: AlertView, *, price: float | None = None, cost: float | None = None) -> PlanFacts:
    """The numbers and actions of a plan for ``alert``, all computed from its evidence."""
    ev = alert.evidence
    sku = alert.subject_id if alert.subject_type == "sku" else str((ev.get("skus") or [""])[0])
    if alert.kind == "stock.out_risk":
        facts, actions, summary = _stock_out(alert, ev)
    elif alert.kind == "stock.overstock":
        facts, actions, summary = _overstock(alert, ev, price, cost)
    elif alert.kind == "sales.decline":
        facts, actions, summary = _decline(ev)
    elif alert.kind == "review.aspect_rise":
        facts, actions, summary = _aspect(ev)
        sku = sku or alert.subject_id
    else:
        facts, actions, summary = (
            {},
            [PlannedAction("fix_listing", "Look into the alert on {sku}.")],
            "{sku}: see the alert.",
        )
    return PlanFacts(alert.id, alert.kind, sku, alert.severity, facts, actions, summary)
