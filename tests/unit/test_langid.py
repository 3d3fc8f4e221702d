"""The language guess used to check copy languages and to route messages."""

from __future__ import annotations

import pytest

from shopops.langid import detect_language

SAMPLES = {
    "en": "This bamboo board is finished with food-safe oil and comes with a juice groove.",
    "zh": "这款竹制砧板表面经过食品级油处理，带有导流槽。",
    "es": "Esta tabla de bambú tiene un acabado con aceite apto para alimentos y una ranura para jugos.",
    "pt": "Esta tábua de bambu tem acabamento com óleo próprio para alimentos e uma canaleta para sucos.",
    "id": "Talenan bambu ini dilapisi minyak yang aman untuk makanan dan dilengkapi alur untuk jus.",
    "vi": "Thớt tre này được phủ dầu an toàn thực phẩm và có rãnh chứa nước.",
    "th": "เขียงไม้ไผ่นี้เคลือบด้วยน้ำมันที่ปลอดภัยสำหรับอาหารและมีร่องรองน้ำ",
    "ar": "لوح التقطيع هذا مصنوع من الخيزران ومطلي بزيت آمن للطعام.",
    "ja": "この竹のまな板は食品に安全なオイルで仕上げられています。",
}


@pytest.mark.parametrize(("code", "text"), sorted(SAMPLES.items()))
def test_each_language_is_recognised(code: str, text: str) -> None:
    assert detect_language(text) == code


def test_nothing_to_go_on() -> None:
    assert detect_language("12345 !!!") == ""
    assert detect_language("") == ""


def test_mixed_text_goes_by_the_dominant_script() -> None:
    assert detect_language("USB-C 数据线，1.5米，支持快充") == "zh"
    assert detect_language("Cable USB-C de 1.5 m con carga rápida para el teléfono") == "es"
