"""The copy service with the real packaged 0.5B model: one short title for a demo product.

Asserts structure (a non-empty title, written in the language asked, checks that ran), never
wording: the model's phrasing is measured by ``shopops eval copy``, not by a unit test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopops.config import default_data_dir
from shopops.copy.facts import facts_for_product
from shopops.copy.service import generate_copy
from shopops.copy.types import CopyKind, CopyRequest, VoiceProfile
from shopops.demo.generate import DATA_DIR
from shopops.ingest import import_file
from shopops.llm.local import LocalLLM
from shopops.llm.model_files import MODELS, missing_parts
from shopops.store.db import open_database

pytestmark = pytest.mark.integration
SPEC = MODELS["qwen2.5-coder-0.5b"]


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLLM]:
    if missing_parts(SPEC):
        pytest.skip(f"model wheels not installed: {SPEC.pip_command}")
    data_dir = Path(os.environ.get("SHOPOPS_DATA_DIR") or default_data_dir())
    llm = LocalLLM(SPEC, data_dir, n_ctx=2048)
    yield llm
    llm.close()


def test_generate_a_checked_title_for_a_demo_product(local: LocalLLM, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        import_file(db, "products", DATA_DIR / "products.csv")
        with db.session() as session:
            facts = facts_for_product(session, "bamboo-cutting-board")
    finally:
        db.dispose()
    request = CopyRequest(product="bamboo-cutting-board", kind=CopyKind.TITLE, language="en")
    (result,) = generate_copy(local, facts, request, voice=VoiceProfile(), max_regenerations=1, max_tokens=60)
    assert result.kind is CopyKind.TITLE and result.language == "en"
    assert result.text.strip() and result.fields["title"] == result.text and len(result.text) <= 150
    assert 0 <= result.checks.regenerations <= 1
    # the checker ran: a title of a bamboo board names at least one checkable claim (its material)
    assert result.checks.claims_checked >= 1
    assert not any(flag.kind == "language" for flag in result.checks.flags)
