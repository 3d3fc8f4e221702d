"""Extract the verifiable claims in a piece of copy: numbers with units, counts, prices, percentages,
warranties, materials, colours, sizes, certifications and compatibility.

Pure and deterministic, English and Chinese (numbers with units work in any script). Numbers are
normalised to a base unit per dimension, so "1.5 L" and "1500 ml" compare equal. The same extractor
runs over the product record, which keeps the checker consistent: whatever the record says is read
exactly as the copy would be. Bare numbers without a unit ("iPhone 15", "2024", "24/7", "X-200",
list numbering) are never claims.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from shopops.copy.lexicon import (
    BASE_UNITS,
    CASE_SENSITIVE_UNITS,
    CERTIFICATIONS,
    COLOUR_IDIOMS,
    COLOURS,
    MATERIALS,
    NO_SPACE_UNITS,
    NUMBER_WORDS,
    UNITS,
    ZH_NUMERAL_CHARS,
    Term,
    zh_number,
)

ClaimKind = str  # quantity|count|percent|price|warranty|material|colour|size|certification|compatibility


@dataclass(frozen=True)
class Claim:
    """One verifiable statement. ``key`` is the dimension (quantities) or canonical term (words)."""

    kind: ClaimKind
    text: str  # the span as written
    key: str
    value: float | None = None  # in the base unit of ``key`` (quantities, counts, prices, months)
    start: int = 0
    end: int = 0
    raw_number: float | None = None  # the number as written, before unit conversion
    implies: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()  # compatibility: the names it must find in the record

    @property
    def normalised(self) -> str:
        if self.value is None:
            return self.key
        unit = {"count": "pcs", "percent": "%", "warranty": "months", "price": "", "in_one": "-in-1"}.get(
            self.key, BASE_UNITS.get(self.key, "")
        )
        return f"{self.value:g} {unit}".strip()


_NUM = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_ZHNUM = f"[{ZH_NUMERAL_CHARS}]+"
_NUM_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# A number inside a model code ("X-200", "A65") or a fraction/ratio ("1/2", "24/7") is no claim;
# after a slash that separates words it is one ("8GB/512GB SSD", "Warranty/3months").
_NOT_AFTER = r"(?<![A-Za-z0-9.\-#])(?<!\d/)"


def parse_number(text: str) -> float | None:
    """'1,000' -> 1000, '1,5' -> 1.5 (decimal comma), '两' -> 2, 'three' -> 3."""
    text = text.strip()
    if text.lower() in NUMBER_WORDS:
        return float(NUMBER_WORDS[text.lower()])
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return zh_number(text)


_UNIT_ALT = "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))
_QUANTITY = re.compile(
    rf"{_NOT_AFTER}(?P<nums>(?:{_NUM})(?:\s*(?:-|–|~|to|至|到|x|×|\*)\s*(?:{_NUM})){{0,2}})"
    rf"(?P<sep>[ \-]?)(?P<unit>{_UNIT_ALT})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NUM_IN = re.compile(_NUM)
_NOT_A_UNIT = re.compile(r"802\.11")
_MILLIONS = re.compile(r"\s*(?:\+|colou?rs?|users|downloads|views|pixels|customers)", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d")

_PRICE = re.compile(
    rf"(?:(?<![A-Za-z])(?:US\$|\$|₹|Rs\.?|INR|USD|€|EUR|£|GBP|¥|￥|RMB|CNY)\s?(?P<a>{_NUM})"
    rf"|{_NOT_AFTER}(?P<b>{_NUM})\s?(?:美元|欧元|英镑|卢比|元|块|rupees|dollars|euros|(?-i:USD|INR|EUR|RMB))(?![A-Za-z]))",
    re.IGNORECASE,
)
_PERCENT = re.compile(rf"{_NOT_AFTER}(?P<n>{_NUM})\s?(?:%|％|percent\b|per cent\b)", re.IGNORECASE)
_COUNT = re.compile(
    rf"(?<![A-Za-z])(?:pack|set|box|bundle|case|pair)s?\s+of\s+(?P<a>{_NUM}|{_NUM_WORD})(?![A-Za-z0-9.]|\s*[x×*]\s*\d)"
    rf"|{_NOT_AFTER}(?P<b>{_NUM}|{_NUM_WORD})[\s-]?(?:pack|pk|pcs|pc|pieces|piece|pairs|count)s?(?![A-Za-z])"
    rf"|(?P<c>\d+|{_ZHNUM})\s?(?:件套|件装|只装|个装|片装|支装|条装|双装|瓶装|袋装|盒装|罐装)",
    re.IGNORECASE,
)
_IN_ONE = re.compile(rf"{_NOT_AFTER}(?P<n>\d+|{_NUM_WORD})[\s-]?in[\s-]?(?:1|one)(?![A-Za-z0-9])", re.I)
_PERIOD = r"(?P<unit>years?|yrs?|months?|days?)"
_ZH_PERIOD = r"(?P<zunit>年|个月|月|天)"
_WARRANTY = re.compile(
    rf"{_NOT_AFTER}(?P<n1>{_NUM}|{_NUM_WORD})[\s-]*{_PERIOD.replace('unit', 'u1')}(?:'s?)?[\s-]+"
    rf"(?:[A-Za-z']+[\s-]+){{0,2}}?(?:warranty|guarantee)"
    rf"|(?:warranty|guarantee)(?:\s*(?:period|of|for|is|:|up to|covers?|-)){{0,3}}\s*"
    rf"(?P<n2>{_NUM}|{_NUM_WORD})[\s-]*{_PERIOD.replace('unit', 'u2')}(?![A-Za-z])"
    rf"|(?:保修|质保|保固)期?\s*[:：为]?\s*(?P<n3>\d+|{_ZHNUM}){_ZH_PERIOD.replace('zunit', 'u3')}"
    rf"|(?P<n4>\d+|{_ZHNUM}){_ZH_PERIOD.replace('zunit', 'u4')}(?:质保|保修|保固)"
    rf"|(?P<life>lifetime (?:warranty|guarantee)|终身(?:保修|质保))",
    re.IGNORECASE,
)
_MONTHS = {"y": 12.0, "年": 12.0, "m": 1.0, "个": 1.0, "月": 1.0, "d": 1 / 30, "天": 1 / 30}
_SIZE_TOKEN = r"(?:XXXS|XXS|XS|S|M|L|XL|XXL|XXXL|[2-6]XL|\d{1,2}(?:\.5)?)"
_SIZES = re.compile(
    rf"(?<![A-Za-z])(?i:sizes?|sz)\s*[:：]?\s*(?P<list>{_SIZE_TOKEN}(?:\s*(?:,|/|-|to|and|&)\s*{_SIZE_TOKEN})*)"
    rf"(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])(?P<alone>XXXS|XXS|XS|XXL|XXXL|[2-6]XL|XL)(?![A-Za-z0-9])"
    r"|(?<![A-Za-z])(?P<region>EU|US|UK)\s?(?:(?i:size)\s?)?(?P<rsize>\d{1,2}(?:\.5)?)(?![\d.%A-Za-z])"
    rf"|(?:尺码|码数)\s*[:：]?\s*(?P<zh>{_SIZE_TOKEN})|(?P<zh2>XXS|XS|S|M|L|XL|XXL|[2-6]XL)码"
)
_SIZE_SPLIT = re.compile(_SIZE_TOKEN)
_COMPAT_BRANDS = (
    "iPhone|iPad|Galaxy|Samsung|Pixel|MacBook|Apple Watch|AirPods|Kindle|Alexa|PS5|PS4|Xbox|Nintendo|"
    "OnePlus|Redmi|Xiaomi|Huawei|Oppo|Vivo|Realme|Motorola|Nokia|Lenovo|Dell|HP|Asus|Acer"
)
# Capitalised words that name a platform or brand; other capitalised words in a compatibility phrase
# are ordinary words in title case ("Compatible with Standard Chargers") and are not checked.
_OTHER_NAMES = (
    "Apple Android Windows Mac Linux Chromebook Google Siri Cortana Sonos Philips Hue Nest Roku Fire TV "
    "Echo Sony LG Panasonic Bosch Canon Nikon GoPro Garmin Fitbit Tesla KitchenAid Nespresso "
    "Keurig Dyson Shopify Bluetooth Lightning Thunderbolt Zigbee HomeKit SmartThings Jio "
    "Pro Max Plus Mini Ultra Air Lite Note SE "
    "Airtel JBL Bose Mi Poco Tecno Infinix Micromax Intel AMD Nvidia Ryzen"
)
_KNOWN_NAMES = {name.lower() for name in re.split(r"[|\s]+", f"{_COMPAT_BRANDS} {_OTHER_NAMES}")}
_COMPAT = re.compile(
    r"(?i:compatible\s+(?:with|for)|works\s+with|fits(?:\s+(?:the|all|most))?|designed\s+for|made\s+for"
    r"|for\s+use\s+with)\s+(?P<t>[^.,;:!?\n|()\[\]【】]{1,60})"
    rf"|(?<![A-Za-z])(?i:for)\s+(?P<b>(?:{_COMPAT_BRANDS})"
    r"(?:[ ]+[A-Za-z]*\d+[A-Za-z]*|[ ]+(?:Pro|Max|Plus|Mini|Ultra))*)"
    r"|(?:适用于|兼容|适配|支持)\s*(?P<z>[A-Za-z0-9][A-Za-z0-9 .+\-/]{0,40})"
)
_COMPAT_STOP = {
    "any", "all", "most", "other", "others", "device", "devices", "phone", "phones", "smartphone",
    "smartphones", "model", "models", "and", "or", "the", "a", "an", "your", "with", "more",
    "brands", "series", "etc", "versions", "version", "latest", "new", "standard", "universal",
}  # fmt: skip
_TOKEN = re.compile(r"[a-z]+|\d+")


def name_tokens(text: str) -> list[str]:
    """Lower-case letter runs and digit runs, singular: 'iPhones13 Pro' -> ['iphone', '13', 'pro']."""
    return [singular(token) for token in _TOKEN.findall(text.lower())]


def _term_regex(terms: Iterable[Term], sensitive: bool) -> re.Pattern[str]:
    latin, cjk = [], []
    for term in terms:
        if term.case_sensitive != sensitive:
            continue
        escaped = re.escape(term.pattern).replace(r"\ ", r"[\s-]+")
        (latin if term.pattern[:1].isascii() and term.pattern[-1:].isascii() else cjk).append(escaped)
    parts = []
    if latin:
        parts.append(rf"(?<![A-Za-z0-9])(?:{'|'.join(latin)})(?![A-Za-z0-9])")
    if cjk:
        parts.append("|".join(cjk))
    return re.compile("|".join(parts) or r"(?!x)x", 0 if sensitive else re.IGNORECASE)


def _lookup(terms: list[Term]) -> dict[str, Term]:
    table: dict[str, Term] = {}
    for term in terms:
        table.setdefault(term.pattern if term.case_sensitive else term.pattern.lower(), term)
    return table


_LEXICONS = {
    kind: (_term_regex(terms, False), _term_regex(terms, True), _lookup(terms))
    for kind, terms in (("material", MATERIALS), ("colour", COLOURS), ("certification", CERTIFICATIONS))
}
_IP_RATING = re.compile(r"(?<![A-Za-z0-9])IP(?:X\d|\d{2})(?![A-Za-z0-9])")
_ISO = re.compile(r"(?<![A-Za-z0-9])ISO[\s-]?(?P<n>\d{4,5})(?![0-9])")
_IDIOMS = re.compile(rf"(?<![A-Za-z])(?:{COLOUR_IDIOMS})(?![A-Za-z])", re.IGNORECASE)
_FREE_AFTER = re.compile(r"[\s-]?free(?![A-Za-z])", re.IGNORECASE)


def _quantities(text: str) -> Iterable[Claim]:
    for match in _QUANTITY.finditer(text):
        unit_text = match.group("unit")
        unit = unit_text.lower()
        if unit in CASE_SENSITIVE_UNITS and unit_text not in CASE_SENSITIVE_UNITS[unit]:
            continue
        if unit in NO_SPACE_UNITS and match.group("sep"):
            continue
        if _NOT_A_UNIT.match(text, match.start()):
            continue  # "802.11g" is a Wi-Fi standard
        if unit_text == "M" and _MILLIONS.match(text, match.end()):
            continue  # "16M colours" are millions
        dimension, factor = UNITS[unit]
        numbers = [parse_number(n) for n in _NUM_IN.findall(match.group("nums"))]
        if unit == "年" and any(_YEAR.fullmatch(n) for n in _NUM_IN.findall(match.group("nums"))):
            continue  # 2024年 is a date
        for number in numbers:
            if number is not None:
                yield Claim("quantity", match.group(0), dimension, round(number * factor, 6),
                            match.start(), match.end(), raw_number=number)  # fmt: skip


def _numbers(text: str) -> Iterable[Claim]:
    for match in _PRICE.finditer(text):
        number = parse_number(match.group("a") or match.group("b"))
        if number is not None:
            yield Claim("price", match.group(0), "price", number, match.start(), match.end(), number)
    for match in _PERCENT.finditer(text):
        number = parse_number(match.group("n"))
        if number is not None:
            yield Claim("percent", match.group(0), "percent", number, match.start(), match.end(), number)
    for match in _COUNT.finditer(text):
        number = parse_number(match.group("a") or match.group("b") or match.group("c"))
        if number is not None:
            yield Claim("count", match.group(0), "count", number, match.start(), match.end(), number)
    for match in _IN_ONE.finditer(text):
        number = parse_number(match.group("n"))
        if number is not None:
            yield Claim("count", match.group(0), "in_one", number, match.start(), match.end(), number)


def _warranties(text: str) -> Iterable[Claim]:
    for match in _WARRANTY.finditer(text):
        if match.group("life"):
            yield Claim("warranty", match.group(0), "warranty", 1200.0, match.start(), match.end())
            continue
        for index in "1234":
            if match.group(f"n{index}"):
                number = parse_number(match.group(f"n{index}"))
                months = _MONTHS[match.group(f"u{index}")[0].lower()]
                if number is not None:
                    yield Claim("warranty", match.group(0), "warranty", round(number * months, 3),
                                match.start(), match.end(), number)  # fmt: skip
                break


def normalise_size(token: str) -> str:
    token = token.upper().strip()
    return {"XXL": "2XL", "XXXL": "3XL", "XXS": "2XS", "XXXS": "3XS"}.get(token, token)


def _sizes(text: str) -> Iterable[Claim]:
    for match in _SIZES.finditer(text):
        if match.group("list"):
            tokens = _SIZE_SPLIT.findall(match.group("list"))
        elif match.group("region"):
            tokens = [f"{match.group('region')} {match.group('rsize')}"]
        else:
            tokens = [match.group("alone") or match.group("zh") or match.group("zh2")]
        for token in tokens:
            yield Claim("size", match.group(0), normalise_size(token), None, match.start(), match.end())


def _terms(text: str, kind: str) -> Iterable[Claim]:
    insensitive, sensitive, table = _LEXICONS[kind]
    idioms = [m.span() for m in _IDIOMS.finditer(text)] if kind == "colour" else []
    for regex in (insensitive, sensitive):
        for match in regex.finditer(text):
            written = match.group(0)
            key = re.sub(r"[\s-]+", " ", written) if written.isascii() else written
            term = table.get(key) or table.get(key.lower()) or table.get(written.lower())
            if term is None:  # "full-grain leather" written with a hyphen
                term = table.get(key.lower().replace(" ", "-")) or table.get(key.replace(" ", "-"))
            if term is None:
                continue
            if any(start <= match.start() < end for start, end in idioms):
                continue
            if kind == "material" and term.canonical != "bpa_free" and _FREE_AFTER.match(text, match.end()):
                continue  # "plastic-free" is not a plastic claim
            yield Claim(kind, written, term.canonical, None, match.start(), match.end(), implies=term.implies)
    if kind == "certification":
        for match in _IP_RATING.finditer(text):
            yield Claim(kind, match.group(0), match.group(0), None, match.start(), match.end())
        for match in _ISO.finditer(text):
            yield Claim(kind, match.group(0), f"iso {match.group('n')}", None, match.start(), match.end())


def _is_name(word: str) -> bool:
    """iPhone, USB-C, X200, HDMI, Alexa: a model, an acronym, a mixed-case or a known brand name."""
    letters = [c for c in word if c.isalpha()]
    return (
        any(c.isdigit() for c in word)
        or (len(letters) >= 2 and all(c.isupper() for c in letters))
        or word[1:] != word[1:].lower()
        or singular(word.lower()) in _KNOWN_NAMES
    )


def singular(token: str) -> str:
    return token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token


def _compatibility(text: str) -> Iterable[Claim]:
    for match in _COMPAT.finditer(text):
        target = (match.group("t") or match.group("b") or match.group("z") or "").strip()
        group = "t" if match.group("t") else "b" if match.group("b") else "z"
        words = re.findall(r"[A-Za-z0-9][A-Za-z0-9+\-]*", target)
        # a generic target ("fits well", "any charging adaptor") names nothing to verify
        names = [w for w in words if _is_name(w)]
        tokens = tuple(t for w in names for t in name_tokens(w) if t not in _COMPAT_STOP)
        if tokens:
            yield Claim("compatibility", target, " ".join(tokens), None, match.start(group),
                        match.end(group), tokens=tokens)  # fmt: skip


def extract_claims(text: str, language: str = "en") -> list[Claim]:
    """Every verifiable claim in ``text``, in reading order; overlapping spans keep the most specific.

    ``language`` is accepted for symmetry with the checker; the patterns for English, Chinese and
    numbers with units all run on every text, because copy mixes scripts (brand names, units).
    """
    del language
    ordered: list[Claim] = [
        *_warranties(text), *_numbers(text), *_quantities(text), *_sizes(text),
        *_terms(text, "certification"), *_compatibility(text), *_terms(text, "material"),
        *_terms(text, "colour"),
    ]  # fmt: skip
    kept: list[Claim] = []
    taken: list[tuple[int, int, str]] = []
    for claim in ordered:
        overlaps = [
            (start, end, kind) for start, end, kind in taken if claim.start < end and start < claim.end
        ]
        if any(
            kind != claim.kind or (start, end) != (claim.start, claim.end) for start, end, kind in overlaps
        ):
            continue  # a span already read as another claim ("12 months warranty" is no duration)
        kept.append(claim)
        taken.append((claim.start, claim.end, claim.kind))
    return sorted(kept, key=lambda claim: claim.start)
