"""The LLM backend protocol.

A backend implements one method, :meth:`LLMBackend.execute`; ``complete`` and ``stream`` are
derived from it (after llm's ``Model.execute`` and httpx's ``handle_request``). Capabilities are
attributes (``supports_json_schema``, ``supports_streaming``), not isinstance checks.
"""

from __future__ import annotations

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
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


DeltaCallback = Callable[[str], None]


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
        """Yield text fragments. Backends that cannot stream yield the whole text once."""
        fragments: list[str] = []
        result = self.execute(request, fragments.append if self.supports_streaming else None)
        if not self.supports_streaming:
            fragments = [result.text]
        yield from fragments

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (threads, sockets, model memory)."""
