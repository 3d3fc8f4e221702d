"""The demo's main job: load the demo store, then write a grounded summary draft per product.

``shopops demo run`` (what ``make demo`` runs) calls :func:`run_demo`:

1. import the packaged demo store (idempotent: importers upsert on natural keys) and seed the demo
   team (accounts for every role, support teams, customer tickets: :mod:`shopops.demo.workspace`);
2. run the resumable job ``demo.summary`` through :func:`shopops.jobs.run_job`: for each of the
   first ``limit`` demo products, the configured LLM writes a one-sentence summary and up to three
   selling points under a JSON schema, from the product's stored facts only; the output is checked
   (every number it wrote must appear in the facts) and stored as a ``copy.summary`` draft for a
   person to review, linked to its generation-log row.

A second run skips the products already done; ``--limit`` higher adds products to the same job.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field, StringConstraints
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopops.copy.facts import facts_from_product, get_product
from shopops.demo.catalog import PRODUCTS
from shopops.demo.generate import DATA_DIR
from shopops.demo.reports_demo import ReportsDemo, run_reports_demo
from shopops.demo.reviews_demo import ReviewDemo, run_review_demo
from shopops.demo.search_demo import SearchDemo, run_search_demo
from shopops.demo.support_demo import draft_demo_tickets
from shopops.demo.workspace import WorkspaceSeed, seed_workspace
from shopops.errors import InputError
from shopops.jobs import JobKind, JobSummary, run_job
from shopops.llm.base import Message
from shopops.store import models
from shopops.support.service import SupportOutcome

if TYPE_CHECKING:
    from shopops.context import AppContext
    from shopops.ingest.base import ImportReport
    from shopops.store.db import Database

TASK = "demo.summary"
DRAFT_KIND = "copy.summary"
AUTHOR = "ai:demo.summary"
DEFAULT_LIMIT = 8
DEFAULT_MAX_TOKENS = 200
PROMPT_VERSION = 1
# (kind, path under the data directory) in dependency order: orders and reviews refer to customers
# and products, so those come first.
IMPORTS = (
    ("customers", "customers.csv"),
    ("products", "products.csv"),
    ("orders", "orders.csv"),
    ("reviews", "reviews.csv"),
    ("sales", "sales.csv"),
    ("inventory", "inventory.csv"),
    ("knowledge", "knowledge"),
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

Point = Annotated[str, StringConstraints(min_length=3, max_length=90)]


class ProductSummary(BaseModel):
    """What the model writes for one product. Bounded so a small model cannot ramble."""

    summary: str = Field(min_length=10, max_length=220, description="one sentence, at most 30 words")
    selling_points: list[Point] = Field(min_length=1, max_length=3, description="at most 12 words each")


def load_demo_store(db: Database, data_dir: Path = DATA_DIR) -> list[ImportReport]:
    """Import every demo file into ``db``; running it again changes nothing."""
    from shopops.ingest import import_file

    return [import_file(db, kind, data_dir / relative) for kind, relative in IMPORTS]


def demo_handles(db: Database, limit: int) -> list[str]:
    """The first ``limit`` demo products present in the store, in a fixed (alphabetical) order."""
    with db.session() as session:
        present = set(session.scalars(select(models.Product.handle)))
    return sorted(spec.handle for spec in PRODUCTS if spec.handle in present)[:limit]


def product_facts(session: Session, handle: str) -> tuple[models.Product, dict[str, Any]]:
    """The product and the facts the model may use, as stored (not as the generator made them).

    The facts come from :func:`shopops.copy.facts.facts_from_product`; this keeps the demo's own
    prompt format (a JSON object with a price string and sorted option values)."""
    product = get_product(session, handle)
    known = facts_from_product(product, max_description=700)
    facts: dict[str, Any] = {
        "title": known.title,
        "type": known.product_type,
        "category": known.category,
        "description": known.description,
        "tags": known.tags,
        "attributes": known.attributes,
        "options": {name: sorted(values) for name, values in known.options.items()},
    }
    if known.price is not None:
        low, high = known.price, known.price_max
        facts["price"] = f"{low:.2f}" if high in (None, low) else f"{low:.2f}-{high:.2f}"
    return product, {k: v for k, v in facts.items() if v}


def build_messages(facts: dict[str, Any], language: str) -> list[Message]:
    written_in = "Chinese (简体中文)" if language == "zh" else "English"
    return [
        Message(
            "system",
            "You write short product copy for the online store Lumen & Leaf. Use only the facts given. "
            "Never add a material, size, number, certification or claim that is not in the facts.",
        ),
        Message(
            "user",
            "Product facts (JSON):\n"
            + json.dumps(facts, ensure_ascii=False)
            + f"\n\nIn {written_in}, write a one-sentence summary (at most 30 words) and up to 3 selling "
            "points (at most 12 words each).",
        ),
    ]


def check_numbers(output: ProductSummary, facts: dict[str, Any]) -> dict[str, Any]:
    """Every number in the output must appear in the facts: small models invent them."""
    source = json.dumps(facts, ensure_ascii=False)
    written = NUMBER.findall(" ".join([output.summary, *output.selling_points]))
    unsupported = sorted({n for n in written if n not in source})
    return {"numbers_grounded": {"ok": not unsupported, "unsupported": unsupported}}


def summarize_product(
    ctx: AppContext, handle: str, *, max_tokens: int = DEFAULT_MAX_TOKENS
) -> dict[str, Any]:
    """Generate, check and store the summary draft of one product; the job's work function."""
    from shopops.structured import generate_with_result

    with ctx.db.session() as session:
        product, facts = product_facts(session, handle)
        product_id, title, language = product.id, product.title, product.language
    generated = generate_with_result(
        ctx.llm,
        build_messages(facts, language),
        ProductSummary,
        task=TASK,
        max_tokens=max_tokens,
        max_attempts=ctx.settings.structured_max_attempts,
    )
    output, generation_id = generated.output, generated.result.generation_id
    checks = check_numbers(output, facts)
    content = {"handle": handle, "title": title, "language": language, **output.model_dump()}
    with ctx.db.session() as session:
        draft = session.scalar(
            select(models.Draft).where(
                models.Draft.kind == DRAFT_KIND,
                models.Draft.subject_type == "product",
                models.Draft.subject_id == str(product_id),
                models.Draft.author == AUTHOR,
                models.Draft.status == "draft",
            )
        )
        if draft is None:  # a redone item (the one in flight at a crash) replaces its unreviewed draft
            draft = models.Draft(
                kind=DRAFT_KIND, subject_type="product", subject_id=str(product_id), author=AUTHOR
            )
            session.add(draft)
        draft.content, draft.checks, draft.generation_id = content, checks, generation_id
        session.flush()
        draft_id = draft.id
    return {
        "draft_id": draft_id,
        "generation_id": generation_id,
        "summary": output.summary,
        "grounded": checks["numbers_grounded"]["ok"],
    }


def _summary_work(ctx: AppContext, params: dict[str, Any]) -> Any:
    max_tokens = int(params.get("max_tokens", DEFAULT_MAX_TOKENS))
    return lambda handle: summarize_product(ctx, handle, max_tokens=max_tokens)


SUMMARY_JOB = JobKind(
    TASK, _summary_work, description="grounded one-sentence summary drafts of demo products"
)


@dataclass
class DemoResult:
    database_url: str
    imports: list[ImportReport]
    job: JobSummary
    drafts: list[tuple[str, str, str]]  # (handle, title, summary) of the drafts this job holds
    counts: dict[str, int]
    load_seconds: float
    seconds: float
    completion_tokens: int
    workspace: WorkspaceSeed | None = None
    support: list[tuple[str, SupportOutcome]] = field(default_factory=list)  # (ticket subject, outcome)
    reviews: ReviewDemo | None = None
    search: SearchDemo | None = None
    reports: ReportsDemo | None = None


COUNTED = (
    ("products", models.Product),
    ("variants", models.ProductVariant),
    ("customers", models.Customer),
    ("orders", models.Order),
    ("order lines", models.OrderLine),
    ("sales rows", models.SalesRecord),
    ("inventory rows", models.InventoryLevel),
    ("reviews", models.Review),
    ("knowledge documents", models.KnowledgeDocument),
    ("users", models.User),
    ("support tickets", models.Ticket),
    ("drafts", models.Draft),
    ("generations logged", models.GenerationLog),
    ("jobs", models.Job),
)


def row_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            label: session.scalar(select(func.count()).select_from(model)) or 0 for label, model in COUNTED
        }


def job_name_for(ctx: AppContext) -> str:
    llm = ctx.llm
    slug = re.sub(r"[^a-zA-Z0-9.]+", "-", f"{llm.name}-{llm.model}").strip("-").lower()
    return f"demo-summaries-{slug}"[:200]


def run_demo(
    ctx: AppContext,
    *,
    limit: int = DEFAULT_LIMIT,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    restart: bool = False,
    load: bool = True,
    progress: bool = True,
    console: Console | None = None,
) -> DemoResult:
    """Load the demo store and run the summary job; see the module docstring."""
    if limit < 1:
        raise InputError(f"--limit must be at least 1, got {limit}")
    started = time.perf_counter()
    imports = load_demo_store(ctx.db) if load else []
    workspace = seed_workspace(ctx.db) if load else None
    load_seconds = time.perf_counter() - started
    handles = demo_handles(ctx.db, limit)
    if not handles:
        raise InputError(
            "the store holds none of the demo products", hint="run `shopops demo run` without --no-load"
        )
    with ctx.db.session() as session:
        tokens_before = session.scalar(
            select(func.coalesce(func.sum(models.GenerationLog.completion_tokens), 0))
        )
    name = job_name_for(ctx)
    params = {
        "max_tokens": max_tokens,
        "prompt_version": PROMPT_VERSION,
        "llm": f"{ctx.llm.name}:{ctx.llm.model}",
    }
    job = run_job(
        ctx.db,
        name,
        TASK,
        handles,
        SUMMARY_JOB.factory(ctx, params),
        params=params,
        progress=progress,
        restart=restart,
        console=console,
    )
    support = draft_demo_tickets(ctx) if load else []
    reviews = run_review_demo(ctx) if load else None
    search = run_search_demo(ctx) if load else None
    reports = run_reports_demo(ctx) if load else None
    with ctx.db.session() as session:
        tokens_after = session.scalar(
            select(func.coalesce(func.sum(models.GenerationLog.completion_tokens), 0))
        )
        drafts = _drafts(session, name)
    return DemoResult(
        database_url=ctx.db.url,
        imports=imports,
        job=job,
        drafts=drafts,
        counts=row_counts(ctx.db),
        load_seconds=load_seconds,
        seconds=time.perf_counter() - started,
        completion_tokens=int(tokens_after or 0) - int(tokens_before or 0),
        workspace=workspace,
        support=support,
        reviews=reviews,
        search=search,
        reports=reports,
    )


def _drafts(session: Session, job_name: str) -> list[tuple[str, str, str]]:
    job = session.scalar(select(models.Job).where(models.Job.name == job_name))
    if job is None:
        return []
    items = session.scalars(
        select(models.JobItem)
        .where(models.JobItem.job_id == job.id, models.JobItem.status == "done")
        .order_by(models.JobItem.key)
    )
    rows = []
    for item in items:
        draft_id = (item.result or {}).get("draft_id")
        draft = session.get(models.Draft, draft_id) if isinstance(draft_id, int) else None
        if draft is not None:
            rows.append(
                (item.key, str(draft.content.get("title", "")), str(draft.content.get("summary", "")))
            )
    return rows
