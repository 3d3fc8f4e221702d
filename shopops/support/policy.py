"""Policy decisions computed in code: may this order be returned, cancelled, has it been refunded?

The model never decides; it phrases a :class:`~shopops.support.types.PolicyDecision` made here.
Each decision carries the numbers it used (dates in ISO format, day counts) in ``facts`` and in
its one-sentence ``explanation``, so the draft checks can hold the wording to them.

Return rules, checked in this order (the first that applies is the reason):
cancelled -> not_delivered (or delivery_date_unknown) -> item_not_in_order -> already_returned ->
outside_window -> final_sale -> condition -> within_window.

Facts redacted by :func:`shopops.support.orders.redact` (the customer is not verified) decide
nothing: every function answers ``reason="unverified_customer"`` with ``allowed=False``.

Defective items (arrived broken, faulty, damaged in transit) follow common merchant practice: they
can be returned within the window even when final sale or used, because the fault is the
seller's; outside the window they are declined like any item (warranty claims are a person's
call). ``ReturnPolicy.defective_overrides_final_sale`` turns the final-sale exception off.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, Field

from shopops.config import Settings
from shopops.support.orders import is_redacted
from shopops.support.types import OrderFacts, OrderItem, PolicyDecision

Condition = Literal["unused", "used", "damaged", "defective"]
DEFAULT_WINDOW_DAYS: int = Settings.model_fields["support_return_window_days"].default
NOT_RETURNABLE_CONDITIONS = frozenset({"used", "damaged"})  # "damaged" = damaged by the customer
_CONDITION_ALIASES = {
    "damaged by customer": "damaged",
    "damaged_by_customer": "damaged",
    "worn": "used",
    "broken": "defective",
    "faulty": "defective",
    "damaged in shipping": "defective",
    "new": "unused",
    "unopened": "unused",
}


class ReturnPolicy(BaseModel):
    """A store's return rules (the window from ``settings.support_return_window_days``)."""

    window_days: int = Field(default=DEFAULT_WINDOW_DAYS, ge=0)
    final_sale_returnable: bool = False
    require_delivered: bool = True
    condition_required: Literal["unused", "any"] = "unused"
    defective_overrides_final_sale: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> ReturnPolicy:
        return cls(window_days=settings.support_return_window_days)

    def rule(self) -> str:
        """The policy in words, as the decision's ``rule``."""
        parts = [f"Items can be returned within {self.window_days} days of delivery"]
        if self.condition_required == "unused":
            parts[0] += ", unused"
        if not self.final_sale_returnable:
            parts.append("final-sale items cannot be returned")
        parts.append(
            "defective items can be returned within the window"
            + (" even when final sale" if self.defective_overrides_final_sale else "")
        )
        return "; ".join(parts) + "."


CANCEL_RULE = "Orders can be cancelled until they ship; a shipped order can be returned once delivered."
REFUND_RULE = "A refund counts as issued when the order's payment status is refunded or partially refunded."


def _decision(
    topic: Literal["return", "cancel", "refund"],
    allowed: bool,
    reason: str,
    explanation: str,
    rule: str,
    **facts: str | int | bool,
) -> PolicyDecision:
    return PolicyDecision(
        topic=topic, allowed=allowed, reason=reason, explanation=explanation, facts=facts, rule=rule
    )


def _unverified(topic: Literal["return", "cancel", "refund"], facts: OrderFacts, rule: str) -> PolicyDecision:
    """The decision for redacted facts: nothing is decided for a customer who is not verified."""
    what = {"return": "a return", "cancel": "a cancellation", "refund": "a refund"}[topic]
    return _decision(
        topic,
        False,
        "unverified_customer",
        f"Order {facts.order_number} could not be matched to the customer writing in, so a person must "
        f"verify them before {what} is decided.",
        rule,
        order_number=facts.order_number,
        status=facts.status,
    )


def _skus(items: list[OrderItem]) -> str:
    return ", ".join(item.sku or item.title for item in items)


def return_decision(
    facts: OrderFacts,
    policy: ReturnPolicy,
    *,
    today: dt.date,
    sku: str | None = None,
    condition: str | None = None,
) -> PolicyDecision:
    """May (the item ``sku`` of) this order be returned today? See the module doc for the order."""
    rule = policy.rule()
    if is_redacted(facts):
        return _unverified("return", facts, rule)
    number = facts.order_number
    condition = _CONDITION_ALIASES.get((condition or "").strip().casefold(), condition)
    defective = condition == "defective"

    def no(reason: str, explanation: str, **more: str | int | bool) -> PolicyDecision:
        return _decision("return", False, reason, explanation, rule, order_number=number, **more)

    if facts.status == "cancelled":
        return no("cancelled", f"Order {number} was cancelled, so there is nothing to return.")
    delivered_at = facts.delivered_at
    if delivered_at is None and (policy.require_delivered or facts.status == "delivered"):
        if facts.status == "delivered":
            return no(
                "delivery_date_unknown",
                f"Order {number} is marked delivered but has no delivery date, so a person must "
                "check the return window.",
            )
        shipped = facts.shipped_at is not None or facts.status == "fulfilled"
        hint = (
            "please wait for it to arrive and then ask for a return"
            if shipped
            else "it has not shipped yet, so it can be cancelled instead"
        )
        extra: dict[str, str | int | bool] = {"status": facts.status, "shipped": shipped}
        if facts.estimated_delivery is not None:
            extra["estimated_delivery"] = facts.estimated_delivery.isoformat()
        return no("not_delivered", f"Order {number} has not been delivered yet; {hint}.", **extra)

    items = list(facts.items)
    if sku:
        items = [item for item in items if item.sku.casefold() == sku.strip().casefold()]
        if not items:
            return no("item_not_in_order", f"Order {number} has no item {sku}.", sku=sku)
    open_items = [item for item in items if item.quantity > item.returned_quantity]
    returned = sum(item.returned_quantity for item in items)
    if not open_items:
        what = f"item {sku}" if sku else "every item"
        return no(
            "already_returned",
            f"The return of {what} of order {number} is already recorded ({returned} returned).",
            returned_quantity=returned,
        )

    window: dict[str, str | int | bool] = {"window_days": policy.window_days}
    if delivered_at is not None:
        delivered = delivered_at.date()
        days = (today - delivered).days
        last_day = delivered + dt.timedelta(days=policy.window_days)
        window |= {
            "delivered": delivered.isoformat(),
            "days_since_delivery": days,
            "last_day": last_day.isoformat(),
        }
        if days > policy.window_days:
            return no(
                "outside_window",
                f"Order {number} was delivered on {delivered.isoformat()}, {days} days ago, which is "
                f"past the {policy.window_days}-day return window that ended on {last_day.isoformat()}.",
                **window,
            )

    def final_sale(item: OrderItem) -> bool:
        if not item.final_sale or policy.final_sale_returnable:
            return False
        return not (defective and policy.defective_overrides_final_sale)

    blocked = [item for item in open_items if final_sale(item)]
    returnable = [item for item in open_items if not final_sale(item)]
    if not returnable:
        return no(
            "final_sale",
            f"{'Item ' + _skus(blocked) if sku else 'Every remaining item'} of order {number} was sold "
            "as final sale, which cannot be returned.",
            final_sale_items=_skus(blocked),
            **window,
        )
    if condition in NOT_RETURNABLE_CONDITIONS and policy.condition_required == "unused":
        return no(
            "condition",
            f"Returns must be unused, and the item from order {number} is described as {condition}.",
            condition=condition,
            **window,
        )

    more: dict[str, str | int | bool] = {"returnable_items": _skus(returnable)}
    if blocked:
        more["final_sale_items"] = _skus(blocked)
    if returned:
        more["returned_quantity"] = returned
        more["remaining_quantity"] = sum(item.quantity - item.returned_quantity for item in returnable)
    if condition:
        more["condition"] = condition
    if delivered_at is None:  # require_delivered is off and it has not arrived: the window has not started
        sentence = f"Order {number} has not been delivered yet, so it is within the return window."
    else:
        sentence = (
            f"Order {number} was delivered on {window['delivered']}, {window['days_since_delivery']} "
            f"days ago, so it can be returned until {window['last_day']} "
            f"(the {policy.window_days}-day return window)"
        )
        sentence += f", except the final-sale item(s) {more['final_sale_items']}." if blocked else "."
    return _decision("return", True, "within_window", sentence, rule, order_number=number, **window, **more)


def cancel_decision(facts: OrderFacts, *, today: dt.date) -> PolicyDecision:
    """Cancellation is possible only while the order is open and has not shipped."""
    if is_redacted(facts):
        return _unverified("cancel", facts, CANCEL_RULE)
    number = facts.order_number
    days = (today - facts.placed_at.date()).days
    base: dict[str, str | int | bool] = {
        "order_number": number,
        "status": facts.status,
        "placed": facts.placed_at.date().isoformat(),
        "days_since_placed": days,
    }
    if facts.status == "cancelled":
        return _decision(
            "cancel", False, "already_cancelled", f"Order {number} is already cancelled.", CANCEL_RULE, **base
        )
    if facts.delivered_at is not None or facts.status == "delivered":
        when = f" on {facts.delivered_at.date().isoformat()}" if facts.delivered_at else ""
        return _decision(
            "cancel",
            False,
            "delivered",
            f"Order {number} was already delivered{when}, so it cannot be cancelled; "
            "it can be returned instead.",
            CANCEL_RULE,
            **base,
        )
    if facts.shipped_at is not None or facts.status != "open":
        when = f" on {facts.shipped_at.date().isoformat()}" if facts.shipped_at else ""
        return _decision(
            "cancel",
            False,
            "already_shipped",
            f"Order {number} already shipped{when}, so it cannot be cancelled; it can be returned "
            "once it is delivered.",
            CANCEL_RULE,
            **base,
        )
    return _decision(
        "cancel",
        True,
        "not_shipped",
        f"Order {number}, placed on {base['placed']}, has not shipped yet, so it can be cancelled.",
        CANCEL_RULE,
        **base,
    )


def refund_status(facts: OrderFacts) -> PolicyDecision:
    """Has a refund been issued? ``allowed=True`` means yes (refunded or partially refunded)."""
    if is_redacted(facts):
        return _unverified("refund", facts, REFUND_RULE)
    number = facts.order_number
    returned = sum(item.returned_quantity for item in facts.items)
    status = facts.financial_status
    base: dict[str, str | int | bool] = {
        "order_number": number,
        "financial_status": status,
        "returned_quantity": returned,
        "return_recorded": returned > 0,
    }
    recorded = f"; {returned} returned item(s) are recorded" if returned else ""
    if status == "refunded":
        return _decision(
            "refund",
            True,
            "refunded",
            f"Order {number} has been refunded in full{recorded}.",
            REFUND_RULE,
            **base,
        )
    if status == "partially_refunded":
        return _decision(
            "refund",
            True,
            "partially_refunded",
            f"Order {number} has been partly refunded{recorded}.",
            REFUND_RULE,
            **base,
        )
    if status == "paid":
        sentence = (
            f"Order {number} has {returned} returned item(s) recorded, but no refund has been issued yet."
            if returned
            else f"No refund has been issued for order {number} and no return is recorded."
        )
        return _decision("refund", False, "not_refunded", sentence, REFUND_RULE, **base)
    shown = status or "unknown"
    return _decision(
        "refund",
        False,
        "not_paid" if status in {"pending", "authorized", "unpaid", "voided"} else "unknown",
        f"No refund has been issued for order {number}; its payment status is {shown}.",
        REFUND_RULE,
        **base,
    )


# Keyword reading of the item's condition. Checked in this order: the customer's own damage
# ("I dropped it") before a fault ("arrived broken"), a fault before use, and "never used" phrases
# are removed before looking for "used" so they cannot match it.
_DAMAGED = re.compile(
    r"\b(?:i|we|my (?:kid|son|daughter|dog|cat))\s+(?:accidentally\s+)?(?:broke|dropped|damaged|"
    r"spilled|tore|ripped|scratched|cracked)\b|弄坏|摔坏|摔了|不小心",
    re.IGNORECASE,
)
_DEFECTIVE = re.compile(
    r"\b(?:arrived|came|was|is|it's|its)\s+(?:\w+\s+)?(?:broken|damaged|cracked|smashed|faulty|"
    r"defective)\b|\bdefect(?:ive)?\b|\bfaulty\b|\bdamaged in (?:shipping|transit|the post|delivery)\b|"
    r"\b(?:does not|doesn't|did not|didn't|won't|will not|stopped)\s+(?:work|turn on|charge)|"
    r"\bbroken\b|坏了|坏的|损坏|破损|破了|有瑕疵|瑕疵|质量问题|不能用|用不了|故障|碎了",
    re.IGNORECASE,
)
_UNUSED = re.compile(
    r"\b(?:unopened|unused|unworn|never (?:been )?(?:used|worn|opened|washed)|not (?:been )?(?:used|"
    r"worn|opened)|(?:haven't|have not|hasn't|has not|didn't|did not)\s+(?:been\s+)?(?:used|worn|opened|"
    r"washed|use|wear|open)|still (?:sealed|in (?:the|its) (?:original )?(?:box|packaging))|brand new|"
    r"with (?:the )?tags)\b|还没拆封|还没用|没拆封|未拆封|没有拆封|没用过|没有用过|未使用|全新|吊牌还在",
    re.IGNORECASE,
)
_USED = re.compile(
    r"\b(?:used|wore|worn|washed|tried it on and wore|opened and used)\b|用过|穿过|洗过|戴过|使用过",
    re.IGNORECASE,
)


def extract_condition(text: str) -> Condition | None:
    """The item's condition as the customer describes it: unused, used, damaged, defective, or None."""
    if _DAMAGED.search(text):
        return "damaged"
    if _DEFECTIVE.search(text):
        return "defective"
    rest = _UNUSED.sub(" ", text)
    if _USED.search(rest):
        return "used"
    if rest != text:
        return "unused"
    return None


MIN_SKU_CHARS = 3


def mentioned_sku(facts: OrderFacts, text: str) -> str | None:
    """The one item of the order the text names by SKU or full title; None when none or several."""
    folded = text.casefold()

    def named(item: OrderItem) -> bool:
        if item.title and item.title.casefold() in folded:
            return True
        if len(item.sku) < MIN_SKU_CHARS:  # "A" or "10" would match ordinary words and numbers
            return False
        return re.search(rf"(?<![0-9a-z]){re.escape(item.sku.casefold())}(?![0-9a-z])", folded) is not None

    skus = {item.sku for item in facts.items if item.sku and named(item)}
    return skus.pop() if len(skus) == 1 else None


def decide(
    intent: str, facts: OrderFacts | None, policy: ReturnPolicy, *, today: dt.date, text: str
) -> PolicyDecision | None:
    """The decision for a triage intent: return, refund and cancel; None for others or no facts.

    Redacted facts (customer not verified) give ``reason="unverified_customer"``, allowed=False.
    """
    if facts is None:
        return None
    if intent == "return":
        return return_decision(
            facts, policy, today=today, sku=mentioned_sku(facts, text), condition=extract_condition(text)
        )
    if intent == "refund":
        return refund_status(facts)
    if intent == "cancel":
        return cancel_decision(facts, today=today)
    return None
