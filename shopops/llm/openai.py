"""OpenAILLM: any OpenAI-compatible chat-completions server over httpx.

OpenAI, vLLM, Ollama, llama-server, DeepSeek and Qwen's endpoints differ only in ``base_url`` and
key. 429, 5xx and connection errors are retried a bounded number of times with exponential
backoff and jitter (``Retry-After`` honoured, capped); other 4xx fail at once with the server's
message. The API key goes only into the Authorization header: never into logs or errors.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from shopops.config import Settings
from shopops.errors import BackendError, BackendUnavailableError
from shopops.http_retry import RETRY_STATUSES, backoff_delay, parse_retry_after
from shopops.llm.base import ChatRequest, ChatResult, DeltaCallback, LLMBackend
from shopops.llm.local import chat_body, error_message


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class OpenAILLM(LLMBackend):
    name = "openai"
    supports_streaming = True

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        json_schema: bool = True,
        backoff_base: float = 0.5,
        backoff_max: float = 20.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.max_retries = max_retries
        self.supports_json_schema = json_schema
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._sleep = sleep
        self._api_key = api_key
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), headers=headers, transport=transport
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> OpenAILLM:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return cls(
            settings.openai_base_url,
            settings.openai_model,
            api_key=key,
            timeout=settings.openai_timeout,
            max_retries=settings.openai_max_retries,
            json_schema=settings.openai_json_schema,
            **kwargs,
        )

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def body(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        body = {"model": self.model, **chat_body(request, stream=stream)}
        if request.json_schema is not None:
            if self.supports_json_schema:
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "output", "schema": request.json_schema, "strict": False},
                }
            else:  # the server cannot enforce it: state the schema in the prompt instead
                instruction = {
                    "role": "system",
                    "content": "Reply with one JSON object only, no prose, valid against this JSON schema:\n"
                    + json.dumps(request.json_schema, ensure_ascii=False),
                }
                body["messages"] = [instruction, *body["messages"]]
        return body

    def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
        body = self.body(request, stream=on_delta is not None)
        started = time.perf_counter()
        attempts = self.max_retries + 1
        last_reason = ""
        for attempt in range(1, attempts + 1):
            try:
                response = self._post(body) if on_delta is None else self._post_stream(body, on_delta)
                return self._result(response, (time.perf_counter() - started) * 1000)
            except _Retryable as retry:
                last_reason = retry.reason
                if attempt < attempts:
                    self._sleep(self._delay(attempt, retry.retry_after))
        raise BackendUnavailableError(
            f"the LLM server at {self.url} did not answer successfully after {attempts} attempt(s); "
            f"last error: {last_reason}",
            hint="check that the server is running and reachable (SHOPOPS_OPENAI_BASE_URL), your quota, "
            "or raise SHOPOPS_OPENAI_TIMEOUT / SHOPOPS_OPENAI_MAX_RETRIES; "
            "or use the local model (--llm-backend local)",
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        return backoff_delay(attempt, base=self.backoff_base, cap=self.backoff_max, retry_after=retry_after)

    @contextmanager
    def _request(self, body: dict[str, Any]) -> Iterator[httpx.Response]:
        try:
            with self._client.stream("POST", self.url, json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    self._raise_for_status(response)
                yield response
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__}: {exc})") from exc

    def _raise_for_status(self, response: httpx.Response) -> None:
        try:
            message = error_message(response.json())
        except ValueError:
            message = response.text[:300] or response.reason_phrase
        if self._api_key:  # some servers echo the key they rejected
            message = message.replace(self._api_key, "***")
        status = response.status_code
        if status in RETRY_STATUSES:
            raise _Retryable(
                f"HTTP {status}: {message}", parse_retry_after(response.headers.get("retry-after"))
            )
        hint = {
            401: "check SHOPOPS_OPENAI_API_KEY",
            403: "check the key's permissions for this model",
            404: "check SHOPOPS_OPENAI_BASE_URL (it usually ends in /v1) and SHOPOPS_OPENAI_MODEL",
        }.get(
            status,
            "check the request parameters; if the server lacks json_schema support, "
            "set SHOPOPS_OPENAI_JSON_SCHEMA=false",
        )
        raise BackendError(
            f"the LLM server at {self.url} refused the request: HTTP {status}: {message}", hint=hint
        )

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._request(body) as response:
            response.read()
            try:
                return response.json()
            except ValueError as exc:
                raise BackendError(
                    f"the LLM server at {self.url} answered with something that is not JSON: "
                    f"{response.text[:200]!r}",
                    hint="check SHOPOPS_OPENAI_BASE_URL: it must point at an OpenAI-compatible API",
                ) from exc

    def _post_stream(self, body: dict[str, Any], on_delta: DeltaCallback) -> dict[str, Any]:
        """Read an SSE stream, passing each text fragment on; fold it into one response dict."""
        parts: list[str] = []
        finish_reason = "stop"
        usage: dict[str, Any] = {}
        with self._request(body) as response:
            try:
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[len("data:") :].strip()
                    if data == "[DONE]":
                        break
                    chunk = json.loads(data)
                    if "error" in chunk:
                        return chunk
                    usage = chunk.get("usage") or usage
                    for choice in chunk.get("choices") or ():
                        finish_reason = choice.get("finish_reason") or finish_reason
                        text = (choice.get("delta") or {}).get("content")
                        if text:
                            parts.append(text)
                            on_delta(text)
            except httpx.TransportError as exc:
                if not parts:
                    raise
                raise BackendUnavailableError(  # text was already shown: a retry would repeat it
                    f"the stream from {self.url} broke off after {len(parts)} fragment(s): {exc}",
                    hint="try again; check the server's health and SHOPOPS_OPENAI_TIMEOUT",
                ) from exc
            except json.JSONDecodeError as exc:
                raise BackendError(
                    f"the LLM server at {self.url} sent a malformed stream event: {exc}",
                    hint="check that the server speaks OpenAI's chat-completions SSE",
                ) from exc
        return {
            "choices": [{"message": {"content": "".join(parts)}, "finish_reason": finish_reason}],
            "usage": usage,
        }

    def _result(self, response: dict[str, Any], latency_ms: float) -> ChatResult:
        if "error" in response or not response.get("choices"):
            raise BackendError(
                f"the LLM server at {self.url} returned no completion: {error_message(response)}",
                hint="check the model name and the request parameters",
            )
        choice = response["choices"][0]
        usage = response.get("usage") or {}
        return ChatResult(
            text=(choice.get("message") or {}).get("content") or "",
            model=response.get("model") or self.model,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            finish_reason=choice.get("finish_reason") or "stop",
            latency_ms=latency_ms,
            raw=response,
        )

    def close(self) -> None:
        self._client.close()
