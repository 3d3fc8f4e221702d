"""OpenAI-compatible backend against httpx.MockTransport, plus one real closed loopback port."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from shopops.config import Settings
from shopops.errors import BackendError, BackendUnavailableError
from shopops.llm.base import ChatRequest, Message
from shopops.llm.openai import OpenAILLM, parse_retry_after

KEY = "sk-test-0123456789-secret"
SCHEMA = {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}


def completion(text: str = "hi there", **extra: Any) -> dict[str, Any]:
    return {
        "model": "gpt-test",
        "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 2},
        **extra,
    }


def backend(
    handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float] | None = None, **kwargs: Any
) -> OpenAILLM:
    return OpenAILLM(
        "https://llm.example/v1/",
        "gpt-test",
        api_key=KEY,
        transport=httpx.MockTransport(handler),
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
        **kwargs,
    )


def ask(**kwargs: Any) -> ChatRequest:
    return ChatRequest(messages=(Message("user", "hello"),), **kwargs)


def test_posts_chat_completion_with_key_and_schema() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=completion('{"x": 1}'))

    result = backend(handler).complete(ask(json_schema=SCHEMA, max_tokens=9))
    assert result.text == '{"x": 1}' and result.prompt_tokens == 7 and result.completion_tokens == 2
    request = seen[0]
    assert str(request.url) == "https://llm.example/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = json.loads(request.content)
    assert body["model"] == "gpt-test" and body["max_tokens"] == 9
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "output", "schema": SCHEMA, "strict": False},
    }


def test_without_json_schema_support_the_schema_goes_into_the_prompt() -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=completion())

    llm = backend(handler, json_schema=False)
    assert not llm.supports_json_schema
    llm.complete(ask(json_schema=SCHEMA))
    assert "response_format" not in bodies[0]
    assert (
        bodies[0]["messages"][0]["role"] == "system"
        and '"required": ["x"]' in bodies[0]["messages"][0]["content"]
    )


def test_client_error_is_not_retried_and_carries_the_server_message() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(400, json={"error": {"message": "max_tokens is too large"}})

    with pytest.raises(BackendError) as caught:
        backend(handler).complete(ask())
    assert len(calls) == 1
    assert "max_tokens is too large" in str(caught.value) and "HTTP 400" in str(caught.value)
    assert not isinstance(caught.value, BackendUnavailableError)


def test_401_hints_at_the_key_without_showing_it() -> None:
    llm = backend(lambda _r: httpx.Response(401, json={"error": {"message": f"bad key {KEY}"}}))
    with pytest.raises(BackendError, match="SHOPOPS_OPENAI_API_KEY") as caught:
        llm.complete(ask())
    assert KEY not in str(caught.value) and "bad key ***" in str(caught.value)


def test_429_and_5xx_are_retried_with_retry_after_honoured() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "2"}, json={"error": {"message": "slow down"}}),
        httpx.Response(503, text="upstream overloaded"),
        httpx.Response(200, json=completion("finally")),
    ]
    sleeps: list[float] = []
    llm = backend(lambda _r: answers.pop(0), sleeps, max_retries=3, backoff_base=0.5)
    assert llm.complete(ask()).text == "finally"
    assert sleeps[0] == 2.0  # Retry-After
    assert 0.5 <= sleeps[1] <= 1.0  # second backoff: base*2, equal jitter


def test_retry_after_is_capped() -> None:
    answers = [httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200, json=completion())]
    sleeps: list[float] = []
    backend(lambda _r: answers.pop(0), sleeps, backoff_max=5.0).complete(ask())
    assert sleeps == [5.0]
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None


def test_gives_up_after_bounded_retries_without_leaking_the_key() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500, json={"error": {"message": "internal"}})

    sleeps: list[float] = []
    with pytest.raises(BackendUnavailableError) as caught:
        backend(handler, sleeps, max_retries=2).complete(ask())
    message = str(caught.value)
    assert len(calls) == 3 and len(sleeps) == 2
    assert "https://llm.example/v1/chat/completions" in message and "3 attempt(s)" in message
    assert "HTTP 500: internal" in message and "How to fix" in message
    assert KEY not in message


def sse(*events: dict[str, Any] | str) -> bytes:
    lines = [f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events]
    return (": keep-alive\n\n" + "".join(lines)).encode()


def test_streaming_parses_server_sent_events() -> None:
    def chunk(text: str | None, finish: str | None = None) -> dict[str, Any]:
        return {"choices": [{"delta": {"content": text} if text else {}, "finish_reason": finish}]}

    body = sse(
        chunk("Hel"),
        chunk("lo"),
        chunk(None, "length"),
        {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}},
        "[DONE]",
    )
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    llm = backend(handler)
    pieces: list[str] = []
    result = llm.execute(ask(), pieces.append)
    assert pieces == ["Hel", "lo"] and result.text == "Hello"
    assert result.finish_reason == "length" and result.completion_tokens == 2
    assert json.loads(seen[0].content)["stream"] is True
    assert list(llm.stream(ask())) == ["Hel", "lo"]


def test_stream_error_event_becomes_backend_error() -> None:
    body = sse({"error": {"message": "model overloaded"}})
    llm = backend(lambda _r: httpx.Response(200, content=body))
    with pytest.raises(BackendError, match="model overloaded"):
        llm.execute(ask(), lambda _t: None)


def test_from_settings_uses_the_secret_key() -> None:
    settings = Settings(openai_base_url="http://h/v1", openai_api_key=SecretStr(KEY), openai_max_retries=1)
    llm = OpenAILLM.from_settings(settings)
    assert llm.base_url == "http://h/v1" and llm.max_retries == 1
    assert llm._client.headers["authorization"] == f"Bearer {KEY}"
    llm.close()


def test_closed_loopback_port_fails_fast_with_a_clear_error() -> None:
    with socket.socket() as probe:  # find a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    llm = OpenAILLM(
        f"http://127.0.0.1:{port}/v1", "m", api_key=KEY, timeout=1.0, max_retries=2, backoff_base=0.05
    )
    started = time.perf_counter()
    with pytest.raises(BackendUnavailableError) as caught:
        llm.complete(ask())
    elapsed = time.perf_counter() - started
    llm.close()
    message = str(caught.value)
    assert elapsed < 3.0
    assert f"http://127.0.0.1:{port}/v1/chat/completions" in message and "3 attempt(s)" in message
    assert "connection failed" in message and "How to fix" in message and KEY not in message
