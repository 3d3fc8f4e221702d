"""Browser tests: a real shopops server on loopback and Debian's headless chromium, via Playwright.

The server runs in a thread of the test process over a temporary SQLite store holding the demo
store, one account per role (password ``PASSWORD``) and the fake LLM, so a test can script what
the "model" writes (``live.fake_llm.add_script(...)``) and read the store directly (``live.ctx``).

Playwright cannot download browsers here; it drives Debian's chromium (``/usr/bin/chromium``,
installed by ``.ci/run``) through ``executable_path``. Without chromium these tests skip, unless
``SHOPOPS_REQUIRE_BROWSER=1`` (set in CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shopops.auth.accounts import create_user
from shopops.auth.roles import Role
from shopops.config import Settings
from shopops.context import AppContext
from shopops.llm.fake import FakeLLM

PASSWORD = "browser-test-password"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("SHOPOPS_REQUIRE_BROWSER") == "1":
        pytest.fail(
            "SHOPOPS_REQUIRE_BROWSER=1 but Debian's chromium is not installed (apt-get install chromium)"
        )
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    ctx: AppContext
    password: str = PASSWORD  # every account's

    @property
    def fake_llm(self) -> FakeLLM:
        backend = self.ctx.llm.backend  # LoggedLLM wraps the configured backend
        assert isinstance(backend, FakeLLM)
        return backend

    @staticmethod
    def email(role: str) -> str:
        return f"{role}@lumen-leaf.test"


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_chromium()
    import uvicorn

    from shopops.api.app import create_app
    from shopops.demo.run import load_demo_store

    root = tmp_path_factory.mktemp("browser")
    settings = Settings(
        data_dir=root / "data",
        database_url=f"sqlite:///{root / 'shopops.db'}",
        llm_backend="fake",
        embed_backend="hash",
        copy_max_regenerations=0,
        api_rate_limit=0,
        login_rate_limit=0,
        support_confidence_threshold=0.3,  # calibrated for e5; the hash embedder scores lower
    )
    ctx = AppContext(settings)
    load_demo_store(ctx.db)
    for role in Role:
        create_user(ctx.db, LiveServer.email(role.value), PASSWORD, role=role.value, name=role.value.title())
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(context=ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the shopops test server did not start")
        time.sleep(0.05)
    yield LiveServer(url=f"http://127.0.0.1:{port}", ctx=ctx)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(live: LiveServer) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")  # type: ignore[attr-defined]
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
