"""Compliance packs, marketplace/country scoping, merchant rules from the database, bad patterns."""

from __future__ import annotations

import pytest

from shopops.copy.compliance import (
    BUILTIN_PACKS,
    ComplianceRuleSpec,
    builtin_rules,
    find_violations,
    load_rules,
    validate_rule,
)
from shopops.errors import InputError
from shopops.store import models as m
from shopops.store.db import Database

RULES = builtin_rules()


def _rules_fired(text: str, **scope: str) -> set[str]:
    return {flag.rule for flag in find_violations(text, RULES, **scope)}


def test_cn_ad_law_flags_absolute_terms_in_china_only() -> None:
    text = "这是最好的保温杯，全网最低价，国家级品质，行业第一"
    fired = _rules_fired(text, country="CN")
    assert {"cn_ad_law.zui", "cn_ad_law.quanwang", "cn_ad_law.guojiaji", "cn_ad_law.diyi"} <= fired
    assert not any(rule.startswith("cn_ad_law") for rule in _rules_fired(text, country="US"))
    assert not any(rule.startswith("cn_ad_law") for rule in _rules_fired(text))


def test_cn_ad_law_leaves_ordinary_words_with_zui_and_diyi_alone() -> None:
    text = "最近上新，最多可装500毫升，最后一步：第一次使用前请清洗"
    assert _rules_fired(text, country="CN") == set()


def test_health_claims_apply_everywhere() -> None:
    flags = find_violations("FDA-approved and clinically proven: cures acne. 本品可治疗失眠", RULES)
    fired = {flag.rule for flag in flags}
    assert fired == {
        "health_claims.fda_approved", "health_claims.clinically_proven", "health_claims.cure",
        "health_claims.zh_treat",
    }  # fmt: skip
    flag = next(f for f in flags if f.rule == "health_claims.cure")
    assert flag.kind == "compliance" and flag.claim == "cures acne" and flag.blocking
    assert "health_claims" in flag.message
    assert _rules_fired("Dog treats that dogs love; prevents rust") == set()


def test_platform_promo_is_scoped_to_marketplaces() -> None:
    text = "Best seller! Free shipping, buy now. Email help@shop.com or call 555-123-4567, www.shop.com"
    fired = _rules_fired(text, marketplace="amazon")
    assert {
        "platform_promo.best_seller", "platform_promo.free_shipping", "platform_promo.buy_now",
        "platform_promo.email", "platform_promo.phone", "platform_promo.url",
    } <= fired  # fmt: skip
    assert not any(rule.startswith("platform_promo") for rule in _rules_fired(text, marketplace="shopify"))
    assert not any(rule.startswith("platform_promo") for rule in _rules_fired(text))
    assert _rules_fired("Friendly after-sales service and wholesale packs", marketplace="amazon") == set()


def test_absolute_english_claims() -> None:
    assert _rules_fired("The world's best kettle, best ever, guaranteed results") == {
        "absolute_en.worlds_best", "absolute_en.best_ever", "absolute_en.guaranteed_results",
    }  # fmt: skip


def test_every_builtin_rule_compiles_and_names_its_pack() -> None:
    for pack, rules in BUILTIN_PACKS.items():
        assert rules
        for rule in rules:
            validate_rule(rule)
            assert rule.pack == pack and rule.rule_id.startswith(f"{pack}.")


def test_word_rules_respect_latin_word_edges_and_match_cjk_substrings() -> None:
    rules = [
        ComplianceRuleSpec("no-cheap", "cheap"),
        ComplianceRuleSpec("no-jiangjia", "降价", severity="warn"),
    ]
    assert [f.claim for f in find_violations("Cheap! not cheaply made", rules)] == ["Cheap"]
    [flag] = find_violations("限时降价促销", rules)
    assert flag.rule == "no-jiangjia" and not flag.blocking
    hyphen = [ComplianceRuleSpec("no-fda", "FDA approved")]
    assert [f.claim for f in find_violations("FDA-approved", hyphen)] == ["FDA-approved"]


def test_merchant_scope_lists_and_regex_rules() -> None:
    rules = [
        ComplianceRuleSpec("no-competitor", r"\b(?:acme|globex)\b", match="regex", marketplace="amazon,ebay"),
        ComplianceRuleSpec("de-only", "gratis", country="DE"),
    ]
    text = "Better than Acme, and gratis"
    assert [f.rule for f in find_violations(text, rules, marketplace="ebay", country="DE")] == [
        "no-competitor", "de-only",
    ]  # fmt: skip
    assert find_violations(text, rules, marketplace="shopify", country="US") == []


def test_bad_regex_gives_a_clear_input_error() -> None:
    with pytest.raises(InputError, match=r"'broken'.*invalid regular expression"):
        find_violations("text", [ComplianceRuleSpec("broken", "(unclosed", match="regex")])
    with pytest.raises(InputError, match="empty pattern"):
        validate_rule(ComplianceRuleSpec("empty", "  "))


def test_load_rules_adds_enabled_merchant_rules(db: Database) -> None:
    with db.session() as session:
        session.add_all([
            m.ComplianceRule(rule_id="store.no-cheap", pattern="cheap", match="word", message="off-brand"),
            m.ComplianceRule(rule_id="store.no-sku", pattern=r"SKU-\d+", match="regex", severity="warn"),
            m.ComplianceRule(rule_id="store.off", pattern="hello", enabled=False),
        ])  # fmt: skip
    with db.session() as session:
        rules = load_rules(session)
    by_id = {rule.rule_id: rule for rule in rules}
    assert "store.off" not in by_id
    assert by_id["store.no-sku"].match == "regex" and by_id["store.no-sku"].severity == "warn"
    assert len(rules) == len(RULES) + 2
    flags = find_violations("A cheap one, SKU-123", rules)
    assert [(f.rule, f.blocking) for f in flags] == [("store.no-cheap", True), ("store.no-sku", False)]
    assert "off-brand" in flags[0].message
