"""The copy studio's vocabulary: kinds, requests, check flags and results.

Shared by the writer (``service.py``), the checker (``grounding.py``, ``compliance.py``,
``safety.py``), batch jobs, evaluation and the API, so each of them speaks the same types.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

LANGUAGES: dict[str, str] = {
    "en": "English",
    "zh": "Simplified Chinese (简体中文)",
    "es": "Spanish (español)",
    "pt": "Portuguese (português do Brasil)",
    "id": "Indonesian (Bahasa Indonesia)",
    "vi": "Vietnamese (Tiếng Việt)",
    "th": "Thai (ภาษาไทย)",
    "ar": "Arabic (العربية)",
}
Language = Literal["en", "zh", "es", "pt", "id", "vi", "th", "ar"]
Length = Literal["short", "medium", "long"]


class CopyKind(StrEnum):
    DESCRIPTION = "description"  # plain-text product description
    DESCRIPTION_HTML = "description_html"  # Shopify-ready HTML body
    TITLE = "title"
    BULLETS = "bullets"
    SEO = "seo"  # SEO title + meta description
    AD = "ad"  # short ad copy
    EMAIL = "email"  # marketing email (subject + body)
    SOCIAL = "social"  # social post
    BLURB = "blurb"  # recommendation blurb: "why you'll like it"


class ProductFacts(BaseModel):
    """Everything the model may say about a product, and the checker's ground truth."""

    id: str
    title: str
    description: str = ""  # plain text, from the merchant's record
    category: str = ""
    product_type: str = ""
    vendor: str = ""
    tags: list[str] = Field(default_factory=list)
    attributes: dict[str, str] = Field(default_factory=dict)  # material, colour, capacity, ...
    options: dict[str, list[str]] = Field(default_factory=dict)  # option name -> values (Size: S, M)
    price: float | None = None  # lowest variant price
    price_max: float | None = None
    list_price: float | None = None  # compare-at / MRP
    currency: str = ""
    language: str = "en"  # the language of the record itself

    def fact_lines(self) -> list[str]:
        """The facts as short 'name: value' lines, the only product content a prompt carries."""
        lines = [f"title: {self.title}"]
        for name, value in (
            ("category", self.category),
            ("type", self.product_type),
            ("brand", self.vendor),
        ):
            if value:
                lines.append(f"{name}: {value}")
        lines += [f"{key}: {value}" for key, value in self.attributes.items() if value]
        lines += [f"{name} options: {', '.join(values)}" for name, values in self.options.items() if values]
        if self.price is not None:
            shown = (
                f"{self.price:g}"
                if self.price_max in (None, self.price)
                else f"{self.price:g}-{self.price_max:g}"
            )
            lines.append(f"price: {shown} {self.currency}".rstrip())
        if self.list_price is not None:
            lines.append(f"list price: {self.list_price:g} {self.currency}".rstrip())
        if self.tags:
            lines.append(f"tags: {', '.join(self.tags)}")
        if self.description:
            lines.append(f"merchant description: {self.description}")
        return lines


class VoiceProfile(BaseModel):
    """A store's saved brand voice."""

    name: str = "default"
    tone: str = "warm, clear and factual"
    audience: str = ""
    words_to_use: list[str] = Field(default_factory=list, max_length=30)
    words_to_avoid: list[str] = Field(default_factory=list, max_length=50)
    examples: list[str] = Field(default_factory=list, max_length=3)  # short example copy in this voice


class CopyRequest(BaseModel):
    product: str  # product id or handle
    kind: CopyKind = CopyKind.DESCRIPTION
    language: Language = "en"
    variants: int = Field(default=1, ge=1, le=5)
    length: Length = "medium"
    tone: str | None = None  # overrides the voice profile's tone
    audience: str | None = None
    voice: str | None = None  # voice profile name; None = the store default
    marketplace: str | None = None  # compliance: e.g. "amazon", "taobao", "shopify"
    country: str | None = None  # compliance: ISO country, e.g. "CN", "US"


FlagKind = Literal["unsupported", "contradicted", "compliance", "refusal", "prompt_echo", "language"]


class Flag(BaseModel):
    kind: FlagKind
    message: str  # human-readable: what is wrong and where
    claim: str = ""  # the text span the flag is about
    field: str = ""  # the product field it contradicts or lacks (e.g. "attributes.capacity")
    expected: str = ""  # what the record says, when it says something else
    rule: str = ""  # the compliance rule id that fired
    blocking: bool = True


class CopyChecks(BaseModel):
    flags: list[Flag] = Field(default_factory=list)
    claims_checked: int = 0
    regenerations: int = 0
    removed: list[str] = Field(default_factory=list)  # sentences dropped for ungrounded claims

    @property
    def blocking(self) -> bool:
        return any(flag.blocking for flag in self.flags)

    def as_json(self) -> dict[str, Any]:
        return {**self.model_dump(), "blocking": self.blocking}


class CopyResult(BaseModel):
    """One generated variant, after checks; stored as a Draft."""

    kind: CopyKind
    language: str
    text: str  # the copy as a person reads it (fields joined for multi-part kinds)
    fields: dict[str, Any] = Field(default_factory=dict)  # e.g. {"seo_title":..., "meta_description":...}
    html: str = ""  # for description_html (and for export)
    checks: CopyChecks = Field(default_factory=CopyChecks)
    draft_id: int | None = None
    generation_id: int | None = None
