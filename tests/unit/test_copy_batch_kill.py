"""Acceptance: a 500-product catalog job killed midway resumes and completes, with exactly one
draft per product and variant — none missing, none duplicated.

``shopops copy generate --all`` runs with the fake LLM in a real subprocess against a SQLite file
(four products at a time, the batch default). Once some products are checkpointed it is killed
with SIGKILL (no handler runs, products in flight are cut off anywhere, including between their
drafts' commit and their checkpoint), then ``shopops jobs resume NAME`` finishes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from shopops.cli.main import app
from shopops.store.db import Database, open_database
from shopops.store.models import Draft, Job, JobItem, Product, ProductVariant

N_PRODUCTS = 500
VARIANTS = 2
JOB = "catalog-500"
KILL_AFTER = 40  # products checkpointed before the kill
COLOURS = ("Sage", "Ink", "Sand", "Rust")
MATERIALS = ("oak", "bamboo", "linen", "stoneware", "recycled PET")


def build_store(db: Database) -> None:
    """500 products with a variant or two each, written straight through the ORM (fast)."""
    with db.session() as session:
        for i in range(N_PRODUCTS):
            colour, material = COLOURS[i % len(COLOURS)], MATERIALS[i % len(MATERIALS)]
            product = Product(
                handle=f"item-{i:03d}",
                title=f"{colour} {material.title()} Organizer No. {i}",
                description=f"A {material} organizer in {colour.lower()}, {20 + i % 30} cm wide.",
                vendor="Test Goods",
                category="Home & Garden > Storage",
                product_type="Organizers",
                tags=["storage", material],
                attributes={"material": material, "colour": colour},
                option_names=["Size"],
            )
            product.variants = [
                ProductVariant(
                    variant_key=f"TG-{i:03d}-{size}",
                    sku=f"TG-{i:03d}-{size}",
                    title=size,
                    option_values=[size],
                    price=Decimal("19.00") + i % 7,
                    position=position,
                )
                for position, size in enumerate(("S", "L")[: 1 + i % 2], start=1)
            ]
            session.add(product)


def _done(db: Database) -> int:
    try:
        with db.session() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(JobItem)
                    .join(Job, Job.id == JobItem.job_id)
                    .where(Job.name == JOB, JobItem.status == "done")
                )
                or 0
            )
    except OperationalError:  # the subprocess has not created its tables or job yet
        return 0


def test_killed_catalog_job_resumes_with_exactly_one_draft_per_variant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = f"sqlite:///{tmp_path / 'catalog.db'}"
    db = open_database(db_url)
    build_store(db)
    monkeypatch.setenv("SHOPOPS_COPY_MAX_REGENERATIONS", "0")  # the fake model's words would be re-asked
    base = ["--database-url", db_url, "--llm-backend", "fake", "--embed-backend", "hash"]
    command = [*base, "copy", "generate", "--all", "--kind", "description", "--lang", "en"]
    command += ["--variants", str(VARIANTS), "--job", JOB, "--quiet"]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from shopops.cli.main import run; run()", *command],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while _done(db) < KILL_AFTER:
            if proc.poll() is not None:
                pytest.fail(
                    f"the job exited early ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}"
                )  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the job made no progress in 60 s"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    killed_at = _done(db)
    assert KILL_AFTER <= killed_at < N_PRODUCTS

    with db.session() as session:
        assert session.scalar(select(Job.status).where(Job.name == JOB)) == "running"

    result = CliRunner().invoke(app, [*base, "jobs", "resume", JOB, "--quiet"])
    assert result.exit_code == 0, result.output
    assert f"{N_PRODUCTS}/{N_PRODUCTS} done" in result.output

    with db.session() as session:
        job = session.scalar(select(Job).where(Job.name == JOB))
        assert job is not None and job.status == "done"
        items = session.scalars(select(JobItem).where(JobItem.job_id == job.id)).all()
        assert len(items) == N_PRODUCTS and all(item.status == "done" for item in items)
        product_ids = {str(pid) for pid in session.scalars(select(Product.id))}
        drafts = session.scalars(select(Draft).where(Draft.kind == "copy.description")).all()
    per_variant = Counter((d.subject_id, d.content["variant"]) for d in drafts)
    assert set(per_variant) == {(pid, v) for pid in product_ids for v in range(VARIANTS)}  # none missing
    assert set(per_variant.values()) == {1}  # none duplicated
    assert all(d.content["job"].startswith(f"{JOB}#") and d.checks for d in drafts)
    db.dispose()
