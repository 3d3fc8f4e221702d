"""Structured hand-offs: everything a person needs to pick up a conversation the bot should not answer.

Built in code from what the pipeline saw and did; the customer always gets a holding message in
their language, so no hand-off is silent.
"""

from __future__ import annotations

from collections.abc import Sequence

from shopops.support.types import Handoff, OrderFacts, Triage

SUMMARY_CHARS = 240

NEXT_STEPS: dict[str, str] = {
    "human_only_intent": "Reply personally: this topic is marked for people only.",
    "no_knowledge": "Answer the customer, then add the answer to the knowledge base "
    "(it appears under suggested FAQ entries).",
    "low_confidence": "Check the suggested passages; answer the customer or correct the knowledge base.",
    "order_not_found": "Ask the customer for the order confirmation or the email used at checkout.",
    "injection": "The message tries to change the assistant's instructions or reach other data: "
    "answer the genuine question, if any, yourself.",
    "check_failed": "The draft failed its checks: write the answer yourself.",
    "model_error": "The model gave no usable draft: write the answer yourself.",
    "disputed_delivery": "The carrier reports the order delivered but the customer has not received it: "
    "check the tracking with the carrier and follow the lost-parcel policy (replacement or refund).",
}
INTENT_STEPS: dict[str, str] = {
    "refund_dispute": "Review the order's payment and refund history before replying; "
    "do not promise an outcome until it is checked.",
    "legal": "Forward to the owner or the legal contact; do not admit liability in the reply.",
    "abuse": "Reply calmly or close the conversation under the store's conduct policy.",
    "human": "The customer asked for a person: reply personally.",
}


def summarise(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The customer's words, whitespace-normalised and cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return (cut if len(cut) > limit // 2 else flat[:limit]) + "…"


def build_handoff(
    reason: str,
    detail: str,
    *,
    triage: Triage,
    message: str,
    history: Sequence[str] = (),
    tried: Sequence[str] = (),
    order: OrderFacts | None = None,
    order_number: str | None = None,
    confidence: float = 0.0,
) -> Handoff:
    next_step = NEXT_STEPS[reason]
    if reason == "human_only_intent":
        next_step = INTENT_STEPS.get(triage.intent, next_step)
    asked = [summarise(m, 160) for m in [*history, message] if m.strip()][-5:]
    intent_words = triage.intent.replace("_", " ")
    summary = (
        f"{intent_words.capitalize()} ({triage.sentiment}, {triage.urgency} urgency): {summarise(message)}"
    )
    return Handoff(
        reason=reason,  # type: ignore[arg-type]  # validated by the model's Literal
        detail=detail,
        intent=triage.intent,
        sentiment=triage.sentiment,
        urgency=triage.urgency,
        language=triage.language,
        order_number=order.order_number if order is not None else order_number,
        summary=summary,
        asked=asked,
        tried=list(tried),
        next_step=next_step,
        confidence=round(confidence, 3),
    )
