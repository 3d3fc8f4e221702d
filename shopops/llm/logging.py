"""LoggedLLM: wraps any backend and records every generation in the ``generation_log`` table.

The log is what makes outputs auditable (which prompt, which model, how long, what came out) and
lets jobs find repeated prompts by hash. A failed generation is logged too (``ok=False``, with the
error) and then re-raised unchanged. A failure to write the log never hides the generation's own
outcome: it is reported as a warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import replace

from shopops.llm.base import ChatRequest, ChatResult, DeltaCallback, LLMBackend
from shopops.llm.wrapper import WrappedLLM
from shopops.store.db import Database
from shopops.store.models import GenerationLog

log = logging.getLogger(__name__)


def prompt_hash(request: ChatRequest) -> str:
    """sha256 of the canonical JSON of the messages and the schema (what determines the output)."""
    canonical = json.dumps(
        {"messages": [m.as_dict() for m in request.messages], "schema": request.json_schema},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class LoggedLLM(WrappedLLM):
    """Same protocol as the wrapped backend; capability attributes are delegated to it."""

    def __init__(self, backend: LLMBackend, db: Database) -> None:
        super().__init__(backend)
        self.db = db

    def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
        started = time.perf_counter()
        try:
            result = self.backend.execute(request, on_delta)
        except BaseException as exc:
            self._write(request, None, (time.perf_counter() - started) * 1000, exc)
            raise
        latency_ms = result.latency_ms or (time.perf_counter() - started) * 1000
        row_id = self._write(request, result, latency_ms, None)
        return replace(result, generation_id=row_id)

    def _write(
        self, request: ChatRequest, result: ChatResult | None, latency_ms: float, error: BaseException | None
    ) -> int | None:
        """Write one log row; return its id (None when the log could not be written)."""
        row = GenerationLog(
            task=request.task[:100],
            backend=self.backend.name[:30],
            model=(result.model if result is not None else self.backend.model)[:200],
            prompt_hash=prompt_hash(request),
            prompt_tokens=result.prompt_tokens if result is not None else 0,
            completion_tokens=result.completion_tokens if result is not None else 0,
            latency_ms=latency_ms,
            output=result.text if result is not None else "",
            ok=error is None,
            error="" if error is None else f"{type(error).__name__}: {error}",
        )
        try:
            with self.db.session() as session:
                session.add(row)
                session.flush()
                return row.id
        except Exception as exc:  # the generation's outcome matters more than its log line
            log.warning("could not write the generation log (%s): %s", type(exc).__name__, exc)
            return None
