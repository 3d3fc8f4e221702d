"""The LLM backend protocol.

A backend implements one method, :meth:`LLMBackend.execute`; ``complete`` and ``stream`` are
derived from it (after llm's ``Model.execute`` and httpx's ``handle_request``). Capabilities are
attributes (``supports_json_schema``, ``supports_streaming``), not isinstance checks.
"""

from __future__ import annotations

import queue
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[Message, ...]
    task: str = "chat"  # what the generation is for; recorded in the generation log
    max_tokens: int = 512
    temperature: float = 0.2
    seed: int | None = 42
    json_schema: dict[str, Any] | None = None  # enforce this JSON schema on the output
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChatResult:
    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    latency_ms: float = 0.0
    generation_id: int | None = None  # the generation-log row, when the backend is logged
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


DeltaCallback = Callable[[str], None]


class StreamCancelled(Exception):
    """Raised inside ``on_delta`` to stop a generation whose stream consumer went away."""


_DONE = object()


@dataclass(frozen=True)
class _Failure:
    exc: BaseException


class LLMBackend(ABC):
    """Chat-completion backend. Subclasses implement :meth:`execute` only."""

    name: str = "base"
    model: str = ""
    supports_json_schema: bool = False
    supports_streaming: bool = False

    @abstractmethod
    def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
        """Run one chat completion. If ``on_delta`` is given and the backend streams, call it with
        each text fragment as it arrives; the returned result always holds the whole text."""

    def complete(self, request: ChatRequest) -> ChatResult:
        return self.execute(request)

    def stream(self, request: ChatRequest) -> Iterator[str]:
        """Yield text fragments as they are generated. Backends that cannot stream yield the whole
        text once. The generation runs in a worker thread; closing the iterator early cancels it."""
        if not self.supports_streaming:
            yield self.execute(request).text
            return
        fragments: queue.Queue[object] = queue.Queue()
        cancelled = threading.Event()

        def on_delta(text: str) -> None:
            if cancelled.is_set():
                raise StreamCancelled("the consumer stopped reading the stream")
            fragments.put(text)

        def work() -> None:
            try:
                self.execute(request, on_delta)
                fragments.put(_DONE)
            except BaseException as exc:
                fragments.put(_Failure(exc))

        worker = threading.Thread(target=work, name=f"{self.name}-stream", daemon=True)
        worker.start()
        try:
            while True:
                item = fragments.get()
                if item is _DONE:
                    break
                if isinstance(item, _Failure):
                    raise item.exc
                yield str(item)
        finally:
            cancelled.set()
            worker.join()

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (threads, sockets, model memory)."""
