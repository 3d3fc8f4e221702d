"""``shopops llm chat`` with the fake backend: plain and streamed output, and the generation log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from shopops.cli.main import app
from shopops.llm.base import ChatRequest, Message
from shopops.llm.fake import FakeLLM
from shopops.store.db import open_database
from shopops.store.models import GenerationLog


@pytest.fixture
def base_args(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)  # no stray ./shopops.toml
    return ["--data-dir", str(tmp_path), "--llm-backend", "fake"]


def expected(prompt: str, max_tokens: int) -> str:
    request = ChatRequest(
        messages=(Message("user", prompt),), max_tokens=max_tokens, temperature=0.2, seed=42
    )
    return FakeLLM().complete(request).text


@pytest.mark.parametrize("stream", [False, True])
def test_chat_prints_the_reply_and_logs_it(base_args: list[str], tmp_path: Path, stream: bool) -> None:
    args = [*base_args, "llm", "chat", "hello shop", "--max-tokens", "40"]
    result = CliRunner().invoke(app, [*args, "--stream"] if stream else args)
    assert result.exit_code == 0, result.output
    assert expected("hello shop", 40) in result.output
    db = open_database(f"sqlite:///{tmp_path / 'shopops.db'}")
    with db.session() as session:
        [row] = session.scalars(select(GenerationLog)).all()
    db.dispose()
    assert row.task == "cli.chat" and row.backend == "fake" and row.ok
