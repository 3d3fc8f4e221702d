"""A backend that wraps another one: the base of LoggedLLM and MaskingLLM.

Identity and capabilities (``name``, ``model``, ``supports_json_schema``, ``supports_streaming``)
and any backend-specific attribute (``OpenAILLM.url``, ``LocalLLM.spec``) are the wrapped
backend's, so callers cannot tell a wrapper from the backend; subclasses implement ``execute``.
"""

from __future__ import annotations

from typing import Any

from shopops.llm.base import LLMBackend


class WrappedLLM(LLMBackend):
    def __init__(self, backend: LLMBackend) -> None:
        self.backend = backend

    @property  # type: ignore[override]
    def name(self) -> str:
        return self.backend.name

    @property  # type: ignore[override]
    def model(self) -> str:
        return self.backend.model

    @property  # type: ignore[override]
    def supports_json_schema(self) -> bool:
        return self.backend.supports_json_schema

    @property  # type: ignore[override]
    def supports_streaming(self) -> bool:
        return self.backend.supports_streaming

    def __getattr__(self, attribute: str) -> Any:
        # only called for attributes not found normally: backend-specific ones
        if attribute == "backend":
            raise AttributeError(attribute)
        return getattr(self.backend, attribute)

    def close(self) -> None:
        self.backend.close()
