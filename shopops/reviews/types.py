"""Types shared by the review-intelligence modules (and the CLI, API and pages over them)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Sentiment = Literal["positive", "negative", "neutral", "mixed"]
Polarity = Literal["positive", "negative", "neutral"]
Method = Literal["fast", "llm"]
SENTIMENTS: tuple[Sentiment, ...] = ("positive", "negative", "neutral", "mixed")
POLARITIES: tuple[Polarity, ...] = ("positive", "negative", "neutral")


class SentimentScore(BaseModel):
    """One text's sentiment: the probability it is positive and the label read from it.

    ``neutral`` is the band around 0.5 (``review_neutral_band``); ``mixed`` means clauses of the
    same review point clearly both ways ("great sound, but the battery died in a week")."""

    label: Sentiment
    p_positive: float = Field(ge=0.0, le=1.0)
    method: Method = "fast"
    language: str = ""


class AspectMention(BaseModel):
    """An aspect of the product a review talks about, normalised to the category's taxonomy."""

    aspect: str  # taxonomy name, e.g. "battery"
    term: str  # the words in the review, e.g. "电池"
    polarity: Polarity
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    start: int = 0  # character offsets of ``term`` in the review text
    end: int = 0


class AnalyzedReview(BaseModel):
    """A review with its analysis: what summaries, trends and profiles are computed from."""

    review_id: int
    external_id: str = ""
    product_id: int | None = None
    product_title: str = ""
    category: str = ""
    customer_id: int | None = None
    rating: int | None = None
    language: str = ""
    reviewed_at: dt.datetime | None = None
    title: str = ""
    body: str
    sentiment: Sentiment
    p_positive: float = Field(ge=0.0, le=1.0)
    aspects: list[AspectMention] = Field(default_factory=list)
