"""Text that must never reach a listing: model refusals, echoed prompt text, the wrong language.

Refusals ("I'm sorry, but I can't…", "As an AI language model", 抱歉，我无法…) are matched in the
languages the copy studio writes. A prompt echo is either a phrase only a prompt contains (field
labels such as "merchant description:", instructions such as "use only these facts") or a long run of
words shared with the prompt texts that is not simply the product's own facts repeated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shopops.copy.types import Flag, ProductFacts

_REFUSALS = re.compile(
    "|".join(
        [
            r"\bI(?:'m|’m| am) (?:sorry|afraid),? (?:but )?I "
            r"(?:can(?:'|’|no)t|can not|cannot|am unable|won(?:'|’)t)",
            r"\bas an AI(?: language model| assistant| model)?\b",
            r"\bI (?:cannot|can(?:'|’)t|can not|am unable to|won(?:'|’)t be able to|am not able to) "
            r"(?:fulfil+|complete|help with|assist with|comply|provide|create|write|generate|do that)",
            r"\bsorry,? (?:but )?I (?:cannot|can(?:'|’)t|can not|am unable|won(?:'|’)t)",
            r"\bunable to (?:fulfil+|complete|comply with|process) (?:this|your|the) request",
            r"\bthis request (?:violates|goes against)",
            r"\bI (?:do not|don(?:'|’)t) have (?:enough|sufficient) information to",
            r"(?:抱歉|对不起|很遗憾)[，,。\s]*(?:但)?我(?:无法|不能|没办法|不可以|做不到)",
            r"作为(?:一个)?(?:AI|人工智能)(?:语言模型|助手|模型)?",
            r"我无法(?:完成|满足|提供|生成|协助|回答)",
            r"\blo siento,? (?:pero )?no (?:puedo|es posible)",
            r"\bcomo (?:un )?modelo de (?:lenguaje|IA)",
            r"\bdesculpe,? (?:mas )?(?:eu )?não (?:posso|consigo)",
            r"\bcomo (?:um )?modelo de linguagem",
            r"\bmaaf,? (?:tetapi |tapi )?saya tidak (?:bisa|dapat)",
            r"\bsebagai (?:model bahasa|AI)\b",
            r"xin lỗi,? (?:nhưng )?tôi không thể",
            r"là một mô hình ngôn ngữ",
            r"ขออภัย.{0,30}ไม่สามารถ",
            r"(?:عذرًا|عذرا|آسف)[،,]?\s*(?:ولكن\s*)?لا (?:أستطيع|يمكنني)",
            r"بصفتي نموذج",
        ]
    ),
    re.IGNORECASE,
)
_ECHO_PHRASES = re.compile(
    "|".join(
        [
            r"\buse only (?:these|the|this) (?:facts|information|data)\b",
            r"\bonly the facts (?:above|below|given|provided|listed)\b",
            r"\b(?:do not|don(?:'|’)t) (?:invent|make up|add) (?:any )?(?:facts|details|claims|numbers)\b",
            r"\b(?:based on|using|according to) the (?:provided|given|above|following) (?:product )?facts\b",
            r"\bproduct facts\s*[:：]",
            r"\bmerchant description\s*[:：]",
            r"\blist price\s*[:：]",
            r"^\s*(?:title|tags)\s*[:：]",
            r"\bwrite an? (?:product description|listing|title|meta description|social post"
            r"|marketing email)\b",
            r"\brespond (?:only )?(?:in|with) (?:json|english|chinese|the json)\b",
            r"\bjson schema\b|\boutput format\s*[:：]",
            r"\byou are an? (?:expert|helpful|professional|experienced|e-?commerce) "
            r"(?:copywriter|assistant|writer)\b",
            r"^\s*here(?:'s| is| are) (?:the|a|an|your) (?:[\w-]+ ){0,3}"
            r"(?:description|copy|listing|bullets?|bullet points|title|post|email)s?\s*[:：]",
            r"只(?:使用|用)(?:以下|这些|上述|下面的)?(?:事实|信息)",
            r"商品事实|产品事实|商家描述\s*[:：]|不要编造|请用中文",
            r"^\s*标题\s*[:：]",
            r"以下是(?:为您|您的)?(?:生成的)?(?:商品|产品)?(?:描述|文案)",
            r'\A\s*[{\[]\s*"',  # raw JSON instead of copy
        ]
    ),
    re.IGNORECASE | re.MULTILINE,
)
_TOKENS = re.compile(r"[A-Za-z0-9\u00c0-\u024f']+|[\u0e00-\u0e7f\u0600-\u06ff]+|[\u4e00-\u9fff]")
ECHO_NGRAM = 10  # words (a CJK character counts as one): longer than any stock phrase copy shares


def detect_refusal(text: str) -> list[Flag]:
    found = _REFUSALS.search(text)
    if not found:
        return []
    return [Flag(kind="refusal", claim=found.group(0),
                 message=f"The text is a model refusal, not copy: '{found.group(0)}'.")]  # fmt: skip


def _tokens(text: str) -> list[str]:
    return [token.lower() for token in _TOKENS.findall(text)]


def _ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def detect_prompt_echo(
    text: str, prompt_texts: Sequence[str] = (), facts: ProductFacts | None = None
) -> list[Flag]:
    """Prompt labels/instructions in the copy, or a run of ECHO_NGRAM+ words copied from the prompt.

    Runs that also occur in the product's facts do not count: copy may repeat the title.
    """
    flags: list[Flag] = []
    found = _ECHO_PHRASES.search(text)
    if found:
        flags.append(Flag(kind="prompt_echo", claim=found.group(0).strip(),
                          message=f"The copy repeats prompt text: '{found.group(0).strip()}'."))  # fmt: skip
    if not prompt_texts:
        return flags
    copy_tokens = _tokens(text)
    prompt_grams = set().union(*(_ngrams(_tokens(prompt), ECHO_NGRAM) for prompt in prompt_texts))
    if facts is not None:
        fact_text = "\n".join([*facts.fact_lines(), *(f"{k} {v}" for k, v in facts.attributes.items())])
        prompt_grams -= _ngrams(_tokens(fact_text), ECHO_NGRAM)
    for start in range(len(copy_tokens) - ECHO_NGRAM + 1):
        if tuple(copy_tokens[start : start + ECHO_NGRAM]) in prompt_grams:
            end = start + ECHO_NGRAM
            while (
                end < len(copy_tokens) and tuple(copy_tokens[end - ECHO_NGRAM + 1 : end + 1]) in prompt_grams
            ):
                end += 1
            joiner = (
                "" if all(len(t) == 1 and "\u4e00" <= t <= "\u9fff" for t in copy_tokens[start:end]) else " "
            )
            echoed = joiner.join(copy_tokens[start:end])
            message = f"The copy repeats {end - start} words of the prompt: '{echoed}'."
            flags.append(Flag(kind="prompt_echo", claim=echoed, message=message))
            break
    return flags


_SCRIPTS = {
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "th": re.compile(r"[\u0e00-\u0e7f]"),
    "ar": re.compile(r"[\u0600-\u06ff]"),
}
_NON_LATIN = re.compile(r"[\u4e00-\u9fff\u0e00-\u0e7f\u0600-\u06ff\u3040-\u30ff\uac00-\ud7af]")


def detect_wrong_language(text: str, language: str) -> list[Flag]:
    """Copy in the wrong script for the language asked (Chinese asked, English written). Scripts only:
    English and Spanish are not told apart. Short texts (< 8 words) are not judged."""
    # words count once and CJK characters once each, so brand names do not swamp a Chinese text
    tokens = [token for token in _TOKENS.findall(text) if not token.isdigit()]
    if len(tokens) < 8:
        return []
    if language in _SCRIPTS:
        share = sum(1 for token in tokens if _SCRIPTS[language].match(token)) / len(tokens)
        wrong = share < 0.3
    else:
        share = sum(1 for token in tokens if _NON_LATIN.match(token)) / len(tokens)
        wrong = share > 0.5
    if not wrong:
        return []
    return [Flag(kind="language", message=f"The copy is not written in the language asked ({language}).")]
