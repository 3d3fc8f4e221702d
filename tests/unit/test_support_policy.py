"""Policy decisions computed in code: pure functions over hand-made OrderFacts (no store, no model)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from shopops.config import Settings
from shopops.support.orders import redact
from shopops.support.policy import (
    ReturnPolicy,
    cancel_decision,
    decide,
    extract_condition,
    mentioned_sku,
    refund_status,
    return_decision,
)
from shopops.support.types import OrderFacts, OrderItem

DELIVERED = dt.datetime(2025, 5, 10, 22, 46)
POLICY = ReturnPolicy(window_days=30)


def item(sku: str, *, quantity: int = 1, final_sale: bool = False, returned: int = 0) -> OrderItem:
    return OrderItem(
        sku=sku,
        title=f"Item {sku}",
        quantity=quantity,
        unit_price=Decimal("20.00"),
        final_sale=final_sale,
        returned_quantity=returned,
    )


def facts(*items: OrderItem, **fields: Any) -> OrderFacts:
    values: dict[str, Any] = {
        "order_number": "LL-1001",
        "status": "delivered",
        "financial_status": "paid",
        "currency": "USD",
        "total": Decimal("40.00"),
        "placed_at": dt.datetime(2025, 5, 2, 14, 46),
        "shipped_at": dt.datetime(2025, 5, 3, 19, 46),
        "delivered_at": DELIVERED,
        "carrier": "DHL",
        "tracking_number": "DH263340135180",
        "items": list(items) or [item("A")],
    }
    values.update(fields)
    return OrderFacts(**values)


def day(n: int) -> dt.date:
    """``n`` days after the delivery date."""
    return DELIVERED.date() + dt.timedelta(days=n)


# -- returns: the window ---------------------------------------------------------------------------


def test_day_30_is_the_last_day_of_a_30_day_window() -> None:
    decision = return_decision(facts(), POLICY, today=day(30))
    assert decision.allowed and decision.reason == "within_window"
    assert decision.topic == "return"
    assert decision.facts["days_since_delivery"] == 30
    assert decision.facts["last_day"] == "2025-06-09"
    assert decision.facts["delivered"] == "2025-05-10"
    assert "2025-06-09" in decision.explanation and "30" in decision.explanation
    assert decision.rule.startswith("Items can be returned within 30 days of delivery, unused")


def test_day_31_is_outside_the_window() -> None:
    decision = return_decision(facts(), POLICY, today=day(31))
    assert not decision.allowed and decision.reason == "outside_window"
    assert decision.facts == {
        "order_number": "LL-1001",
        "window_days": 30,
        "delivered": "2025-05-10",
        "days_since_delivery": 31,
        "last_day": "2025-06-09",
    }
    assert "2025-05-10" in decision.explanation and "31 days ago" in decision.explanation
    assert "30-day" in decision.explanation


def test_the_window_comes_from_the_settings() -> None:
    policy = ReturnPolicy.from_settings(Settings(support_return_window_days=14))
    assert return_decision(facts(), policy, today=day(14)).allowed
    assert return_decision(facts(), policy, today=day(15)).reason == "outside_window"
    assert ReturnPolicy().window_days == 30  # the settings' default
    assert "14 days" in policy.rule()


# -- returns: the order's state ------------------------------------------------------------------


def test_not_delivered_suggests_waiting_once_shipped() -> None:
    shipped = facts(status="fulfilled", delivered_at=None, estimated_delivery=dt.date(2025, 5, 8))
    decision = return_decision(shipped, POLICY, today=dt.date(2025, 5, 6))
    assert not decision.allowed and decision.reason == "not_delivered"
    assert decision.facts["shipped"] is True
    assert decision.facts["estimated_delivery"] == "2025-05-08"
    assert "wait" in decision.explanation


def test_not_shipped_suggests_cancelling() -> None:
    open_order = facts(status="open", shipped_at=None, delivered_at=None)
    decision = return_decision(open_order, POLICY, today=dt.date(2025, 5, 3))
    assert decision.reason == "not_delivered" and decision.facts["shipped"] is False
    assert "cancel" in decision.explanation


def test_cancelled_orders_cannot_be_returned() -> None:
    decision = return_decision(facts(status="cancelled", delivered_at=None), POLICY, today=day(1))
    assert not decision.allowed and decision.reason == "cancelled"


def test_delivered_without_a_date_goes_to_a_person() -> None:
    decision = return_decision(facts(delivered_at=None), POLICY, today=day(1))
    assert not decision.allowed and decision.reason == "delivery_date_unknown"


def test_without_require_delivered_an_undelivered_order_is_within_the_window() -> None:
    policy = ReturnPolicy(window_days=30, require_delivered=False)
    decision = return_decision(facts(status="fulfilled", delivered_at=None), policy, today=day(1))
    assert decision.allowed and decision.reason == "within_window"


# -- returns: items --------------------------------------------------------------------------------


def test_final_sale_item_named_by_sku_is_declined() -> None:
    order = facts(item("A"), item("RAT", final_sale=True))
    decision = return_decision(order, POLICY, today=day(3), sku="rat")
    assert not decision.allowed and decision.reason == "final_sale"
    assert decision.facts["final_sale_items"] == "RAT"
    assert return_decision(order, POLICY, today=day(3), sku="A").allowed


def test_all_final_sale_is_declined_and_mixed_allows_the_others() -> None:
    only_final = facts(item("RAT", final_sale=True))
    assert return_decision(only_final, POLICY, today=day(3)).reason == "final_sale"

    mixed = return_decision(facts(item("A"), item("RAT", final_sale=True)), POLICY, today=day(3))
    assert mixed.allowed and mixed.reason == "within_window"
    assert mixed.facts["returnable_items"] == "A"
    assert mixed.facts["final_sale_items"] == "RAT"
    assert "RAT" in mixed.explanation


def test_final_sale_returnable_policy() -> None:
    policy = ReturnPolicy(window_days=30, final_sale_returnable=True)
    assert return_decision(facts(item("RAT", final_sale=True)), policy, today=day(3)).allowed
    assert "final-sale" not in policy.rule()


def test_partial_returns_leave_the_rest_returnable() -> None:
    order = facts(item("A", quantity=2, returned=1), item("B", returned=1))
    decision = return_decision(order, POLICY, today=day(3))
    assert decision.allowed
    assert decision.facts["returned_quantity"] == 2
    assert decision.facts["remaining_quantity"] == 1
    assert decision.facts["returnable_items"] == "A"
    already = return_decision(order, POLICY, today=day(3), sku="B")
    assert not already.allowed and already.reason == "already_returned"


def test_fully_returned_order() -> None:
    decision = return_decision(facts(item("A", quantity=2, returned=2)), POLICY, today=day(3))
    assert not decision.allowed and decision.reason == "already_returned"
    assert decision.facts["returned_quantity"] == 2


def test_unknown_sku() -> None:
    decision = return_decision(facts(), POLICY, today=day(3), sku="NOPE")
    assert not decision.allowed and decision.reason == "item_not_in_order"


# -- returns: condition ----------------------------------------------------------------------------


@pytest.mark.parametrize("condition", ["used", "damaged", "damaged by customer"])
def test_used_or_customer_damaged_items_are_declined(condition: str) -> None:
    decision = return_decision(facts(), POLICY, today=day(3), condition=condition)
    assert not decision.allowed and decision.reason == "condition"


def test_condition_any_accepts_used_items() -> None:
    policy = ReturnPolicy(window_days=30, condition_required="any")
    assert return_decision(facts(), policy, today=day(3), condition="used").allowed
    assert ", unused" not in policy.rule()


def test_defective_final_sale_is_returnable_within_the_window_only() -> None:
    order = facts(item("RAT", final_sale=True))
    inside = return_decision(order, POLICY, today=day(30), condition="defective")
    assert inside.allowed and inside.facts["condition"] == "defective"
    outside = return_decision(order, POLICY, today=day(31), condition="defective")
    assert not outside.allowed and outside.reason == "outside_window"
    strict = ReturnPolicy(window_days=30, defective_overrides_final_sale=False)
    assert return_decision(order, strict, today=day(3), condition="defective").reason == "final_sale"


# -- cancellations and refunds ---------------------------------------------------------------------


def test_cancel_only_while_open_and_not_shipped() -> None:
    today = dt.date(2025, 5, 4)
    open_order = facts(status="open", shipped_at=None, delivered_at=None)
    allowed = cancel_decision(open_order, today=today)
    assert allowed.allowed and allowed.reason == "not_shipped" and allowed.topic == "cancel"
    assert allowed.facts["days_since_placed"] == 2
    shipped = cancel_decision(facts(status="fulfilled", delivered_at=None), today=today)
    assert not shipped.allowed and shipped.reason == "already_shipped"
    assert "2025-05-03" in shipped.explanation
    shipped_but_open = cancel_decision(facts(status="open", delivered_at=None), today=today)
    assert shipped_but_open.reason == "already_shipped"
    assert cancel_decision(facts(), today=today).reason == "delivered"
    assert cancel_decision(facts(status="cancelled"), today=today).reason == "already_cancelled"


@pytest.mark.parametrize(
    ("status", "returned", "allowed", "reason"),
    [
        ("refunded", 1, True, "refunded"),
        ("partially_refunded", 1, True, "partially_refunded"),
        ("paid", 1, False, "not_refunded"),
        ("paid", 0, False, "not_refunded"),
        ("pending", 0, False, "not_paid"),
    ],
)
def test_refund_status(status: str, returned: int, allowed: bool, reason: str) -> None:
    decision = refund_status(facts(item("A", returned=returned), financial_status=status))
    assert decision.topic == "refund"
    assert (decision.allowed, decision.reason) == (allowed, reason)
    assert decision.facts["return_recorded"] is (returned > 0)
    assert decision.facts["returned_quantity"] == returned


def test_redacted_facts_decide_nothing() -> None:
    hidden = redact(facts(status="open", shipped_at=None, delivered_at=None))
    for decision in (
        return_decision(hidden, POLICY, today=day(1)),
        cancel_decision(hidden, today=day(1)),
        refund_status(hidden),
    ):
        assert not decision.allowed and decision.reason == "unverified_customer"


# -- reading the customer's words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("It's still unopened, can I send it back?", "unused"),
        ("I never used it", "unused"),
        ("I haven't worn it, tags on", "unused"),
        ("还没拆封，可以退吗", "unused"),
        ("I used it twice and don't like it", "used"),
        ("I wore it once", "used"),
        ("I washed it and it shrank", "used"),
        ("穿过一次", "used"),
        ("The lamp arrived broken", "defective"),
        ("It's defective, it doesn't turn on", "defective"),
        ("the vase was damaged in shipping", "defective"),
        ("收到就坏了", "defective"),
        ("I dropped it and it cracked", "damaged"),
        ("我不小心弄坏了", "damaged"),
        ("Can I return my order?", None),
    ],
)
def test_extract_condition(text: str, condition: str | None) -> None:
    assert extract_condition(text) == condition


def test_decide_maps_intents() -> None:
    order = facts(item("LL-BOX"), item("RAT", final_sale=True))
    today = day(3)
    named = decide("return", order, POLICY, today=today, text="Can I return the RAT? never used")
    assert named is not None and named.reason == "final_sale"
    broken = decide("return", order, POLICY, today=today, text="the RAT arrived broken")
    assert broken is not None and broken.allowed
    refund = decide("refund", order, POLICY, today=today, text="where is my refund")
    assert refund is not None and refund.topic == "refund"
    cancel = decide("cancel", order, POLICY, today=today, text="cancel please")
    assert cancel is not None and cancel.reason == "delivered"
    assert decide("order_status", order, POLICY, today=today, text="where is it") is None
    assert decide("return", None, POLICY, today=today, text="return") is None


def test_mentioned_sku_needs_exactly_one_item() -> None:
    order = facts(item("LL-A1"), item("LL-B2"), item("X"))
    assert mentioned_sku(order, "return ll-b2 please") == "LL-B2"
    assert mentioned_sku(order, "I want to return Item LL-A1") == "LL-A1"  # by title
    assert mentioned_sku(order, "LL-A1 and LL-B2") is None
    assert mentioned_sku(order, "LL-A12") is None  # whole SKUs only
    assert mentioned_sku(order, "x marks the spot") is None  # too short to look for
    assert mentioned_sku(order, "everything") is None
