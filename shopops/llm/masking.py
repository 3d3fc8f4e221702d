"""MaskingLLM: personal data is masked before a prompt leaves the machine and restored in the reply.

Wraps any backend (in practice the remote ``openai`` one: ``AppContext.llm`` wraps it when
``settings.mask_personal_data`` is on). For each generation a fresh :class:`~shopops.privacy.Masker`
masks the ``content`` of every message — nothing else of the request changes — so the server sees
``[EMAIL_1]``, ``[PHONE_1]``, ``[ADDRESS_1]``, ``[CARD_1]`` instead of the customer's data; the result
text is unmasked before it is returned. Card numbers stay masked (``[CARD ending 1234]``): see
:mod:`shopops.privacy`. ``ChatResult.raw`` is the server's own answer and keeps the placeholders.

Streaming: each fragment is unmasked as it arrives, except a short tail that could still be the
start of a placeholder split across fragments (an unclosed ``[`` within the last
:data:`~shopops.privacy.PLACEHOLDER_MAX_CHARS` characters, or a trailing run of ASCII letters,
digits and ``_``); that tail is held back until the next fragment completes it, and flushed at the end. The
fragments passed on therefore join to exactly the returned (unmasked) text, and no placeholder is
ever shown half-restored; the cost is a delay of at most one word.

Where it sits: ``LoggedLLM(MaskingLLM(OpenAILLM))``. The generation log is local, like the rest of
the store, so it records the generation as the caller asked for it and got it back (the prompt hash
over the unmasked request, the unmasked output: what the drafts show, with cards already reduced
to their last four digits). Logging the masked form instead would make the log disagree with the
drafts it is there to audit, and the placeholders in it would mean nothing once the per-call
Masker is gone.
"""

from __future__ import annotations

import re
from dataclasses import replace

from shopops.llm.base import ChatRequest, ChatResult, DeltaCallback
from shopops.llm.wrapper import WrappedLLM
from shopops.privacy import PLACEHOLDER_MAX_CHARS, Masker

_TRAILING_WORD = re.compile(r"[A-Za-z0-9_]+$")
_OPENERS = "[【［"
_CLOSERS = "]】］"


def _hold_from(buffer: str) -> int:
    """Where the tail of ``buffer`` that might still grow into a placeholder begins."""
    cut = len(buffer)
    word = _TRAILING_WORD.search(buffer)
    if word is not None:
        cut = word.start()
    window_start = max(0, len(buffer) - PLACEHOLDER_MAX_CHARS)
    for index in range(len(buffer) - 1, window_start - 1, -1):
        char = buffer[index]
        if char in _CLOSERS:
            break
        if char in _OPENERS:
            cut = min(cut, index)
            break
    return cut


class StreamUnmasker:
    """Unmasks a stream of fragments: ``feed`` each fragment, then ``flush`` at the end."""

    def __init__(self, masker: Masker, on_delta: DeltaCallback) -> None:
        self.masker = masker
        self.on_delta = on_delta
        self.pending = ""

    def feed(self, fragment: str) -> None:
        self.pending += fragment
        cut = _hold_from(self.pending)
        ready, self.pending = self.pending[:cut], self.pending[cut:]
        if ready:
            self.on_delta(self.masker.unmask(ready))

    def flush(self) -> None:
        if self.pending:
            ready, self.pending = self.pending, ""
            self.on_delta(self.masker.unmask(ready))


class MaskingLLM(WrappedLLM):
    """Same protocol and capabilities as the wrapped backend; message contents are masked."""

    @staticmethod
    def mask_request(request: ChatRequest, masker: Masker) -> ChatRequest:
        """``request`` with the content of each message masked (roles, schema, settings unchanged)."""
        masker.reserve(*(message.content for message in request.messages))
        messages = tuple(
            replace(message, content=masker.mask(message.content)) for message in request.messages
        )
        return replace(request, messages=messages)

    def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
        masker = Masker()
        masked = self.mask_request(request, masker)
        if on_delta is None:
            result = self.backend.execute(masked)
        else:
            stream = StreamUnmasker(masker, on_delta)
            result = self.backend.execute(masked, stream.feed)
            stream.flush()
        return replace(result, text=masker.unmask(result.text))
