"""Order tools: find an order by what the customer typed, and report its facts from the store.

"Facts in code, words from the model": everything here is read from the database; the model only
phrases it. :func:`lookup_order` is the one entry point the pipeline should use because it applies
the ownership rule:

* customer known (``customer_id`` or ``customer_email``) and the order is theirs: full facts.
* customer known and the order belongs to someone else: ``reason="other_customer"``, no facts
  (``found`` is False), so nothing of another customer's order can reach a prompt.
* customer unknown, or the order has no customer to compare with: ``reason="ok"`` with
  ``redacted=True``: status, placed/shipped/delivered dates, carrier and estimated delivery only.
  Items, total, payment status and the tracking number are removed: order numbers are easy to
  guess (sequential) and a tracking number opens the carrier's page with the recipient's town.
  Redacted facts carry ``financial_status == REDACTED`` so every consumer can tell them apart
  (:func:`is_redacted`): :func:`describe_order` then leaves out total and items by itself, and the
  policy functions answer ``reason="unverified_customer"`` (not allowed) instead of deciding.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopops.store.db import Database
from shopops.store.models import Customer, Order
from shopops.support.types import OrderFacts, OrderItem

REDACTED = "withheld"  # financial_status of redacted facts (see the module doc)
# Days from shipment to delivery when the store has no delivery date yet. Deliberately one figure:
# carriers' own estimates are not in the store, and an invented per-carrier table would be worse.
DEFAULT_TRANSIT_DAYS = 5

# "order", "order no.", "order number:", "no.", "#", "订单号" ... in front of the number itself.
_PREFIX = re.compile(
    r"^(?:(?:order|number|num|nr|no|id)(?=[\s.#:：\d]|$)|订单编号|订单号|订单|[#:：.])\s*", re.IGNORECASE
)
_TRAILING = re.compile(r"[\s.,;:!?。，；：！？)）\]]+$")
_NOT_KEY = re.compile(r"[^0-9A-Z]")
_SEPARATORS = ("#", "-", " ", "_", ".", "/")  # removed on both sides when comparing keys


class OrderLookup(BaseModel):
    """The result of looking an order up for a conversation. ``found`` is True only with facts."""

    found: bool
    facts: OrderFacts | None = None
    reason: Literal["ok", "not_found", "other_customer", "no_number"]
    redacted: bool = False  # facts limited to status and shipping (customer not verified)
    number: str = ""  # the number as normalised from what the customer wrote

    def describe(self, language: str = "en", *, today: dt.date | None = None) -> str:
        """:func:`describe_order` of the facts, honouring ``redacted``; "" without facts."""
        if self.facts is None:
            return ""
        return describe_order(self.facts, language, today=today, redacted=self.redacted)


def normalise_order_number(raw: str) -> str:
    """``" Order No. #ll-10023 "`` -> ``"LL-10023"``: prefixes, "#", spaces and case removed."""
    text = raw.strip()
    previous = None
    while text and text != previous:
        previous = text
        text = _PREFIX.sub("", text, count=1).strip()
    return re.sub(r"\s+", "", _TRAILING.sub("", text)).upper()


def _key(number: str) -> str:
    return _NOT_KEY.sub("", number.upper())


def _sql_key(column):  # type: ignore[no-untyped-def]
    """The SQL expression of :func:`_key` for an order number column (SQLite and PostgreSQL)."""
    expr = func.upper(column)
    for sep in _SEPARATORS:
        expr = func.replace(expr, sep, "")
    return expr


def find_order(session: Session, raw_number: str) -> Order | None:
    """The order the customer means, trying the exact text first, then normalised forms.

    Order: exact text; normalised (``"LL-10023"``) and ``"#"`` + normalised; the same letters and
    digits ignoring separators and case (``"ll 10023"``); and, for digits only, a unique store
    number of letters + those digits (``"1001"`` -> ``"LL-1001"``). An ambiguous match is None.
    """
    exact = raw_number.strip()
    if not exact:
        return None
    order = session.scalar(select(Order).where(Order.order_number == exact))
    if order is not None:
        return order
    number = normalise_order_number(exact)
    if not number:
        return None
    order = session.scalar(select(Order).where(Order.order_number.in_([number, f"#{number}"])))
    if order is not None:
        return order
    key = _key(number)
    if not key:
        return None
    matches = session.scalars(select(Order).where(_sql_key(Order.order_number) == key).limit(2)).all()
    if len(matches) == 1:
        return matches[0]
    if matches or not key.isdigit():
        return None
    candidates = session.scalars(select(Order).where(Order.order_number.like(f"%{key}")).limit(20)).all()
    prefixed = [o for o in candidates if _has_letter_prefix(_key(o.order_number), key)]
    return prefixed[0] if len(prefixed) == 1 else None


def _has_letter_prefix(store_key: str, digits: str) -> bool:
    """``"LL1001"`` for ``"1001"``: letters then exactly those digits (not ``"11001"``)."""
    if not store_key.endswith(digits):
        return False
    head = store_key[: -len(digits)]
    return head.isalpha() and head.isascii()


def order_facts(order: Order, *, today: dt.date, transit_days: int | None = None) -> OrderFacts:
    """The order as :class:`OrderFacts`, with an estimated delivery date where one makes sense.

    The estimate (``shipped_at + transit_days``, default :data:`DEFAULT_TRANSIT_DAYS`) is given only
    for a shipped, not delivered, not cancelled order whose shipment date is not after ``today``
    (a future shipment date is bad data, not something to promise from). A passed estimate is kept:
    it is what the customer was told; :func:`describe_order` with ``today`` marks it as late.
    """
    days = DEFAULT_TRANSIT_DAYS if transit_days is None else transit_days
    estimate = None
    delivered = order.delivered_at is not None or order.status == "delivered"
    if order.shipped_at is not None and not delivered and order.status != "cancelled":
        shipped = order.shipped_at.date()
        if shipped <= today:
            estimate = shipped + dt.timedelta(days=days)
    return OrderFacts(
        order_number=order.order_number,
        status=order.status,
        financial_status=order.financial_status,
        currency=order.currency,
        total=order.total,
        placed_at=order.placed_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        estimated_delivery=estimate,
        items=[
            OrderItem(
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                unit_price=line.unit_price,
                final_sale=line.final_sale,
                returned_quantity=line.returned_quantity,
            )
            for line in order.lines
        ],
    )


def redact(facts: OrderFacts) -> OrderFacts:
    """Facts limited to status and shipping: no items, total, payment status or tracking number."""
    return facts.model_copy(
        update={"items": [], "total": Decimal(0), "financial_status": REDACTED, "tracking_number": ""}
    )


def is_redacted(facts: OrderFacts) -> bool:
    """Were these facts limited by :func:`redact` (customer not verified)?"""
    return facts.financial_status == REDACTED


def lookup_order(
    db: Database,
    raw_number: str | None,
    *,
    customer_id: int | None,
    customer_email: str | None,
    today: dt.date | None = None,
    transit_days: int | None = None,
) -> OrderLookup:
    """Look an order up on behalf of a conversation's customer (see the module doc for the rule).

    The order belongs to the customer when its ``customer_id`` equals ``customer_id`` or its
    customer's email equals ``customer_email`` (case and surrounding spaces ignored): stores often
    hold one person as several customer records (guest checkouts), all with the same address.
    """
    number = normalise_order_number(raw_number or "")
    if not number:
        return OrderLookup(found=False, reason="no_number")
    day = today or dt.datetime.now(dt.UTC).date()
    email = (customer_email or "").strip().casefold()
    with db.session() as session:
        order = find_order(session, raw_number or "")
        if order is None:
            return OrderLookup(found=False, reason="not_found", number=number)
        owner_email = ""
        if order.customer_id is not None:
            owner_email = session.scalar(select(Customer.email).where(Customer.id == order.customer_id)) or ""
        facts = order_facts(order, today=day, transit_days=transit_days)
        owner_id = order.customer_id
    known = customer_id is not None or bool(email)
    if not known or owner_id is None:
        return OrderLookup(found=True, facts=redact(facts), reason="ok", redacted=True, number=number)
    mine = (customer_id is not None and owner_id == customer_id) or (
        bool(email) and owner_email.strip().casefold() == email
    )
    if not mine:
        return OrderLookup(found=False, reason="other_customer", number=number)
    return OrderLookup(found=True, facts=facts, reason="ok", number=number)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def describe_order(
    facts: OrderFacts, language: str = "en", *, today: dt.date | None = None, redacted: bool = False
) -> str:
    """The facts as a short plain-text block for a prompt (English, or Chinese for ``"zh"``).

    Dates are ISO (``2025-05-10``) so the draft checks can match numbers against this text.
    ``redacted`` (implied by :func:`is_redacted` facts) leaves out total, payment status and items;
    ``today`` marks a passed delivery estimate as late.
    """
    redacted = redacted or is_redacted(facts)
    zh = language == "zh"
    labels = _ZH if zh else _EN
    lines = [f"{labels['order']}: {facts.order_number}", f"{labels['status']}: {_status(facts.status, zh)}"]
    lines.append(f"{labels['placed']}: {facts.placed_at.date().isoformat()}")
    if facts.shipped_at is not None:
        lines.append(f"{labels['shipped']}: {facts.shipped_at.date().isoformat()}")
    if facts.carrier or facts.tracking_number:
        carrier = facts.carrier or labels["unknown"]
        tracking = f" {labels['tracking']} {facts.tracking_number}" if facts.tracking_number else ""
        lines.append(f"{labels['carrier']}: {carrier}{tracking}".rstrip())
    if facts.delivered_at is not None:
        lines.append(f"{labels['delivered']}: {facts.delivered_at.date().isoformat()}")
    elif facts.estimated_delivery is not None:
        estimate = f"{labels['estimate']}: {facts.estimated_delivery.isoformat()}"
        if today is not None and facts.estimated_delivery < today:
            late = (today - facts.estimated_delivery).days
            estimate += f" ({labels['late'].format(days=late)})"
        lines.append(estimate)
    if not redacted:
        lines.append(f"{labels['payment']}: {facts.financial_status}")
        lines.append(f"{labels['total']}: {_money(facts.total)} {facts.currency}")
        if facts.items:
            lines.append(f"{labels['items']}:")
            for item in facts.items:
                extra = []
                if item.final_sale:
                    extra.append(labels["final_sale"])
                if item.returned_quantity:
                    extra.append(labels["returned"].format(n=item.returned_quantity))
                note = f" ({', '.join(extra)})" if extra else ""
                lines.append(f"- {item.quantity} x {item.title} [{item.sku}]{note}")
    return "\n".join(lines)


_EN = {
    "order": "Order",
    "status": "Status",
    "placed": "Placed",
    "shipped": "Shipped",
    "carrier": "Carrier",
    "tracking": "tracking",
    "unknown": "unknown",
    "delivered": "Delivered",
    "estimate": "Estimated delivery",
    "late": "{days} days past the estimate, not delivered yet",
    "payment": "Payment",
    "total": "Total",
    "items": "Items",
    "final_sale": "final sale",
    "returned": "{n} returned",
}
_ZH = {
    "order": "订单号",
    "status": "状态",
    "placed": "下单日期",
    "shipped": "发货日期",
    "carrier": "承运商",
    "tracking": "运单号",
    "unknown": "未知",
    "delivered": "签收日期",
    "estimate": "预计送达",
    "late": "已超过预计日期 {days} 天，尚未签收",
    "payment": "付款状态",
    "total": "金额",
    "items": "商品",
    "final_sale": "特价商品，不退不换",
    "returned": "已退 {n} 件",
}
_STATUS_ZH = {"open": "处理中", "fulfilled": "已发货", "delivered": "已签收", "cancelled": "已取消"}
_STATUS_EN = {"fulfilled": "shipped"}


def _status(status: str, zh: bool) -> str:
    return (_STATUS_ZH if zh else _STATUS_EN).get(status, status)
