"""Calibration on the Amazon India development catalog (skips without ../shared).

Human "about this item" text legitimately adds facts the title lacks, so its flag rate is printed
as a calibration measure, not asserted. Text made only of the record's own facts (the title) must
raise no grounding flags: that is the false-alarm rate the copy writer's regeneration loop sees.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from shopops.copy.checker import check_copy
from shopops.copy.types import ProductFacts

GROUNDING = ("unsupported", "contradicted")


def _money(text: str) -> float | None:
    digits = re.sub(r"[^\d.]", "", text or "")
    return float(digits) if digits else None


def _catalog(shared_data: Path) -> list[tuple[ProductFacts, str]]:
    path = shared_data / "catalog" / "amazon_india_dev.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        (
            ProductFacts(
                id=row["product_id"],
                title=row["product_name"],
                category=row["category"],
                price=_money(row["discounted_price"]),
                list_price=_money(row["actual_price"]),
                currency="INR",
            ),
            row["about_product"].replace("|", "\n"),
        )
        for row in rows
    ]


def test_text_built_from_the_record_raises_no_grounding_flags(shared_data: Path) -> None:
    catalog = _catalog(shared_data)
    flagged = []
    for facts, _ in catalog:
        price = f" Now ₹{facts.price:,.0f}, down from ₹{facts.list_price:,.0f}." if facts.list_price else ""
        text = f"{facts.title}.{price}"
        flags = [f for f in check_copy(text, facts).flags if f.kind in GROUNDING]
        if flags:
            flagged.append((facts.title, [f.claim for f in flags]))
    rate = len(flagged) / len(catalog)
    print(f"\nfalse-alarm rate on title-only text: {rate:.1%} of {len(catalog)}; examples: {flagged[:5]}")
    assert rate <= 0.02


def test_human_references_calibration(shared_data: Path) -> None:
    catalog = _catalog(shared_data)
    flagged = claims = 0
    for facts, reference in catalog:
        checks = check_copy(reference, facts)
        claims += checks.claims_checked
        flagged += any(flag.kind in GROUNDING for flag in checks.flags)
    rate = flagged / len(catalog)
    print(
        f"\nhuman references with an unsupported/contradicted claim: {rate:.1%} of {len(catalog)} "
        f"({claims / len(catalog):.1f} claims checked per reference)"
    )
    assert claims > len(catalog)  # the references are full of verifiable claims; the checker reads them
