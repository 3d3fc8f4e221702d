"""Baselines the copy evaluation reports beside shopops, scored by the same harness.

- **template**: a deterministic description rendered from the facts as sentences, no model. By
  construction it says nothing the record does not, so it bounds what "never invents" costs in
  ROUGE-L: a writer that only restates facts should at least match it.
- **raw-prompt**: the same model asked exactly ``write a product description for: <title>``,
  with no facts, no instructions and no checker loop; the checker still reads its output, so its
  ``unsupported_claim_rate`` shows what grounding and regeneration buy.
"""

from __future__ import annotations

from collections.abc import Callable

from shopops.copy.types import CopyKind, ProductFacts
from shopops.errors import InputError
from shopops.evals.copy_eval import EvalItem, ItemOutput, WorkFn, grounded_work, item_facts
from shopops.llm.base import ChatRequest, LLMBackend, Message

RAW_PROMPT = "write a product description for: {title}"

# Sentence frames per language; languages without their own use English frames. Labels are not
# the prompt's ("list price:", "title:"), which the checker rightly reads as a prompt echo.
_FRAMES: dict[str, dict[str, str]] = {
    "en": {
        "category": "Category: {value}.",
        "brand": "Brand: {value}.",
        "attribute": "{name}: {value}.",
        "options": "Available in {name} {value}.",
        "price": "Price: {value}.",
        "list_price": "Regular price: {value}.",
        "sep": " ",
        "end": ".",
    },
    "zh": {
        "category": "类别：{value}。",
        "brand": "品牌：{value}。",
        "attribute": "{name}：{value}。",
        "options": "可选{name}：{value}。",
        "price": "价格：{value}。",
        "list_price": "原价：{value}。",
        "sep": "",
        "end": "。",
    },
}


def _money(amount: float, currency: str) -> str:
    shown = f"{amount:,.2f}".removesuffix(".00")
    return f"{shown} {currency}".strip()


def _sentence(text: str, end: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?。！？" else text + end


def template_description(facts: ProductFacts, *, language: str = "en") -> str:
    """A description made only of the record's facts, one short sentence each."""
    frames = _FRAMES.get(language, _FRAMES["en"])
    parts = [_sentence(facts.title, frames["end"])] if facts.title else []
    if facts.category:
        parts.append(frames["category"].format(value=facts.category))
    if facts.vendor:
        parts.append(frames["brand"].format(value=facts.vendor))
    for name, value in facts.attributes.items():
        if value:
            parts.append(frames["attribute"].format(name=name.replace("_", " ").capitalize(), value=value))
    for name, values in facts.options.items():
        if values:
            parts.append(frames["options"].format(name=name.lower(), value=", ".join(values)))
    if facts.price is not None:
        parts.append(frames["price"].format(value=_money(facts.price, facts.currency)))
    if facts.list_price is not None and facts.list_price != facts.price:
        parts.append(frames["list_price"].format(value=_money(facts.list_price, facts.currency)))
    if facts.description:
        parts.append(_sentence(facts.description, frames["end"]))
    return frames["sep"].join(parts)


def template_title(facts: ProductFacts) -> str:
    """The record's own title, or its category and first attribute values when it has none."""
    if facts.title:
        return facts.title
    values = [v for v in facts.attributes.values() if v][:2]
    return " ".join([*values, facts.category or facts.product_type]).strip()


def template_work(*, kind: CopyKind, lang: str) -> WorkFn:
    """The template baseline. The checker reads its output too: it restates the record only, so
    any flag it gets is a false alarm of the checker, which makes it a cheap check on the checker."""
    from shopops.copy.checker import check_copy

    def work(item: EvalItem) -> ItemOutput:
        facts = item_facts(item)
        text = template_title(facts) if kind == CopyKind.TITLE else template_description(facts, language=lang)
        checks = check_copy(text, facts, language=lang)
        return ItemOutput(text=text, flags=list(checks.flags))

    return work


def raw_prompt_work(
    llm: LLMBackend,
    *,
    lang: str,
    max_tokens: int,
    temperature: float = 0.2,
    seed: int | None = 42,
) -> WorkFn:
    """The raw-prompt baseline: one user message, exactly :data:`RAW_PROMPT`; its output goes
    through the same checker (no regeneration) so its flags are counted like shopops'."""
    from shopops.copy.checker import check_copy

    def work(item: EvalItem) -> ItemOutput:
        facts = item_facts(item)
        prompt = RAW_PROMPT.format(title=facts.title)
        request = ChatRequest(
            messages=(Message("user", prompt),),
            task="eval.copy.raw_prompt",
            max_tokens=max_tokens,
            temperature=temperature,
            seed=seed,
        )
        text = llm.complete(request).text.strip()
        checks = check_copy(text, facts, language=lang, prompt_texts=(prompt,))
        return ItemOutput(text=text, flags=list(checks.flags))

    return work


SYSTEMS = ("shopops", "template", "raw-prompt")


def work_for_system(
    system: str,
    *,
    kind: CopyKind,
    lang: str,
    llm: Callable[[], LLMBackend],
    max_regenerations: int,
    max_tokens: int | None = None,
    temperature: float = 0.2,
    seed: int | None = 42,
) -> WorkFn:
    """The work function of a named system; ``llm`` is called only by systems that use a model.

    ``max_tokens`` ``None``: the writer's own budget for the kind, which the raw-prompt baseline
    gets too, so neither system is cut shorter than the other.
    """
    from shopops.copy.prompts import MAX_TOKENS

    budget = max_tokens or MAX_TOKENS[kind]
    if system == "shopops":
        return grounded_work(
            llm(), kind=kind, lang=lang, max_regenerations=max_regenerations, max_tokens=max_tokens
        )
    if system == "template":
        return template_work(kind=kind, lang=lang)
    if system == "raw-prompt":
        if kind != CopyKind.DESCRIPTION:
            raise InputError(
                "the raw-prompt baseline is defined for descriptions only",
                hint="use --kind description with --system raw-prompt",
            )
        return raw_prompt_work(llm(), lang=lang, max_tokens=budget, temperature=temperature, seed=seed)
    raise InputError(f"unknown system {system!r}", hint=f"use one of: {', '.join(SYSTEMS)}")
