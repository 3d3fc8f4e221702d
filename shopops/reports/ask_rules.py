"""The deterministic reading of a question (English and Chinese keywords) into a query's parts.

Phrases are taken in a fixed order, each one's words blanked out once used, so "vs last week"
is read as a comparison before "last week" could be read as the period: comparison, dates and
periods, the store's own values (categories, SKUs, products, countries: filters), top/bottom N,
the metric, then the dimension. A question is *understood* when a metric is found; everything
else has a default (all time, no split). :func:`refusal` spots requests to change data or to read
personal data or credentials, which no mode answers; :func:`mentions_store_data` is the gate
before the model is asked at all, so a question about something else is never guessed at.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from shopops.reports.semantic import DIMENSIONS
from shopops.reports.semantic_spec import Period

EN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
}  # fmt: skip
ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"(\d+|" + "|".join(EN_NUMBERS) + r")"
ZNUM = r"(\d+|[一二两三四五六七八九十]+)"
MONTHS = {
    name: index
    for index, names in enumerate(
        ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
         "august aug", "september sep sept", "october oct", "november nov", "december dec"),
        start=1,
    )
    for name in names.split()
}  # fmt: skip

# (metric, pattern): the longest match wins where two overlap ("return rate" over "return").
METRIC_WORDS: tuple[tuple[str, str], ...] = (
    ("revenue", r"revenue|turnover|gmv|gross merchandise value|income|takings|total sales|net sales|"
     r"\bsales\b|money|earn(?:ed|ings)?|销售额|营收|收入|营业额|成交额|流水|销售"),
    ("orders", r"\borders?\b|order count|number of orders|\bpurchases\b|订单数|订单量|单量|订单|下单数"),
    ("units", r"\bunits\b|items ordered|quantit(?:y|ies) ordered|\bpieces\b|件数|下单件数|商品件数"),
    ("average_order_value", r"\baov\b|average order(?: value| size| amount)?|avg\.? order(?: value)?|"
     r"basket size|average basket(?: size| value)?|revenue per order|value per order|"
     r"average spend(?: per order)?|average ticket|客单价|平均订单金额|平均订单价值|笔单价|平均客单"),
    ("returned_units", r"\breturns\b|\breturned\b(?: units| items| goods| products)?|units returned|"
     r"items returned|return(?:ed)? quantity|return volume|退货量|退货件数|退货数|退货"),
    ("return_rate", r"return rate|returns rate|rate of returns|% returned|percent(?:age)? returned|"
     r"return ratio|退货率"),
    ("refunded_orders", r"\brefunds\b|refunded orders|\brefunded\b|orders refunded|refund count|"
     r"number of refunds|退款订单|退款单|退款数|退款"),
    ("refund_rate", r"refund rate|rate of refunds|% refunded|refund ratio|percent(?:age)? refunded|退款率"),
    ("customers", r"\bcustomers\b|\bbuyers\b|\bshoppers\b|\bclients\b|客户数|客户|顾客|买家"),
    ("new_customers", r"new (?:customers|buyers|shoppers|clients)|first[- ]time (?:customers|buyers)|"
     r"customer acquisition|acquired customers|新客户|新客|新顾客|新买家|新用户"),
    ("returning_customers", r"returning (?:customers|buyers|shoppers)|repeat (?:customers|buyers|purchasers)|"
     r"existing customers|loyal customers|回头客|老客户|老客|复购客户|回购客户|老顾客"),
    ("reviews", r"\breviews\b|review count|number of reviews|评价数|评论数|评价|评论"),
    ("average_rating", r"(?:average |avg\.? |mean )?(?:star )?ratings?|\bstars\b|review score|"
     r"平均评分|评分|星级|平均星级"),
    ("negative_reviews", r"negative reviews|bad reviews|poor reviews|差评数|差评|负面评价"),
    ("negative_review_share", r"(?:share|percentage|percent|%|proportion|ratio|rate) of (?:negative|bad) "
     r"reviews|negative(?: review)? (?:share|rate|ratio)|差评率|差评占比|负面评价占比|差评比例"),
    ("units_sold", r"units sold|sold units|sales units|sales volume|unit sales|quantity sold|items sold|"
     r"销量|销售量|售出件数|卖出件数"),
)  # fmt: skip
GENERIC_METRICS = {"revenue", "orders", "customers", "reviews", "units"}

DIMENSION_WORDS: tuple[tuple[str, str], ...] = (
    ("sku", r"\bskus?\b|sku"),
    ("product", r"\bproducts?\b|商品|产品|单品"),
    ("category", r"\bcategor(?:y|ies)\b|product types?|品类|类目|分类|类别"),
    ("country", r"\bcountr(?:y|ies)\b|\bmarkets?\b|\bregions?\b|国家|地区|市场"),
    ("status", r"\bstatus(?:es)?\b|状态"),
    ("location", r"\blocations?\b|\bwarehouses?\b|仓库|门店|地点"),
    ("day", r"\bdaily\b|\b(?:per|by|each) day\b|\bday[- ]by[- ]day\b|每天|每日|按天|按日|逐日"),
    ("week", r"\bweekly\b|\b(?:per|by|each) week\b|\bweek[- ]by[- ]week\b|每周|按周|逐周|周度"),
    ("month", r"\bmonthly\b|\b(?:per|by|each) month\b|\bmonth[- ]by[- ]month\b|每月|按月|逐月|月度|每个月"),
)
TREND = r"\btrend(?:s|ing)?\b|\bover time\b|趋势|走势"

YEAR_AGO = (
    r"(?:vs\.?|versus|compared (?:to|with)|against|than|over)\s+(?:the\s+)?(?:same (?:period|time|week|month|"
    r"quarter|days?) (?:of |in )?)?(?:last|previous|prior) year('s)?",
    r"(?:vs\.?|versus|compared (?:to|with)|against)\s+(?:the\s+)?"
    r"(?:same (?:period|time|week|month|quarter) )?(?:a|one) year (?:ago|earlier|before)",
    r"year[- ](?:over|on)[- ]year|\byoy\b|\by/y\b|(?:a|one) year (?:ago|earlier|before)",
    r"同比|去年同期|(?:比|与|和|较|对比)去年(?:同期)?(?:相比|比)?",
)
PREVIOUS = (
    r"(?:vs\.?|versus|compared (?:to|with)|against|than)\s+(?:the\s+)?(?:(?:previous|prior|last|preceding) "
    r"(?:week|month|quarter|year|day|period)|(?:week|month|quarter|year|day|period) before|"
    r"yesterday|one before)",
    r"(?:the\s+)?(?:week|month|quarter|day|period) before",
    r"(?:week|month|quarter|period)[- ]over[- ](?:week|month|quarter|period)|\bwow\b|\bmom\b|\bqoq\b",
    r"\bvs\.?|\bversus\b|compared (?:to|with)(?: before)?|\bcompare\b|\bchange\b|\bgrowth\b|\bgrew\b|"
    r"\bdifference\b",
    r"环比|(?:比|与|和|较|对比)(?:上周|上个?星期|上一?个?月|上季度|上个季度|前一天|昨天|上一期|之前|前一周)(?:相比|比)?",
    r"对比|相比|变化|增长|增幅",
)

# Requests to change data, or to read data outside the semantic layer (credentials, contact details).
REFUSE = re.compile(
    r"\b(?:delete|drop|truncate|update|insert|alter|grant|revoke|remove|erase|wipe|overwrite|modify|rename|"
    r"reset|(?:set|make)(?:\s+[\w-]+){1,6}\s+(?:to|=)|change (?:the )?(?:price|prices|status|stock|role)s?|"
    r"create (?:a |the )?(?:table|user|order|product)|add (?:a |an )?(?:user|order|product|admin))\b|"
    r"\b(?:passwords?|passwd|hash(?:es)?|api[ _-]?keys?|tokens?|secrets?|credentials?|e-?mails?|"
    r"phone(?: numbers?)?|addresses|address|credit cards?|card numbers?|sessions?|audit log)\b|"
    r";|--|/\*|\bselect\b.+\bfrom\b|\bunion\b|\bexec\b|\bpragma\b|sqlite_master|information_schema|\bpg_\w+|"
    r"删除|删掉|清空|清除|修改|更新|插入|改成|改为|设置为|设为|重置|新增|添加|密码|邮箱|电子邮件|手机号|电话|地址|"
    r"身份证|银行卡|令牌|密钥|账号"
)
DOMAIN = re.compile(
    r"\b(?:sell\w*|sold|bought|buy\w*|purchas\w*|spend\w*|spent|paid|money|earn\w*|profit\w*|basket|cart|"
    r"customers?|shoppers?|buyers?|clients?|stars?|feedback|opinions?|complain\w*|unhappy|happy|satisf\w*|"
    r"return\w*|refund\w*|send back|sent back|products?|skus?|items?|categor\w*|orders?|ordered|sales?|"
    r"revenue|income|turnover|units?|reviews?|ratings?|rated)\b|"
    r"卖|买|售|销|订单|单量|客|钱|赚|收入|营收|退|评|星|商品|产品|品类|购|花费|消费|件"
)
REFUSAL = (
    "I only read the store's numbers: I cannot change or delete data, and I do not show personal "
    "data or credentials."
)


def normalise(question: str) -> str:
    """NFKC (full-width to ASCII), lower case, Chinese dates as ISO (2026年3月1日 -> 2026-03-01)."""
    text = unicodedata.normalize("NFKC", question).lower()
    text = re.sub(
        r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]", lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text
    )
    text = re.sub(r"(\d{4})/(\d{1,2})/(\d{1,2})", lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)
    return " ".join(text.split())


def number(token: str) -> int:
    """12, "twelve" or 十二 as 12."""
    if token.isdigit():
        return int(token)
    if token in EN_NUMBERS:
        return EN_NUMBERS[token]
    if "十" in token:
        tens, _, ones = token.partition("十")
        return ZH_DIGITS.get(tens, 1) * 10 + ZH_DIGITS.get(ones, 0)
    return ZH_DIGITS.get(token, 0)


def refusal(question: str) -> bool:
    return REFUSE.search(normalise(question)) is not None


def mentions_store_data(question: str) -> bool:
    """Whether the question names anything the store measures: a metric's or a dimension's word,
    or a word about buying, selling, returning or reviewing (the gate before the model)."""
    text = normalise(question)
    words = (pattern for _, pattern in (*METRIC_WORDS, *DIMENSION_WORDS))
    return DOMAIN.search(text) is not None or any(re.search(pattern, text) for pattern in words)


@dataclass(frozen=True)
class Vocabulary:
    """Values the store holds, so a question can name them (read by ``ask.load_vocabulary``)."""

    categories: tuple[str, ...] = ()
    skus: dict[str, str] = field(default_factory=dict)  # lower case -> as stored
    countries: frozenset[str] = frozenset()  # ISO codes, upper case
    products: tuple[str, ...] = ()


COUNTRY_NAMES = {
    "united states": "US", "usa": "US", "america": "US", "美国": "US", "united kingdom": "GB",
    "uk": "GB", "britain": "GB", "英国": "GB", "germany": "DE", "德国": "DE", "china": "CN",
    "中国": "CN", "france": "FR", "法国": "FR", "japan": "JP", "日本": "JP", "canada": "CA",
    "加拿大": "CA", "australia": "AU", "澳大利亚": "AU",
}  # fmt: skip


@dataclass
class RuleParse:
    """What the rules read; ``metric`` None means the question was not understood."""

    metric: str | None = None
    dimension: str | None = None
    period: Period | None = None
    compare_to: Literal["previous", "year_ago"] | None = None
    top_n: int | None = None
    order: Literal["desc", "asc"] = "desc"
    filters: dict[str, str] = field(default_factory=dict)
    trend: bool = False
    problem: str | None = None  # a part read but impossible, e.g. "the last 0 days" or 2026-02-30

    def spec_fields(self) -> dict[str, Any]:
        """The QuerySpec fields found (validate with ``QuerySpec.model_validate``)."""
        dimension = self.dimension
        if dimension is None and self.trend:
            dimension = trend_grain(self.period or Period())
        top_n = self.top_n if dimension and DIMENSIONS[dimension].grain is None else None
        return {
            "metric": self.metric,
            "dimension": dimension,
            "period": self.period or Period(),
            "compare_to": self.compare_to,
            "top_n": top_n,
            "order": self.order,
            "filters": dict(self.filters),
        }


def trend_grain(period: Period) -> str:
    """The time split for "trend": days for a month or less, weeks up to a quarter, else months."""
    days = {
        "last_n_days": period.n or 30,
        "last_n_weeks": 7 * (period.n or 1),
        "last_n_months": 30 * (period.n or 1),
    }
    span = days.get(period.kind, {"this_quarter": 90, "last_quarter": 90, "quarter": 90}.get(period.kind, 0))
    if period.kind in ("all_time", "this_year", "last_year", "year"):
        span = 365
    if period.kind == "between" and period.start and period.end:
        span = (period.end - period.start).days + 1
    return "day" if span <= 62 and period.kind != "all_time" else "week" if span <= 120 else "month"


class _Text:
    """The question with used phrases blanked out (positions kept, so order still means something)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, pattern: str) -> re.Match[str] | None:
        match = re.search(pattern, self.text)
        if match:
            self.text = (
                self.text[: match.start()] + " " * (match.end() - match.start()) + self.text[match.end() :]
            )
        return match


def _compare(text: _Text) -> Literal["previous", "year_ago"] | None:
    if any(text.take(p) for p in YEAR_AGO):
        return "year_ago"
    if any(text.take(p) for p in PREVIOUS):
        return "previous"
    return None


def _period(text: _Text) -> Period | None:
    date = r"(\d{4}-\d{1,2}-\d{1,2})"
    if m := text.take(rf"(?:between|from)\s+{date}\s+(?:and|to|until|till|through|-)\s+{date}|"
                      rf"{date}\s*(?:到|至|~|—|–)\s*{date}"):  # fmt: skip
        first, second = [g for g in m.groups() if g]
        return Period(
            kind="between", start=dt.date.fromisoformat(_iso(first)), end=dt.date.fromisoformat(_iso(second))
        )
    if m := text.take(rf"(?:\bon\s+)?{date}"):
        day = dt.date.fromisoformat(_iso(m[1]))
        return Period(kind="between", start=day, end=day)
    if m := text.take(rf"\b(?:last|past|previous|recent|trailing)\s+{NUM}\s+(day|week|month|year)s?\b|"
                      rf"(?:最近|过去|近|前)\s*{ZNUM}\s*(天|日|周|个?星期|个?礼拜|个月|月|年)"):  # fmt: skip
        n = number(m[1] or m[3])
        unit = (m[2] or m[4]).lstrip("个")
        if unit in ("day", "天", "日"):
            return Period(kind="last_n_days", n=n)
        if unit in ("week", "周", "星期", "礼拜"):
            return Period(kind="last_n_weeks", n=n)
        return Period(kind="last_n_months", n=n * 12 if unit in ("year", "年") else n)
    relative = (
        ("last_n_days", r"\bpast (week|month|year)\b"),
        ("today", r"\btoday\b|今天|今日"),
        ("yesterday", r"\byesterday\b|昨天|昨日"),
        ("this_week", r"\b(?:this|current) week\b|\bweek to date\b|\bwtd\b|本周|这周|这个?星期|本星期"),
        ("last_week", r"\b(?:last|previous|prior) week\b|上周|上个?星期|上一周|上礼拜"),
        ("this_month", r"\b(?:this|current) month\b|\bmonth to date\b|\bmtd\b|本月|这个月|当月"),
        ("last_month", r"\b(?:last|previous|prior) month\b|上个?月|上一个?月"),
        ("this_quarter", r"\b(?:this|current) quarter\b|\bqtd\b|本季度|这个?季度"),
        ("last_quarter", r"\b(?:last|previous|prior) quarter\b|上个?季度|上一季度"),
        ("this_year", r"\b(?:this|current) year\b|\byear to date\b|\bytd\b|今年|本年"),
        ("last_year", r"\b(?:last|previous|prior) year\b|去年|上一年"),
    )
    for kind, pattern in relative:
        if m := text.take(pattern):
            if kind == "last_n_days":
                return Period(kind="last_n_days", n={"week": 7, "month": 30, "year": 365}[m[1]])
            return Period(kind=kind)  # type: ignore[arg-type]
    if m := text.take(
        r"\bq([1-4])\s*(?:of\s+)?(\d{4})?\b|\b(\d{4})\s*q([1-4])\b|(?:(\d{4})年)?第?([一二三四1-4])季度"
    ):
        quarter = number(m[1] or m[4] or m[6])
        year = m[2] or m[3] or m[5]
        return Period(kind="quarter", quarter=quarter, year=int(year) if year else None)
    names = "|".join(sorted(MONTHS, key=len, reverse=True))
    month_name = text.take(
        rf"(?:\b(?:in|of|for|during|since|from|over)\s+)?\b({names})\b\.?(?:\s*,?\s*(\d{{4}}))?"
    )
    # "may" is a month only after a preposition or before a year ("in May", "May 2026")
    if month_name and (month_name[1] != "may" or month_name[2] or not month_name[0].startswith("may")):
        year = int(month_name[2]) if month_name[2] else None
        return Period(kind="month", month=MONTHS[month_name[1]], year=year)
    if m := text.take(
        r"\b(\d{4})-(\d{1,2})\b|(?:(\d{4})年)?(?<![个上本这当每按下])(\d{1,2}|十[一二]?|[一二三四五六七八九])月份?"
    ):
        month = number(m[2] or m[4])
        year = m[1] or m[3]
        if not 1 <= month <= 12:
            raise ValueError(f"there is no month {month}")
        return Period(kind="month", month=month, year=int(year) if year else None)
    if m := text.take(r"\b(19\d{2}|20\d{2})\b|(\d{4})年"):
        return Period(kind="year", year=int(m[1] or m[2]))
    return None


def _iso(value: str) -> str:
    year, month, day = value.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _top(text: _Text, which: bool) -> tuple[int | None, Literal["desc", "asc"]]:
    high, low = (
        r"top|best|highest|largest|biggest|most|leading",
        r"bottom|worst|lowest|smallest|least|fewest|weakest",
    )
    if m := text.take(rf"\b({high}|{low})\s+{NUM}\b"):
        return number(m[2]), "asc" if re.fullmatch(low, m[1]) else "desc"
    if m := text.take(rf"\b{NUM}\s+({high}|{low})\b"):
        return number(m[1]), "asc" if re.fullmatch(low, m[2]) else "desc"
    if m := text.take(rf"前\s*{ZNUM}\s*(?:名|个|位|款|大)?|最(?:多|高|大|好)的?\s*{ZNUM}\s*(?:个|名|款|位)"):
        return number(m[1] or m[2]), "desc"
    if m := text.take(
        rf"(?:后|倒数)\s*{ZNUM}\s*(?:名|个|位|款)?|最(?:少|低|小|差)的?\s*{ZNUM}\s*(?:个|名|款|位)"
    ):
        return number(m[1] or m[2]), "asc"
    if m := text.take(rf"\b({high}|{low})\b|(最(?:多|高|大|好))|(最(?:少|低|小|差))"):
        ascending = bool(m[3]) or bool(m[1] and re.fullmatch(low, m[1]))
        return 1 if which else 5, "asc" if ascending else "desc"
    return None, "desc"


def _filters(text: _Text, original: str, vocabulary: Vocabulary) -> dict[str, str]:
    found: dict[str, str] = {}
    names: list[tuple[str, str, str]] = []  # (phrase, dimension, value)
    for category in vocabulary.categories:
        parts = [p.strip() for p in category.split(">")]
        names.append((category.lower(), "category", category))
        names.append((parts[0].lower(), "category", parts[0]))
        if len(parts) > 1:
            names.append((parts[-1].lower(), "category", category))
    names += [(title.lower(), "product", title) for title in vocabulary.products]
    names += [(name, "country", code) for name, code in COUNTRY_NAMES.items() if code in vocabulary.countries]
    for phrase, dimension, value in sorted(names, key=lambda n: -len(n[0])):
        if dimension in found or len(phrase) < 2:
            continue
        boundary = r"\b" if phrase.isascii() else ""
        if text.take(rf"{boundary}{re.escape(phrase)}{boundary}"):
            found[dimension] = value
    for token in re.findall(r"[a-z0-9][a-z0-9._/-]*", text.text):
        if token in vocabulary.skus and "sku" not in found:
            text.take(rf"(?<![\w-]){re.escape(token)}(?![\w-])")
            found["sku"] = vocabulary.skus[token]
    if "country" not in found:
        for code in re.findall(r"(?<![\w-])([A-Z]{2})(?![\w-])", original):
            if code in vocabulary.countries:
                text.take(rf"\b{code.lower()}\b")
                found["country"] = code
                break
    if m := text.take(r"\b(delivered|fulfilled)\b|(已送达|已发货)"):
        found["status"] = m[1] or ("delivered" if m[2] == "已送达" else "fulfilled")
    return found


def _metric(text: _Text) -> list[str]:
    """The metrics named, in order; a generic one ("orders") only when no specific one is named."""
    matches: list[tuple[int, int, str]] = []
    for metric, pattern in METRIC_WORDS:
        matches += [(m.start(), m.end(), metric) for m in re.finditer(pattern, text.text)]
    kept: list[tuple[int, int, str]] = []
    for start, end, metric in sorted(matches, key=lambda m: (-(m[1] - m[0]), m[0])):
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, metric))
    for start, end, _ in kept:
        text.text = text.text[:start] + " " * (end - start) + text.text[end:]
    named = list(dict.fromkeys(metric for _, _, metric in sorted(kept)))
    specific = [m for m in named if m not in GENERIC_METRICS]
    return specific or named[:1]


def _dimension(text: _Text, prefer_categorical: bool) -> str | None:
    found = []
    for name, pattern in DIMENSION_WORDS:
        if m := re.search(pattern, text.text):
            found.append((m.start(), name))
    if not found:
        return None
    found.sort()
    if prefer_categorical:
        categorical = [name for _, name in found if DIMENSIONS[name].grain is None]
        if categorical:
            return categorical[0]
    return found[0][1]


def parse_question(question: str, vocabulary: Vocabulary | None = None) -> RuleParse:
    """Read ``question`` with the rules (see the module docstring)."""
    vocabulary = vocabulary or Vocabulary()
    text = _Text(normalise(question))
    which = bool(re.search(r"\b(?:which|what)\b|哪", text.text))
    parse = RuleParse()
    parse.compare_to = _compare(text)
    try:
        parse.period = _period(text)
    except ValidationError as exc:  # e.g. "the last 0 days", "in 1900"
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        parse.problem = f"the period in that question is not possible ({where}: {error['msg']})"
    except ValueError as exc:  # e.g. 2026-02-30
        parse.problem = f"the period in that question is not possible ({exc})"
    parse.filters = _filters(text, unicodedata.normalize("NFKC", question), vocabulary)
    parse.top_n, parse.order = _top(text, which)
    parse.trend = text.take(TREND) is not None
    metrics = _metric(text)
    parse.metric = metrics[0] if metrics else None
    if len(metrics) > 1:  # "new vs returning customers": two answers, not one
        parse.problem = f"that question names several metrics ({', '.join(metrics)}); ask about one at a time"
    parse.dimension = _dimension(text, prefer_categorical=parse.top_n is not None)
    if parse.dimension in parse.filters:  # "revenue of category Kitchen" filters, it does not split
        parse.dimension = None
    return parse
