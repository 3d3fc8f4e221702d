"""Refusals, prompt echoes and copy in the wrong script are caught; ordinary copy is not."""

from __future__ import annotations

import pytest

from shopops.copy.safety import detect_prompt_echo, detect_refusal, detect_wrong_language
from shopops.copy.types import ProductFacts


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, but I can't help with that request.",
        "As an AI language model, I cannot write this.",
        "I cannot fulfill this request.",
        "Sorry, I cannot generate a description without more details.",
        "抱歉，我无法完成这个请求。",
        "作为一个AI语言模型，我不能提供这些信息。",
        "Lo siento, no puedo ayudar con eso.",
        "Maaf, saya tidak bisa membantu.",
    ],
)
def test_refusals_are_detected(text: str) -> None:
    [flag] = detect_refusal(text)
    assert flag.kind == "refusal" and flag.blocking and flag.claim


def test_ordinary_copy_is_not_a_refusal() -> None:
    assert (
        detect_refusal("Sorry, stains: this cotton tee shrugs them off. We can't wait for you to try it.")
        == []
    )


@pytest.mark.parametrize(
    "text",
    [
        "Use only these facts. A lovely mug.",
        "Title: Ceramic Mug\nA lovely mug.",
        "Merchant description: a mug",
        "Here is the product description:\nA lovely mug.",
        '{"description": "A lovely mug"}',
        "只使用以下事实：陶瓷杯",
    ],
)
def test_prompt_labels_and_instructions_are_echoes(text: str) -> None:
    [flag] = detect_prompt_echo(text)
    assert flag.kind == "prompt_echo"


def test_long_runs_of_prompt_text_are_echoes_but_repeating_the_facts_is_not() -> None:
    facts = ProductFacts(
        id="m", title="Handmade Ceramic Coffee Mug with Speckled Glaze and Wide Handle 350 ml"
    )
    prompt = (
        "Write warm, clear copy for a busy shopper who values craft and wants to know exactly what arrives.\n"
        + "\n".join(facts.fact_lines())
    )
    echo = "Warm, clear copy for a busy shopper who values craft and wants to know exactly what arrives."
    [flag] = detect_prompt_echo(echo, [prompt], facts)
    assert flag.kind == "prompt_echo" and "busy shopper" in flag.claim
    faithful = "Meet the Handmade Ceramic Coffee Mug with Speckled Glaze and Wide Handle 350 ml, a daily joy."
    assert detect_prompt_echo(faithful, [prompt], facts) == []


def test_wrong_script_for_the_language_asked() -> None:
    english = "A sturdy stainless steel bottle that keeps drinks cold all day long."
    chinese = "这款 Wayona 尼龙编织 USB 数据线兼容 iPhone 13，快速充电，经久耐用。"
    assert [f.kind for f in detect_wrong_language(english, "zh")] == ["language"]
    assert detect_wrong_language(chinese, "zh") == []
    assert [f.kind for f in detect_wrong_language(chinese * 2, "en")] == ["language"]
    assert detect_wrong_language(english, "es") == []  # Latin scripts are not told apart
    assert detect_wrong_language("OK", "zh") == []  # too short to judge
