"""LocalLLM without a model: request building, response folding and error mapping on a stub server."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from shopops.config import Settings
from shopops.errors import BackendError, ModelNotInstalledError
from shopops.llm.base import ChatRequest, Message
from shopops.llm.local import LocalLLM, build_params
from shopops.llm.model_files import MODELS, ModelPart

CHUNKS = [
    {"choices": [{"delta": {"role": "assistant", "content": None}, "finish_reason": None}]},
    {"choices": [{"delta": {"content": "Hi"}, "finish_reason": None}]},
    {"choices": [{"delta": {"content": " there"}, "finish_reason": None}]},
    {"choices": [{"delta": {}, "finish_reason": "stop"}]},
    {"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}},
]


class StubServer:
    def __init__(self, reply: Any = None, chunks: list[dict[str, Any]] | None = None) -> None:
        self.reply = reply
        self.chunks = chunks if chunks is not None else CHUNKS
        self.bodies: list[dict[str, Any]] = []
        self.stopped_early = False

    def handle_chat_completions(self, body: dict[str, Any], callback: Any = None) -> Any:
        self.bodies.append(body)
        if isinstance(self.reply, Exception):
            raise self.reply
        if callback is None:
            return self.reply
        for chunk in self.chunks:
            if callback(chunk):
                self.stopped_early = True
                break
        return None


def local_with(server: StubServer, tmp_path: Path) -> LocalLLM:
    llm = LocalLLM(MODELS["qwen2.5-coder-0.5b"], tmp_path)
    llm._server = server
    return llm


def ask(**kwargs: Any) -> ChatRequest:
    return ChatRequest(messages=(Message("user", "hi"),), **kwargs)


def test_completion_body_and_result(tmp_path: Path) -> None:
    reply = {
        "choices": [{"message": {"content": '{"a": 1}'}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 4},
    }
    server = StubServer(reply)
    schema = {"type": "object"}
    result = local_with(server, tmp_path).complete(ask(json_schema=schema, max_tokens=7, stop=("\n",)))
    assert result.text == '{"a": 1}' and result.prompt_tokens == 11 and result.completion_tokens == 4
    assert result.model == "qwen2.5-coder-0.5b"
    body = server.bodies[0]
    assert body["response_format"] == {"type": "json_schema", "json_schema": {"schema": schema}}
    assert body["max_tokens"] == 7 and body["stop"] == ["\n"] and body["seed"] == 42 and "stream" not in body


def test_streaming_folds_chunks(tmp_path: Path) -> None:
    server = StubServer()
    pieces: list[str] = []
    result = local_with(server, tmp_path).execute(ask(), pieces.append)
    assert pieces == ["Hi", " there"] and result.text == "Hi there"
    assert result.completion_tokens == 2 and server.bodies[0]["stream"] is True


def test_error_dict_becomes_backend_error(tmp_path: Path) -> None:
    error = {"error": {"code": 400, "message": "request (2529 tokens) exceeds the available context size"}}
    with pytest.raises(BackendError, match="exceeds the available context") as caught:
        local_with(StubServer(error), tmp_path).complete(ask())
    assert "llm_context" in str(caught.value)
    with pytest.raises(BackendError, match="exceeds the available context"):
        local_with(StubServer(chunks=[error]), tmp_path).execute(ask(), lambda _t: None)


def test_exception_becomes_backend_error(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="Expected 'messages' to be an array"):
        local_with(StubServer(ValueError("Expected 'messages' to be an array")), tmp_path).complete(ask())


def test_consumer_exception_stops_generation_and_propagates(tmp_path: Path) -> None:
    server = StubServer()

    def explode(_text: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        local_with(server, tmp_path).execute(ask(), explode)
    assert server.stopped_early


def test_missing_wheels_surface_on_first_use_only(tmp_path: Path) -> None:
    spec = MODELS["qwen2.5-coder-0.5b"]
    absent = type(spec)(**{**spec.__dict__, "parts": (ModelPart("nope-part", "1", "nope_part_mod"),)})
    llm = LocalLLM(absent, tmp_path)
    assert not llm.loaded
    with pytest.raises(ModelNotInstalledError, match="shopops model install"):
        llm.complete(ask())


def test_params_carry_threads_context_seed_and_a_random_key(tmp_path: Path) -> None:
    first = build_params(tmp_path / "m.gguf", n_ctx=1024, threads=0, seed=7)
    second = build_params(tmp_path / "m.gguf", n_ctx=1024, threads=3, seed=7)
    assert first.n_ctx == 1024 and first.sampling.seed == 7 and first.verbosity == 0
    assert first.cpuparams.n_threads >= 1 and second.cpuparams.n_threads == 3
    assert len(first.api_keys[0]) == 64 and first.api_keys != second.api_keys
    llm = LocalLLM.from_settings(Settings(llm_threads=2, llm_context=1024, llm_seed=5, data_dir=tmp_path))
    assert (llm.threads, llm.n_ctx, llm.seed, llm.data_dir) == (2, 1024, 5, tmp_path)


def test_generations_are_serialised_across_threads(tmp_path: Path) -> None:
    class Overlap(StubServer):
        def __init__(self) -> None:
            super().__init__({"choices": [{"message": {"content": "ok"}}], "usage": {}})
            self.active = 0
            self.peak = 0
            self.guard = threading.Lock()

        def handle_chat_completions(self, body: dict[str, Any], callback: Any = None) -> Any:
            with self.guard:
                self.active += 1
                self.peak = max(self.peak, self.active)
            time.sleep(0.01)
            with self.guard:
                self.active -= 1
            return super().handle_chat_completions(body, callback)

    server = Overlap()
    llm = local_with(server, tmp_path)
    with ThreadPoolExecutor(max_workers=6) as pool:
        texts = list(pool.map(lambda _i: llm.complete(ask()).text, range(12)))
    assert texts == ["ok"] * 12 and server.peak == 1 and len(server.bodies) == 12
