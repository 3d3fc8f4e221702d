"""Grounding: supported, contradicted (with the field and the expected value) or unsupported."""

from __future__ import annotations

from shopops.copy.grounding import ground_text, index_facts, key_topic
from shopops.copy.types import Flag, ProductFacts

BOTTLE = ProductFacts(
    id="bottle",
    title="Insulated Steel Water Bottle",
    attributes={"capacity": "500 ml", "material": "stainless steel", "colour": "Black"},
    options={"Size": ["S", "M"]},
    price=24.0,
    list_price=30.0,
    currency="USD",
)


def _flags(text: str, facts: ProductFacts = BOTTLE) -> list[Flag]:
    return ground_text(text, facts)[0]


def test_same_value_in_other_units_is_supported() -> None:
    assert _flags("Holds 0.5 L (500 ml, about 17 fl oz) in black stainless steel, size S or M.") == []


def test_wrong_capacity_is_contradicted_with_the_field_and_expected_value() -> None:
    [flag] = _flags("Holds 750 ml.")
    assert (flag.kind, flag.field, flag.expected, flag.claim) == (
        "contradicted", "attributes.capacity", "500 ml", "750 ml",
    )  # fmt: skip


def test_material_and_colour_against_their_attributes() -> None:
    flags = _flags("A bamboo bottle in red.")
    assert [(f.kind, f.field, f.expected) for f in flags] == [
        ("contradicted", "attributes.material", "stainless steel"),
        ("contradicted", "attributes.colour", "Black"),
    ]


def test_invented_material_without_a_material_field_is_unsupported() -> None:
    facts = ProductFacts(id="mug", title="Coffee Mug 350 ml")
    [flag] = _flags("A 350 ml mug made of porcelain.", facts)
    assert (flag.kind, flag.field, flag.claim) == ("unsupported", "material", "porcelain")


def test_general_terms_are_supported_by_specific_facts() -> None:
    assert _flags("A metal bottle, all steel.") == []  # stainless steel implies steel and metal
    facts = ProductFacts(id="t", title="Walnut Serving Board")
    assert _flags("Solid wood serving board.", facts) == []
    assert [f.claim for f in _flags("Walnut board", ProductFacts(id="t", title="Wooden Board"))] == ["Walnut"]


def test_price_discount_and_size_option() -> None:
    assert _flags("Only $24 — save 20% on the $30 list price.") == []
    [flag] = _flags("Only $19.")
    assert (flag.kind, flag.field, flag.expected) == ("contradicted", "price", "24 USD")
    [flag] = _flags("Also in size XL.")
    assert (flag.kind, flag.field) == ("contradicted", "options.Size")


def test_unitless_attribute_values_use_the_unit_in_the_name_or_the_bare_number() -> None:
    facts = ProductFacts(id="k", title="Kettle", attributes={"capacity_l": "1.7", "power": "2000"})
    assert _flags("A 1.7 litre (1700 ml) kettle with a 2000 W element.", facts) == []
    [flag] = _flags("A 2200W kettle.", facts)
    assert (flag.kind, flag.field, flag.expected) == ("contradicted", "attributes.power", "2000")


def test_free_text_with_several_values_gives_unsupported_not_contradicted() -> None:
    facts = ProductFacts(id="p", title="Phone (6GB RAM, 128GB Storage)")
    [flag] = _flags("Storage expandable to 1TB.", facts)
    assert flag.kind == "unsupported"
    assert _flags("6 GB of RAM and 128 GB of storage.", facts) == []


def test_compatibility_and_certifications() -> None:
    facts = ProductFacts(id="c", title="USB-C Cable for iPhone 15 and iPad Air, CE certified")
    assert _flags("Compatible with iPhone 15 and works with iPad Air. CE certified.", facts) == []
    flags = _flags("Compatible with iPhone 16. FCC certified.", facts)
    assert [(f.kind, f.field) for f in flags] == [
        ("unsupported", "compatibility"),
        ("unsupported", "certifications"),
    ]


def test_chinese_copy_grounds_in_an_english_record() -> None:
    assert _flags("500毫升黑色不锈钢保温杯，售价24美元", BOTTLE) == []
    [flag] = _flags("750毫升竹制保温杯", BOTTLE)[:1]
    assert (flag.field, flag.expected) == ("attributes.capacity", "500 ml")


def test_key_topic_reads_attribute_names() -> None:
    assert key_topic("Capacity (ml)") == "volume"
    assert key_topic("颜色") == "colour"
    assert key_topic("Fabric") == "material"
    assert key_topic("Size") == "size"
    assert key_topic("Brand") is None
    assert "500" not in {n for values in index_facts(BOTTLE).raw_numbers.values() for _, n, _ in values}
