"""LLM backends behind one protocol: local (xllamacpp + packaged GGUF), OpenAI-compatible, fake.

Use ``AppContext.llm`` (logged) or :func:`shopops.llm.registry.create_llm`; for typed output use
:func:`shopops.structured.generate`.
"""

from shopops.llm.base import ChatRequest, ChatResult, LLMBackend, Message

__all__ = ["ChatRequest", "ChatResult", "LLMBackend", "Message"]
