"""A small, dependency-free language guess for the languages shopops writes and reads.

Scripts settle Chinese, Japanese, Korean, Thai and Arabic. Latin-script languages are told apart by
their commonest function words (and Vietnamese by its letters with stacked diacritics). Good enough
to check that copy came out in the language asked and to route support messages; not a general
language identifier.
"""

from __future__ import annotations

import re

SCRIPTS: dict[str, re.Pattern[str]] = {
    "ja": re.compile(r"[\u3040-\u30ff]"),  # kana first: Japanese text also uses Han characters
    "ko": re.compile(r"[\uac00-\ud7af]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "th": re.compile(r"[\u0e00-\u0e7f]"),
    "ar": re.compile(r"[\u0600-\u06ff]"),
}
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "en": "the and with for this that your you is are of to in it on from a an",
        "es": "el la los las y con para este esta que es son de del en un una su por",
        "pt": "o os as e com para este esta que é são de do da em um uma seu sua por",
        "id": "dan dengan untuk ini itu yang adalah dari di ke anda kami atau tidak",
        "vi": "và với cho này là của có một các được không trong bạn",
    }.items()
}
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the most likely language of ``text``, or "" when there is nothing to go on."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return ""
    for code, pattern in SCRIPTS.items():
        if len(pattern.findall(text)) / len(letters) >= 0.3:
            return code
    if len(VIETNAMESE_LETTERS.findall(text)) / len(letters) >= 0.03:
        return "vi"
    words = [w.casefold() for w in WORD.findall(text)]
    scores = {code: sum(w in vocab for w in words) for code, vocab in FUNCTION_WORDS.items()}
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] > 0 else ""
