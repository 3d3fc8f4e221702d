"""Ground claims in the product record: supported, contradicted (the record says otherwise) or
unsupported (the record says nothing about it).

The record is read with the same extractor as the copy (title, description, category, type, brand,
tags, attributes, options, prices), so "1.5 L" in copy matches "1500 ml" in an attribute. A claim
is *contradicted* when the record states a different value for the same dimension; the flag names
the field that says so (``attributes.capacity``, ``options.Size``, ``title``, ``price``) and what it
says. An attribute whose value carries no unit ("capacity": "500") is read with the unit in its
name ("capacity_ml") when there is one, else as a bare number that the same number in copy matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shopops.copy.claims import Claim, extract_claims, name_tokens, normalise_size
from shopops.copy.lexicon import UNITS
from shopops.copy.types import Flag, ProductFacts

NUMERIC_KINDS = {"quantity", "count", "percent", "price", "warranty"}
_LABELS = {
    "volume": "capacity", "length": "dimensions", "mass": "weight", "power": "power", "energy": "energy",
    "battery": "battery capacity", "voltage": "voltage", "current": "current", "storage": "storage",
    "bitrate": "data rate", "frequency": "frequency", "duration": "duration", "resolution": "resolution",
    "temperature_c": "temperature", "temperature_f": "temperature", "count": "pack size",
    "in_one": "pack contents", "percent": "percentage", "price": "price", "warranty": "warranty",
}  # fmt: skip
# words in an attribute or option name -> what the attribute is about
_KEY_WORDS = [
    ("material", r"material|fabric|材质|面料|材料"),
    ("colour", r"colou?r|颜色|色"),
    ("size", r"^size$|clothing size|shoe size|尺码|码数"),
    ("volume", r"capacity|volume|容量|容积"),
    ("mass", r"weight|重量|净重"),
    ("length", r"length|width|height|depth|dimension|size|diameter|尺寸|长度|宽度|高度|直径"),
    ("power", r"power|wattage|功率"),
    ("battery", r"battery|电池"),
    ("voltage", r"voltage|电压"),
    ("storage", r"storage|memory|ram|rom|内存|存储"),
    ("warranty", r"warranty|guarantee|保修|质保"),
    ("count", r"pack|count|quantity|pieces|数量|件数"),
]
_KEY_PATTERNS = [(topic, re.compile(words, re.IGNORECASE)) for topic, words in _KEY_WORDS]
_BARE_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*$")
_UNIT_IN_KEY = re.compile(r"[A-Za-z]+|[\u4e00-\u9fff]+")
_SINGLE_VALUED = {"volume", "mass", "power", "battery", "energy", "count", "in_one", "warranty", "price"}
_FIELD_ORDER = ("attributes.", "options.", "title", "price", "list_price", "description", "tags")


def key_topic(name: str) -> str | None:
    """What an attribute name is about: 'Capacity (ml)' -> 'volume', '颜色' -> 'colour'."""
    for topic, pattern in _KEY_PATTERNS:
        if pattern.search(name.strip()):
            return topic
    return None


@dataclass
class FactIndex:
    """The product record read once, ready to ground many drafts against."""

    claims: list[tuple[str, Claim]] = field(default_factory=list)  # (field, claim)
    raw_numbers: dict[str, list[tuple[str, float, str]]] = field(default_factory=dict)  # topic -> fields
    topic_fields: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # topic -> (field, value)
    tokens: set[str] = field(default_factory=set)
    sizes: set[str] = field(default_factory=set)
    terms: dict[str, set[str]] = field(default_factory=dict)  # kind -> canonical keys (with implied)

    def add(self, where: str, text: str) -> list[Claim]:
        found = extract_claims(text)
        self.claims += [(where, claim) for claim in found]
        self.tokens.update(name_tokens(text))
        for claim in found:
            self.terms.setdefault(claim.kind, set()).update((claim.key, *claim.implies))
            if claim.kind == "size":
                self.sizes.add(claim.key)
        return found


def index_facts(facts: ProductFacts) -> FactIndex:
    index = FactIndex()
    for where, text in (
        ("title", facts.title), ("description", facts.description), ("category", facts.category),
        ("product_type", facts.product_type), ("vendor", facts.vendor), ("tags", ", ".join(facts.tags)),
    ):  # fmt: skip
        if text:
            index.add(where, text)
    for key, value in facts.attributes.items():
        _add_attribute(index, f"attributes.{key}", key, str(value))
    for name, values in facts.options.items():
        _add_attribute(index, f"options.{name}", name, ", ".join(values))
        if key_topic(name) in ("size", "length") or name.lower().startswith("size"):
            index.sizes.update(normalise_size(value) for value in values)
    prices = [("price", facts.price), ("price", facts.price_max), ("list_price", facts.list_price)]
    for where, amount in prices:
        if amount is not None:
            index.claims.append(
                (where, Claim("price", f"{amount:g} {facts.currency}".strip(), "price", amount))
            )
    if facts.price and facts.list_price and facts.list_price > facts.price:
        saving = facts.list_price - facts.price
        percent = round(100 * saving / facts.list_price)
        index.claims.append(("list_price", Claim("price", f"{saving:g}", "price", saving)))
        index.claims.append(("list_price", Claim("percent", f"{percent}% off", "percent", float(percent))))
    return index


def _add_attribute(index: FactIndex, where: str, name: str, value: str) -> None:
    index.tokens.update(name_tokens(name))
    found = index.add(where, value)
    topic = key_topic(name)
    if topic is None:
        return
    index.topic_fields.setdefault(topic, []).append((where, value))
    if topic == "size":
        index.sizes.update(normalise_size(part) for part in re.split(r"[,/]", value) if part.strip())
    if any(claim.kind in NUMERIC_KINDS for claim in found) or not _BARE_NUMBER.match(value):
        return
    units = [w.lower() for w in _UNIT_IN_KEY.findall(name) if w.lower() in UNITS]
    if units:  # "capacity_ml": "500" reads as 500 ml
        index.add(where, f"{value.strip()} {units[-1]}")
    else:  # "capacity": "500": the same number in copy matches, another number contradicts
        number = float(_BARE_NUMBER.match(value).group(1).replace(",", "."))  # type: ignore[union-attr]
        index.raw_numbers.setdefault(topic, []).append((where, number, value.strip()))


def _close(claim: Claim, fact: Claim) -> bool:
    a, b = claim.value or 0.0, fact.value or 0.0
    if claim.key == "price":
        return abs(a - b) <= max(0.5, 0.01 * max(abs(a), abs(b)))
    same_unit = (
        claim.raw_number is not None
        and fact.raw_number is not None
        and (abs(a * fact.raw_number - b * claim.raw_number) < 1e-6 * max(1.0, abs(a * fact.raw_number)))
    )
    tolerance = 0.005 if same_unit else 0.06  # unit conversions in copy are rounded ("20 oz = 590 ml")
    return abs(a - b) <= max(1e-9, tolerance * max(abs(a), abs(b)))


def _preferred(fields: Iterable[tuple[str, str]]) -> tuple[str, str]:
    def rank(item: tuple[str, str]) -> int:
        return next((i for i, prefix in enumerate(_FIELD_ORDER) if item[0].startswith(prefix)), 99)

    return min(fields, key=rank)


def _attribute_value(facts: ProductFacts, where: str) -> str | None:
    if where.startswith("attributes."):
        return str(facts.attributes.get(where.removeprefix("attributes."), "")) or None
    if where.startswith("options."):
        return ", ".join(facts.options.get(where.removeprefix("options."), [])) or None
    return None


def _states(where: str, fact: Claim, same: list[tuple[str, Claim]]) -> bool:
    """Does this fact pin the dimension down, so another value in copy contradicts it?

    Structured fields do (an attribute, an option, the price). Free text does only for dimensions a
    product has one of (its capacity, weight, wattage) and only when it gives one value: a title with
    "6GB RAM, 128GB" does not make "expandable to 1TB" a contradiction, just an unsupported claim.
    The discount computed from the list price supports "20% off" but contradicts no other percentage.
    """
    if where == "list_price" and fact.kind == "percent":
        return False
    if where.startswith(("attributes.", "options.", "price", "list_price")):
        return True
    values = {round(other.value or 0.0, 6) for w, other in same if w == where}
    return fact.key in _SINGLE_VALUED and len(values) == 1


def _ground_numeric(claim: Claim, index: FactIndex, facts: ProductFacts) -> Flag | None:
    same = [
        (where, fact) for where, fact in index.claims if fact.kind == claim.kind and fact.key == claim.key
    ]
    if any(_close(claim, fact) for _, fact in same):
        return None
    if claim.key == "count" and claim.value == 1 and not same:
        return None  # "1 piece" is what a listing sells unless the record says it is a set
    raw = index.raw_numbers.get(claim.key, [])
    if claim.raw_number is not None and any(abs(n - claim.raw_number) < 1e-9 for _, n, _ in raw):
        return None
    label = _LABELS.get(claim.key, claim.key)
    stated = [(where, fact.text) for where, fact in same if _states(where, fact, same)]
    stated += [(where, text) for where, _, text in raw]
    if stated:
        where, said = _preferred(stated)
        said = _attribute_value(facts, where) or said
        return Flag(
            kind="contradicted",
            message=f"The copy says '{claim.text}' ({label}), but {where} says '{said}'.",
            claim=claim.text,
            field=where,
            expected=said,
        )
    return Flag(
        kind="unsupported",
        message=f"The copy states {label} '{claim.text}', which the product record does not give.",
        claim=claim.text, field=label,
    )  # fmt: skip


def _ground_term(claim: Claim, index: FactIndex) -> Flag | None:
    kind = claim.kind
    known = index.terms.get(kind, set())
    if kind == "colour":  # "silver" and "gold" are materials and colours
        known = known | index.terms.get("material", set())
    if kind == "size":
        known = index.sizes
    if claim.key in known:
        return None
    if kind == "compatibility":
        missing = [token for token in claim.tokens if token not in index.tokens]
        if not missing:
            return None
        return Flag(
            kind="unsupported",
            message=f"The copy claims compatibility with '{claim.text}'; the product record does not "
            f"mention {', '.join(repr(m) for m in missing)}.",
            claim=claim.text, field="compatibility",
        )  # fmt: skip
    label = {"certification": "certifications"}.get(kind, kind)
    stated = index.topic_fields.get(kind, [])
    if kind == "certification" and claim.key.startswith("IP"):
        stated = [(where, fact.text) for where, fact in index.claims if fact.key.startswith("IP")]
    if stated:
        where, said = _preferred(stated)
        return Flag(
            kind="contradicted",
            message=f"The copy says {label} '{claim.text}', but {where} says '{said}'.",
            claim=claim.text, field=where, expected=said,
        )  # fmt: skip
    return Flag(
        kind="unsupported",
        message=f"The copy claims {label} '{claim.text}', which the product record does not mention.",
        claim=claim.text, field=label,
    )  # fmt: skip


def ground_claims(claims: Sequence[Claim], facts: ProductFacts, index: FactIndex | None = None) -> list[Flag]:
    """A flag for every claim the record does not support, one per distinct claim."""
    index = index or index_facts(facts)
    flags: list[Flag] = []
    seen: set[tuple[str, str, str]] = set()
    for claim in claims:
        flag = (
            _ground_numeric(claim, index, facts)
            if claim.kind in NUMERIC_KINDS
            else _ground_term(claim, index)
        )
        if flag is None:
            continue
        marker = (claim.kind, claim.key, claim.normalised)
        if marker not in seen:
            seen.add(marker)
            flags.append(flag)
    return flags


def ground_text(text: str, facts: ProductFacts, *, language: str = "en") -> tuple[list[Flag], int]:
    """Extract and ground in one step: (flags, number of claims checked)."""
    claims = extract_claims(text, language)
    return ground_claims(claims, facts), len(claims)
