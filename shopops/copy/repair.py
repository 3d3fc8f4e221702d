"""Last-resort repair: drop the sentences that carry claims the product record does not ground.

After the regeneration loop, a small model sometimes keeps one invented detail ("made of durable
plastic" on a cable whose record names no material). Removing that sentence is always faithful:
what remains was already checked, and the reviewer sees what was removed (``CopyChecks.removed``).
Grounding flags (unsupported / contradicted) and echoed prompt text ("List Price: 230 INR") are
repaired this way: a sentence that only restates a prompt label is not copy. A banned term or a
refusal is a reason to regenerate or edit, not to trim. Single-line fields (a title, an SEO
title) are never cut: their flags stay and block approval.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from shopops.copy.types import Flag

REPAIRABLE = frozenset({"unsupported", "contradicted", "prompt_echo"})
# A sentence ends at . ! ? followed by a space or the end ("1.5 m" does not end one), or at 。！？.
SENTENCE = re.compile(r".+?(?:[.!?]+(?=\s|$)|[。！？]+|$)", re.DOTALL)
# Fields that hold prose (lists of sentences or items) and may lose a sentence; others stay whole.
PROSE_FIELDS = frozenset({"paragraphs", "intro", "features", "bullets", "body", "post", "blurb"})


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def _carries(sentence: str, claims: Sequence[str]) -> bool:
    lowered = sentence.casefold()
    return any(claim.casefold() in lowered for claim in claims)


def _trim(text: str, claims: Sequence[str], removed: list[str]) -> str:
    kept = []
    for sentence in sentences(text):
        if _carries(sentence, claims):
            removed.append(sentence)
        else:
            kept.append(sentence)
    joiner = "" if re.search(r"[。！？]", text) else " "
    return joiner.join(kept)


def remove_ungrounded(fields: dict[str, Any], flags: Sequence[Flag]) -> tuple[dict[str, Any], list[str]]:
    """``fields`` without the sentences that carry a repairable flag's claim, and those sentences."""
    claims = [f.claim for f in flags if f.kind in REPAIRABLE and f.blocking and f.claim.strip()]
    removed: list[str] = []
    if not claims:
        return fields, removed
    repaired: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in PROSE_FIELDS:
            repaired[name] = value
        elif isinstance(value, list):
            trimmed = [_trim(item, claims, removed) for item in value if isinstance(item, str)]
            repaired[name] = [item for item in trimmed if item]
        elif isinstance(value, str):
            repaired[name] = _trim(value, claims, removed)
        else:
            repaired[name] = value
    return repaired, removed
