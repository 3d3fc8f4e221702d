"""SQLAlchemy 2 models: the entities a store's operations need.

Natural keys (used by importers to upsert idempotently) carry a unique constraint: product
``handle``, variant ``(product_id, variant_key)``, customer ``external_id``, order ``order_number``,
review ``external_id``, sales ``(sku, location, date)``, inventory ``(sku, location)``,
knowledge document ``source_key``. The schema itself is owned by the Alembic migrations in
``shopops/store/migrations``; a test checks that models and migrations agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Money = Numeric(12, 2, asdecimal=True)


MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns (PostgreSQL); a larger one cannot exist


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# The store keeps naive UTC; views (API responses) say so explicitly ("...Z"), as OpenAPI's
# date-time format requires. Use this type for every datetime field of a pydantic view.
UtcDateTime = Annotated[dt.datetime, AfterValidator(as_utc)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012 - SQLAlchemy API


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class User(Timestamped, Base):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_api_key_hash", "api_key_hash", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="analyst")  # owner|manager|operator|agent|analyst
    password_hash: Mapped[str | None] = mapped_column(String(200))
    api_key_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(10), default="en")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    api_key_prefix: Mapped[str] = mapped_column(String(20), default="")  # shown in lists, never the key
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Team(Timestamped, Base):
    """A group that work is routed to: by ticket intent, language, and its business hours."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    intents: Mapped[list[Any]] = mapped_column(default=list)  # [] = any intent
    languages: Mapped[list[Any]] = mapped_column(default=list)  # [] = any language
    timezone: Mapped[str] = mapped_column(String(60), default="UTC")
    # {"days": [0..6 Monday=0], "start": "09:00", "end": "18:00"}; {} = always open
    hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)  # takes what no other team matches


class UserSession(Base):
    """A signed-in browser. Only the sha256 of the cookie's token is stored."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class Product(Timestamped, Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    vendor: Mapped[str] = mapped_column(String(255), default="")
    product_type: Mapped[str] = mapped_column(String(255), default="")
    category: Mapped[str] = mapped_column(String(500), default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    option_names: Mapped[list[Any]] = mapped_column(default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="active")
    language: Mapped[str] = mapped_column(String(10), default="en")
    seo_title: Mapped[str] = mapped_column(String(255), default="")
    seo_description: Mapped[str] = mapped_column(String(500), default="")
    image_url: Mapped[str] = mapped_column(String(1000), default="")
    source: Mapped[str] = mapped_column(String(50), default="")
    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductVariant.position"
    )


class ProductVariant(Timestamped, Base):
    __tablename__ = "product_variants"
    __table_args__ = (UniqueConstraint("product_id", "variant_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    variant_key: Mapped[str] = mapped_column(String(255))
    sku: Mapped[str] = mapped_column(String(255), default="", index=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    option_values: Mapped[list[Any]] = mapped_column(default=list)
    price: Mapped[Decimal] = mapped_column(Money)
    compare_at_price: Mapped[Decimal | None] = mapped_column(Money)
    cost: Mapped[Decimal | None] = mapped_column(Money)
    barcode: Mapped[str] = mapped_column(String(100), default="")
    weight_grams: Mapped[float | None] = mapped_column(Float)
    inventory_quantity: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=1)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    product: Mapped[Product] = relationship(back_populates="variants")


class Customer(Timestamped, Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str] = mapped_column(String(320), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    language: Mapped[str] = mapped_column(String(10), default="")


class Order(Timestamped, Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_number: Mapped[str] = mapped_column(String(100), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|fulfilled|delivered|cancelled
    financial_status: Mapped[str] = mapped_column(String(20), default="paid")  # paid|refunded|pending
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    total: Mapped[Decimal] = mapped_column(Money)
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    shipped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    carrier: Mapped[str] = mapped_column(String(100), default="")
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    shipping_country: Mapped[str] = mapped_column(String(2), default="")
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", cascade="all, delete-orphan")


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(255), default="", index=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    final_sale: Mapped[bool] = mapped_column(Boolean, default=False)
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0)
    order: Mapped[Order] = relationship(back_populates="lines")


class SalesRecord(Base):
    """Daily or weekly units sold of one SKU at one location (demand history for forecasts)."""

    __tablename__ = "sales"
    __table_args__ = (UniqueConstraint("sku", "location", "date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(255), index=True)
    location: Mapped[str] = mapped_column(String(100), default="")
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    units: Mapped[float] = mapped_column(Float)
    revenue: Mapped[Decimal | None] = mapped_column(Money)
    on_promotion: Mapped[bool] = mapped_column(Boolean, default=False)
    in_stock: Mapped[bool | None] = mapped_column(Boolean)  # False marks censored demand (a stock-out)


class InventoryLevel(Base):
    __tablename__ = "inventory"
    __table_args__ = (UniqueConstraint("sku", "location"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(255))
    location: Mapped[str] = mapped_column(String(100), default="")
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    on_order: Mapped[int] = mapped_column(Integer, default=0)
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Review(Timestamped, Base):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    rating: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)


class ReviewAnalysis(Base):
    """What review intelligence read in one review: sentiment and aspect mentions.

    Re-analysed only when the review's text (``text_hash``) or the analyser (``model_version``)
    changes, so ``shopops reviews analyze`` is incremental and resumes where it stopped."""

    __tablename__ = "review_analyses"
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10), default="")
    sentiment: Mapped[str] = mapped_column(String(10), index=True)  # positive|negative|neutral|mixed
    p_positive: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(10), default="fast")  # fast|llm
    model_version: Mapped[str] = mapped_column(String(100), default="")
    # [{"aspect": normalised name, "term": words found, "polarity": positive|negative|neutral,
    #   "confidence": 0..1, "start": int, "end": int}]
    aspects: Mapped[list[Any]] = mapped_column(default=list)
    analyzed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AspectTaxonomy(Timestamped, Base):
    """A merchant's aspect names for one product category ("" = every category): {aspect: [terms]}."""

    __tablename__ = "aspect_taxonomies"
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(500), unique=True)
    aspects: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class Alert(Timestamped, Base):
    """Something a person should look at: a negative-aspect rise, a sales decline, a stock-out risk.

    ``dedupe_key`` makes detection idempotent: running it again updates the open alert's evidence
    instead of raising a second one."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_status_kind", "status", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # e.g. review.aspect_rise, sales.decline, stock.out_risk
    severity: Mapped[str] = mapped_column(String(10), default="medium")  # low|medium|high
    subject_type: Mapped[str] = mapped_column(String(30))  # product|category|sku|store
    subject_id: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|acknowledged|resolved
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProductSearchDoc(Base):
    """A product as the search index stores it: its BM25 tokens and its embedding.

    Re-made only when the product's search text (``text_hash``) or the embedding model changes, so
    keeping the index in step with the catalog embeds the products that changed and nothing else.
    Prices, stock and categories are not copied here: search reads them live from the catalog."""

    __tablename__ = "product_search_docs"
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    tokens: Mapped[str] = mapped_column(Text, default="")  # BM25 tokens, space-separated
    embed_model: Mapped[str] = mapped_column(String(100), default="")
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32 little-endian, L2-normalised
    indexed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class KnowledgeDocument(Timestamped, Base):
    __tablename__ = "knowledge_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(500), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str] = mapped_column(String(20), default="policy")  # policy|faq|guide|manual (agents only)
    format: Mapped[str] = mapped_column(String(10), default="text")  # markdown|html|text|faq
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10), default="")


class KnowledgeChunk(Base):
    """A retrievable passage of a knowledge document, with its embedding.

    Rebuilt per document when the document's ``content_hash`` changes (incremental re-indexing);
    ``embed_model`` names the model that made ``embedding`` so a model change re-embeds."""

    __tablename__ = "knowledge_chunks"
    __table_args__ = (UniqueConstraint("document_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("knowledge_documents.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    document_hash: Mapped[str] = mapped_column(String(64))  # the document's content_hash when chunked
    embed_model: Mapped[str] = mapped_column(String(100), default="")
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32 little-endian, L2-normalised


class Ticket(Timestamped, Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    channel: Mapped[str] = mapped_column(String(30), default="email")
    subject: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|escalated|answered|closed
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    language: Mapped[str] = mapped_column(String(10), default="")
    intent: Mapped[str] = mapped_column(String(50), default="")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the last message's triage (language, intent, sentiment, urgency, entities) and, once escalated
    # by the support pipeline, the structured hand-off a person picks up (see shopops.support.types)
    triage: Mapped[dict[str, Any]] = mapped_column(default=dict)
    handoff: Mapped[dict[str, Any]] = mapped_column(default=dict)
    messages: Mapped[list[TicketMessage]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketMessage.id"
    )


class TicketMessage(Base):
    __tablename__ = "ticket_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # customer|agent|bot
    author: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ticket: Mapped[Ticket] = relationship(back_populates="messages")


class Draft(Timestamped, Base):
    """Any AI output awaiting a person: copy, reply, plan, report."""

    __tablename__ = "drafts"
    __table_args__ = (
        Index("ix_drafts_status_kind", "status", "kind"),
        Index("ix_drafts_subject", "subject_type", "subject_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # e.g. copy.description, support.reply, plan
    subject_type: Mapped[str] = mapped_column(String(30))  # product|ticket|review|alert|report
    subject_id: Mapped[str] = mapped_column(String(100))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    checks: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft|approved|rejected
    author: Mapped[str] = mapped_column(String(200))  # "ai:<task>" or a user's email
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str] = mapped_column(Text, default="")
    generation_id: Mapped[int | None] = mapped_column(ForeignKey("generation_log.id"))


class Assignment(Timestamped, Base):
    """Who owns a piece of work (an escalated ticket, an alert, a draft) and by when."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("entity_type", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(30))  # ticket|alert|draft
    entity_id: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|done
    routed_by: Mapped[str] = mapped_column(String(200), default="")  # the rule or person that placed it


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_entity", "entity_type", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(100))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[Any]] = mapped_column(default=list)  # user ids
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Notification(Base):
    """One line in a person's inbox: an assignment or an @mention."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))  # assigned|mention|due
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class WebhookDelivery(Base):
    """One attempt to deliver an approved reply to the configured webhook (no secrets stored)."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(300))  # scheme://host/path, no query or credentials
    status_code: Mapped[int | None] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class GenerationLog(Base):
    __tablename__ = "generation_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    task: Mapped[str] = mapped_column(String(100), index=True)
    backend: Mapped[str] = mapped_column(String(30))
    model: Mapped[str] = mapped_column(String(200))
    prompt_hash: Mapped[str] = mapped_column(String(64), index=True)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    output: Mapped[str] = mapped_column(Text, default="")
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    error: Mapped[str] = mapped_column(Text, default="")


class Job(Timestamped, Base):
    """A resumable batch job; its items are checkpoints."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|running|done|failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class JobItem(Base):
    __tablename__ = "job_items"
    __table_args__ = (UniqueConstraint("job_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|done|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class VoiceProfileRecord(Timestamped, Base):
    """A saved brand voice (see shopops.copy.types.VoiceProfile for the fields in ``profile``)."""

    __tablename__ = "voice_profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ComplianceRule(Timestamped, Base):
    """A merchant's own banned word or claim, on top of the built-in packs."""

    __tablename__ = "compliance_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(100), unique=True)
    pattern: Mapped[str] = mapped_column(Text)
    match: Mapped[str] = mapped_column(String(10), default="word")  # word|regex
    message: Mapped[str] = mapped_column(Text, default="")
    marketplace: Mapped[str] = mapped_column(String(50), default="")  # "" = every marketplace
    country: Mapped[str] = mapped_column(String(2), default="")  # "" = every country
    severity: Mapped[str] = mapped_column(String(10), default="block")  # block|warn
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
