"""The store on SQLite and PostgreSQL: migrations, model/migration agreement, pragmas, CRUD, keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shopops.errors import MigrationError
from shopops.store import models as m
from shopops.store.db import Database, alembic_config, open_database

FOUNDATION_TABLES = {
    "users", "products", "product_variants", "customers", "orders", "order_lines", "sales", "inventory",
    "reviews", "knowledge_documents", "tickets", "ticket_messages", "drafts", "audit_log",
    "generation_log", "jobs", "job_items", "alembic_version",
}  # fmt: skip
EXPECTED_TABLES = set(m.Base.metadata.tables) | {"alembic_version"}


def head_revision(db: Database) -> str:
    head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    assert head is not None
    return head


def schema_differences(db: Database, metadata: MetaData) -> list[Any]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


# -- migrations ------------------------------------------------------------------------------------


def test_migrations_run_to_head_and_are_idempotent(db: Database) -> None:
    assert db.current_revision() == head_revision(db)
    assert set(db.table_names()) == EXPECTED_TABLES
    assert FOUNDATION_TABLES <= EXPECTED_TABLES  # the entities a store's operations need
    db.check_current()
    again = open_database(db.url)  # upgrading an up-to-date store is a no-op
    assert again.current_revision() == head_revision(db)
    again.dispose()


def test_models_and_migrations_agree(db: Database) -> None:
    """A model changed without a migration fails here (run `alembic revision --autogenerate`)."""
    assert schema_differences(db, m.Base.metadata) == []


def test_the_agreement_check_notices_a_model_change(db: Database) -> None:
    changed = MetaData(naming_convention=m.Base.metadata.naming_convention)
    for table in m.Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["products"].append_column(Column("weight_class", Integer, nullable=True))
    diffs = schema_differences(db, changed)
    assert [(d[0], d[2], d[3].name) for d in diffs] == [("add_column", "products", "weight_class")]


def test_check_current_refuses_an_unmigrated_store(db_url: str) -> None:
    fresh = Database(db_url)
    try:
        with pytest.raises(MigrationError, match="revision none, shopops needs") as info:
            fresh.check_current()
        assert "shopops db upgrade" in str(info.value)
        fresh.upgrade()
        fresh.check_current()
    finally:
        fresh.dispose()


def test_downgrade_to_base_removes_everything_and_upgrade_restores(db: Database) -> None:
    command.downgrade(alembic_config(db.url, db.engine), "base")
    assert set(db.table_names()) <= {"alembic_version"}
    with pytest.raises(MigrationError):
        db.check_current()
    db.upgrade()
    assert set(db.table_names()) == EXPECTED_TABLES


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'store.db'}")  # directories are created
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        db.dispose()


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(m.OrderLine(order_id=999_999, quantity=1, unit_price=Decimal("1.00")))


# -- CRUD ------------------------------------------------------------------------------------------


def seed(session: Session) -> dict[str, int]:
    product = m.Product(
        handle="bamboo-board",
        title="Bamboo cutting board",
        tags=["kitchen", "竹子"],
        option_names=["Size"],
        attributes={"material": "bamboo", "dimensions_cm": [45, 30, 2], "care": {"dishwasher": False}},
        variants=[
            m.ProductVariant(variant_key="large", sku="BB-L", option_values=["Large"], price=Decimal("29.99"),
                             compare_at_price=Decimal("34.50"), position=1),
            m.ProductVariant(variant_key="small", sku="BB-S", option_values=["Small"], price=Decimal("19.00"),
                             position=2),
        ],
    )  # fmt: skip
    customer = m.Customer(external_id="C-1", email="ana@example.com", name="Ana", country="PT")
    session.add_all([product, customer])
    session.flush()
    order = m.Order(
        order_number="#1001",
        customer_id=customer.id,
        total=Decimal("78.98"),
        placed_at=dt.datetime(2026, 3, 1, 12, 30),
        lines=[
            m.OrderLine(product_id=product.id, sku="BB-L", quantity=2, unit_price=Decimal("29.99")),
            m.OrderLine(product_id=product.id, sku="BB-S", quantity=1, unit_price=Decimal("19.00"),
                        final_sale=True),
        ],
    )  # fmt: skip
    review = m.Review(external_id="R-1", product_id=product.id, customer_id=customer.id, rating=4,
                      body="质量很好，但是有点小", language="zh")  # fmt: skip
    generation = m.GenerationLog(
        task="copy.description", backend="fake", model="fake-1", prompt_hash="ab" * 32,
        prompt_tokens=120, completion_tokens=80, latency_ms=12.5, output='{"title": "x"}',
    )  # fmt: skip
    session.add_all([order, review, generation])
    session.flush()
    draft = m.Draft(kind="copy.description", subject_type="product", subject_id=str(product.id),
                    content={"title": "Board", "bullets": ["Solid bamboo", "45 × 30 cm"]},
                    checks={"numbers_verified": True, "unsupported": []}, author="ai:copy.description",
                    generation_id=generation.id)  # fmt: skip
    session.add(draft)
    session.flush()
    audit = m.AuditLog(
        actor="ana@example.com", action="approve", entity_type="draft", entity_id=str(draft.id),
        before={"status": "draft"}, after={"status": "approved"},
    )  # fmt: skip
    session.add(audit)
    session.flush()
    return {"product": product.id, "customer": customer.id, "order": order.id, "review": review.id,
            "generation": generation.id, "draft": draft.id, "audit": audit.id}  # fmt: skip


def test_crud_round_trip_of_the_main_entities(db: Database) -> None:
    with db.session() as session:
        ids = seed(session)

    with db.session() as session:
        product = session.get_one(m.Product, ids["product"])
        assert product.tags == ["kitchen", "竹子"]
        assert product.attributes["care"] == {"dishwasher": False}
        assert [v.variant_key for v in product.variants] == ["large", "small"]
        large = product.variants[0]
        assert large.price == Decimal("29.99") and isinstance(large.price, Decimal)
        assert large.compare_at_price == Decimal("34.50")
        assert product.variants[1].compare_at_price is None
        assert isinstance(product.created_at, dt.datetime)

        order = session.get_one(m.Order, ids["order"])
        assert order.total == Decimal("78.98")
        assert order.placed_at == dt.datetime(2026, 3, 1, 12, 30)
        assert sum(line.quantity * line.unit_price for line in order.lines) == order.total
        assert [line.final_sale for line in sorted(order.lines, key=lambda x: x.sku)] == [False, True]

        assert session.get_one(m.Customer, ids["customer"]).email == "ana@example.com"
        assert session.get_one(m.Review, ids["review"]).body == "质量很好，但是有点小"
        draft = session.get_one(m.Draft, ids["draft"])
        assert draft.content["bullets"][1] == "45 × 30 cm"
        assert (draft.status, draft.generation_id) == ("draft", ids["generation"])
        assert session.get_one(m.AuditLog, ids["audit"]).after == {"status": "approved"}
        assert session.get_one(m.GenerationLog, ids["generation"]).latency_ms == 12.5

        draft.status = "approved"
        large.price = Decimal("27.49")

    with db.session() as session:
        assert session.get_one(m.Draft, ids["draft"]).status == "approved"
        assert session.scalar(
            select(m.ProductVariant.price).where(m.ProductVariant.sku == "BB-L")
        ) == Decimal("27.49")
        session.delete(session.get_one(m.Order, ids["order"]))

    with db.session() as session:
        assert session.scalars(select(m.OrderLine)).all() == []  # lines go with their order
        product = session.get_one(m.Product, ids["product"])
        session.delete(session.get_one(m.Review, ids["review"]))
        session.delete(product)

    with db.session() as session:
        assert session.scalars(select(m.ProductVariant)).all() == []


def test_failed_unit_of_work_rolls_back(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(m.Customer(external_id="C-9"))
        session.flush()
        raise RuntimeError("boom")
    with db.session() as session:
        assert session.scalars(select(m.Customer)).all() == []


# -- natural keys ----------------------------------------------------------------------------------


def _variant_pair(session: Session) -> list[Any]:
    product = m.Product(handle="p", title="P")
    session.add(product)
    session.flush()
    return [m.ProductVariant(product_id=product.id, variant_key="v", price=Decimal("1")) for _ in range(2)]


DUPLICATES: dict[str, Callable[[Session], list[Any]]] = {
    "product handle": lambda s: [m.Product(handle="same", title=t) for t in ("a", "b")],
    "variant key per product": _variant_pair,
    "customer external_id": lambda s: [m.Customer(external_id="C-1") for _ in range(2)],
    "order number": lambda s: [
        m.Order(order_number="#1", total=Decimal("1"), placed_at=dt.datetime(2026, 1, 1)) for _ in range(2)
    ],
    "review external_id": lambda s: [m.Review(external_id="R-1", body="ok") for _ in range(2)],
    "sales sku/location/date": lambda s: [
        m.SalesRecord(sku="A", location="main", date=dt.date(2026, 1, 1), units=u) for u in (1.0, 2.0)
    ],
    "inventory sku/location": lambda s: [m.InventoryLevel(sku="A", location="main") for _ in range(2)],
    "knowledge source_key": lambda s: [
        m.KnowledgeDocument(source_key="policy.md", content="x", content_hash="0" * 64) for _ in range(2)
    ],
    "user email": lambda s: [m.User(email="a@example.com") for _ in range(2)],
    "job name": lambda s: [m.Job(name="nightly", kind="copy") for _ in range(2)],
}


@pytest.mark.parametrize("key", list(DUPLICATES))
def test_unique_natural_keys_are_enforced(db: Database, key: str) -> None:
    with pytest.raises(IntegrityError), db.session() as session:
        first, second = DUPLICATES[key](session)
        session.add(first)
        session.flush()
        session.add(second)
        session.flush()


def test_same_variant_key_on_different_products_is_fine(db: Database) -> None:
    with db.session() as session:
        for handle in ("p1", "p2"):
            session.add(
                m.Product(handle=handle, title=handle,
                          variants=[m.ProductVariant(variant_key="default", price=Decimal("5.00"))])
            )  # fmt: skip
    with db.session() as session:
        assert len(session.scalars(select(m.ProductVariant)).all()) == 2
