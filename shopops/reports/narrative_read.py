"""Reading a narrative for :mod:`shopops.reports.narrative_check`: its words and its numbers.

The vocabulary (what names a KPI or section, a comparison basis, a direction of change; what hedges
a verb) and the tokenizer: dates, money amounts, percentage points, percents, spelled counts and
plain numbers, each with the tolerance its written precision allows (``12%`` stands for 11.5 to
12.5, ``$1.4k`` for 1,350 to 1,450) and the sign written before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopops.reviews.summary_check import zh_number

# -- vocabulary ------------------------------------------------------------------------------------
# fmt: off
SUBJECT_WORDS: dict[str, tuple[str, ...]] = {
    "revenue": (
        "revenue", "revenues", "sales", "gross sales", "turnover", "gmv", "销售额", "营收", "营业额",
        "收入", "成交额",
    ),
    "orders": (
        "orders", "order count", "order volume", "订单", "订单数", "订单量", "单量",
    ),
    "units": (
        "units", "units sold", "items sold", "pieces", "销量", "件数", "售出件数",
    ),
    "aov": (
        "average order value", "aov", "order value", "basket size", "客单价", "平均订单金额",
        "平均订单价值",
    ),
    "return_rate": (
        "return rate", "returns", "returned units", "returned", "退货率", "退货",
    ),
    "refund_rate": (
        "refund rate", "refunds", "refunded", "refunded orders", "退款率", "退款",
    ),
    "new_customers": (
        "new customers", "new buyers", "first-time customers", "first-time buyers", "新客户", "新客",
        "新顾客", "新买家",
    ),
    "returning_customers": (
        "returning customers", "repeat customers", "returning buyers", "repeat buyers", "老客户", "老客",
        "回头客", "复购客户",
    ),
    "customers": (
        "customers", "buyers", "shoppers", "客户", "顾客", "买家",
    ),
    "stock": (
        "stock", "inventory", "skus", "库存",
    ),
    "out_of_stock": (
        "out of stock", "stock-outs", "stockouts", "stock-out", "stockout", "sold out", "缺货", "断货",
        "售罄",
    ),
    "low_cover": (
        "low cover", "low stock", "at risk", "running low", "库存不足", "低库存", "缺货风险",
    ),
    "overstock": (
        "overstock", "overstocked", "excess stock", "积压", "库存过多", "超储",
    ),
    "cover": (
        "cover", "days of cover", "覆盖天数", "可售天数", "库存天数",
    ),
    "reviews": (
        "reviews", "review", "评价", "评论",
    ),
    "rating": (
        "rating", "ratings", "average rating", "评分", "星级", "平均评分",
    ),
    "negative": (
        "negative", "complaints", "complaint", "负面", "差评", "投诉",
    ),
    "positive": (
        "positive", "praise", "正面", "好评",
    ),
    "forecast": (
        "forecast", "forecasts", "projected", "expected", "next week", "next month", "预测", "预计",
        "下周", "下月", "下个月",
    ),
    "alerts": (
        "alerts", "alert", "预警", "告警", "警报",
    ),
    "plans": (
        "plans", "plan", "response plans", "计划", "应对计划", "方案",
    ),
}
BASIS_WORDS: dict[str, tuple[str, ...]] = {
    "yoy": (
        "year over year", "year-over-year", "year on year", "year-on-year", "yoy", "y/y", "last year",
        "a year ago", "a year earlier", "same week last year", "same month last year", "同比", "去年同期",
        "去年",
    ),
    "pop": (
        "week over week", "week-over-week", "wow", "w/w", "month over month", "month-over-month", "mom",
        "m/m", "previous week", "prior week", "last week", "the week before", "previous month",
        "prior month", "last month", "the month before", "previous period", "prior period", "环比", "上周",
        "上月", "上个月", "前一周", "上一周", "上期",
    ),
}
STRONG_UP = (
    "up", "rose", "risen", "rising", "rises", "increased", "increases", "increasing", "grew", "grown",
    "grows", "growing", "gained", "gains", "jumped", "climbed", "surged", "soared", "higher",
)
STRONG_DOWN = (
    "down", "fell", "fallen", "falls", "falling", "decreased", "decreases", "decreasing", "declined",
    "declines", "declining", "dropped", "drops", "dipped", "slipped", "slid", "shrank", "lower",
)
FLAT_WORDS = (
    "flat", "unchanged", "stable", "steady", "持平", "基本持平", "不变", "稳定",
)
WEAK_UP = (
    "rise", "increase", "grow", "growth", "gain", "jump", "climb", "surge",
)
WEAK_DOWN = (
    "fall", "decrease", "decline", "drop", "dip",
)
ZH_UP = (
    "上升", "增长", "上涨", "提高", "增加", "提升", "回升", "攀升",
)
ZH_DOWN = (
    "下降", "下滑", "减少", "下跌", "降低", "回落",
)
# fmt: on
ZH_SINGLE = {"增": "up", "涨": "up", "升": "up", "减": "down", "跌": "down", "降": "down"}
HEDGES = re.compile(
    r"(?:should|could|would|might|may|must|consider|considering|recommend|recommended|suggest|"
    r"need to|needs to|try to|aim to|plan to|please|建议|应该|应|需要|可以|考虑|请)\W*(?:\w+\W+){0,2}$",
    re.I,
)
COMPARE = re.compile(
    r"(?<![a-z])(?:vs\.?|versus|than|compared|against|from|this (?:week|month)['’]s)(?![a-z])"
    r"|较|比|相比|对比",
    re.I,
)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SIGN = r"(?:(?:(?<=[\s(（:：，,])|^)(?P<sign>[+\-−])\s?)?"
_MULT = r"(?P<mult>\s?[kK](?![A-Za-z])|\s?M(?![A-Za-z])|\s?万|\s?亿)?"
_MONTH = r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"  # noqa: E501
_RANGE = r"(?:\s?[-–—~至到]\s?(?P<d2>\d{1,2})(?![\d.]|,\d))?"
_YMD_ZH = r"(?:(?P<y>\d{4})\s?年\s?)?(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?[日号]"
_MONTH_DAY = r"(?<![A-Za-z])" + _MONTH + r"\s(?P<d>\d{1,2})(?:st|nd|rd|th)?" + _RANGE
_DAY_MONTH = r"(?P<d>\d{1,2})(?:\s?[-–]\s?(?P<d2>\d{1,2}))?\s" + _MONTH
_YEAR = r"(?:,?\s(?P<y>\d{4}))?"
DATES = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    re.compile(r"(?P<y>\d{4})-W(?P<w>\d{1,2})"),
    re.compile(_YMD_ZH + _RANGE + r"[日号]?"),
    re.compile(r"(?P<y>\d{4})\s?年\s?(?P<m>\d{1,2})\s?月"),
    re.compile(r"(?P<y>\d{4})\s?年"),
    re.compile(r"(?P<d>\d{1,2})\s?[日号]"),
    re.compile(_MONTH_DAY + _YEAR, re.I),
    re.compile(_DAY_MONTH + _YEAR, re.I),
    re.compile(r"(?<![A-Za-z])" + _MONTH + r",?\s(?P<y>\d{4})", re.I),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})(?![\d-])"),
    re.compile(r"(?<![A-Za-z])(?:week|wk|W)\s?(?P<w>\d{1,2})(?![\d])", re.I),
    re.compile(r"第\s?(?P<w>\d{1,2})\s?周"),
)
_CURRENCY_BEFORE = r"(?:US\$|HK\$|\$|€|£|¥|￥)\s?"
_CURRENCY_AFTER = r"\s?(?:美元|人民币|元|USD|EUR|GBP|CNY|RMB|JPY|dollars?)(?![A-Za-z])"
_POINTS = r"\s?(?:percentage points?|pct pts?|pp|pts?|points?|个百分点)(?![A-Za-z])"
_PERCENT = r"\s?(?:%|％|percent(?![A-Za-z])|per cent(?![A-Za-z]))"
_ZH_DIGITS = r"[零〇一二两三四五六七八九十百]+"
_SPELLED = r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
NUMBERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("star", re.compile(r"(?<![\d.])[1-5](?:\.0)?\s?(?:-\s?)?(?:stars?(?![A-Za-z])|星)", re.I)),
    ("money", re.compile(_SIGN + _CURRENCY_BEFORE + r"(?P<num>" + _NUM + ")" + _MULT)),
    ("money", re.compile(_SIGN + r"(?P<num>" + _NUM + ")" + _MULT + _CURRENCY_AFTER)),
    ("points", re.compile(_SIGN + r"(?P<num>" + _NUM + ")" + _POINTS, re.I)),
    ("percent", re.compile(_SIGN + r"(?P<num>" + _NUM + ")" + _PERCENT, re.I)),
    ("percent", re.compile(r"百分之(?P<zh>" + _ZH_DIGITS + ")")),
    ("count", re.compile(r"(?P<zh>" + _ZH_DIGITS + r")(?=个|项|条|笔|件|位|名|家|款|种|次|天|周)")),
    ("count", re.compile(r"(?<![A-Za-z])(?P<word>" + _SPELLED + r")(?![A-Za-z])", re.I)),
    ("number", re.compile(_SIGN + r"(?<![A-Za-z0-9_.#])(?P<num>" + _NUM + ")" + _MULT + r"(?![A-Za-z0-9_])")),
)
WORD_NUMBERS = {w: n for n, w in enumerate(_SPELLED.split("|"), 2)}
MULTIPLIERS = {"k": 1e3, "K": 1e3, "M": 1e6, "万": 1e4, "亿": 1e8}
MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
CLAUSE = re.compile(
    r"[;；，:：]|,\s|\s(?:and|but|while|whereas|although|though|as)\s|而且|但是|同时|而|但", re.I
)
CONNECTORS = re.compile(
    r"(?:by|of|to|from|at|about|around|roughly|approximately|nearly|almost|some|just|only|a|an|the|over|under|"
    r"了|约|近|至|到|为|达到|达|逾|超过|超|幅度|的|于|[\s(（\-–:：])*",
    re.I,
)
LEVEL_CONNECTORS = re.compile(r"(?<![a-z])(?:to|from|at)(?![a-z])|至|到|为|达|于", re.I)
SENTENCE = re.compile(r"[^\n。！？]*?(?:[.!?](?=\s|$)|[。！？]|\n|$)\s*", re.S)
ALERT_KINDS = re.compile(r"sales[\s._-]decline|aspect[\s._-]rise|out[\s._-]risk", re.I)


def phrase_pattern(words: str) -> re.Pattern[str]:
    if words.isascii():
        return re.compile(rf"(?<![A-Za-z0-9]){re.escape(words)}(?![A-Za-z0-9])", re.I)
    return re.compile(re.escape(words))


DIRECTION_PATTERNS: list[tuple[re.Pattern[str], str, bool]] = [  # (pattern, direction, weak)
    *((phrase_pattern(w), "up", False) for w in STRONG_UP),
    *((phrase_pattern(w), "down", False) for w in STRONG_DOWN),
    *((phrase_pattern(w), "flat", False) for w in sorted(FLAT_WORDS, key=len, reverse=True)),
    *((phrase_pattern(w), "up", True) for w in WEAK_UP),
    *((phrase_pattern(w), "down", True) for w in WEAK_DOWN),
    *((phrase_pattern(w), "up", False) for w in ZH_UP),
    *((phrase_pattern(w), "down", False) for w in ZH_DOWN),
    *(
        (re.compile(r"(?<!新)" + re.escape(c) + r"(?=[了至到]?\s?[+\-]?\d)"), d, False)
        for c, d in ZH_SINGLE.items()
    ),
]
BASIS_PATTERNS = [
    (phrase_pattern(w), b) for b, ws in BASIS_WORDS.items() for w in sorted(ws, key=len, reverse=True)
]


# -- reading ---------------------------------------------------------------------------------------
@dataclass
class Token:
    kind: str  # money|points|percent|count|number|star|date
    start: int
    end: int
    text: str
    value: float = 0.0
    tolerance: float = 0.0
    sign: str = ""  # "up"/"down" from a written + or -
    date: tuple[int | None, int | None, int | None, int | None] = (None, None, None, None)  # y, m, d, week
    day2: int | None = None
    direction: str = ""  # the claim of change governing it
    level_mode: bool = False


def _number_token(kind: str, m: re.Match[str]) -> Token:
    groups = m.groupdict()
    if kind == "star":
        return Token(kind, m.start(), m.end(), m.group(0).strip())
    if groups.get("zh"):
        value, tol = float(zh_number(groups["zh"]) or 0), 0.0
    elif groups.get("word"):
        value, tol = float(WORD_NUMBERS[groups["word"].lower()]), 0.0
    else:
        text = groups["num"].replace(",", "")
        places = len(text.split(".")[1]) if "." in text else 0
        mult = MULTIPLIERS.get((groups.get("mult") or "").strip(), 1.0)
        value, tol = float(text) * mult, 0.5 * 10**-places * mult + 1e-9
    sign = {"+": "up", "-": "down", "−": "down"}.get(groups.get("sign") or "", "")
    return Token(kind, m.start(), m.end(), m.group(0).strip(), value, tol, sign)


def _date_token(m: re.Match[str]) -> Token:
    g = m.groupdict()
    month = MONTHS.get(g["mon"][:3].lower()) if g.get("mon") else (int(g["m"]) if g.get("m") else None)

    def num(key: str) -> int | None:
        return int(g[key]) if g.get(key) else None

    token = Token("date", m.start(), m.end(), m.group(0).strip())
    token.date = (num("y"), month, num("d"), num("w"))
    token.day2 = num("d2")
    return token


def read_tokens(text: str) -> list[Token]:
    """Dates, then money, points, percents, counts and plain numbers, without overlaps, in order."""
    taken: list[tuple[int, int]] = []
    found: list[Token] = []

    def free(start: int, end: int) -> bool:
        return not any(start < e and s < end for s, e in taken)

    for pattern in DATES:
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                taken.append((m.start(), m.end()))
                found.append(_date_token(m))
    for kind, pattern in NUMBERS:
        for m in pattern.finditer(text):
            if free(m.start(), m.end()) and m.group(0).strip():
                taken.append((m.start(), m.end()))
                found.append(_number_token(kind, m))
    return sorted(found, key=lambda t: t.start)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, each with its trailing whitespace (they join back to ``text``)."""
    return [m.group(0) for m in SENTENCE.finditer(text) if m.group(0)]
