"""Personal-data masking: emails, phone numbers, street addresses and card numbers become placeholders.

Before a customer's message goes to a remote LLM (``MaskingLLM``), the personal data in it is
replaced by stable placeholders — ``[EMAIL_1]``, ``[PHONE_1]``, ``[ADDRESS_1]``, ``[CARD_1]`` — and
the model's reply is put back together with :meth:`Masker.unmask`. One :class:`Masker` numbers
values in the order it first meets them; the same value (compared loosely: case-blind emails,
phones and cards by their digits) always gets the same placeholder, so the model can still tell
"the same address as before" from "a different address".

Card numbers are never restored. ``unmask`` turns ``[CARD_1]`` into ``[CARD ending 1234]``: the
reply is a draft that people read, store and send by email, and a full card number must never be
shown or stored outside the payment processor (PCI DSS allows at most the last four digits). No
answer to a customer needs the whole number, so nothing is lost by keeping it out.

Order numbers, tracking numbers, prices, dates and quantities are not personal data: they are left
alone (the model needs them to answer). Order and tracking references are recognised here
(:data:`ORDER_REFERENCE`, :data:`TRACKING_REFERENCE`, shared with support triage) precisely so that
a long order number is never mistaken for a phone or a card number.

Detection is by pattern: precise enough for support messages, not a guarantee. What it does not
recognise (a name, a street address without a number, a card number with a typo) goes out as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Kind = Literal["email", "phone", "address", "card"]
KINDS: tuple[Kind, ...] = ("email", "phone", "address", "card")

# -- patterns -------------------------------------------------------------------------------------

EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)

# An order reference: a keyword (en, zh, es, pt, id, vi, fr, de) and an id, or "#" and an id (group
# "id" or "hid"). An id is 4-20 digits, or 1-5 letters and 3-20 digits ("LL-10023"), with an optional
# "-suffix". A quantity ("order 150 pieces"), a price ("order $12.00", "order 123.50") or a date
# ("order 2024-05-01") never qualifies: the id must not run on into a unit, a decimal or more digits.
_ORDER_KEYWORD = (
    r"(?:\b(?:orders?|ord|purchase|pedido|encomenda|pesanan|commande|bestellung|đơn hàng|đơn)\b"
    r"|订单|訂單)"
)
_ORDER_LABEL = (
    r"(?:\s*(?:no\.?|nº|n°|nr\.?|num\.?|number|número|numero|nomor|id|ref(?:erence)?\.?|code|số|mã"
    r"|号码|號碼|编号|編號|号|號))?"
)
_ORDER_ID = r"(?:[A-Za-z]{1,5}[-_]?\d{3,20}|\d{4,20})(?:-\d{1,10})?"
_NOT_AFTER_ID = r"(?![\w.,/-]?\d|\s*(?:pcs|pieces|units|items|x\b|件|个|個|%))"
ORDER_REFERENCE = re.compile(
    rf"{_ORDER_KEYWORD}{_ORDER_LABEL}\s*(?:is|was|are|es|é|adalah|là|是|为|為)?\s*[:：=#＃-]?\s*[#＃]?\s*"
    rf"(?P<id>{_ORDER_ID}){_NOT_AFTER_ID}"
    rf"|(?<![\w&#])[#＃]\s?(?P<hid>{_ORDER_ID}){_NOT_AFTER_ID}",
    re.IGNORECASE,
)

# A tracking reference: after a tracking keyword any 8-30 letters and digits with a digit in them;
# on its own, formats carriers use (UPS 1Z..., UPU S10 "LX123456789CN", two letters + 10-14 digits
# such as SF Express "SF844175489248").
_TRACKING_KEYWORD = (
    r"(?:\b(?:tracking|track|awb|waybill|consignment|seguimiento|rastreio|rastreamento|resi"
    r"|vận đơn)\b(?:\s*(?:no\.?|number|num|nr|id|code|#|número|numero|nomor|mã))?"
    r"|运单号?|運單號?|快递单号|快遞單號|物流单号|物流單號|(?<![订訂])单号|(?<![订訂])單號)"
)
TRACKING_REFERENCE = re.compile(
    rf"{_TRACKING_KEYWORD}\s*(?:is|es|é|adalah|là|是|为|為)?\s*[:：=#-]?\s*"
    r"(?P<id>(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,30})\b"
    r"|\b(?P<solo>1Z[0-9A-Z]{16}|[A-Z]{2}\d{9}[A-Z]{2}|[A-Z]{2}\d{10,14})\b",
    re.IGNORECASE,
)
_SOLO_TRACKING = re.compile(r"1Z[0-9A-Z]{16}|[A-Z]{2}\d{9}[A-Z]{2}|[A-Z]{2}\d{10,14}")  # case-sensitive

# Card-like numbers are looked for inside runs of digit groups ("62704 4111 1111 1111 1111": a ZIP
# code, then a card): a window of whole groups with 13-19 digits, written in one piece or grouped as
# cards are (4-4-4-4[-1..4], Amex 4-6-5, Diners 4-6-4), starting with 2-6 (Mastercard 2/5, Amex and
# JCB 3, Visa 4, Discover/UnionPay 6: which also keeps "+86 13800138000" out) and passing Luhn.
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9_+.,/#])\d+(?:[ -]\d+)*")
_DIGIT_GROUP = re.compile(r"\d+")

_SEP = r"[ \u00a0.-]"
# Boundaries are ASCII: a number may follow a Chinese word directly ("手机13800138000").
PHONE_CANDIDATE = re.compile(
    rf"(?<![A-Za-z0-9_@$€£¥+.,/#-])"
    rf"(?:(?:\+|00)\d{{1,3}}{_SEP}?(?:\(\d{{1,4}}\){_SEP}?)?\d{{1,5}}(?:{_SEP}?\d{{1,5}}){{0,5}}"
    rf"|\(\d{{2,5}}\){_SEP}?\d{{2,5}}(?:{_SEP}?\d{{2,5}}){{0,3}}"
    rf"|\d{{2,5}}(?:{_SEP}\d{{2,8}}){{1,4}}"
    rf"|\d{{7,15}})"
    rf"(?![A-Za-z0-9_]|[.,/]\d|-\d)"
)
PHONE_KEYWORD = re.compile(
    r"(?:\b(?:phone|tel|telephone|mobile|cell|cellphone|call|text|sms|whatsapp|wa|contact|reach me"
    r"|number|teléfono|telefone|celular|telepon|hp|nomor|điện thoại|sđt)\b|电话|電話|手机|手機|联系|聯繫"
    r"|号码|號碼|致电)[^\n\d]{0,20}$",
    re.IGNORECASE,
)
_DATE = re.compile(r"\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4}")
_CN_MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")

_STREET_ABBREVIATED = (
    r"St|Str|Ave|Av|Rd|Blvd|Ln|Dr|Ct|Pl|Sq|Ter|Pkwy|Hwy|Cir|Cres|Way|Close|Court|Place|Square|Terrace"
    r"|Parkway|Highway|Circle|Crescent|Row|Walk|Gardens|Alley|Plaza"
)
_STREET_FULL = r"street|avenue|road|boulevard|lane|drive"
_UNIT = r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|Room|Rm|#)\.?\s*[A-Za-z0-9-]{1,8})?"
_CITY_ZIP = (
    r"(?:,\s*[A-Z][A-Za-z.'-]*(?:\s[A-Z][A-Za-z.'-]*){0,3},?\s+(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?(?!\d))?"
)
_CAP_WORD = r"(?:[A-Z0-9][A-Za-z0-9'.-]*|[NSEW]\.?)"
_LOW_WORD = r"(?!(?:the|on|in|of|at|to|for|by|and|or|a|an|my|your|days?|weeks?|hours?|more)\b)[a-z][a-z'-]*"
_UNIT_FIRST = (
    r"(?:\b(?:Flat|Apt|Apartment|Unit|Suite|Ste|Rm|Room)\.?\s*[A-Za-z0-9-]{1,6},?\s+)?"  # "Flat 4, 12 ..."
)
_HOUSE = r"(?<![\w$€£¥.,/-])\d{1,6}[A-Za-z]?(?:-\d{1,3})?,?"
ADDRESS_EN = re.compile(
    rf"{_UNIT_FIRST}{_HOUSE}\s+(?:{_CAP_WORD}\s+){{1,4}}(?:{_STREET_ABBREVIATED}|(?i:{_STREET_FULL}))\b\.?{_UNIT}{_CITY_ZIP}"
    rf"|{_UNIT_FIRST}{_HOUSE}\s+(?:{_LOW_WORD}\s+){{1,3}}(?i:{_STREET_FULL})\b{_UNIT}"
    r"|\bP\.?\s?O\.?\s?Box\s+\d{1,8}\b",
)
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南"
    "|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
# Han letters that may be part of a place name: not the function words around an address
# ("我的地址是...", "请寄到...") so that the match does not swallow them.
_HAN = r"[^\W\d_A-Za-z是的在址寄到送我你他她请把为往收货改换：:，,。、\s]"
_ZH_SECTION = r"(?:[一二三四五六七八九十\d]{1,3}段)?"  # 人民南路四段1号
ADDRESS_ZH = re.compile(
    rf"(?:(?:{_PROVINCES})(?:省|市|自治区|特别行政区)?)?"
    rf"(?:{_HAN}{{1,6}}?(?:市|州|盟))?"
    rf"(?:{_HAN}{{1,6}}?(?:区|县|旗))?"
    rf"(?:{_HAN}{{1,8}}?(?:镇|乡|街道))?"
    rf"{_HAN}{{1,12}}?(?:路|街|大道|道|巷|弄|胡同){_ZH_SECTION}\s*\d{{1,5}}\s*(?:号|號)"
    rf"(?:\s*{_HAN}{{0,8}}?[\dA-Za-z-]{{1,6}}\s*(?:号楼|栋|幢|座|楼|單元|单元|室))*"
)
# Every Chinese address ends in "<road> <number>号": ADDRESS_ZH only runs in a window before such an
# anchor, which keeps its nested optional parts from backtracking across a long message.
_ZH_ANCHOR = re.compile(rf"(?:路|街|道|巷|弄|胡同){_ZH_SECTION}\s*\d{{1,5}}\s*(?:号|號)")


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (digits only) passes the Luhn checksum used by payment card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _card_grouping(sizes: list[int]) -> bool:
    if len(sizes) == 1 or sizes in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4


def _card_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for run in _DIGIT_RUN.finditer(text):
        groups = [
            (run.start() + g.start(), run.start() + g.end()) for g in _DIGIT_GROUP.finditer(run.group())
        ]
        sizes = [end - start for start, end in groups]
        first = 0
        while first < len(groups):
            found = None
            if text[groups[first][0]] in "23456":
                total, ends = 0, []
                for last in range(first, len(groups)):
                    total += sizes[last]
                    if total > 19:
                        break
                    if total >= 13:
                        ends.append(last + 1)
                for end in reversed(ends):  # the longest window first
                    if _card_grouping(sizes[first:end]):
                        digits = "".join(text[start:stop] for start, stop in groups[first:end])
                        if luhn_valid(digits):
                            found = end
                            break
            if found is None:
                first += 1
            else:
                spans.append((groups[first][0], groups[found - 1][1]))
                first = found
    return spans


def _trim_house_numbers(text: str, start: int, end: int) -> int:
    """Where a phone candidate really ends: a last space-separated group that starts an address
    ("call +1 415 555 0132 742 Evergreen Terrace") belongs to the address."""
    space = text.rfind(" ", start, end)
    return space if space > start and ADDRESS_EN.match(text, space + 1) else end


def reference_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the order and tracking numbers in ``text`` (the ids only, not the keywords)."""
    spans = []
    for match in ORDER_REFERENCE.finditer(text):
        group = "id" if match.group("id") is not None else "hid"
        spans.append(match.span(group))
    for match in TRACKING_REFERENCE.finditer(text):
        if match.group("id") is not None:
            spans.append(match.span("id"))
        elif _SOLO_TRACKING.fullmatch(match.group("solo")):
            spans.append(match.span("solo"))
    return spans


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def _is_phone(text: str, start: int, candidate: str) -> bool:
    digits = _digits(candidate)
    if not 7 <= len(digits) <= 15 or _DATE.fullmatch(candidate):
        return False
    if _CN_MOBILE.fullmatch(digits):
        return True
    if candidate.startswith(("+", "00")):
        return len(digits) >= 8
    if candidate.startswith("("):
        return True
    if PHONE_KEYWORD.search(text[max(0, start - 40) : start]):
        return True
    groups = re.split(_SEP, candidate)
    if len(groups) >= 3:
        return True
    # two groups ("07700 900123") only when it reads like a national number with a trunk prefix
    return len(groups) == 2 and candidate.startswith("0") and len(digits) >= 10


def find_personal_data(text: str) -> list[tuple[Kind, int, int]]:
    """The personal data in ``text`` as ``(kind, start, end)``, in order, without overlaps."""
    found: list[tuple[Kind, int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: Kind, start: int, end: int) -> None:
        found.append((kind, start, end))
        taken.append((start, end))

    for match in EMAIL.finditer(text):
        add("email", *match.span())
    references = reference_spans(text)
    for start, end in _card_spans(text):
        if not _overlaps(start, end, taken) and not _overlaps(start, end, references):
            add("card", start, end)
    for match in PHONE_CANDIDATE.finditer(text):
        start, end = match.start(), _trim_house_numbers(text, *match.span())
        if _overlaps(start, end, taken) or _overlaps(start, end, references):
            continue
        if _is_phone(text, start, text[start:end]):
            add("phone", start, end)
    addresses = [match.span() for match in ADDRESS_EN.finditer(text)]
    window_start = 0
    for anchor in _ZH_ANCHOR.finditer(text):
        match = ADDRESS_ZH.search(text, max(window_start, anchor.start() - 40), anchor.end() + 40)
        if match is not None and match.end() >= anchor.end():
            start = match.start()
            if text[start] == "成" and text[start - 1 : start] in ("改", "换", "变"):  # "改成..." (change to)
                start += 1
            addresses.append((start, match.end()))
            window_start = match.end()
    for start, end in addresses:
        end = start + len(text[start:end].rstrip(" ,"))
        if not _overlaps(start, end, taken) and not _overlaps(start, end, references):
            add("address", start, end)
    found.sort(key=lambda item: item[1])
    return found


# -- placeholders ---------------------------------------------------------------------------------

_LABEL: dict[Kind, str] = {"email": "EMAIL", "phone": "PHONE", "address": "ADDRESS", "card": "CARD"}
_KIND_OF_LABEL: dict[str, Kind] = {label: kind for kind, label in _LABEL.items()}
# What unmask accepts: the exact placeholder, or one the model re-cased, spaced or put in full-width
# brackets ("[email_1]", "[ Email 1 ]", "【EMAIL_1】"); bounded so that a stream can hold back the
# tail that might still become one (see shopops.llm.masking).
PLACEHOLDER = re.compile(
    r"[\[【［]\s{0,2}(email|phone|address|card)[\s_-]{0,2}(\d{1,4})\s{0,2}[\]】］]", re.IGNORECASE
)
# ... or with the brackets dropped ("EMAIL_1"), upper case only: one pass for both, so that a restored
# value is never read again.
_UNMASK = re.compile(
    r"[\[【［]\s{0,2}(?i:(email|phone|address|card))[\s_-]{0,2}(\d{1,4})\s{0,2}[\]】］]"
    r"|(?<![A-Za-z0-9_])(EMAIL|PHONE|ADDRESS|CARD)_(\d{1,4})(?![A-Za-z0-9_])"
)
PLACEHOLDER_MAX_CHARS = 24  # longest text _UNMASK can match


def _normalise(kind: Kind, value: str) -> str:
    if kind in ("phone", "card"):
        digits = _digits(value)
        return digits[2:] if kind == "phone" and digits.startswith("86") and len(digits) == 13 else digits
    return " ".join(value.split()).casefold()


class Masker:
    """Replaces personal data with numbered placeholders and puts it back.

    One Masker per conversation (or per LLM call): numbering and the value table live in it.
    Not thread-safe; cheap to create.
    """

    def __init__(self) -> None:
        self._by_value: dict[tuple[Kind, str], str] = {}  # (kind, normalised value) -> placeholder
        self._values: dict[str, tuple[Kind, str]] = {}  # placeholder -> (kind, original text)
        self._counts: dict[Kind, int] = dict.fromkeys(KINDS, 0)
        self._reserved: set[str] = set()

    @property
    def placeholders(self) -> dict[str, str]:
        """Placeholder -> the original text it stands for (cards included; never log this)."""
        return {placeholder: value for placeholder, (_kind, value) in self._values.items()}

    def reserve(self, *texts: str) -> None:
        """Keep placeholder names that already occur in ``texts`` (typed by a customer, say) out of
        the numbering, so that ``unmask`` never turns such a literal into someone's data."""
        for text in texts:
            for match in PLACEHOLDER.finditer(text):
                name = f"[{match.group(1).upper()}_{int(match.group(2))}]"
                if name not in self._values:
                    self._reserved.add(name)

    def _placeholder(self, kind: Kind, value: str) -> str:
        key = (kind, _normalise(kind, value))
        existing = self._by_value.get(key)
        if existing is not None:
            return existing
        while True:
            self._counts[kind] += 1
            name = f"[{_LABEL[kind]}_{self._counts[kind]}]"
            if name not in self._reserved:
                break
        self._by_value[key] = name
        self._values[name] = (kind, value)
        return name

    def mask(self, text: str) -> str:
        """``text`` with its personal data replaced by placeholders. Masking masked text changes
        nothing: placeholders contain no personal data."""
        self.reserve(text)
        parts: list[str] = []
        position = 0
        for kind, start, end in find_personal_data(text):
            parts.append(text[position:start])
            parts.append(self._placeholder(kind, text[start:end]))
            position = end
        parts.append(text[position:])
        return "".join(parts)

    def _restore(self, match: re.Match[str]) -> str:
        label, number = match.group(1) or match.group(3), match.group(2) or match.group(4)
        entry = self._values.get(f"[{label.upper()}_{int(number)}]")
        if entry is None:
            return match.group(0)  # not one of ours: leave it as the model wrote it
        kind, value = entry
        if kind == "card":
            return f"[CARD ending {_digits(value)[-4:]}]"
        return value

    def unmask(self, text: str) -> str:
        """``text`` with this Masker's placeholders replaced by the original values; cards become
        ``[CARD ending 1234]`` (never the whole number). Unknown placeholders are left as written."""
        if not self._values:
            return text
        return _UNMASK.sub(self._restore, text)


def mask_text(text: str) -> str:
    """``text`` with personal data masked (a fresh Masker; for logs and one-off use)."""
    return Masker().mask(text)
