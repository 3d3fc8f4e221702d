"""Catalog jobs: product selection, one draft per product and variant (also across a crash between
a product's drafts and its checkpoint), restart, the thread executor, and the CLI commands."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from shopops.cli.main import app
from shopops.context import AppContext
from shopops.copy.batch import JOB_KIND, ProductSelector, generate_catalog, generate_item, select_products
from shopops.demo.run import load_demo_store
from shopops.errors import InputError, JobError
from shopops.jobs import get_job, job_items
from shopops.jobs.thread_executor import ThreadExecutor
from shopops.store.models import Draft, Product


@pytest.fixture
def store(ctx: AppContext) -> AppContext:
    from shopops.demo.generate import DATA_DIR
    from shopops.ingest import import_file

    import_file(ctx.db, "products", DATA_DIR / "products.csv")
    return ctx


def _drafts(ctx: AppContext, kind: str = "copy.description") -> list[Draft]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Draft).where(Draft.kind == kind).order_by(Draft.id)))


def _texts_by_product(drafts: list[Draft]) -> dict[tuple[str, int], str]:
    return {(d.subject_id, int(d.content["variant"])): d.content["text"] for d in drafts}


def test_thread_executor_runs_every_key_once_with_bounded_concurrency() -> None:
    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def work(key: str) -> dict[str, Any]:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.01)
        with lock:
            state["now"] -= 1
        if key == "k7":
            raise ValueError("bad item")
        return {"key": key}

    keys = [f"k{i}" for i in range(20)]
    outcomes = list(ThreadExecutor(3).map(work, keys))
    assert sorted(o.key for o in outcomes) == sorted(keys)
    assert state["most"] == 3
    failed = [o for o in outcomes if not o.ok]
    assert [o.key for o in failed] == ["k7"] and "ValueError: bad item" in (failed[0].error or "")
    assert all(o.result == {"key": o.key} for o in outcomes if o.ok)
    with pytest.raises(JobError, match="at least 1"):
        ThreadExecutor(0)


def test_select_products_by_category_handle_and_status(store: AppContext) -> None:
    with store.db.session() as session:
        products = session.scalars(select(Product).order_by(Product.id)).all()
        board = next(p for p in products if p.handle == "bamboo-cutting-board")
        session.execute(Product.__table__.update().where(Product.id == board.id).values(status="draft"))
    every = select_products(store, ProductSelector())
    assert every == [str(p.id) for p in products]
    assert select_products(store, ProductSelector(category="Cutting Boards")) == [str(board.id)]
    assert select_products(store, ProductSelector(category="home & garden > kitchen & dining")) == [
        str(p.id) for p in products if p.category.startswith("Home & Garden > Kitchen & Dining")
    ]
    assert select_products(store, ProductSelector(status="draft")) == [str(board.id)]
    assert select_products(store, ProductSelector(handles=["bamboo-cutting-board"])) == [str(board.id)]
    with pytest.raises(InputError, match="no-such-thing"):
        select_products(store, ProductSelector(handles=["bamboo-cutting-board", "no-such-thing"]))
    with pytest.raises(InputError, match="unknown product status"):
        select_products(store, ProductSelector(status="live"))


def test_catalog_job_writes_one_draft_per_variant_and_resumes(store: AppContext) -> None:
    summary = generate_catalog(store, kind="description", language="en", variants=2, progress=False)
    n_products = len(select_products(store, ProductSelector()))
    assert (summary.status, summary.done, summary.total) == ("done", n_products, n_products)
    assert summary.name == "copy-description-en-all" and get_job(store.db, summary.name).kind == JOB_KIND
    drafts = _drafts(store)
    assert Counter(d.subject_id for d in drafts) == {
        key: 2 for key in select_products(store, ProductSelector())
    }
    assert all(d.status == "draft" and "blocking" in d.checks for d in drafts)
    first = job_items(store.db, summary.name)[0].result
    assert first is not None and len(first["draft_ids"]) == 2 and first["reused"] is False

    again = generate_catalog(store, kind="description", language="en", variants=2, progress=False)
    assert (again.processed, again.skipped) == (0, n_products)
    assert len(_drafts(store)) == 2 * n_products

    with pytest.raises(JobError, match="different params"):
        generate_catalog(store, kind="description", language="en", variants=3, progress=False)


def test_a_product_redone_after_a_crash_keeps_its_drafts(store: AppContext) -> None:
    # The process died after this product's drafts were committed but before its checkpoint:
    # simulate it by running the job once, then forgetting one item's checkpoint.
    name = "crash-between-drafts-and-checkpoint"
    generate_catalog(store, kind="title", language="en", job_name=name, progress=False)
    before = _drafts(store, "copy.title")
    key = before[0].subject_id
    with store.db.session() as session:
        from shopops.store.models import Job, JobItem

        job_id = session.scalar(select(Job.id).where(Job.name == name))
        session.execute(
            JobItem.__table__.update()
            .where(JobItem.job_id == job_id, JobItem.key == key)
            .values(status="pending", result=None, attempts=0)
        )
    resumed = generate_catalog(store, kind="title", language="en", job_name=name, progress=False)
    assert (resumed.status, resumed.processed) == ("done", 1)
    item = next(i for i in job_items(store.db, name) if i.key == key)
    assert item.result is not None and item.result["reused"] is True
    assert [d.id for d in _drafts(store, "copy.title")] == [d.id for d in before]


def test_restart_replaces_unreviewed_drafts_and_keeps_reviewed_ones(store: AppContext) -> None:
    selector = ProductSelector(category="Cutting Boards")
    generate_catalog(store, kind="seo", language="en", filter=selector, job_name="seo", progress=False)
    (first,) = _drafts(store, "copy.seo")
    generate_catalog(
        store, kind="seo", language="en", filter=selector, job_name="seo", restart=True, progress=False
    )
    (second,) = _drafts(store, "copy.seo")
    assert second.content["job"] != first.content["job"]  # (SQLite may reuse the deleted row's id)
    with store.db.session() as session:
        session.execute(Draft.__table__.update().where(Draft.id == second.id).values(status="approved"))
    generate_catalog(
        store, kind="seo", language="en", filter=selector, job_name="seo", restart=True, progress=False
    )
    kept, third = _drafts(store, "copy.seo")
    assert (kept.id, kept.status, third.status) == (second.id, "approved", "draft")


def test_threads_write_the_same_drafts_as_one_at_a_time(store: AppContext) -> None:
    generate_catalog(store, kind="bullets", language="en", job_name="one", executor="local", progress=False)
    sequential = _texts_by_product(_drafts(store, "copy.bullets"))
    with store.db.session() as session:
        session.execute(Draft.__table__.delete())
    summary = generate_catalog(
        store, kind="bullets", language="en", job_name="many", parallel=4, progress=False
    )
    assert summary.status == "done"
    assert _texts_by_product(_drafts(store, "copy.bullets")) == sequential


def test_generate_item_reports_a_missing_product(store: AppContext) -> None:
    params = {"kind": "description", "language": "en", "variants": 1, "job": "j", "run": "r"}
    with pytest.raises(Exception, match="no product with id or handle"):
        generate_item(store, "999999", params)


def test_cli_generate_then_export(store: AppContext, tmp_path: Any) -> None:
    settings = store.settings
    runner = CliRunner()
    base = [
        "--database-url",
        settings.effective_database_url,
        "--llm-backend",
        "fake",
        "--embed-backend",
        "hash",
    ]
    result = runner.invoke(
        app,
        [
            *base,
            "copy",
            "generate",
            "--category",
            "Cutting Boards",
            "--kind",
            "title",
            "-q",
            "--parallel",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "copy-title-en-cutting-boards" in result.output and "1/1 done" in result.output
    (draft,) = _drafts(store, "copy.title")
    with store.db.session() as session:
        session.execute(Draft.__table__.update().where(Draft.id == draft.id).values(status="approved"))
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, [*base, "copy", "export", "--format", "shopify", "--out", str(out), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "1 product(s)" in result.output and out.read_text(encoding="utf-8").startswith("Handle,Title,")
    result = runner.invoke(app, [*base, "copy", "generate", "--kind", "title"])
    assert result.exit_code != 0


def test_demo_store_loader_is_enough_for_a_catalog_job(ctx: AppContext) -> None:
    load_demo_store(ctx.db)
    summary = generate_catalog(
        ctx, kind="blurb", language="zh", filter=ProductSelector(status="active"), progress=False
    )
    assert summary.status == "done" and summary.total > 0
    assert {d.content["language"] for d in _drafts(ctx, "copy.blurb")} == {"zh"}
