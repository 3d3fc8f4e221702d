"""Copy prompts: bounded schemas, a shared prefix, facts-only product content, escaped HTML."""

from __future__ import annotations

from typing import Any

import pytest

from shopops.copy.prompts import (
    GROUNDING_RULE,
    OUTPUT_MODELS,
    build_messages,
    feedback_messages,
    fields_from_text,
    render,
    render_fields,
)
from shopops.copy.types import CopyKind, CopyRequest, Flag, ProductFacts, VoiceProfile
from shopops.structured import schema_for

BOARD = ProductFacts(
    id="1",
    title="Bamboo Cutting Board",
    category="Cutting Boards",
    attributes={"material": "Moso bamboo", "care": "hand wash"},
    options={"Size": ["Small", "Large"]},
    price=24.0,
    price_max=40.0,
    currency="USD",
    description="A solid bamboo board with a juice groove.",
)
TEAPOT = ProductFacts(
    id="2",
    title="宜兴紫砂茶壶",
    attributes={"capacity": "200 ml", "material": "紫砂"},
    price=168.0,
    currency="CNY",
    language="zh",
)
VOICE = VoiceProfile(
    tone="playful and brief",
    audience="home cooks",
    words_to_use=["handmade"],
    words_to_avoid=["cheap", "luxury"],
    examples=["Our linen apron: soft, sturdy, ready for flour."],
)


@pytest.mark.parametrize("kind", list(CopyKind))
def test_every_kind_has_a_bounded_schema(kind: CopyKind) -> None:
    schema = schema_for(OUTPUT_MODELS[kind])  # raises on an unbounded array
    for name, prop in schema["properties"].items():
        if prop.get("type") == "array":
            assert "maxItems" in prop and "maxLength" in prop["items"], name
        else:
            assert "maxLength" in prop, name


def test_seo_limits_are_the_platform_limits() -> None:
    props = schema_for(OUTPUT_MODELS[CopyKind.SEO])["properties"]
    assert props["seo_title"]["maxLength"] == 70 and props["meta_description"]["maxLength"] == 160
    bullets = schema_for(OUTPUT_MODELS[CopyKind.BULLETS])["properties"]["bullets"]
    assert (bullets["minItems"], bullets["maxItems"]) == (3, 6)
    assert schema_for(OUTPUT_MODELS[CopyKind.SOCIAL])["properties"]["hashtags"]["maxItems"] == 5


def test_shared_prefix_is_identical_across_products_and_product_part_holds_only_its_facts() -> None:
    request = CopyRequest(product="x", kind=CopyKind.DESCRIPTION, language="en")
    board = build_messages(BOARD, request, VOICE)
    teapot = build_messages(TEAPOT, request, VOICE)
    assert [m.role for m in board] == ["system", "user"]
    assert board[0] == teapot[0]  # the cacheable prefix
    assert board[1] != teapot[1]
    for line in BOARD.fact_lines():
        assert line in board[1].content
    for foreign in ("紫砂", "200 ml", "宜兴", "CNY"):
        assert foreign not in board[1].content and foreign not in board[0].content
    for own in ("Bamboo", "bamboo", "Moso", "24-40 USD"):
        assert own not in board[0].content  # the prefix holds no product data


def test_instructions_carry_language_voice_and_the_grounding_rule() -> None:
    request = CopyRequest(
        product="x", kind=CopyKind.TITLE, language="zh", length="short", audience="students"
    )
    system = build_messages(TEAPOT, request, VOICE)[0].content
    assert GROUNDING_RULE in system
    assert "never add materials, sizes, numbers, certifications, compatibility" in system
    assert "Simplified Chinese" in system and "natively" in system
    assert "playful and brief" in system and "students" in system  # request audience wins
    assert '"handmade"' in system and '"cheap", "luxury"' in system
    assert "Our linen apron" in system and "style only" in system
    assert "Length: at most 6 words." in system  # a title's word budget for --length short
    other_kind = build_messages(TEAPOT, request.model_copy(update={"kind": CopyKind.SEO}), VOICE)[0]
    assert other_kind.content != system  # the prefix is per kind
    user = build_messages(TEAPOT, request, VoiceProfile())[1].content
    assert user.endswith(
        "Write the title in Simplified Chinese (简体中文), every word except brand names, model numbers "
        "and units, using only these facts."
    )


def test_tone_from_the_request_overrides_the_voice() -> None:
    request = CopyRequest(product="x", tone="formal")
    system = build_messages(BOARD, request, VOICE)[0].content
    assert "Tone: formal." in system and "playful" not in system


def test_description_html_is_rendered_in_code_and_escaped() -> None:
    output = OUTPUT_MODELS[CopyKind.DESCRIPTION_HTML].model_validate(
        {
            "intro": 'Tea & toast: a "board" for <b>every</b> kitchen',
            "features": ["Moso bamboo <script>alert(1)</script>", "Size < 40 cm & > 20 cm"],
        }
    )
    text, fields, page = render(CopyKind.DESCRIPTION_HTML, output)
    assert page == (
        "<p>Tea &amp; toast: a &quot;board&quot; for every kitchen</p>\n<ul>\n"
        "  <li>Moso bamboo alert(1)</li>\n  <li>Size &lt; 40 cm &amp; &gt; 20 cm</li>\n</ul>"
    )
    assert "<script" not in page and "<b>" not in page
    assert (
        text == 'Tea & toast: a "board" for every kitchen\n- Moso bamboo alert(1)\n- Size < 40 cm & > 20 cm'
    )
    assert fields["features"][1] == "Size < 40 cm & > 20 cm"


EXAMPLES: dict[CopyKind, dict[str, Any]] = {
    CopyKind.DESCRIPTION: {"paragraphs": ["A solid bamboo board.", "Hand wash & oil it now and then."]},
    CopyKind.DESCRIPTION_HTML: {
        "intro": "A solid bamboo board.",
        "features": ["Moso bamboo", "Juice groove"],
    },
    CopyKind.TITLE: {"title": "Bamboo Cutting Board with Juice Groove"},
    CopyKind.BULLETS: {"bullets": ["Moso bamboo", "Juice groove on one side", "Two sizes"]},
    CopyKind.SEO: {"seo_title": "Bamboo Cutting Board", "meta_description": "A solid Moso bamboo board."},
    CopyKind.AD: {"headline": "Meet your new board", "body": "Moso bamboo, juice groove, two sizes."},
    CopyKind.EMAIL: {
        "subject": "A board for every kitchen",
        "preheader": "Moso bamboo, two sizes",
        "body": "Hello!\n\nOur bamboo board has a juice groove.",
    },
    CopyKind.SOCIAL: {"post": "Chop, serve, repeat.", "hashtags": ["#bamboo", "kitchen life"]},
    CopyKind.BLURB: {"blurb": "You'll like it because it serves as well as it chops."},
}


@pytest.mark.parametrize("kind", list(CopyKind))
def test_render_every_kind_and_parse_an_edit_back(kind: CopyKind) -> None:
    output = OUTPUT_MODELS[kind].model_validate(EXAMPLES[kind])
    text, fields, page = render(kind, output)
    assert text.strip() and fields
    assert bool(page) == (kind in (CopyKind.DESCRIPTION, CopyKind.DESCRIPTION_HTML, CopyKind.BULLETS))
    # a person's edit comes back as text; parsing and re-rendering it keeps the same copy
    assert render_fields(kind, fields_from_text(kind, text)) == (text, fields, page)


def test_social_hashtags_are_normalised() -> None:
    text, fields, _ = render_fields(CopyKind.SOCIAL, EXAMPLES[CopyKind.SOCIAL])
    assert fields["hashtags"] == ["bamboo", "kitchenlife"]
    assert text.endswith("#bamboo #kitchenlife")


def test_feedback_names_the_claim_the_field_and_the_rule() -> None:
    flags = [
        Flag(
            kind="unsupported",
            message="material not in record",
            claim="stainless steel",
            field="attributes.material",
        ),
        Flag(
            kind="contradicted",
            message="capacity differs",
            claim="500 ml",
            field="attributes.capacity",
            expected="200 ml",
        ),
        Flag(kind="compliance", message="absolute term", claim="最好", rule="cn.ad-law.absolute"),
        Flag(kind="language", message="not Chinese", blocking=False),
    ]
    request = CopyRequest(product="x", language="zh")
    assistant, user = feedback_messages('{"title": "x"}', flags, request)
    assert assistant.role == "assistant" and assistant.content == '{"title": "x"}'
    assert '"stainless steel", which the product record does not support' in user.content
    assert '"500 ml", which contradicts attributes.capacity' in user.content and "'200 ml'" in user.content
    assert "cn.ad-law.absolute" in user.content and "Chinese" in user.content
    assert "not Chinese" not in user.content  # only blocking flags are fed back
