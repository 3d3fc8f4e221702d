"""Customers, upserted by external id, else by email.

A customer without an id in the file is stored with its (lower-cased) email as ``external_id``;
a later file that gives the id *and* the email finds that customer by email and keeps it. The
same :class:`CustomerIndex` links orders and reviews to their customers.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopops.ingest.base import ImportReport, ProgressFn, RowImporter, apply_fields, chunked
from shopops.ingest.fields import RowParser
from shopops.ingest.products import limit
from shopops.store.models import Customer


@dataclass
class CustomerRecord:
    external_id: str | None
    email: str | None
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.external_id or self.email or ""


class CustomerIndex:
    """Customers of one import, loaded in batches and created on demand."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_id: dict[str, Customer] = {}
        self.by_email: dict[str, Customer] = {}
        self._counted: set[int] = set()  # customers already counted in this import (by object id)

    def load(self, records: list[CustomerRecord]) -> None:
        ids = sorted(
            {r.external_id for r in records if r.external_id} | {r.email for r in records if r.email}
        )
        emails = sorted({r.email for r in records if r.email})
        for batch in chunked(ids, 500):  # an email may be the external id of a customer made from it
            self._remember(Customer.external_id.in_(batch))
        for batch in chunked(emails, 500):
            self._remember(func.lower(Customer.email).in_(batch))

    def _remember(self, condition: Any) -> None:
        for customer in self.session.scalars(select(Customer).where(condition)):
            self.by_id[customer.external_id] = customer
            if customer.email:
                self.by_email.setdefault(customer.email.lower(), customer)

    def find(self, record: CustomerRecord) -> Customer | None:
        customer = self.by_id.get(record.external_id) if record.external_id else None
        if customer is None and record.email:
            customer = self.by_id.get(record.email) or self.by_email.get(record.email)
        return customer

    def upsert(self, record: CustomerRecord, report: ImportReport) -> Customer:
        customer = self.find(record)
        values = dict(record.fields)
        if record.email:
            values["email"] = record.email
        if customer is None:
            customer = Customer(external_id=record.key, **values)
            self.session.add(customer)
            outcome = "created"
        else:
            outcome = "updated" if apply_fields(customer, values) else "unchanged"
        if id(customer) not in self._counted:  # an order file names a customer once per order
            self._counted.add(id(customer))
            report.count("customers", outcome)
        self.by_id[customer.external_id] = customer
        if customer.email:
            self.by_email[customer.email.lower()] = customer
        return customer


def parse_customer(p: RowParser, prefix: str = "") -> CustomerRecord | None:
    """The customer a row names (``prefix`` is ``customer_`` in order and review files)."""
    external_id = p.text(f"{prefix}external_id", max_length=limit(Customer, "external_id"))
    email = p.email(f"{prefix}email")
    fields: dict[str, Any] = {}
    name = p.text(f"{prefix}name", max_length=limit(Customer, "name"))
    if not name and (p.raw(f"{prefix}first_name") or p.raw(f"{prefix}last_name")):
        name = f"{p.raw(f'{prefix}first_name')} {p.raw(f'{prefix}last_name')}".strip()[
            : limit(Customer, "name")
        ]
    if name:
        fields["name"] = name
    for column in ("phone", "country", "language"):
        if not p.has(f"{prefix}{column}"):
            continue
        if column == "country":
            value = p.code(f"{prefix}country", 2)
        else:
            value = p.text(f"{prefix}{column}", max_length=limit(Customer, column))
        if value:
            fields[column] = value
    if not external_id and not email:
        return None
    return CustomerRecord(external_id, email, fields)


class CustomersImporter(RowImporter[CustomerRecord]):
    kind = "customers"
    entity = "customers"
    what = "customer (same id or email)"
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {
        "external_id": ("customer id", "id", "customer_id"),
        "email": ("e-mail", "email address"),
        "name": ("full name", "customer name"),
        "first_name": ("first name",),
        "last_name": ("last name",),
        "phone": ("phone number", "default address phone"),
        "country": ("country code", "default address country code"),
        "language": ("locale", "lang"),
    }

    def parse(self, p: RowParser) -> CustomerRecord | None:
        record = parse_customer(p)
        if record is None and not p.errors:
            p.error(
                "external_id" if p.has("external_id") else "email", "a customer id or an email is required"
            )
        return None if p.errors else record

    def key(self, record: CustomerRecord) -> Hashable:
        return record.key

    def write(
        self,
        session: Session,
        records: list[CustomerRecord],
        report: ImportReport,
        progress: ProgressFn | None,
    ) -> None:
        index = CustomerIndex(session)
        index.load(records)
        for done, record in enumerate(records, start=1):
            index.upsert(record, report)
            if progress and done % 500 == 0:
                progress("writing", done, len(records))
        session.flush()
