"""The copy checker: every draft passes through ``check_copy`` before a person sees it.

It grounds each verifiable claim in the product record (``grounding``), applies the compliance
rules (built-in packs plus the merchant's, scoped by marketplace and country), and rejects refusals,
prompt echoes and copy in the wrong script (``safety``). Flags block approval by default; only
compliance rules of severity "warn" give non-blocking flags. Pure: no model, no network, no database
(load the merchant's rules once with ``compliance.load_rules(session)`` and pass them in).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from shopops.copy.claims import extract_claims
from shopops.copy.compliance import ComplianceRuleSpec, builtin_rules, find_violations, merge_rules
from shopops.copy.grounding import FactIndex, ground_claims, index_facts
from shopops.copy.safety import detect_prompt_echo, detect_refusal, detect_wrong_language
from shopops.copy.types import CopyChecks, Flag, ProductFacts

__all__ = ["ComplianceRuleSpec", "check_copy", "plain_text"]

_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/li|/h[1-6]|/div|/tr)\b[^<>]*>", re.IGNORECASE)


def plain_text(text: str) -> str:
    """HTML copy (description_html) as the words a shopper reads; plain text passes unchanged."""
    if not _TAG.search(text):
        return text
    text = _BLOCK_TAG.sub("\n", text)
    return html.unescape(_TAG.sub(" ", text))


def check_copy(
    text: str,
    facts: ProductFacts,
    *,
    language: str = "en",
    rules: Sequence[ComplianceRuleSpec] | None = None,
    marketplace: str | None = None,
    country: str | None = None,
    prompt_texts: Sequence[str] = (),
    fact_index: FactIndex | None = None,
) -> CopyChecks:
    """Check one draft against its product's facts.

    ``rules`` are added to the built-in packs (a rule with a built-in's id replaces it), so both
    ``None`` and ``load_rules(session)`` work. ``prompt_texts`` are the instructions the model saw;
    copy that repeats a long run of them is a prompt echo (the product's facts themselves may be
    repeated). ``fact_index`` lets a caller that checks many drafts of one product read it once.
    """
    plain = plain_text(text)
    claims = extract_claims(plain, language)
    flags: list[Flag] = detect_refusal(plain)
    flags += detect_prompt_echo(plain, prompt_texts, facts)
    flags += detect_wrong_language(plain, language)
    flags += ground_claims(claims, facts, fact_index or index_facts(facts))
    all_rules = merge_rules(builtin_rules(), rules or ())
    flags += find_violations(plain, all_rules, marketplace=marketplace, country=country)
    return CopyChecks(flags=flags, claims_checked=len(claims))
