"""Claim extraction: units normalised to a base unit, Chinese claims, and numbers that are no claims."""

from __future__ import annotations

import pytest

from shopops.copy.claims import Claim, extract_claims, parse_number


def _by_kind(text: str, kind: str) -> list[Claim]:
    return [claim for claim in extract_claims(text) if claim.kind == kind]


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("holds 1.5 L", "volume", 1500),
        ("holds 1500 ml", "volume", 1500),
        ("a 1,000 ml jug", "volume", 1000),
        ("1.5m cable", "length", 1500),
        ("150 cm cable", "length", 1500),
        ("1.5Mtr braided cable", "length", 1500),
        ("3 FT cable", "length", 914.4),
        ('55" television', "length", 1397),
        ("weighs 2kg", "mass", 2000),
        ("weighs 2000 g", "mass", 2000),
        ("65W charger", "power", 65),
        ("5000mAh battery", "battery", 5000),
        ("2.4A output", "current", 2.4),
        ("128GB storage", "storage", 128),
        ("1 TB drive", "storage", 1024),
        ("480 Mbps transfer", "bitrate", 480),
        ("lasts 10 hours", "duration", 10),
        ("容量500毫升", "volume", 500),
        ("长1.2米", "length", 1200),
        ("重2公斤", "mass", 2000),
    ],
)
def test_quantities_are_normalised_to_a_base_unit(text: str, key: str, value: float) -> None:
    claims = _by_kind(text, "quantity")
    assert [(claim.key, pytest.approx(claim.value)) for claim in claims] == [(key, pytest.approx(value))]


def test_parse_number_reads_thousands_decimal_commas_and_numerals() -> None:
    assert parse_number("1,000") == 1000
    assert parse_number("1,5") == 1.5
    assert parse_number("两") == 2
    assert parse_number("十二") == 12
    assert parse_number("three") == 3


def test_dimensions_and_ranges_give_one_claim_per_number() -> None:
    values = [claim.value for claim in _by_kind("a box of 30 x 20 x 10 cm", "quantity")]
    assert values == [300, 200, 100]
    assert [claim.value for claim in _by_kind("input 100-240V", "quantity")] == [100, 240]


@pytest.mark.parametrize(
    "text",
    [
        "Compatible with iPhone 15 and 5G networks",
        "Model X-200 launched in 2024, support 24/7",
        "Step 1 of 3: plug in the Type-C cable",
        "Supports 802.11g Wi-Fi and 4K video",
        "16M colours on a 2024 model",
        "2024年新款",
        "一年四季都能用",
        "Buy it for a PC",
    ],
)
def test_numbers_that_are_not_product_claims(text: str) -> None:
    numeric = [c for c in extract_claims(text) if c.kind in ("quantity", "count", "warranty", "percent")]
    assert numeric == []


def test_counts_in_english_and_chinese() -> None:
    text = "Pack of 3, a 4-piece set, 6 pcs, 3-in-1 tool, 三件套, 四只装, set of two"
    counts = [(claim.key, claim.value) for claim in _by_kind(text, "count")]
    assert counts == [
        ("count", 3), ("count", 4), ("count", 6), ("in_one", 3), ("count", 3), ("count", 4), ("count", 2),
    ]  # fmt: skip


def test_warranties_are_months() -> None:
    text = (
        "1 year warranty; Warranty: 6 months; 2-year limited warranty; 两年质保; 保修1年; lifetime warranty"
    )
    assert [claim.value for claim in _by_kind(text, "warranty")] == [12, 6, 24, 24, 12, 1200]
    # the period inside a warranty is not a separate duration claim
    assert _by_kind("1 year warranty", "quantity") == []


def test_prices_and_percentages() -> None:
    claims = extract_claims("Now ₹1,099 (was Rs. 1,999), 45% off, ¥99, 99元")
    assert [(c.kind, c.value) for c in claims] == [
        ("price", 1099), ("price", 1999), ("percent", 45), ("price", 99), ("price", 99),
    ]  # fmt: skip


def test_materials_take_the_longest_term_and_skip_larger_words() -> None:
    keys = [
        c.key for c in _by_kind("stainless steel body, organic cotton strap, faux leather case", "material")
    ]
    assert keys == ["stainless_steel", "organic_cotton", "faux_leather"]
    assert _by_kind("cottony glassy steelbook, plastic-free packaging, sunglasses", "material") == []


def test_chinese_materials_colours_and_certifications() -> None:
    claims = extract_claims("采用304不锈钢与食品级硅胶，黑色和玫瑰金两色，通过3C认证，纯棉内衬，青瓷杯")
    keys = {(c.kind, c.key) for c in claims}
    assert {
        ("material", "stainless_steel"), ("material", "silicone"), ("colour", "black"),
        ("colour", "rose_gold"), ("certification", "ccc"), ("material", "cotton"), ("material", "celadon"),
    } <= keys  # fmt: skip


def test_colour_idioms_are_not_colours() -> None:
    assert _by_kind("Ready for Black Friday, blocks blue light, pairs with green tea", "colour") == []
    assert [c.key for c in _by_kind("Available in navy blue and gray", "colour")] == ["navy", "grey"]


def test_sizes_certifications_and_compatibility() -> None:
    sizes = [c.key for c in _by_kind("Sizes S, M and XXL; EU 42; 尺码XL", "size")]
    assert sizes == ["S", "M", "2XL", "EU 42", "XL"]
    certs = [
        c.key for c in _by_kind("OEKO-TEX and GOTS certified, CE marked, IPX7, ISO 9001", "certification")
    ]
    assert certs == ["oeko_tex", "gots", "ce", "IPX7", "iso 9001"]
    compat = _by_kind(
        "Compatible with iPhone 15 Pro; works with Alexa; fits well in any bag; 适用于iPad Air",
        "compatibility",
    )
    assert [c.tokens for c in compat] == [("iphone", "15", "pro"), ("alexa",), ("ipad", "air")]
