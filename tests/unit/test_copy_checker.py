"""check_copy end to end: the acceptance draft, faithful copy without false alarms, scoping, HTML."""

from __future__ import annotations

import pytest

from shopops.copy.checker import check_copy
from shopops.copy.compliance import ComplianceRuleSpec
from shopops.copy.types import ProductFacts

BOTTLE = ProductFacts(
    id="bottle-500",
    title="Trailhead Insulated Water Bottle 500 ml",
    category="Kitchen > Drinkware",
    vendor="Trailhead",
    attributes={
        "capacity": "500 ml",
        "material": "stainless steel",
        "colour": "Forest Green",
        "weight": "350 g",
    },
    options={"Colour": ["Forest Green", "Black"]},
    tags=["BPA-free", "outdoor"],
    price=24.0,
    list_price=30.0,
    currency="USD",
)
TEE = ProductFacts(
    id="tee",
    title="Organic Cotton Crew Tee",
    attributes={"material": "100% organic cotton", "certification": "GOTS"},
    options={"Size": ["S", "M", "L", "XL"], "Color": ["White", "Navy"]},
    price=18.0,
    currency="USD",
)
CABLE = ProductFacts(
    id="cable",
    title="Braided USB-C to Lightning Cable 1.5 m, 20W Fast Charging, "
    "Compatible with iPhone 14 and 15 (Pack of 2)",
    category="Electronics|Cables",
    price=399.0,
    list_price=999.0,
    currency="INR",
)
TEAPOT = ProductFacts(
    id="teapot",
    title="青瓷茶壶 600毫升",
    attributes={"材质": "陶瓷", "颜色": "青色", "容量": "600毫升"},
    price=168.0,
    currency="CNY",
    language="zh",
)


def test_acceptance_wrong_capacity_invented_material_and_banned_term_are_all_flagged() -> None:
    draft = "This 750 ml bottle is crafted from bamboo and is FDA approved for everyday hydration."
    checks = check_copy(draft, BOTTLE)
    by_claim = {flag.claim: flag for flag in checks.flags}
    capacity, material, banned = by_claim["750 ml"], by_claim["bamboo"], by_claim["FDA approved"]
    assert (capacity.kind, capacity.field, capacity.expected) == (
        "contradicted",
        "attributes.capacity",
        "500 ml",
    )
    assert (material.kind, material.field, material.expected) == (
        "contradicted", "attributes.material", "stainless steel",
    )  # fmt: skip
    assert (banned.kind, banned.rule) == ("compliance", "health_claims.fda_approved")
    assert checks.blocking and checks.claims_checked >= 3


FAITHFUL = [
    (BOTTLE, "en", "Meet the Trailhead bottle: 500 ml (0.5 L) of cold water in double-walled stainless "
     "steel, BPA-free, and only 350 g. Choose Forest Green or Black. Yours for $24, down from $30 — "
     "20% off the list price."),
    (BOTTLE, "en", "<p>The <strong>Trailhead Insulated Water Bottle</strong> holds half a litre.</p>"
     "<ul><li>Capacity: 500 ml</li><li>Stainless steel</li><li>Colour: Forest Green</li></ul>"),
    (TEE, "en", "A soft crew tee in 100% organic cotton, GOTS certified. Sizes S to XL, in white or navy. "
     "Wash it, wear it, love it — it gets softer every time."),
    (CABLE, "en", "Charge your iPhone 15 or iPhone 14 with this braided 1.5 metre USB-C to Lightning cable. "
     "It supports 20W fast charging, and you get two cables in every pack of 2 for just ₹399."),
    (CABLE, "en", "Built to last with a braided jacket. Compatible with iPhone 14 and iPhone 15; 150 cm long "
     "so it reaches from the wall to the sofa. Pack of 2, ₹399 instead of ₹999."),
    (BOTTLE, "zh", "Trailhead 保温水杯，容量500毫升，采用不锈钢材质，不含BPA，重量仅350克，"
     "适合户外使用。售价24美元。"),
    (CABLE, "zh", "编织 USB-C 转 Lightning 数据线，长1.5米，支持20W快充，"
     "兼容 iPhone 14 和 iPhone 15，两条装。"),
    (TEAPOT, "zh", "这款青瓷茶壶容量600毫升，陶瓷材质，釉色温润，适合日常泡茶，售价168元。"),
]  # fmt: skip


@pytest.mark.parametrize(("facts", "language", "text"), FAITHFUL)
def test_faithful_copy_raises_no_flags(facts: ProductFacts, language: str, text: str) -> None:
    checks = check_copy(text, facts, language=language)
    assert checks.flags == []
    assert checks.claims_checked > 0


def test_compliance_scoping_and_warn_rules_are_not_blocking() -> None:
    text = "最好的保温杯，free shipping"
    assert check_copy(text, BOTTLE, language="zh").flags == []
    fired = {
        f.rule for f in check_copy(text, BOTTLE, language="zh", marketplace="amazon", country="CN").flags
    }
    assert fired == {"cn_ad_law.zui", "platform_promo.free_shipping"}
    warn = [ComplianceRuleSpec("store.no-hydration", "hydration", severity="warn")]
    checks = check_copy("Great for hydration.", BOTTLE, rules=warn)
    assert [(f.rule, f.blocking) for f in checks.flags] == [("store.no-hydration", False)]
    assert not checks.blocking


def test_refusal_and_prompt_echo_are_rejected() -> None:
    kinds = {
        f.kind for f in check_copy("I'm sorry, but I can't write that. Use only these facts.", BOTTLE).flags
    }
    assert kinds == {"refusal", "prompt_echo"}
    prompt = "You write product copy. Never mention shipping times, returns or delivery promises in the copy."
    echo = "Never mention shipping times, returns or delivery promises in the copy. A great bottle."
    kinds = {f.kind for f in check_copy(echo, BOTTLE, prompt_texts=[prompt]).flags}
    assert "prompt_echo" in kinds


def test_wrong_language_is_flagged() -> None:
    text = "A stainless steel bottle that keeps your drinks cold all day, 500 ml."
    assert [f.kind for f in check_copy(text, BOTTLE, language="zh").flags] == ["language"]


def test_checks_serialise_for_the_draft_table() -> None:
    payload = check_copy("A 750 ml bottle.", BOTTLE).as_json()
    assert payload["blocking"] is True
    assert payload["flags"][0]["field"] == "attributes.capacity"
