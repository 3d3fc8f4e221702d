"""LocalLLM: the packaged GGUF model run in-process by xllamacpp (llama.cpp's server, no HTTP hop).

xllamacpp's ``Server`` also opens a loopback HTTP listener. Anyone on the machine could use it,
so every server gets a random API key (never shown); requests without it are answered 401.
The model loads on first use. By default it has one generation slot and generation is serialised;
``n_parallel`` (``settings.llm_parallel``) gives llama.cpp that many slots, and up to that many
threads may then call :meth:`LocalLLM.execute` at once: llama.cpp batches the slots' tokens into one
decode step. xllamacpp releases the GIL inside ``handle_chat_completions`` and queues requests to
llama.cpp's server loop, which serves concurrent callers (checked: 8 threads at once on 8 slots
all complete, and Python threads keep running meanwhile), so the only guard needed is a semaphore
that keeps callers to the number of slots. The context (``n_ctx``) is per slot here;
llama.cpp splits its context across slots, so the server gets ``n_ctx * n_parallel``.

Every request asks for ``cache_prompt``: a slot keeps the KV cache of its last prompt and only
processes the part of the next prompt after the common prefix (the shared instructions).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from shopops.config import Settings
from shopops.errors import BackendError
from shopops.llm.base import ChatRequest, ChatResult, DeltaCallback, LLMBackend
from shopops.llm.model_files import ModelSpec, ensure_model, get_spec


def build_params(
    model_path: Path, *, n_ctx: int, threads: int, seed: int, n_parallel: int = 1, verbosity: int = 0
) -> Any:
    """The xllamacpp ``CommonParams`` shopops uses (shared with the benchmark's direct calls)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.n_ctx = n_ctx
    params.n_parallel = n_parallel
    n_threads = threads or os.cpu_count() or 1
    params.cpuparams.n_threads = n_threads
    params.cpuparams_batch.n_threads = n_threads
    params.sampling.seed = seed
    params.verbosity = verbosity  # 0: silent; llama.cpp's info logs go to stderr otherwise
    params.api_keys = [secrets.token_hex(32)]
    return params


def chat_body(request: ChatRequest, *, stream: bool) -> dict[str, Any]:
    """An OpenAI-style chat-completions body for a request (used by the local and OpenAI backends)."""
    body: dict[str, Any] = {
        "messages": [m.as_dict() for m in request.messages],
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    if request.seed is not None:
        body["seed"] = request.seed
    if request.stop:
        body["stop"] = list(request.stop)
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def error_message(payload: Any) -> str:
    """The human part of an OpenAI-style error payload (``{"error": {...}}`` or a string)."""
    error = payload.get("error", payload) if isinstance(payload, dict) else payload
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or error)
    return str(error)


class LocalLLM(LLMBackend):
    name = "local"
    supports_json_schema = True
    supports_streaming = True

    def __init__(
        self,
        spec: ModelSpec,
        data_dir: Path,
        *,
        n_ctx: int = 4096,
        threads: int = 0,
        seed: int = 42,
        n_parallel: int = 1,
        verbosity: int = 0,
    ) -> None:
        self.spec = spec
        self.data_dir = Path(data_dir)
        self.model = spec.name
        self.n_ctx = n_ctx
        self.threads = threads
        self.seed = seed
        self.n_parallel = n_parallel
        self.verbosity = verbosity
        self._server: Any = None
        self._load_lock = threading.Lock()
        # One permit per llama.cpp slot: more concurrent callers would only queue inside llama.cpp.
        self._slots = threading.BoundedSemaphore(max(1, n_parallel))

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalLLM:
        return cls(
            get_spec(settings.local_model),
            settings.data_dir,
            n_ctx=settings.llm_context,
            threads=settings.llm_threads,
            seed=settings.llm_seed,
            n_parallel=settings.llm_parallel,
            verbosity=3 if os.environ.get("SHOPOPS_DEBUG") == "1" else 0,
        )

    @property
    def loaded(self) -> bool:
        return self._server is not None

    @property
    def server(self) -> Any:
        """The xllamacpp server, loading the verified model on first use."""
        if self._server is None:
            with self._load_lock:
                if self._server is None:
                    self._server = self._load()
        return self._server

    def _load(self) -> Any:
        import xllamacpp

        path = ensure_model(self.spec, self.data_dir)
        params = build_params(
            path,
            n_ctx=self.n_ctx * max(1, self.n_parallel),  # llama.cpp divides n_ctx among the slots
            threads=self.threads,
            seed=self.seed,
            n_parallel=self.n_parallel,
            verbosity=self.verbosity,
        )
        try:
            return xllamacpp.Server(params)
        except Exception as exc:  # the C++ side reports load failures as generic exceptions
            raise BackendError(
                f"llama.cpp could not load {path}: {exc}",
                hint="run `shopops model verify`; if memory is short, lower llm_context",
            ) from exc

    @property
    def listening_address(self) -> str:
        """The loopback URL of xllamacpp's HTTP listener (it requires the random API key)."""
        return str(self.server.listening_address)

    def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
        server = self.server
        body = chat_body(request, stream=on_delta is not None)
        if request.json_schema is not None:
            body["response_format"] = {"type": "json_schema", "json_schema": {"schema": request.json_schema}}
        body["cache_prompt"] = True  # reuse the slot's cached prefix (the shared instructions)
        started = time.perf_counter()
        with self._slots:
            response = self._call(server, body) if on_delta is None else self._stream(server, body, on_delta)
        latency_ms = (time.perf_counter() - started) * 1000
        return self._result(response, latency_ms)

    def _call(self, server: Any, body: dict[str, Any], callback: Any = None) -> Any:
        try:
            if callback is None:
                return server.handle_chat_completions(body)
            return server.handle_chat_completions(body, callback)
        except Exception as exc:
            raise BackendError(
                f"the local model ({self.spec.name}) rejected the request: {exc}",
                hint="check the messages and parameters; run with --debug for llama.cpp's log",
            ) from exc

    def _stream(self, server: Any, body: dict[str, Any], on_delta: DeltaCallback) -> dict[str, Any]:
        """Run a streaming request and fold its chunks into one non-streaming response dict."""
        parts: list[str] = []
        state: dict[str, Any] = {"finish_reason": "stop", "usage": {}, "error": None, "raised": None}

        def callback(chunk: dict[str, Any]) -> bool:
            if "error" in chunk:
                state["error"] = chunk
                return True
            if chunk.get("usage"):
                state["usage"] = chunk["usage"]
            for choice in chunk.get("choices") or ():
                if choice.get("finish_reason"):
                    state["finish_reason"] = choice["finish_reason"]
                text = (choice.get("delta") or {}).get("content")
                if text:
                    parts.append(text)
                    try:
                        on_delta(text)
                    except BaseException as exc:  # xllamacpp swallows it; stop and re-raise below
                        state["raised"] = exc
                        return True
            return False

        self._call(server, body, callback)
        if state["raised"] is not None:
            raise state["raised"]
        if state["error"] is not None:
            return state["error"]
        return {
            "choices": [{"message": {"content": "".join(parts)}, "finish_reason": state["finish_reason"]}],
            "usage": state["usage"],
        }

    def _result(self, response: Any, latency_ms: float) -> ChatResult:
        if not isinstance(response, dict) or "error" in response or not response.get("choices"):
            raise BackendError(
                f"the local model ({self.spec.name}) failed: {error_message(response)}",
                hint="shorten the prompt or raise llm_context if the context is exceeded; "
                "run with --debug for llama.cpp's log",
            )
        choice = response["choices"][0]
        usage = response.get("usage") or {}
        return ChatResult(
            text=(choice.get("message") or {}).get("content") or "",
            model=self.spec.name,
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            finish_reason=choice.get("finish_reason") or "stop",
            latency_ms=latency_ms,
            raw=response,
        )

    def close(self) -> None:
        with self._load_lock:
            self._server = None  # xllamacpp frees the model and stops its listener on deallocation
