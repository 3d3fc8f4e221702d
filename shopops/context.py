"""AppContext: what a capability function needs, built lazily from Settings.

Nothing is opened at import time. The database opens (and migrates) on first use; the LLM and the
embedder load on first use, so commands that need neither (``config show``, imports) stay fast.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from shopops.config import Settings, load_settings
from shopops.store.db import Database, open_database

if TYPE_CHECKING:
    from shopops.embed.base import EmbeddingBackend
    from shopops.llm.base import LLMBackend


class AppContext:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()

    @cached_property
    def db(self) -> Database:
        return open_database(self.settings.effective_database_url)

    @cached_property
    def llm(self) -> LLMBackend:
        """The configured LLM backend, wrapped so every generation is logged in the store.

        A remote backend (``openai``) is also wrapped in MaskingLLM when ``mask_personal_data`` is on:
        emails, phones, addresses and card numbers leave the machine as placeholders. Local and fake
        backends are not: their prompts never leave the machine. The log wraps the masking (it is
        local too) and so records what the caller asked and got back; see shopops.llm.masking.
        """
        from shopops.llm.logging import LoggedLLM
        from shopops.llm.registry import create_llm

        backend = create_llm(self.settings)
        if self.settings.llm_backend == "openai" and self.settings.mask_personal_data:
            from shopops.llm.masking import MaskingLLM

            backend = MaskingLLM(backend)
        return LoggedLLM(backend, self.db)

    @cached_property
    def embedder(self) -> EmbeddingBackend:
        from shopops.embed.registry import create_embedder

        return create_embedder(self.settings)

    def close(self) -> None:
        for name in ("llm", "embedder"):
            backend = self.__dict__.pop(name, None)
            if backend is not None:
                backend.close()
        db = self.__dict__.pop("db", None)
        if db is not None:
            db.dispose()
