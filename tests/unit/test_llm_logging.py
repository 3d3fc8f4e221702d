"""LoggedLLM writes one generation_log row per generation, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shopops.config import Settings
from shopops.context import AppContext
from shopops.errors import BackendError
from shopops.llm.base import ChatRequest, ChatResult, DeltaCallback, LLMBackend, Message
from shopops.llm.fake import FakeLLM
from shopops.llm.local import LocalLLM
from shopops.llm.logging import LoggedLLM, prompt_hash
from shopops.llm.openai import OpenAILLM
from shopops.llm.registry import create_llm
from shopops.store.db import Database
from shopops.store.models import GenerationLog


class Broken(LLMBackend):
    name = "broken"
    model = "broken-1"

    def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
        raise BackendError("the model fell over", hint="restart it")


def rows(db: Database) -> list[GenerationLog]:
    with db.session() as session:
        return list(session.scalars(select(GenerationLog).order_by(GenerationLog.id)))


def ask(text: str = "hello", **kwargs: object) -> ChatRequest:
    return ChatRequest(messages=(Message("system", "be brief"), Message("user", text)), **kwargs)  # type: ignore[arg-type]


def test_successful_generation_is_logged(db: Database) -> None:
    llm = LoggedLLM(FakeLLM(), db)
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    request = ask(task="copy.title", json_schema=schema)
    result = llm.complete(request)
    [row] = rows(db)
    assert row.task == "copy.title" and row.backend == "fake" and row.model == "fake-1"
    assert row.prompt_hash == prompt_hash(request) and len(row.prompt_hash) == 64
    assert row.output == result.text and row.ok and row.error == ""
    assert row.prompt_tokens == result.prompt_tokens and row.completion_tokens == result.completion_tokens
    assert row.latency_ms >= 0 and row.at is not None
    assert result.generation_id == row.id  # callers can link drafts to the exact log row


def test_failure_is_logged_and_reraised(db: Database) -> None:
    llm = LoggedLLM(Broken(), db)
    with pytest.raises(BackendError, match="fell over"):
        llm.complete(ask(task="support.draft"))
    [row] = rows(db)
    assert not row.ok and row.task == "support.draft" and row.model == "broken-1"
    assert "BackendError: the model fell over" in row.error and row.output == ""


def test_streaming_through_the_wrapper_is_logged_once(db: Database) -> None:
    llm = LoggedLLM(FakeLLM(), db)
    pieces = list(llm.stream(ask("stream please")))
    [row] = rows(db)
    assert row.ok and row.output == "".join(pieces) and len(pieces) > 1


def test_prompt_hash_depends_on_messages_and_schema_only() -> None:
    base = ask("same")
    assert prompt_hash(base) == prompt_hash(ask("same", task="other", max_tokens=5, temperature=1.0))
    assert prompt_hash(base) != prompt_hash(ask("different"))
    assert prompt_hash(base) != prompt_hash(ask("same", json_schema={"type": "object"}))


def test_capabilities_are_delegated(db: Database) -> None:
    class Plain(Broken):
        supports_json_schema = False
        supports_streaming = False

    plain = LoggedLLM(Plain(), db)
    assert (plain.name, plain.model, plain.supports_json_schema, plain.supports_streaming) == (
        "broken",
        "broken-1",
        False,
        False,
    )
    fake = FakeLLM()
    logged = LoggedLLM(fake, db)
    assert logged.supports_json_schema and logged.supports_streaming
    assert logged.requests is fake.requests  # backend-specific attributes pass through


def test_context_llm_is_logged_fake_backend(ctx: AppContext) -> None:
    llm = ctx.llm
    assert isinstance(llm, LoggedLLM) and llm.name == "fake"
    llm.complete(ask(task="ctx.test"))
    assert [row.task for row in rows(ctx.db)] == ["ctx.test"]


def test_registry_builds_each_backend() -> None:
    assert isinstance(create_llm(Settings(llm_backend="fake")), FakeLLM)
    openai = create_llm(Settings(llm_backend="openai", openai_base_url="http://x/v1"))
    assert isinstance(openai, OpenAILLM) and openai.url == "http://x/v1/chat/completions"
    openai.close()
    local = create_llm(Settings(llm_backend="local", local_model="qwen2.5-coder-1.5b", llm_context=2048))
    assert isinstance(local, LocalLLM) and not local.loaded  # nothing loads before first use
    assert local.model == "qwen2.5-coder-1.5b" and local.n_ctx == 2048
