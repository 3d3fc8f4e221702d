"""FakeLLM: deterministic text, schema-valid JSON, scripts and streaming."""

from __future__ import annotations

import json
import random
from enum import StrEnum
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from shopops.llm.base import ChatRequest, Message
from shopops.llm.fake import FakeLLM, SchemaFaker, fragments


class Sentiment(StrEnum):
    positive = "positive"
    negative = "negative"


class Aspect(BaseModel):
    name: str = Field(min_length=3, max_length=12)
    score: float = Field(ge=-1, le=1)


class Review(BaseModel):
    sentiment: Sentiment
    rating: int = Field(ge=1, le=5)
    summary: str = Field(max_length=20)
    aspects: list[Aspect] = Field(min_length=1, max_length=3)
    tags: list[Literal["size", "colour", "price"]] = Field(max_length=2)
    reply: str | None = None
    discount: int = Field(gt=0, lt=4, multiple_of=2)
    nested: dict[str, int] = Field(default_factory=dict)


def ask(text: str, **kwargs: Any) -> ChatRequest:
    return ChatRequest(messages=(Message("user", text),), **kwargs)


def test_same_prompt_same_text_different_prompt_different_text() -> None:
    llm = FakeLLM()
    first = llm.complete(ask("describe the linen shirt")).text
    assert first == FakeLLM().complete(ask("describe the linen shirt")).text
    assert first != llm.complete(ask("describe the wool socks")).text
    assert len(llm.requests) == 2


@pytest.mark.parametrize("prompt", [f"review {i}" for i in range(40)])
def test_schema_output_validates_against_the_pydantic_model(prompt: str) -> None:
    schema = Review.model_json_schema()
    assert "$defs" in schema  # pydantic's references are exercised
    result = FakeLLM().complete(ask(prompt, json_schema=schema))
    review = Review.model_validate_json(result.text)
    assert 1 <= len(review.aspects) <= 3 and review.discount == 2


def test_raw_schema_bounds_are_respected() -> None:
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "minLength": 30, "maxLength": 32},
            "qty": {"type": "integer", "minimum": 10, "maximum": 12},
            "price": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            "items": {"type": "array", "items": {"type": "boolean"}, "minItems": 4, "maxItems": 4},
            "kind": {"const": "fixed"},
        },
        "required": ["code", "qty", "price", "items", "kind"],
    }
    for seed in range(30):
        value = SchemaFaker(schema, random.Random(seed)).value(schema)
        assert 30 <= len(value["code"]) <= 32
        assert 10 <= value["qty"] <= 12
        assert 0 < value["price"] <= 1
        assert len(value["items"]) == 4 and all(isinstance(v, bool) for v in value["items"])
        assert value["kind"] == "fixed"


def test_script_is_returned_in_order_then_generation_resumes() -> None:
    llm = FakeLLM(["not json", '{"ok": true}'])
    assert llm.complete(ask("a")).text == "not json"
    assert llm.complete(ask("a")).text == '{"ok": true}'
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    assert isinstance(json.loads(llm.complete(ask("a", json_schema=schema)).text)["ok"], bool)


def test_streaming_yields_word_fragments_that_join_to_the_text() -> None:
    llm = FakeLLM()
    request = ask("stream me", max_tokens=50)
    pieces = list(llm.stream(request))
    assert len(pieces) > 3
    assert "".join(pieces) == llm.complete(request).text
    seen: list[str] = []
    result = llm.execute(request, seen.append)
    assert seen == pieces and result.completion_tokens == len(pieces)


def test_fragments_round_trip() -> None:
    text = "Hello  big world, ok "
    assert "".join(fragments(text)) == text
    assert fragments("one two") == ["one", " two"]


def test_stream_consumer_stopping_early_cancels_generation() -> None:
    llm = FakeLLM(["a b c d e f g h"])
    iterator = llm.stream(ask("x"))
    assert next(iterator) == "a"
    iterator.close()  # must not hang; the worker thread stops at the next fragment
