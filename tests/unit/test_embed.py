"""The embedding protocol, the hash fake and the registry (no model, no network)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import SecretStr

from shopops.config import Settings
from shopops.context import AppContext
from shopops.embed import EmbeddingBackend, HashEmbedder, create_embedder, l2_normalise
from shopops.embed.base import EmbedKind, batched
from shopops.embed.hashing import features
from shopops.embed.local import LocalEmbedder
from shopops.embed.openai import OpenAIEmbedder
from shopops.errors import BackendError


class Recording(EmbeddingBackend):
    """A minimal backend: implements only ``embed`` and records how it was called."""

    name = "recording"
    model = "rec"
    dim = 4

    def __init__(self, result: np.ndarray | None = None) -> None:
        self.calls: list[tuple[list[str], EmbedKind]] = []
        self.result = result

    def embed(self, texts: list[str], kind: EmbedKind) -> np.ndarray:
        self.calls.append((texts, kind))
        if self.result is not None:
            return self.result
        return l2_normalise(np.ones((len(texts), self.dim)))


def test_derived_methods_pass_the_kind_and_return_float32_rows() -> None:
    backend = Recording()
    queries = backend.embed_queries(("a", "b"))
    passages = backend.embed_passages(["c"])
    single = backend.embed_query("d")
    assert backend.calls == [(["a", "b"], "query"), (["c"], "passage"), (["d"], "query")]
    assert queries.shape == (2, 4) and queries.dtype == np.float32
    assert passages.shape == (1, 4)
    assert single.shape == (4,)


def test_empty_input_makes_no_call() -> None:
    backend = Recording()
    assert backend.embed_passages([]).shape == (0, 4)
    assert backend.calls == []


def test_wrong_shape_from_a_backend_is_a_backend_error() -> None:
    backend = Recording(result=np.ones((1, 3), dtype=np.float32))
    with pytest.raises(BackendError, match=r"returned shape \(1, 3\) for 2 text\(s\); expected \(2, 4\)"):
        backend.embed_passages(["a", "b"])


def test_nan_from_a_backend_is_a_backend_error() -> None:
    backend = Recording(result=np.full((1, 4), np.nan, dtype=np.float32))
    with pytest.raises(BackendError, match="NaN"):
        backend.embed_queries(["a"])


def test_non_string_input_is_refused() -> None:
    with pytest.raises(TypeError, match="text 1 is int"):
        Recording().embed_passages(["ok", 3])  # type: ignore[list-item]


def test_l2_normalise_and_batched() -> None:
    out = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    assert [list(b) for b in batched(["a", "b", "c", "d", "e"], 2)] == [["a", "b"], ["c", "d"], ["e"]]
    with pytest.raises(ValueError):
        list(batched(["a"], 0))


# -- HashEmbedder ----------------------------------------------------------------------------------


def test_hash_embedder_is_deterministic_normalised_and_sized() -> None:
    texts = ["Bamboo cutting board", "竹制砧板", "", "!!!"]
    first = HashEmbedder(dim=128).embed_passages(texts)
    second = HashEmbedder(dim=128).embed_passages(texts)
    assert first.shape == (4, 128) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    assert HashEmbedder().dim == 256 and HashEmbedder().model == "hash-ngrams-256"


def test_hash_embedder_similar_texts_are_closer() -> None:
    embedder = HashEmbedder()
    query = embedder.embed_query("wireless phone charger")
    docs = embedder.embed_passages(
        ["fast wireless charger for phones", "cotton bed sheets, queen size", "蓝牙无线充电器"]
    )
    scores = docs @ query
    assert scores[0] > scores[1]
    zh = embedder.embed_query("无线充电")
    zh_scores = docs @ zh
    assert zh_scores[2] > zh_scores[1]


def test_hash_embedder_ignores_case_and_width_and_is_symmetric() -> None:
    embedder = HashEmbedder()
    np.testing.assert_allclose(embedder.embed_query("ＴＥＡ Cup"), embedder.embed_query("tea cup"))
    np.testing.assert_allclose(embedder.embed_queries(["x y"]), embedder.embed_passages(["x y"]))


def test_hash_features_split_mixed_scripts() -> None:
    names = [name for name, _ in features("iPhone手机")]
    assert "w:iphone" in names and "w:手" in names and "c:手机" in names
    assert features("  ") == [("\x00empty", 1.0)]


def test_hash_embedder_refuses_tiny_dim() -> None:
    with pytest.raises(ValueError):
        HashEmbedder(dim=2)


# -- registry --------------------------------------------------------------------------------------


def test_registry_builds_each_backend_without_loading_anything(tmp_path: Path) -> None:
    hashed = create_embedder(Settings(data_dir=tmp_path, embed_backend="hash"))
    assert isinstance(hashed, HashEmbedder) and hashed.name == "hash"

    local = create_embedder(Settings(data_dir=tmp_path, embed_backend="local"))
    assert isinstance(local, LocalEmbedder)
    assert (local.name, local.dim) == ("local", 384)
    assert local._e5 is None  # lazy: nothing loaded yet
    local.close()


def test_registry_openai_falls_back_to_the_llm_url_and_key(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        embed_backend="openai",
        openai_base_url="http://llm.local:8000/v1/",
        openai_api_key=SecretStr("sk-llm"),
        embed_openai_model="text-embedding-3-small",
    )
    embedder = create_embedder(settings)
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.url == "http://llm.local:8000/v1/embeddings"
    assert embedder._client.headers["authorization"] == "Bearer sk-llm"
    assert embedder.dim == 1536
    embedder.close()

    own = create_embedder(
        settings.model_copy(
            update={"embed_openai_base_url": "http://emb:9/v1", "embed_openai_api_key": SecretStr("sk-emb")}
        )
    )
    assert isinstance(own, OpenAIEmbedder)
    assert own.url == "http://emb:9/v1/embeddings"
    assert own._client.headers["authorization"] == "Bearer sk-emb"
    own.close()


def test_context_embedder_uses_the_registry(tmp_path: Path) -> None:
    ctx = AppContext(Settings(data_dir=tmp_path, embed_backend="hash"))
    assert isinstance(ctx.embedder, HashEmbedder)
    assert ctx.embedder is ctx.embedder
    ctx.close()
    assert "embedder" not in ctx.__dict__
