"""Product reviews, upserted by their external id.

A review names its product by handle or by SKU; a product the store does not have yet leaves
the review unlinked (counted in a warning: import the products first to link them). The language
is taken from the file, else guessed (Chinese or English).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopops.ingest.base import ImportReport, ProgressFn, RowImporter, apply_fields, chunked
from shopops.ingest.customers import CustomerIndex, CustomerRecord
from shopops.ingest.fields import RowParser
from shopops.ingest.products import limit
from shopops.ingest.text import guess_language
from shopops.store.models import Product, ProductVariant, Review


@dataclass
class ReviewRecord:
    external_id: str
    fields: dict[str, Any]
    handle: str | None = None
    sku: str | None = None
    customer: CustomerRecord | None = None


class ReviewsImporter(RowImporter[ReviewRecord]):
    kind = "reviews"
    entity = "reviews"
    what = "review id"
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {
        "external_id": ("review id", "id"),
        "handle": ("product handle", "product"),
        "sku": ("product sku", "variant sku"),
        "rating": ("stars", "score"),
        "title": ("review title", "summary", "headline"),
        "body": ("review", "review body", "review content", "content", "text", "comment"),
        "language": ("lang",),
        "author": ("reviewer", "author name", "user name", "nickname"),
        "reviewed_at": ("date", "created at", "review date", "submitted at"),
        "customer_external_id": ("customer id",),
        "customer_email": ("email", "customer email", "reviewer email"),
    }
    required = ("external_id", "body")

    def parse(self, p: RowParser) -> ReviewRecord | None:
        external_id = p.text("external_id", required=True, max_length=limit(Review, "external_id"))
        body = p.text("body", required=True)
        rating = p.integer("rating", minimum=1)
        if rating is not None and rating > 5:
            p.error("rating", "must be from 1 to 5", p.raw("rating"))
        fields: dict[str, Any] = {"body": body, "rating": rating}
        for name in ("title", "author"):
            if p.has(name):
                fields[name] = p.text(name, max_length=limit(Review, name)) or ""
        if p.has("reviewed_at"):
            fields["reviewed_at"] = p.datetime("reviewed_at")
        fields["language"] = (
            p.text("language", max_length=10)
            or guess_language(p.raw("title"), body or "", default="")
            or "en"
        )
        customer_id = p.raw("customer_external_id")
        email = p.email("customer_email")
        customer = CustomerRecord(customer_id or None, email) if customer_id or email else None
        if p.errors or external_id is None:
            return None
        return ReviewRecord(external_id, fields, p.raw("handle") or None, p.raw("sku") or None, customer)

    def key(self, record: ReviewRecord) -> Hashable:
        return record.external_id

    def write(
        self, session: Session, records: list[ReviewRecord], report: ImportReport, progress: ProgressFn | None
    ) -> None:
        products = _product_ids(session, records)
        customers = CustomerIndex(session)
        customers.load([r.customer for r in records if r.customer])
        unlinked = 0
        for done, batch in enumerate(chunked(records, 500), start=1):
            existing = {
                r.external_id: r
                for r in session.scalars(
                    select(Review).where(Review.external_id.in_([r.external_id for r in batch]))
                )
            }
            for record in batch:
                fields = dict(record.fields)
                if record.handle or record.sku:
                    fields["product_id"] = products.get(("h", record.handle)) or products.get(
                        ("s", record.sku)
                    )
                    unlinked += fields["product_id"] is None
                if record.customer is not None:
                    customer = customers.find(record.customer)
                    fields["customer_id"] = customer.id if customer else None
                review = existing.get(record.external_id)
                if review is None:
                    session.add(Review(external_id=record.external_id, **fields))
                    report.count("reviews", "created")
                else:
                    report.count("reviews", "updated" if apply_fields(review, fields) else "unchanged")
            session.flush()
            if progress:
                progress("writing", min(done * 500, len(records)), len(records))
        if unlinked:
            report.warnings.append(
                f"{unlinked} review(s) name a product the store does not have; they were imported unlinked "
                "(import the products, then the reviews again, to link them)"
            )


def _product_ids(session: Session, records: list[ReviewRecord]) -> dict[tuple[str, str | None], int]:
    found: dict[tuple[str, str | None], int] = {}
    handles = sorted({r.handle for r in records if r.handle})
    skus = sorted({r.sku for r in records if r.sku})
    for batch in chunked(handles, 500):
        for handle, pid in session.execute(
            select(Product.handle, Product.id).where(Product.handle.in_(batch))
        ):
            found[("h", handle)] = pid
    for batch in chunked(skus, 500):
        for sku, pid in session.execute(
            select(ProductVariant.sku, ProductVariant.product_id).where(ProductVariant.sku.in_(batch))
        ):
            found.setdefault(("s", sku), pid)
    return found
