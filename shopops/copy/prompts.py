"""Copy prompts: one bounded output model per kind, the messages, and rendering to text and HTML.

Prompt layout, chosen for the local model's prompt cache: the system message is a *shared
prefix* that depends only on the kind, language, voice and request controls (tone, length,
audience) — identical for every product of a batch, so llama.cpp reuses its KV cache — and the
user message that follows carries only this product's facts (``ProductFacts.fact_lines()``).

The model never writes markup: every field is plain text under a JSON schema whose strings and
lists are bounded (``max_length``), and :func:`render` builds the Shopify-ready HTML in code,
escaping every piece of text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from shopops.copy.types import LANGUAGES, CopyKind, CopyRequest, Flag, ProductFacts, VoiceProfile
from shopops.llm.base import Message


def _text(min_length: int, max_length: int) -> Any:
    constraints = StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)
    return Annotated[str, constraints]


# Bounded strings: a small model cannot ramble past the bound (the grammar enforces it).
Paragraph = _text(20, 600)
Point = _text(3, 200)
Feature = _text(3, 160)
Hashtag = _text(1, 40)


class DescriptionOutput(BaseModel):
    paragraphs: list[Paragraph] = Field(min_length=1, max_length=3)


class DescriptionHtmlOutput(BaseModel):
    intro: Paragraph
    features: list[Feature] = Field(min_length=2, max_length=6)


class TitleOutput(BaseModel):
    title: str = Field(min_length=3, max_length=150)


class BulletsOutput(BaseModel):
    bullets: list[Point] = Field(min_length=3, max_length=6)


class SeoOutput(BaseModel):
    seo_title: str = Field(min_length=3, max_length=70)
    meta_description: str = Field(min_length=20, max_length=160)


class AdOutput(BaseModel):
    headline: str = Field(min_length=3, max_length=60)
    body: str = Field(min_length=10, max_length=300)


class EmailOutput(BaseModel):
    subject: str = Field(min_length=3, max_length=90)
    preheader: str = Field(min_length=3, max_length=120)
    body: str = Field(min_length=20, max_length=1200)


class SocialOutput(BaseModel):
    post: str = Field(min_length=10, max_length=400)
    hashtags: list[Hashtag] = Field(default_factory=list, max_length=5)


class BlurbOutput(BaseModel):
    blurb: str = Field(min_length=10, max_length=300)


OUTPUT_MODELS: dict[CopyKind, type[BaseModel]] = {
    CopyKind.DESCRIPTION: DescriptionOutput,
    CopyKind.DESCRIPTION_HTML: DescriptionHtmlOutput,
    CopyKind.TITLE: TitleOutput,
    CopyKind.BULLETS: BulletsOutput,
    CopyKind.SEO: SeoOutput,
    CopyKind.AD: AdOutput,
    CopyKind.EMAIL: EmailOutput,
    CopyKind.SOCIAL: SocialOutput,
    CopyKind.BLURB: BlurbOutput,
}

TASKS: dict[CopyKind, str] = {
    CopyKind.DESCRIPTION: "a product description for the product page, in 1 to 3 paragraphs",
    CopyKind.DESCRIPTION_HTML: "a product page body: one intro paragraph and 2 to 6 short feature points",
    CopyKind.TITLE: "a product title for a marketplace listing: one phrase with the brand, the product "
    "name and one or two key facts (not a list of fields)",
    CopyKind.BULLETS: "3 to 6 bullet points for a marketplace listing, each one fact and its benefit",
    CopyKind.SEO: "an SEO title (at most 70 characters) and a meta description (at most 160 characters)",
    CopyKind.AD: "a short ad: a headline (at most 60 characters) and one or two sentences of body",
    CopyKind.EMAIL: "a marketing email about the product: subject line, preheader and body",
    CopyKind.SOCIAL: "a social media post about the product, with up to 5 hashtags (without the #)",
    CopyKind.BLURB: "a recommendation blurb, 'why you'll like it', of one or two sentences",
}

LENGTHS: dict[str, str] = {
    "short": "Keep it short: the fewest words that carry the key facts.",
    "medium": "Medium length: complete but not padded.",
    "long": "Longer and detailed, using every fact that helps the reader; never pad with invented detail.",
}
WORDS: dict[CopyKind, dict[str, str]] = {  # word budgets where a kind has a natural length
    CopyKind.TITLE: {"short": "at most 6 words", "medium": "at most 10 words", "long": "at most 15 words"},
    CopyKind.DESCRIPTION: {"short": "about 40 words", "medium": "about 80 words", "long": "about 150 words"},
    CopyKind.DESCRIPTION_HTML: {
        "short": "an intro of about 25 words and 3 features",
        "medium": "an intro of about 40 words and 4 features",
        "long": "an intro of about 60 words and 6 features",
    },
    CopyKind.BULLETS: {"short": "3 bullets", "medium": "4 or 5 bullets", "long": "6 bullets"},
}


def length_rule(kind: CopyKind, length: str) -> str:
    budget = WORDS.get(kind, {}).get(length)
    return f"Length: {budget}." if budget else LENGTHS[length]


MAX_TOKENS: dict[CopyKind, int] = {
    CopyKind.DESCRIPTION: 450,
    CopyKind.DESCRIPTION_HTML: 450,
    CopyKind.TITLE: 80,
    CopyKind.BULLETS: 350,
    CopyKind.SEO: 150,
    CopyKind.AD: 150,
    CopyKind.EMAIL: 500,
    CopyKind.SOCIAL: 200,
    CopyKind.BLURB: 120,
}

GROUNDING_RULE = (
    "Use only these facts; never add materials, sizes, numbers, certifications, compatibility, "
    "or claims not listed. If a detail is not in the facts, leave it out."
)


def output_model(kind: CopyKind | str) -> type[BaseModel]:
    return OUTPUT_MODELS[CopyKind(kind)]


def _quoted(words: Sequence[str]) -> str:
    return ", ".join(f'"{word}"' for word in words)


def language_rule(language: str) -> str:
    """The language line. Small models copy an English record verbatim unless told to translate."""
    name = LANGUAGES[language]
    if language == "en":
        return "Language: write natively in English. Keep brand names, model numbers and units as given."
    return (
        f"Language: write natively in {name}, as a native copywriter would, even though the facts may "
        f"be in another language: put the product name and every feature into {name} (do not copy "
        "them in the original language); keep only brand names, model numbers and units as given."
    )


def instructions(kind: CopyKind | str, request: CopyRequest, voice: VoiceProfile) -> str:
    """The shared prefix: everything but the product. Identical for every product of a batch."""
    kind = CopyKind(kind)
    tone = request.tone or voice.tone
    audience = request.audience or voice.audience
    lines = [
        "You are an e-commerce copywriter. You write listing and marketing copy from a product record.",
        f"Task: write {TASKS[kind]}.",
        language_rule(request.language),
        f"Tone: {tone}.",
        length_rule(kind, request.length),
    ]
    if audience:
        lines.append(f"Audience: {audience}.")
    if voice.words_to_use:
        lines.append(f"Where they fit naturally, use these words: {_quoted(voice.words_to_use)}.")
    if voice.words_to_avoid:
        lines.append(f"Never use these words: {_quoted(voice.words_to_avoid)}.")
    lines += [
        "Rules:",
        f"- {GROUNDING_RULE}",
        "- State prices, discounts or stock only when the task needs them and the facts give them.",
        "- No superlatives such as best, #1 or 100%, and no medical or certification claims the facts lack.",
        "- Write only the copy, in your own words: no notes to the merchant, no apologies, no field "
        "labels (such as 'price:' or 'tags:'), no repeating these instructions.",
        "- Plain text only: no HTML, no Markdown.",
    ]
    if voice.examples:
        lines.append("Examples of the store's voice (follow their style only; they describe other products):")
        lines += [f'"""{example}"""' for example in voice.examples]
    return "\n".join(lines)


def facts_message(facts: ProductFacts, request: CopyRequest) -> str:
    """The product part of the prompt: the facts, then a one-line reminder of the task."""
    listed = "\n".join(f"- {line}" for line in facts.fact_lines())
    return (
        f"Product facts:\n{listed}\n\n"
        f"Write the {CopyKind(request.kind).value.replace('_', ' ')} in {LANGUAGES[request.language]}"
        + ("" if request.language == "en" else ", every word except brand names, model numbers and units")
        + ", using only these facts."
    )


def build_messages(facts: ProductFacts, request: CopyRequest, voice: VoiceProfile) -> list[Message]:
    """The shared instruction prefix (system), then only this product's facts (user)."""
    return [
        Message("system", instructions(request.kind, request, voice)),
        Message("user", facts_message(facts, request)),
    ]


def describe_flag(flag: Flag) -> str:
    """One flag as an instruction to the model: what it wrote and what to do about it."""
    said = f'your previous draft said "{flag.claim}"' if flag.claim else "your previous draft"
    if flag.kind == "contradicted":
        expected = f" (the record says {flag.expected!r})" if flag.expected else ""
        field = flag.field or "the product record"
        return f"{said}, which contradicts {field}{expected}: correct or remove it"
    if flag.kind == "unsupported":
        where = f" ({flag.field})" if flag.field else ""
        return f"{said}, which the product record does not support{where}: remove it"
    if flag.kind == "compliance":
        rule = flag.rule or "of the marketplace"
        return f"{said}, which breaks the rule {rule} ({flag.message}): remove it"
    if flag.kind == "refusal":
        return "your previous reply was a refusal or an apology, not copy: write the copy itself"
    if flag.kind == "prompt_echo":
        copied = f' ("{flag.claim}")' if flag.claim else ""
        return f"your previous draft copied prompt text{copied}: write only the copy, in your own words"
    return f"{said}: {flag.message}"


def feedback_messages(previous_output: str, flags: Sequence[Flag], request: CopyRequest) -> list[Message]:
    """Appended after the original messages to regenerate: the last reply, then what to fix."""
    problems = "\n".join(f"- {describe_flag(flag)}" for flag in flags if flag.blocking)
    return [
        Message("assistant", previous_output),
        Message(
            "user",
            f"Problems with that draft:\n{problems}\n\nWrite it again in {LANGUAGES[request.language]}, "
            f"fixing every problem. {GROUNDING_RULE}",
        ),
    ]


_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def clean(text: str) -> str:
    """Model text without stray markup (the model is told to write plain text; some still tag)."""
    return re.sub(r"[ \t]+", " ", _TAG.sub("", str(text))).strip()


def _esc(text: str) -> str:
    return html.escape(clean(text), quote=True)


def _hashtag(tag: str) -> str:
    return re.sub(r"\s+", "", clean(tag).lstrip("#"))


def render_fields(kind: CopyKind | str, fields: Mapping[str, Any]) -> tuple[str, dict[str, Any], str]:
    """(text, fields, html) from an output's fields: text as a person reads it, the cleaned fields,
    and HTML for the kinds that have a page body (description, description_html, bullets)."""
    kind = CopyKind(kind)

    def items(name: str) -> list[str]:
        return [clean(v) for v in fields.get(name) or [] if clean(v)]

    def one(name: str) -> str:
        return clean(fields.get(name) or "")

    if kind is CopyKind.DESCRIPTION:
        paragraphs = items("paragraphs")
        page = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        return "\n\n".join(paragraphs), {"paragraphs": paragraphs}, page
    if kind is CopyKind.DESCRIPTION_HTML:
        intro, features = one("intro"), items("features")
        parts = [f"<p>{html.escape(intro)}</p>"] if intro else []
        if features:
            parts.append("<ul>\n" + "\n".join(f"  <li>{html.escape(f)}</li>" for f in features) + "\n</ul>")
        text = "\n".join([intro, *(f"- {f}" for f in features)]).strip()
        return text, {"intro": intro, "features": features}, "\n".join(parts)
    if kind is CopyKind.BULLETS:
        bullets = items("bullets")
        page = "<ul>\n" + "\n".join(f"  <li>{html.escape(b)}</li>" for b in bullets) + "\n</ul>"
        return "\n".join(f"- {b}" for b in bullets), {"bullets": bullets}, page if bullets else ""
    if kind is CopyKind.SOCIAL:
        post = one("post")
        tags = [t for t in (_hashtag(t) for t in fields.get("hashtags") or []) if t]
        text = post + ("\n\n" + " ".join(f"#{t}" for t in tags) if tags else "")
        return text, {"post": post, "hashtags": tags}, ""
    names = list(output_model(kind).model_fields)
    cleaned = {name: one(name) for name in names}
    return "\n\n".join(v for v in cleaned.values() if v), cleaned, ""


def render(kind: CopyKind | str, output: BaseModel) -> tuple[str, dict[str, Any], str]:
    """(text, fields, html) of a validated output model."""
    return render_fields(kind, output.model_dump())


def fields_from_text(kind: CopyKind | str, text: str) -> dict[str, Any]:
    """The inverse of :func:`render_fields` for a person's edited text (the format it renders)."""
    kind = CopyKind(kind)
    text = text.strip()
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    lines = [line.strip() for line in text.splitlines() if line.strip()]

    def unbullet(line: str) -> str:
        return re.sub(r"^(?:[-*•]\s+|\d+[.)]\s+)", "", line).strip()

    if kind is CopyKind.DESCRIPTION:
        return {"paragraphs": blocks}
    if kind is CopyKind.DESCRIPTION_HTML:
        intro = [line for line in lines if unbullet(line) == line]
        features = [unbullet(line) for line in lines if unbullet(line) != line]
        return {"intro": " ".join(intro), "features": features}
    if kind is CopyKind.BULLETS:
        return {"bullets": [unbullet(line) for line in lines]}
    if kind is CopyKind.SOCIAL:
        tail = blocks[-1] if len(blocks) > 1 else ""
        if tail and all(word.startswith("#") for word in tail.split()):
            return {"post": "\n\n".join(blocks[:-1]), "hashtags": [w.lstrip("#") for w in tail.split()]}
        return {"post": text, "hashtags": []}
    names = list(output_model(kind).model_fields)
    if len(names) == 1:
        return {names[0]: " ".join(lines) if kind is CopyKind.TITLE else text}
    head = blocks[: len(names) - 1]
    rest = "\n\n".join(blocks[len(names) - 1 :])
    values = [*head, rest] + [""] * (len(names) - len(head) - 1)
    return dict(zip(names, values, strict=True))
