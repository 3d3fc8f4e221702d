"""The OpenAI-compatible embedding backend against an in-process fake server (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import numpy as np
import pytest

from shopops.embed.openai import OpenAIEmbedder
from shopops.errors import BackendError, BackendUnavailableError, ConfigError

KEY = "sk-test-supersecret"
URL = "http://embed.test:8080/v1"
Handler = Callable[[httpx.Request], httpx.Response]


def vector_for(text: str, dim: int = 3) -> list[float]:
    """An unnormalised, text-dependent vector, as a real server might send."""
    return [float(len(text) + i) for i in range(dim)]


def ok_handler(requests: list[httpx.Request], dim: int = 3) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        inputs = json.loads(request.content)["input"]
        data = [
            {"object": "embedding", "index": i, "embedding": vector_for(text, dim)}
            for i, text in enumerate(inputs)
        ]
        data.reverse()  # servers may answer out of order; `index` is authoritative
        return httpx.Response(200, json={"object": "list", "data": data, "model": "m"})

    return handle


def make(handler: Handler, **kwargs: object) -> tuple[OpenAIEmbedder, list[float]]:
    sleeps: list[float] = []
    options: dict[str, object] = {"api_key": KEY, "max_retries": 2, "sleep": sleeps.append, **kwargs}
    embedder = OpenAIEmbedder(URL + "/", "my-embedder", transport=httpx.MockTransport(handler), **options)  # type: ignore[arg-type]
    return embedder, sleeps


def test_batches_requests_orders_by_index_and_normalises() -> None:
    requests: list[httpx.Request] = []
    embedder, sleeps = make(ok_handler(requests), batch_size=2)
    texts = ["a", "bb", "ccc", "dddd", "eeeee"]
    out = embedder.embed_passages(texts)

    assert out.shape == (5, 3) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-6)
    expected = np.array([vector_for(t) for t in texts], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-6)

    assert [json.loads(r.content)["input"] for r in requests] == [["a", "bb"], ["ccc", "dddd"], ["eeeee"]]
    first = requests[0]
    assert str(first.url) == URL + "/embeddings"
    assert first.method == "POST"
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert json.loads(first.content)["model"] == "my-embedder"
    assert sleeps == []
    embedder.close()


def test_no_e5_prefixes_are_added() -> None:
    requests: list[httpx.Request] = []
    embedder, _ = make(ok_handler(requests))
    embedder.embed_queries(["where is my order"])
    embedder.embed_passages(["Returns within 30 days"])
    sent = [json.loads(r.content)["input"] for r in requests]
    assert sent == [["where is my order"], ["Returns within 30 days"]]


def test_dim_is_learned_from_the_server_for_an_unknown_model() -> None:
    requests: list[httpx.Request] = []
    embedder, _ = make(ok_handler(requests, dim=5))
    assert embedder.dim == 5  # one probe request
    assert len(requests) == 1
    assert embedder.embed_passages(["x"]).shape == (1, 5)
    assert len(requests) == 2


def test_known_model_dim_needs_no_request() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    embedder = OpenAIEmbedder(URL, "text-embedding-3-small", transport=httpx.MockTransport(refuse))
    assert embedder.dim == 1536
    assert "authorization" not in embedder._client.headers  # no key, no header


def test_retries_429_and_5xx_with_backoff_then_succeeds() -> None:
    requests: list[httpx.Request] = []
    good = ok_handler(requests)
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(503, text="busy")])

    def flaky(request: httpx.Request) -> httpx.Response:
        nxt = next(answers, None)
        return nxt if nxt is not None else good(request)

    embedder, sleeps = make(flaky, backoff_s=0.5)
    assert embedder.embed_queries(["hello"]).shape == (1, 3)
    assert sleeps == [2.0, 1.0]  # Retry-After wins over 0.5 s; then 0.5 * 2**1


def test_gives_up_after_bounded_retries_naming_the_url_but_not_the_key() -> None:
    calls = 0

    def down(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError(f"connection refused (token {KEY})", request=request)

    embedder, sleeps = make(down, backoff_s=0.1)
    with pytest.raises(BackendUnavailableError) as info:
        embedder.embed_passages(["a"])
    message = str(info.value)
    assert calls == 3  # 1 + max_retries
    assert sleeps == [0.1, 0.2]
    assert "http://embed.test:8080/v1/embeddings" in message
    assert "after 3 attempt(s)" in message
    assert "SHOPOPS_EMBED_OPENAI_BASE_URL" in message and "How to fix" in message
    assert KEY not in message
    assert info.value.http_status == 503


def test_server_errors_exhaust_retries_too() -> None:
    embedder, sleeps = make(lambda request: httpx.Response(500, json={"error": {"message": "boom"}}))
    with pytest.raises(BackendUnavailableError, match="HTTP 500: boom"):
        embedder.embed_passages(["a"])
    assert len(sleeps) == 2


def test_bad_key_is_a_config_error_without_retry_and_without_the_key() -> None:
    calls = 0

    def unauthorised(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401, json={"error": {"message": f"Incorrect API key provided: {KEY}"}})

    embedder, sleeps = make(unauthorised)
    with pytest.raises(ConfigError) as info:
        embedder.embed_passages(["a"])
    assert calls == 1 and sleeps == []
    assert KEY not in str(info.value)
    assert "SHOPOPS_EMBED_OPENAI_API_KEY" in str(info.value)


def test_unknown_model_404_names_the_model() -> None:
    embedder, _ = make(lambda request: httpx.Response(404, json={"error": "model not found"}))
    with pytest.raises(BackendError, match="'my-embedder'"):
        embedder.embed_passages(["a"])


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json={"choices": []}),
        httpx.Response(200, json={"data": [{"index": 0}]}),
    ],
)
def test_malformed_responses_are_backend_errors(response: httpx.Response) -> None:
    embedder, _ = make(lambda request: response)
    with pytest.raises(BackendError, match="not an OpenAI embeddings list"):
        embedder.embed_passages(["a"])


def test_wrong_number_of_vectors_is_a_backend_error() -> None:
    one = {"data": [{"index": 0, "embedding": [1.0, 0.0, 0.0]}]}
    embedder, _ = make(lambda request: httpx.Response(200, json=one))
    with pytest.raises(BackendError, match="returned 1 vector"):
        embedder.embed_passages(["a", "b"])


def test_credentials_in_the_base_url_are_redacted_in_errors() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    embedder = OpenAIEmbedder(
        "http://user:hunter2@embed.test/v1", "m", max_retries=0, transport=httpx.MockTransport(down)
    )
    with pytest.raises(BackendUnavailableError) as info:
        embedder.embed_passages(["a"])
    assert "hunter2" not in str(info.value)
    assert "user:***@embed.test" in str(info.value)
