"""Property-based API tests: schemathesis generates requests for every operation of the app's own
OpenAPI schema and checks that no request gets a server error and every documented response
matches its schema. In-process (ASGI), on SQLite, signed in as an owner with an API key.

Bounded for ``make test``: a fixed seed (derandomised), a few examples per operation, no
shrinking deadline, so all operations together take well under a minute on two cores. Widen it
locally with ``SHOPOPS_SCHEMATHESIS_EXAMPLES=200``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from shopops.api.app import create_app
from shopops.auth.accounts import create_user
from shopops.auth.cache import invalidate
from shopops.auth.sessions import issue_api_key
from shopops.config import Settings

EXAMPLES = int(os.environ.get("SHOPOPS_SCHEMATHESIS_EXAMPLES", "15"))
_TMP = Path(tempfile.mkdtemp(prefix="shopops-schemathesis-"))
APP = create_app(
    Settings(
        data_dir=_TMP / "data",
        database_url=f"sqlite:///{_TMP / 'api.db'}",
        llm_backend="fake",
        embed_backend="hash",
        api_rate_limit=0,
        login_rate_limit=0,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


class Owner:
    def __init__(self) -> None:
        db = APP.state.ctx.db
        user = create_user(db, "owner@schemathesis.example", None, role="owner", name="Owner")
        self.id = user.id
        self.key = issue_api_key(db, user.id, actor="test")
        self.headers = {"Authorization": f"Bearer {self.key}"}

    def restore(self) -> None:
        """Undo what a generated request may have done to the caller (demote, disable, new key)."""
        with APP.state.ctx.db.session() as session:
            session.execute(
                text("UPDATE users SET role = 'owner', active = :yes, api_key_hash = :hash WHERE id = :id"),
                {"yes": True, "hash": hashlib.sha256(self.key.encode()).hexdigest(), "id": self.id},
            )
        invalidate()  # the restored row, not a cached demoted one, answers the next request


@pytest.fixture(scope="module")
def owner() -> Iterator[Owner]:
    seeded = Owner()
    _seed_drafts()
    yield seeded
    APP.state.ctx.close()
    shutil.rmtree(_TMP, ignore_errors=True)


def _seed_drafts() -> None:
    """A few products and copy drafts, so generated ids 1, 2, ... reach the handlers' happy paths."""
    from shopops.copy.service import write_copy
    from shopops.copy.types import CopyRequest
    from shopops.demo.run import demo_handles, load_demo_store

    ctx = APP.state.ctx
    load_demo_store(ctx.db)
    for handle in demo_handles(ctx.db, 2):
        write_copy(ctx, CopyRequest(product=handle, kind="description", language="en", variants=2))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, owner: Owner) -> None:
    try:
        case.call_and_validate(
            headers=owner.headers,
            checks=[
                not_a_server_error,
                response_schema_conformance,
                content_type_conformance,
                status_code_conformance,
            ],
        )
    finally:
        owner.restore()
