"""Values passed between the support steps. Plain data: no database or model handles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Sentiment = Literal["negative", "neutral", "positive"]
Urgency = Literal["low", "normal", "high"]
Decision = Literal["answer", "escalate"]

# Intents triage assigns. Merchants mark some human-only (settings.support_human_only_intents).
INTENTS: tuple[str, ...] = (
    "order_status",  # where is my order, tracking, delivery date
    "return",  # return or exchange an item
    "refund",  # refund status / request
    "cancel",  # cancel an order
    "payment",  # payment methods, charges, invoices
    "shipping",  # shipping options, costs, countries, times (not one order)
    "account",  # sign-in, password, profile
    "product",  # product questions (size, material, availability)
    "refund_dispute",  # chargeback, disputed refund, "I will report you"
    "legal",  # lawyer, court, consumer authority, data-protection request
    "abuse",  # insults, threats
    "human",  # the customer asks for a person
    "other",
)
DEFAULT_HUMAN_ONLY: tuple[str, ...] = ("refund_dispute", "legal", "abuse", "human")


class Entities(BaseModel):
    order_numbers: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    tracking_numbers: list[str] = Field(default_factory=list)


class Triage(BaseModel):
    """What triage reads from one customer message (computed in code, no model)."""

    language: str = ""  # ISO 639-1, "" when unknown
    intent: str = "other"  # one of INTENTS
    intent_confidence: float = 0.0  # 0..1
    sentiment: Sentiment = "neutral"
    urgency: Urgency = "normal"
    entities: Entities = Field(default_factory=Entities)
    injection: bool = False  # the message tries to change instructions or reach other data
    injection_markers: list[str] = Field(default_factory=list)  # the phrases that matched


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of a knowledge document."""

    id: str  # stable: "<document key>#<position>"
    document_key: str
    title: str
    heading: str
    text: str
    language: str = ""
    kind: str = ""  # the document's kind: policy|faq|guide|manual (manual: agents' procedures)


# Documents written for agents, not customers (a policy manual's procedures): retrieved and shown
# to the person in a hand-off, never quoted or paraphrased to a customer.
INTERNAL_KINDS = frozenset({"manual"})


@dataclass(frozen=True)
class Hit:
    """A passage found for a query, with the evidence for its rank."""

    passage: Passage
    score: float  # reciprocal-rank-fusion score
    bm25: float  # raw BM25 score (0 when no query term occurs)
    cosine: float  # embedding cosine similarity
    bm25_rank: int | None  # 1-based; None when BM25 did not rank it
    vector_rank: int | None
    coverage: float  # share of the query's distinct content tokens present in the passage (0..1)


class OrderItem(BaseModel):
    sku: str
    title: str
    quantity: int
    unit_price: Decimal
    final_sale: bool = False
    returned_quantity: int = 0


class OrderFacts(BaseModel):
    """An order as the support tools report it: facts from the store, never from the model."""

    order_number: str
    status: str  # open|fulfilled|delivered|cancelled
    financial_status: str
    currency: str
    total: Decimal
    placed_at: dt.datetime
    shipped_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    carrier: str = ""
    tracking_number: str = ""
    estimated_delivery: dt.date | None = None  # when not delivered yet and the store can tell
    items: list[OrderItem] = Field(default_factory=list)


class PolicyDecision(BaseModel):
    """A decision computed in code from an order and the store's policy; the model only phrases it."""

    topic: Literal["return", "cancel", "refund"]
    allowed: bool
    reason: str  # a code: within_window, outside_window, final_sale, not_delivered, already_shipped, ...
    explanation: str  # the decision and its facts in one plain English sentence
    facts: dict[str, str | int | bool] = Field(default_factory=dict)
    rule: str  # the policy rule applied, in words (e.g. "returns within 30 days of delivery")


class Citation(BaseModel):
    passage_id: str
    title: str
    quote: str  # a short excerpt of the passage


class Handoff(BaseModel):
    """What a person needs to pick up an escalated conversation."""

    reason: Literal[
        "human_only_intent",
        "low_confidence",
        "no_knowledge",
        "order_not_found",
        "injection",
        "check_failed",
        "model_error",
        "disputed_delivery",
    ]
    detail: str  # the reason in words
    intent: str
    sentiment: Sentiment
    urgency: Urgency
    language: str
    order_number: str | None = None
    summary: str  # what the customer asked, in one or two sentences
    asked: list[str] = Field(default_factory=list)  # the customer's questions so far
    tried: list[str] = Field(default_factory=list)  # what the bot looked up / checked
    next_step: str  # the suggested next step for the person
    confidence: float = 0.0


class CheckFlag(BaseModel):
    code: str  # e.g. invented_order_number, uncited, promise_not_allowed, wrong_language
    message: str


class SupportDraft(BaseModel):
    """The pipeline's result for one customer message."""

    decision: Decision
    text: str  # the reply draft (answer) or a holding message to the customer (escalate)
    answer: str = ""  # the answer alone (no greeting/sign-off); what evaluation compares
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = 0.0
    triage: Triage = Field(default_factory=Triage)
    order: OrderFacts | None = None
    policy: PolicyDecision | None = None
    handoff: Handoff | None = None
    checks: list[CheckFlag] = Field(default_factory=list)
    generation_id: int | None = None
