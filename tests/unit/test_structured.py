"""structured.generate: schema as constraint or prompt, validation, re-asking, bounded arrays."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from shopops.errors import InputError, StructuredOutputError
from shopops.llm.base import ChatRequest, ChatResult, DeltaCallback, LLMBackend, Message
from shopops.llm.fake import FakeLLM
from shopops.structured import check_bounded, extract_json, generate


class Tag(BaseModel):
    label: str = Field(max_length=20)


class Listing(BaseModel):
    title: str = Field(min_length=3, max_length=60)
    price: float = Field(ge=0, le=10_000)
    tags: list[Tag] = Field(max_length=4)


class Unbounded(BaseModel):
    words: list[str]


MESSAGES = [Message("system", "You write product listings."), Message("user", "A linen shirt, 39 EUR.")]
VALID = json.dumps({"title": "Linen shirt", "price": 39.0, "tags": [{"label": "linen"}]})


class PromptOnly(LLMBackend):
    """A backend without json_schema support that replies from a script."""

    name = "prompt-only"
    supports_json_schema = False

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies
        self.requests: list[ChatRequest] = []

    def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
        self.requests.append(request)
        return ChatResult(text=self.replies.pop(0), model="p")


def test_generates_a_valid_object_with_the_schema_as_constraint() -> None:
    llm = FakeLLM()
    listing = generate(llm, MESSAGES, Listing, task="copy.listing", max_tokens=200)
    assert isinstance(listing, Listing)
    [request] = llm.requests
    assert request.json_schema == Listing.model_json_schema()
    assert request.task == "copy.listing" and request.max_tokens == 200


def test_invalid_output_is_reasked_with_the_error() -> None:
    llm = FakeLLM(['{"title": "x", "price": -5, "tags": []}', VALID])
    listing = generate(llm, MESSAGES, Listing, task="copy.listing")
    assert listing.title == "Linen shirt" and listing.tags[0].label == "linen"
    assert len(llm.requests) == 2
    retry = llm.requests[1].messages
    assert retry[:2] == tuple(MESSAGES)
    assert retry[2] == Message("assistant", '{"title": "x", "price": -5, "tags": []}')
    assert retry[3].role == "user" and "title" in retry[3].content and "price" in retry[3].content


def test_gives_up_after_max_attempts_with_an_actionable_error() -> None:
    llm = FakeLLM(["not json at all"] * 2)
    with pytest.raises(StructuredOutputError) as caught:
        generate(llm, MESSAGES, Listing, task="copy.listing", max_attempts=2)
    message = str(caught.value)
    assert "copy.listing" in message and "after 2 attempt(s)" in message and "not json at all" in message
    assert "bigger model" in message and "max_tokens" in message and "simplify the schema" in message
    assert len(llm.requests) == 2


def test_truncated_output_is_called_out() -> None:
    class Truncating(FakeLLM):
        def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
            return ChatResult(text='{"title": "Lin', model="t", finish_reason="length")

    with pytest.raises(StructuredOutputError, match="cut off at max_tokens=16"):
        generate(Truncating(), MESSAGES, Listing, task="t", max_tokens=16, max_attempts=1)


def test_without_schema_support_the_schema_goes_into_the_system_prompt() -> None:
    llm = PromptOnly(["Sure! Here it is:\n```json\n" + VALID + "\n```"])
    listing = generate(llm, MESSAGES, Listing, task="copy.listing")
    assert listing.price == 39.0
    [request] = llm.requests
    assert request.json_schema is None
    system = request.messages[0]
    assert system.role == "system" and system.content.startswith("You write product listings.")
    assert '"maxItems": 4' in system.content and len(request.messages) == 2


def test_unbounded_arrays_are_refused_before_any_generation() -> None:
    llm = FakeLLM()
    with pytest.raises(InputError, match="/properties/words") as caught:
        generate(llm, MESSAGES, Unbounded, task="t")
    assert "max_length" in str(caught.value) and llm.requests == []


def test_check_bounded_walks_nested_definitions() -> None:
    check_bounded(Listing.model_json_schema())
    nested = {
        "$defs": {"Inner": {"type": "object", "properties": {"xs": {"type": ["array", "null"]}}}},
        "type": "object",
        "properties": {"ok": {"type": "array", "maxItems": 2, "items": {"$ref": "#/$defs/Inner"}}},
    }
    with pytest.raises(InputError, match="/\\$defs/Inner/properties/xs"):
        check_bounded(nested)


def test_extract_json_tolerates_fences_and_prose() -> None:
    assert extract_json('```json\n{"a": 1}\n```') == '{"a": 1}'
    assert extract_json('Here: {"a": {"b": 2}} done') == '{"a": {"b": 2}}'
    assert extract_json("no json") == "no json"
