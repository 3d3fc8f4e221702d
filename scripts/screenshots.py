"""Render the web UI's main pages to PNG files for the README.

    .venv/bin/python scripts/screenshots.py                      # write docs/screenshots/*.png
    .venv/bin/python scripts/screenshots.py --out /tmp/shots     # somewhere else

Reproducible and offline: a temporary SQLite store with the demo store and the demo team, the
fake LLM (its outputs scripted here, so the pages show realistic copy), a shopops server on
loopback in a thread, and Debian's headless chromium (``/usr/bin/chromium``) driven by Playwright.
Every request the browser makes to anything but the loopback server is aborted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "screenshots-demo-password"
DOMAIN = "lumen-leaf.example"
WIDTH, HEIGHT = 1280, 900
MAX_HEIGHT = 1500  # full-page shots are cut here, to keep each image small

# Scripted model outputs, in the JSON shape of each kind's output model (shopops.copy.prompts).
# The invented ones carry a made-up detail in every sentence: the service cannot trim it away,
# so the flags stay on the draft.
CLEAN_EN = {
    "paragraphs": [
        "A solid bamboo board with a deep juice groove on one side and a flat serving face on "
        "the other, finished with food-safe mineral oil."
    ]
}
INVENTED_EN = {
    "paragraphs": [
        "Two 50 x 70 cm tea towels in stonewashed organic cotton, soft from the first use and "
        "lint-free on glass."
    ]
}
UI_INVENTED = {
    "paragraphs": [
        "A solid stainless steel board with a deep juice groove and a 5 litre drip tray, finished "
        "with food-safe mineral oil."
    ]
}
CHINESE = {
    "paragraphs": [
        "手工制作的宜兴紫砂茶壶，容量200毫升，出水流畅，是冲泡乌龙茶和普洱茶的好帮手。",
        "首次使用前请用沸水烫洗，让茶香更纯净。",
    ]
}
TITLE = {"title": "Speckled Stoneware Dinner Plates, Set of 4 – Reactive Glaze"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def email(handle: str) -> str:
    return f"{handle}@{DOMAIN}"


def build_store(root: Path) -> Any:
    """A fresh store: demo catalog, demo team, a few copy drafts (one approved)."""
    os.environ["SHOPOPS_DEMO_PASSWORD"] = PASSWORD
    from shopops.config import Settings
    from shopops.context import AppContext
    from shopops.copy.service import write_copy
    from shopops.copy.types import CopyRequest
    from shopops.demo.run import load_demo_store
    from shopops.demo.workspace import seed_workspace
    from shopops.store.models import Ticket, User
    from shopops.workflow.assignment import assign
    from shopops.workflow.review import approve_and_publish

    settings = Settings(
        data_dir=root / "data",
        database_url=f"sqlite:///{root / 'shopops.db'}",
        llm_backend="fake",
        embed_backend="hash",
        copy_max_regenerations=0,
        reply_webhook_url=None,
        api_rate_limit=0,
        login_rate_limit=0,
    )
    ctx = AppContext(settings)
    load_demo_store(ctx.db)
    seed_workspace(ctx.db)

    fake = ctx.llm.backend
    drafts: dict[str, int] = {}
    for name, product, kind, language, output in (
        ("clean", "bamboo-cutting-board", "description", "en", CLEAN_EN),
        ("invented", "linen-tea-towels", "description", "en", INVENTED_EN),
        ("chinese", "yixing-clay-teapot", "description", "zh", CHINESE),
        ("title", "stoneware-dinner-plates", "title", "en", TITLE),
    ):
        fake.add_script(json.dumps(output, ensure_ascii=False))
        results = write_copy(ctx, CopyRequest(product=product, kind=kind, language=language))
        assert results and results[0].draft_id is not None, name
        drafts[name] = results[0].draft_id
    approve_and_publish(ctx, drafts["clean"], email("manager"))

    # The agent's own escalated ticket, whatever the hour (routing follows the teams' hours).
    with ctx.db.session() as session:
        agent = session.scalar(select(User.id).where(User.email == email("agent")))
        ticket = session.scalar(select(Ticket.id).where(Ticket.external_id == "demo-t5")) or session.scalar(
            select(Ticket.id).where(Ticket.status == "escalated").order_by(Ticket.id)
        )
    assert agent is not None and ticket is not None, "the demo team has no agent or escalated ticket"
    assign(ctx.db, "ticket", str(ticket), actor=email("manager"), assignee_id=agent)
    return ctx, drafts, ticket


@contextmanager
def serve(ctx: Any) -> Iterator[str]:
    import uvicorn

    from shopops.api.app import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(context=ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the shopops server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Shooter:
    def __init__(self, browser: Any, url: str, out: Path) -> None:
        self.browser, self.url, self.out = browser, url, out
        self.written: list[Path] = []

    def context(self, *, width: int = WIDTH, height: int = HEIGHT, user: str | None = None) -> Any:
        context = self.browser.new_context(
            viewport={"width": width, "height": height}, locale="en-US", timezone_id="UTC"
        )
        context.set_default_timeout(15_000)
        origin = self.url

        def only_loopback(route: Any) -> None:
            if route.request.url.startswith(origin):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_loopback)
        if user is not None:
            page = context.new_page()
            page.goto(f"{self.url}/login")
            page.get_by_test_id("login-email").fill(email(user))
            page.get_by_test_id("login-password").fill(PASSWORD)
            page.get_by_test_id("login-submit").click()
            page.get_by_test_id("current-user").wait_for()
            page.close()
        return context

    def shoot(self, page: Any, name: str, *, full: bool = False) -> None:
        path = self.out / f"{name}.png"
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready")
        if full:
            height = int(page.evaluate("document.documentElement.scrollHeight"))
            width = int(page.viewport_size["width"])
            clip = {"x": 0, "y": 0, "width": width, "height": min(height, MAX_HEIGHT)}
            page.screenshot(path=str(path), full_page=True, clip=clip)
        else:
            page.screenshot(path=str(path))
        self.written.append(path)

    def visit(self, page: Any, path: str) -> None:
        page.goto(f"{self.url}{path}")
        page.wait_for_load_state("networkidle")


def capture(ctx: Any, drafts: dict[str, int], ticket: int, url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from shopops.store.models import Product

    with ctx.db.session() as session:
        board = session.scalar(select(Product.id).where(Product.handle == "bamboo-cutting-board"))
    args = [
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        shooter = Shooter(browser, url, out)

        anonymous = shooter.context()
        page = anonymous.new_page()
        shooter.visit(page, "/login")
        shooter.shoot(page, "login")
        anonymous.close()

        manager = shooter.context(user="manager")
        page = manager.new_page()
        shooter.visit(page, f"/catalog/{board}")
        page.get_by_test_id("studio-kind").select_option("description")
        ctx.llm.backend.add_script(json.dumps(UI_INVENTED))
        page.get_by_test_id("studio-submit").click()
        page.get_by_test_id("copy-results").get_by_test_id("flag").first.wait_for()
        shooter.shoot(page, "product", full=True)

        shooter.visit(page, "/")
        shooter.shoot(page, "dashboard", full=True)

        shooter.visit(page, "/queue")
        shooter.shoot(page, "queue", full=True)
        shooter.visit(page, f"/queue/{drafts['invented']}")
        shooter.shoot(page, "draft", full=True)
        shooter.visit(page, "/settings")
        shooter.shoot(page, "settings", full=True)
        shooter.visit(page, "/?lang=zh")
        shooter.shoot(page, "dashboard-zh", full=True)
        shooter.visit(page, "/?lang=en")  # the choice sticks to the session: back to English
        manager.close()

        agent = shooter.context(user="agent")
        page = agent.new_page()
        shooter.visit(page, "/support")
        shooter.shoot(page, "support", full=True)
        shooter.visit(page, f"/support/{ticket}")
        shooter.shoot(page, "ticket", full=True)
        shooter.visit(page, "/inbox")
        shooter.shoot(page, "inbox")
        agent.close()

        mobile = shooter.context(width=375, height=812, user="manager")
        page = mobile.new_page()
        shooter.visit(page, "/queue")
        shooter.shoot(page, "queue-mobile", full=True)
        mobile.close()

        browser.close()
    return shooter.written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: docs/screenshots)"
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    # A fixed path, not a random one: the settings page shows it.
    tmp = Path(tempfile.gettempdir()) / "shopops-screenshots"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        ctx, drafts, ticket = build_store(tmp)
        with serve(ctx) as url:
            written = capture(ctx, drafts, ticket, url, args.out)
        ctx.db.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
