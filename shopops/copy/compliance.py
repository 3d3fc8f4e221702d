"""Compliance rules: banned words and claims per marketplace and country.

Built-in packs ship with shopops; merchants add their own rows in the ``compliance_rules`` table.
A rule matches a literal ``word`` (whole words for Latin scripts, a substring for CJK; spaces and
hyphens in the pattern match either, so "FDA approved" also catches "FDA-approved") or a ``regex``.
A rule's ``marketplace``/``country`` may list several values separated by commas; empty means every
one. When the caller does not say which marketplace (or country) the copy is for, only the rules
that apply everywhere run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopops.copy.types import Flag
from shopops.errors import InputError

MAX_PATTERN_LENGTH = 1000
# a letter or digit of an alphabetic script: the edge of a Latin word (CJK has no word edges)
_LETTER = r"[^\W_\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]"


@dataclass(frozen=True)
class ComplianceRuleSpec:
    rule_id: str
    pattern: str
    match: Literal["word", "regex"] = "word"
    message: str = ""
    marketplace: str = ""  # "" = every marketplace; "amazon,ebay" = either
    country: str = ""  # ISO code; "" = every country
    severity: Literal["block", "warn"] = "block"
    pack: str = "custom"


def _pack(name: str, rows: Iterable[tuple[str, str, str, str]], **scope: str) -> list[ComplianceRuleSpec]:
    """rows: (rule id suffix, match kind, pattern, why)."""
    return [
        ComplianceRuleSpec(f"{name}.{suffix}", pattern, kind, why, pack=name, **scope)  # type: ignore[arg-type]
        for suffix, kind, pattern, why in rows
    ]


_CN_AD_LAW = [
    # 最 in a superlative; 最近/最后/最终/最初 (recently, last, final, first) and 最多/最少 (up to, at
    # least: spec language) are ordinary words.
    ("zui", "regex", r"最(?![近后终初多少])[\u4e00-\u9fff]", "superlative 最… is an absolute term"),
    (
        "diyi",
        "regex",
        r"第一(?![次步天个层件款章节部])|(?i:NO\.?\s?1)(?!\d)",
        "第一/No.1 is an absolute term",
    ),
    ("weiyi", "word", "唯一", "唯一 (the only) is an absolute term"),
    ("dingji", "word", "顶级", "顶级 (top class) is an absolute term"),
    ("jizhi", "word", "极致", "极致 (ultimate) is an absolute term"),
    ("guojiaji", "word", "国家级", "国家级 (national-level) is a banned term"),
    ("shijieji", "word", "世界级", "世界级 (world-class) is a banned term"),
    ("quanwang", "regex", r"全网(?:最低|第一|最)", "全网最低 / 全网第一 is an absolute claim"),
    ("shishang", "word", "史上最", "史上最 (best in history) is an absolute claim"),
    ("youxiao", "regex", r"100\s*[%％]\s*有效", "100%有效 promises a guaranteed effect"),
    ("shouxuan", "word", "首选", "首选 (first choice) is an absolute term"),
    ("dujia", "word", "独家", "独家 (exclusive) is an absolute term"),
    ("juedui", "word", "绝对", "绝对 (absolute) is an absolute term"),
    ("wanneng", "word", "万能", "万能 (all-powerful) is an absolute term"),
    ("yongjiu", "word", "永久", "永久 (permanent) is an absolute term"),
    ("jipin", "word", "极品", "极品 (supreme) is an absolute term"),
    ("dingjian", "word", "顶尖", "顶尖 (top-notch) is an absolute term"),
    ("shoufa", "regex", r"全球首发|全国首家|首家|首个", "首家/首发 (the first) is an absolute claim"),
    ("guanjun", "regex", r"销量冠军|领导品牌|领先品牌|王牌", "sales-leader claims are absolute terms"),
]
_HEALTH = [
    (
        "cure",
        "regex",
        r"(?i)\b(?:cures?|cured|curing|treats?|treating|heals?|healing|prevents?|preventing|relieves?|"
        r"reverses?)\s+(?:\w+\s+){0,2}?(?:diseases?|cancer|diabetes|arthritis|infections?|covid(?:-19)?|"
        r"virus(?:es)?|acne|eczema|psoriasis|insomnia|depression|anxiety|hair\s+loss|hypertension|"
        r"blood\s+pressure|illness(?:es)?|flu|migraines?|asthma|obesity|inflammation)\b",
        "claims to cure, treat or prevent a disease",
    ),
    ("fda_approved", "word", "FDA approved", "'FDA approved' is a regulated claim"),
    ("fda_cleared", "word", "FDA cleared", "'FDA cleared' is a regulated claim"),
    (
        "clinically_proven",
        "regex",
        r"(?i)\b(?:clinically|medically|scientifically)[\s-]+(?:proven|tested)\b",
        "clinical proof claims need evidence",
    ),
    ("medical_grade", "word", "medical grade", "'medical grade' is a regulated claim"),
    ("doctor", "regex", r"(?i)\bdoctors?[\s-]+recommended\b", "'doctor recommended' is a regulated claim"),
    (
        "zh_treat",
        "regex",
        r"治疗|治愈|根治|疗效|药到病除|包治|抗癌|防癌|降血压|降血糖|消炎",
        "medical efficacy claims (治疗/治愈/疗效…) are banned for ordinary goods",
    ),
    ("zh_medical", "regex", r"药用|医用级|医疗级", "药用/医用级 is a regulated claim"),
]
_PROMO = [
    (
        "free_shipping",
        "regex",
        r"(?i)\bfree[\s-]+(?:shipping|delivery)\b",
        "shipping offers do not belong in a listing",
    ),
    (
        "best_seller",
        "regex",
        r"(?i)\bbest[\s-]?sell(?:er|ing)\b",
        "'best seller' is a badge the platform awards",
    ),
    ("number_one", "regex", r"#\s?1(?!\d)|(?i:\bnumber\s+one\b)", "'#1' rankings are not allowed"),
    (
        "guaranteed",
        "regex",
        r"(?i)100\s?%\s+(?:guaranteed|satisfaction)|satisfaction\s+guaranteed",
        "guarantee promises are not allowed",
    ),
    (
        "limited_time",
        "regex",
        r"(?i)\blimited[\s-]+(?:time|offer|stock)\b",
        "time-limited offers are not allowed",
    ),
    ("sale", "regex", r"(?i)(?<!after[\s-])\b(?:on\s+)?sale\b", "sale language is not allowed"),
    (
        "discount",
        "regex",
        r"(?i)\bdiscount(?:ed|s)?\b|\b\d+\s?%\s+off\b",
        "discounts do not belong in a listing",
    ),
    (
        "buy_now",
        "regex",
        r"(?i)\b(?:buy|order|shop)\s+(?:now|today)\b|\bhurry\b",
        "calls to buy now are not allowed",
    ),
    ("cheapest", "regex", r"(?i)\b(?:cheapest|lowest\s+price)\b", "price-ranking claims are not allowed"),
    ("free_gift", "regex", r"(?i)\bfree\s+gifts?\b|\bbonus\s+gift\b", "free gift offers are not allowed"),
    ("email", "regex", r"[\w.+-]+@[\w-]+\.[\w.]+", "contact details (email) are not allowed in a listing"),
    (
        "url",
        "regex",
        r"(?i)\bhttps?://\S+|\bwww\.\S+|(?<![@\w.-])[a-z0-9-]+\.(?:com|net|org|in|cn|co\.uk|shop|store)\b",
        "links are not allowed in a listing",
    ),
    (
        "phone",
        "regex",
        r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{3,4}[\s.-])\d{3,4}[\s.-]\d{4}(?![\w.])"
        r"|(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d{9}(?!\d)",
        "contact details (phone number) are not allowed in a listing",
    ),
]
_ABSOLUTE_EN = [
    (
        "best_ever",
        "regex",
        r"(?i)\bbest\s+(?:ever|in\s+the\s+world|on\s+the\s+market)\b",
        "'best ever' is an unprovable superlative",
    ),
    (
        "worlds_best",
        "regex",
        r"(?i)\bworld'?s\s+(?:best|first|finest|no\.?\s?1)\b",
        "'world's best' is an unprovable superlative",
    ),
    (
        "guaranteed_results",
        "regex",
        r"(?i)\bguaranteed\s+(?:results|to\s+work)\b",
        "results cannot be guaranteed",
    ),
    ("effective_100", "regex", r"(?i)100\s?%\s+effective\b", "'100% effective' promises a guaranteed effect"),
    ("unbeatable", "word", "unbeatable", "'unbeatable' is an unprovable superlative"),
    ("risk_free", "regex", r"(?i)\brisk[\s-]free\b", "'risk-free' is an unprovable promise"),
    ("miracle", "regex", r"(?i)\bmiracle\b", "'miracle' claims are unprovable"),
]

BUILTIN_PACKS: dict[str, list[ComplianceRuleSpec]] = {
    "cn_ad_law": _pack("cn_ad_law", _CN_AD_LAW, country="CN"),
    "health_claims": _pack("health_claims", _HEALTH),
    "platform_promo": _pack("platform_promo", _PROMO, marketplace="amazon,walmart,ebay,flipkart"),
    "absolute_en": _pack("absolute_en", _ABSOLUTE_EN),
}
_PACK_WHY = {
    "cn_ad_law": "China's Advertising Law bans absolute terms",
    "health_claims": "health and medical claims are regulated",
    "platform_promo": "the marketplace bans promotional phrases and contact details in listings",
    "absolute_en": "absolute claims cannot be substantiated",
}


def builtin_rules() -> list[ComplianceRuleSpec]:
    return [rule for rules in BUILTIN_PACKS.values() for rule in rules]


def _is_cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" or "\uf900" <= char <= "\ufaff"


@lru_cache(maxsize=2048)
def compile_pattern(pattern: str, match: str, rule_id: str = "") -> re.Pattern[str]:
    """Compile a rule's pattern once; a bad one raises InputError naming the rule and the fix."""
    label = f"compliance rule {rule_id!r}" if rule_id else "compliance rule"
    if not pattern.strip():
        raise InputError(f"{label} has an empty pattern", hint="give the word or regular expression to ban")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise InputError(f"{label}: pattern is {len(pattern)} characters", hint="keep it under 1000")
    if match == "regex":
        try:
            return re.compile(pattern, re.IGNORECASE)
        except re.error as error:
            raise InputError(
                f"{label}: invalid regular expression {pattern!r}: {error}",
                hint="fix the expression (test it with Python's re module), or use match='word' to "
                "ban the text literally",
            ) from error
    if match != "word":
        raise InputError(f"{label}: match must be 'word' or 'regex', not {match!r}")
    words = [re.escape(part) for part in re.split(r"[\s-]+", pattern.strip())]
    body = r"[\s-]+".join(words)
    text = pattern.strip()
    before = "" if _is_cjk(text[0]) else rf"(?<!{_LETTER})"
    after = "" if _is_cjk(text[-1]) else rf"(?!{_LETTER})"
    return re.compile(f"{before}{body}{after}", re.IGNORECASE)


def validate_rule(rule: ComplianceRuleSpec) -> None:
    """Raise InputError when the rule cannot run (for the API and CLI that save merchant rules)."""
    compile_pattern(rule.pattern, rule.match, rule.rule_id)
    if rule.severity not in ("block", "warn"):
        raise InputError(f"compliance rule {rule.rule_id!r}: severity must be 'block' or 'warn'")


def _in_scope(scope: str, wanted: str | None) -> bool:
    if not scope.strip():
        return True
    if not wanted:
        return False
    return wanted.strip().lower() in {part.strip().lower() for part in scope.split(",")}


def applicable(
    rules: Sequence[ComplianceRuleSpec], *, marketplace: str | None = None, country: str | None = None
) -> list[ComplianceRuleSpec]:
    return [
        rule
        for rule in rules
        if _in_scope(rule.marketplace, marketplace) and _in_scope(rule.country, country)
    ]


def find_violations(
    text: str,
    rules: Sequence[ComplianceRuleSpec],
    *,
    marketplace: str | None = None,
    country: str | None = None,
) -> list[Flag]:
    """One flag per rule and matched phrase; ``warn`` rules give non-blocking flags."""
    flags: list[Flag] = []
    for rule in applicable(rules, marketplace=marketplace, country=country):
        seen: set[str] = set()
        for found in compile_pattern(rule.pattern, rule.match, rule.rule_id).finditer(text):
            phrase = found.group(0).strip()
            if not phrase or phrase.lower() in seen:
                continue
            seen.add(phrase.lower())
            why = rule.message or f"'{rule.pattern}' is not allowed"
            where = _PACK_WHY.get(rule.pack, "the store's own rule")
            flags.append(
                Flag(
                    kind="compliance",
                    message=f"[{rule.pack}] {why} ({where}; rule {rule.rule_id}): '{phrase}'",
                    claim=phrase,
                    rule=rule.rule_id,
                    blocking=rule.severity != "warn",
                )
            )
    return flags


def load_rules(session: Session) -> list[ComplianceRuleSpec]:
    """The built-in packs plus the merchant's enabled rules (a merchant rule id replaces a built-in)."""
    from shopops.store.models import ComplianceRule

    custom = [
        ComplianceRuleSpec(
            rule_id=row.rule_id,
            pattern=row.pattern,
            match="regex" if row.match == "regex" else "word",
            message=row.message or "",
            marketplace=row.marketplace or "",
            country=row.country or "",
            severity="warn" if row.severity == "warn" else "block",
            pack="custom",
        )
        for row in session.scalars(select(ComplianceRule).where(ComplianceRule.enabled.is_(True)))
    ]
    return merge_rules(builtin_rules(), custom)


def merge_rules(*groups: Iterable[ComplianceRuleSpec]) -> list[ComplianceRuleSpec]:
    """Rules from several sources, one per rule id (a later group wins)."""
    merged: dict[str, ComplianceRuleSpec] = {}
    for group in groups:
        for rule in group:
            merged[rule.rule_id] = rule
    return list(merged.values())
