"""Which backend ``settings.llm_backend`` names, built from Settings (nothing loads until used)."""

from __future__ import annotations

from shopops.config import Settings
from shopops.errors import ConfigError
from shopops.llm.base import LLMBackend


def create_llm(settings: Settings) -> LLMBackend:
    """The backend named by ``settings.llm_backend``: ``local`` | ``openai`` | ``fake``."""
    if settings.llm_backend == "local":
        from shopops.llm.local import LocalLLM

        return LocalLLM.from_settings(settings)
    if settings.llm_backend == "openai":
        from shopops.llm.openai import OpenAILLM

        return OpenAILLM.from_settings(settings)
    if settings.llm_backend == "fake":
        from shopops.llm.fake import FakeLLM

        return FakeLLM()
    raise ConfigError(
        f"unknown llm_backend {settings.llm_backend!r}",
        hint="set SHOPOPS_LLM_BACKEND to local, openai or fake",
    )
