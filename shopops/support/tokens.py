"""BM25 tokenisation of knowledge passages and customer questions, English and Chinese.

Latin-script text becomes lower-cased word tokens: punctuation is dropped, digits are kept, a tiny
stopword list is removed and a light suffix stemmer folds inflections together ("returns",
"returned", "returning" -> "return"; "shipping", "shipped" -> "ship"). The stemmer is deliberately
crude: tokens are only ever compared with tokens made by the same function, so a stem only has to be
*consistent*, not a real word.

Runs of Chinese characters go through jieba's search mode (``cut_for_search``), which emits a long
word and the dictionary words inside it ("退货政策" -> "退货", "政策"), so a query and a passage
that segment a phrase differently still share tokens. Chinese function words are dropped.

jieba loads its dictionary (about a second) on first use, not at import, under a lock, with its
logging silenced; commands that never tokenise Chinese never pay for it.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from types import ModuleType

# Han ideographs (CJK unified, extension A, compatibility): the characters jieba segments.
_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RUN = re.compile(f"[{_HAN_CHARS}]+")
SCRIPT_RUN = re.compile(f"[{_HAN_CHARS}]+|[^{_HAN_CHARS}]+")
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# An apostrophe inside a word is dropped, not a split: "customer's" -> "customers", "don't" -> "dont".
INNER_APOSTROPHE = re.compile(r"(?<=[^\W_])['\u2019](?=[^\W_])")

_ENGLISH_STOPWORDS = """
    a an the and or but if then so than of to in on at by for with from into about as
    is are was were be been being am do does did doing have has had having
    i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
    this that these those what which who whom whose when where why how
    can could will would shall should may might must just also there here
    some any all each very too s t hi hello please thanks thank
"""
_CHINESE_STOPWORDS = """
    的 了 着 过 是 在 和 与 及 或 也 都 就 还 又 把 被 给 对 从 到 向 吗 呢 吧 啊 呀 哦 嗯 么 嘛
    我 你 您 他 她 它 我们 你们 他们 她们 咱们 这 那 这个 那个 这些 那些 这样 那样
    什么 怎么 怎样 怎么样 如何 哪 哪里 哪些 哪个 为什么 请 请问 一个 个 想 要 会 能 可以 一下 得 地
"""
ENGLISH_STOPWORDS: frozenset[str] = frozenset(_ENGLISH_STOPWORDS.split())
CHINESE_STOPWORDS: frozenset[str] = frozenset(_CHINESE_STOPWORDS.split())
_VOWELS = frozenset("aeiouy")

_jieba: ModuleType | None = None
_jieba_lock = threading.Lock()


def _load_jieba() -> ModuleType:
    """jieba with its dictionary loaded, once per process (thread-safe, quiet)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(60)  # above CRITICAL: no "Building prefix dict..." chatter
                jieba.initialize()
                _jieba = jieba
    return _jieba


def _has_vowel(stem: str) -> bool:
    return any(char in _VOWELS for char in stem)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English suffix stemmer for lower-case ASCII words; anything else comes back as is.

    Plural/third-person ``s``/``es``/``ies``, then ``ed``/``ing``, then a doubled final consonant and
    a final ``e`` are removed, so "change"/"changes"/"changed"/"changing" all give "chang" and
    "cancel"/"cancelled"/"canceling" all give "cancel".
    """
    if len(word) <= 3 or not (word.isascii() and word.isalpha()):
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ied") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("eed"):
        pass  # "need", "speed", "agreed": not a past tense of "ne"/"spe"
    elif word.endswith("ed") and len(word) >= 5 and _has_vowel(word[:-2]):
        word = word[:-2]
    elif word.endswith("ing") and len(word) >= 6 and _has_vowel(word[:-3]):
        word = word[:-3]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in _VOWELS:
        word = word[:-1]  # "shipp" -> "ship", "cancell" -> "cancel", "address" -> "addres"
    if len(word) > 3 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]  # "change" and "chang(ing)" meet at "chang"
    return word


@lru_cache(maxsize=8192)
def _han_tokens(run: str) -> tuple[str, ...]:
    """The search-mode jieba tokens of one run of Han characters, function words dropped."""
    jieba = _load_jieba()
    return tuple(
        token for token in jieba.cut_for_search(run) if token.strip() and token not in CHINESE_STOPWORDS
    )


def _latin_tokens(piece: str) -> list[str]:
    out: list[str] = []
    for word in WORD.findall(piece):
        if word in ENGLISH_STOPWORDS:
            continue
        if len(word) == 1 and not word.isdigit():
            continue  # stray letters ("t-shirt" -> "t") carry nothing
        out.append(stem(word))
    return out


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), case-folded, inner apostrophes removed."""
    return INNER_APOSTROPHE.sub("", unicodedata.normalize("NFKC", text).casefold())


def tokenize(text: str) -> list[str]:
    """The BM25 tokens of ``text`` in order, repeats kept (term frequency counts them)."""
    tokens: list[str] = []
    for run in SCRIPT_RUN.findall(normalise(text)):
        if HAN_RUN.fullmatch(run):
            tokens.extend(_han_tokens(run))
        else:
            tokens.extend(_latin_tokens(run))
    return tokens


def content_tokens(text: str) -> set[str]:
    """The distinct non-stopword tokens of ``text``: what coverage of a query is measured in."""
    return set(tokenize(text))
