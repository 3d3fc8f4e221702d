"""Aspect taxonomies: the shipped defaults per category, validation, and the merchant's overrides in
the store (category row, then the every-category row, then the default)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shopops.errors import InputError
from shopops.reviews.taxonomy import (
    MAX_TERM_LENGTH,
    Taxonomy,
    default_taxonomy,
    load_taxonomy,
    match_group,
    save_taxonomy,
    validate_aspects,
)
from shopops.store.db import Database
from shopops.store.models import AspectTaxonomy, AuditLog


@pytest.mark.parametrize(
    ("category", "group"),
    [
        ("Home & Kitchen > Cutting boards", "home_kitchen"),
        ("服装", "apparel"),
        ("服装/女装/连衣裙", "apparel"),
        ("T-Shirts", "apparel"),
        ("Electronics > Mobile Phones", "electronics"),
        ("数码/手机", "electronics"),
        ("Beauty > Hair care > Shampoo", "beauty"),
        ("洗发水", "beauty"),
        ("Snacks & Beverages", "food"),
        ("Camping tents", "outdoor"),
        ("", None),
        ("Miscellaneous", None),
    ],
)
def test_category_strings_map_to_the_closest_group(category: str, group: str | None) -> None:
    assert match_group(category) == group


def test_defaults_cover_generic_aspects_in_both_languages() -> None:
    generic = default_taxonomy("")
    for term, aspect in [
        ("quality", "quality"),
        ("质量", "quality"),
        ("Shipping", "delivery"),
        ("快递", "delivery"),
        ("packaging", "packaging"),
        ("客服", "service"),
        ("性价比", "price"),
        ("battery life", "battery"),
        ("fit", "size"),
    ]:
        assert generic.aspect_of(term) == aspect, term
    assert generic.source == "default"


def test_a_group_adds_aspects_and_takes_over_shared_terms() -> None:
    apparel = default_taxonomy("Clothing > T-shirts")
    assert apparel.aspect_of("缩水") == "washing"
    assert apparel.aspect_of("fabric") == "material"
    beauty = default_taxonomy("洗发水")
    assert beauty.aspect_of("smell") == "scent" and beauty.aspect_of("异味") == "scent"  # "smell" absorbed
    assert "smell" not in beauty.aspects
    electronics = default_taxonomy("Electronics")
    assert electronics.aspect_of("屏幕") == "screen" and electronics.aspect_of("画质") == "screen"
    # no default lists one term under two aspects
    for category in ("", "apparel", "electronics", "kitchen", "beauty", "food", "outdoor"):
        taxonomy = default_taxonomy(category)
        terms = [t for ts in taxonomy.aspects.values() for t in ts]
        assert len(terms) == len(set(terms)), category


def test_validation_normalises_and_names_the_problem() -> None:
    clean = validate_aspects({" Fit ": ["Sizing", "sizing", "ＦＩＴＳ"], "价格": []})
    assert clean == {"Fit": ("fit", "sizing", "fits"), "价格": ("价格",)}
    cases = [
        ({"": ["x"]}, "an aspect has an empty name"),
        ({"size": ["fit"], "comfort": ["FIT"]}, "term 'fit' is under both 'size' and 'comfort'"),
        ({"size": ["fit"], "Size": ["x"]}, "aspect 'Size' repeats aspect 'size'"),
        ({"size": ["  "]}, "aspect 'size': a term is empty"),
        ({"size": "fit"}, "aspect 'size': terms must be a list"),
        ({"size": ["x" * (MAX_TERM_LENGTH + 1)]}, f"is longer than {MAX_TERM_LENGTH}"),
        ({"a" * 61: ["x"]}, "name longer than 60"),
    ]
    for aspects, message in cases:
        with pytest.raises(InputError) as raised:
            validate_aspects(aspects)  # type: ignore[arg-type]
        assert message in str(raised.value), aspects


def test_taxonomy_lookup_is_normalised() -> None:
    taxonomy = Taxonomy(validate_aspects({"battery": ["Battery Life", "电池"]}))
    assert taxonomy.aspect_of("  BATTERY   life ") == "battery"
    assert taxonomy.aspect_of("电池") == "battery"
    assert taxonomy.aspect_of("screen") is None
    assert taxonomy.as_dict() == {"battery": ["battery", "battery life", "电池"]}


def test_merchant_overrides_resolve_category_then_every_category_then_default(db: Database) -> None:
    with db.session() as session:
        assert load_taxonomy(session, "Apparel").source == "default"
    everywhere = save_taxonomy(db, "", {"quality": ["build"], "delivery": ["courier", "快递"]}, "ana@shop")
    assert everywhere.source == "merchant"
    saved = save_taxonomy(db, "Apparel", {"fit": ["size", "尺码"]}, "ana@shop")
    assert saved.aspect_of("尺码") == "fit"
    with db.session() as session:
        own = load_taxonomy(session, "Apparel")
        fallback = load_taxonomy(session, "Kitchen")
    assert (own.source, list(own.aspects)) == ("merchant", ["fit"])
    assert (fallback.source, fallback.aspect_of("快递"), fallback.category) == (
        "merchant",
        "delivery",
        "Kitchen",
    )
    save_taxonomy(db, "Apparel", {"fit": ["size"], "comfort": ["soft"]}, "bo@shop")  # an update
    with db.session() as session:
        rows = session.scalars(select(AspectTaxonomy).order_by(AspectTaxonomy.category)).all()
        assert [(r.category, r.updated_by) for r in rows] == [("", "ana@shop"), ("Apparel", "bo@shop")]
        assert rows[1].aspects == {"fit": ["fit", "size"], "comfort": ["comfort", "soft"]}
        audit = session.scalars(select(AuditLog).where(AuditLog.entity_type == "aspect_taxonomy")).all()
        actions = [(a.action, a.entity_id) for a in audit]
        assert actions == [
            ("aspect_taxonomy.create", "*"),
            ("aspect_taxonomy.create", "Apparel"),
            ("aspect_taxonomy.update", "Apparel"),
        ]
        assert audit[2].before is not None and audit[2].before["aspects"] == {"fit": ["fit", "size", "尺码"]}


def test_an_invalid_save_changes_nothing(db: Database) -> None:
    save_taxonomy(db, "Shoes", {"fit": ["size"]}, "ana@shop")
    with pytest.raises(InputError, match="term 'size' is under both"):
        save_taxonomy(db, "Shoes", {"fit": ["size"], "comfort": ["size"]}, "bo@shop")
    with pytest.raises(InputError, match="no aspects"):
        save_taxonomy(db, "Shoes", {}, "bo@shop")
    with db.session() as session:
        assert load_taxonomy(session, "Shoes").as_dict() == {"fit": ["fit", "size"]}
