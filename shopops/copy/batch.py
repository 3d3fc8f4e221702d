"""Catalog-scale copy: one resumable job writes checked drafts for many products.

:func:`generate_catalog` selects products (all, a category, handles, a status) and runs the job
kind ``copy.generate`` through the checkpointed runner: one item per product, keyed by product id,
each writing ``variants`` drafts of one copy kind and language with the store's voice and rules
(:func:`shopops.copy.service.generate_copy`), saved with their checks in the review queue.
``shopops jobs resume NAME`` continues it from the store alone.

Where items run:

* ``ThreadExecutor`` (the default when ``parallel`` > 1): several products at once in this process,
  so every generation slot of the local model (``settings.llm_parallel``) or of a remote server
  stays busy; the runner still commits each product the moment it finishes.
* ``RayExecutor`` (``executor="ray"``, or automatically when ``settings.ray_address`` is set):
  the same work shipped as :class:`~shopops.jobs.ray_executor.PortableWork`.
* ``LocalExecutor``: one product after another.

Exactly once per product, even across crashes. The drafts of an item and its checkpoint are
committed by different transactions (the drafts by the worker, the checkpoint by the runner), so
a process killed between the two would redo a product whose drafts are already stored. Each draft
therefore carries its job's tag (``content["job"]``: the job name and a run token that changes on
``--restart``), written in the same transaction as the draft; an item that finds its product's
drafts under its own tag returns them instead of writing more. A restarted job replaces the
*unreviewed* drafts of its earlier runs; approved and rejected ones stay.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from rich.console import Console
from sqlalchemy import func, or_, select

from shopops.copy.types import CopyKind, CopyRequest, Language
from shopops.errors import InputError, JobError
from shopops.jobs import Executor, JobKind, JobSummary, LocalExecutor, WorkFn, run_job
from shopops.store.models import Draft, Job, Product

if TYPE_CHECKING:
    from shopops.context import AppContext

JOB_KIND = "copy.generate"
# Concurrent products (and local-model slots) when neither --parallel nor llm_parallel says.
# On 2 CPU cores xllamacpp gained ~1.0x (4 slots) and ~1.05x (8 slots) in tokens/s with 120-token
# generations; 4 keeps memory modest and keeps an OpenAI-compatible server's slots busy.
# bench/copy_throughput.py --parallel N measures it end to end.
DEFAULT_BATCH_PARALLEL = 4
PRODUCT_STATUSES = ("active", "draft", "archived")


class ProductSelector(BaseModel):
    """Which products a catalog job covers; no criterion means every product."""

    category: str | None = None  # a category path, a prefix of one, its last segment, or a Type
    handles: list[str] = Field(default_factory=list)
    status: str | None = None  # active | draft | archived

    def label(self) -> str:
        """A short slug for default job names."""
        parts = [f"status-{self.status}"] if self.status else []
        if self.category:
            parts.append(self.category.split(">")[-1])
        if self.handles:
            parts.append(self.handles[0] + (f"-and-{len(self.handles) - 1}" if len(self.handles) > 1 else ""))
        slug = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
        return slug[:80] or "all"


def select_products(ctx: AppContext, selector: ProductSelector) -> list[str]:
    """The ids (as job keys) of the selected products, in id order.

    Named handles that do not exist are an error (a typo should not silently shrink a job)."""
    if selector.status is not None and selector.status not in PRODUCT_STATUSES:
        raise InputError(
            f"unknown product status {selector.status!r}", hint=f"use one of {', '.join(PRODUCT_STATUSES)}"
        )
    query = select(Product.id, Product.handle).order_by(Product.id)
    if selector.status is not None:
        query = query.where(Product.status == selector.status)
    if selector.handles:
        query = query.where(Product.handle.in_(selector.handles))
    if selector.category:
        wanted = selector.category.strip().lower()
        category = func.lower(Product.category)
        query = query.where(
            or_(
                category == wanted,
                category.startswith(wanted + " > ", autoescape=True),
                category.endswith(" > " + wanted, autoescape=True),
                func.lower(Product.product_type) == wanted,
            )
        )
    with ctx.db.session() as session:
        rows = session.execute(query).all()
    if selector.handles:
        missing = sorted(set(selector.handles) - {row.handle for row in rows})
        if missing:
            raise InputError(
                f"no product with handle {', '.join(map(repr, missing[:5]))}"
                + (f" (and {len(missing) - 5} more)" if len(missing) > 5 else "")
                + (" matching the other filters" if selector.status or selector.category else ""),
                hint="check the handles (`shopops import products` loads products)",
            )
    return [str(row.id) for row in rows]


def _tag(params: dict[str, Any]) -> str:
    return f"{params['job']}#{params['run']}"


def generate_item(ctx: AppContext, key: str, params: dict[str, Any]) -> dict[str, Any]:
    """One product of a catalog job: its drafts under this job's tag, written once."""
    from shopops.copy.compliance import load_rules
    from shopops.copy.facts import facts_from_product, get_product
    from shopops.copy.service import generate_copy, save_drafts, task_name
    from shopops.copy.voice import get_voice

    kind, tag, variants = CopyKind(params["kind"]), _tag(params), int(params["variants"])
    request = CopyRequest(product=key, kind=kind, language=params["language"], variants=variants)
    with ctx.db.session() as session:
        product = get_product(session, key)
        product_id = product.id
        mine: list[Draft] = []
        for draft in session.scalars(
            select(Draft)
            .where(Draft.kind == task_name(kind), Draft.subject_type == "product")
            .where(Draft.subject_id == str(product_id))
            .order_by(Draft.id)
        ).all():
            job_tag = str((draft.content or {}).get("job") or "")
            if job_tag == tag:
                mine.append(draft)
            elif job_tag.startswith(f"{params['job']}#") and draft.status == "draft":
                session.delete(draft)  # unreviewed, from a run of this job that --restart replaced
        if len(mine) == variants:  # written by an attempt that died before its checkpoint
            return _item_result(product_id, [d.id for d in mine], [d.checks or {} for d in mine], reused=True)
        for draft in mine:  # drafts are saved all variants at once, so this is defensive only
            session.delete(draft)
        facts = facts_from_product(product)
        voice = get_voice(session, request.voice)
        rules = load_rules(session)
    # No session is held while the model writes (generations take seconds).
    results = generate_copy(
        ctx.llm,
        facts,
        request,
        voice=voice,
        rules=rules,
        max_regenerations=ctx.settings.copy_max_regenerations,
        max_tokens=params.get("max_tokens"),
    )
    with ctx.db.session() as session:
        save_drafts(session, product_id, request, results)
        for result in results:
            draft = session.get(Draft, result.draft_id)
            if draft is not None:
                draft.content = {**(draft.content or {}), "job": tag}
    return _item_result(
        product_id,
        [r.draft_id for r in results if r.draft_id is not None],
        [r.checks.as_json() for r in results],
        reused=False,
    )


def _item_result(
    product_id: int, draft_ids: list[int], checks: list[dict[str, Any]], *, reused: bool
) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "draft_ids": draft_ids,
        "blocking": sum(1 for c in checks if c.get("blocking")),
        "regenerations": sum(int(c.get("regenerations", 0)) for c in checks),
        "reused": reused,
    }


def _generate_work(ctx: AppContext, params: dict[str, Any]) -> WorkFn:
    for name in ("kind", "language", "variants", "job", "run"):
        if name not in params:
            raise JobError(f"a {JOB_KIND} job needs the param {name!r}; this one has {sorted(params)}")
    return lambda key: generate_item(ctx, key, params)


def _current_keys(ctx: AppContext, params: dict[str, Any]) -> list[str]:
    """Products the job's selector matches now (a resumed job picks up new products)."""
    return select_products(ctx, ProductSelector.model_validate(params.get("selector") or {}))


GENERATE_JOB = JobKind(
    JOB_KIND,
    _generate_work,
    keys=_current_keys,
    description="checked copy drafts (one kind, one language) for a selection of products",
)


def default_job_name(kind: CopyKind | str, language: str, selector: ProductSelector) -> str:
    return f"copy-{CopyKind(kind).value}-{language}-{selector.label()}"


def _stored_run(ctx: AppContext, name: str) -> str | None:
    with ctx.db.session() as session:
        params = session.scalar(select(Job.params).where(Job.name == name))
    return (params or {}).get("run") if isinstance(params, dict) else None


def choose_executor(
    ctx: AppContext, executor: Executor | str | None, parallel: int | None
) -> tuple[Executor, bool]:
    """The executor for a catalog job, and whether it needs :class:`PortableWork`."""
    if executor is not None and not isinstance(executor, str):
        from shopops.jobs.ray_executor import RayExecutor

        return executor, isinstance(executor, RayExecutor)
    if executor == "ray" or (executor is None and ctx.settings.ray_address):
        from shopops.jobs.ray_executor import RayExecutor

        return RayExecutor.from_settings(ctx.settings), True
    if executor not in (None, "local", "threads"):
        raise InputError(f"unknown executor {executor!r}", hint="use local or ray")
    workers = parallel or ctx.settings.llm_parallel
    if workers > 1:
        from shopops.jobs.thread_executor import ThreadExecutor

        return ThreadExecutor(workers), False
    return LocalExecutor(), False


def generate_catalog(
    ctx: AppContext,
    *,
    kind: CopyKind | str = CopyKind.DESCRIPTION,
    language: Language | str = "en",
    filter: ProductSelector | None = None,
    variants: int = 1,
    job_name: str | None = None,
    restart: bool = False,
    executor: Executor | str | None = None,
    parallel: int | None = None,
    max_tokens: int | None = None,
    progress: bool = True,
    console: Console | None = None,
) -> JobSummary:
    """Write copy drafts for every selected product as the resumable job ``job_name``.

    ``executor``: an :class:`Executor`, ``"local"``, ``"ray"`` or ``None`` (Ray when
    ``settings.ray_address`` is set, else threads when ``parallel`` — default
    ``settings.llm_parallel`` — is above 1, else one at a time). The local model gets as many
    slots as ``settings.llm_parallel`` says when it loads: give a context whose settings carry the
    same number (the CLI does). Running the same job name again resumes it; different kind,
    language, variants or selection under one name is refused unless ``restart``.
    """
    selector = filter or ProductSelector()
    request = CopyRequest(product="-", kind=CopyKind(kind), language=language, variants=variants)  # type: ignore[arg-type]
    name = job_name or default_job_name(request.kind, request.language, selector)
    keys = select_products(ctx, selector)
    if not keys:
        raise InputError(
            "no product matches the selection", hint="check the filter, or import products first"
        )
    run = (None if restart else _stored_run(ctx, name)) or uuid.uuid4().hex[:12]
    params: dict[str, Any] = {
        "kind": request.kind.value,
        "language": request.language,
        "variants": request.variants,
        "selector": selector.model_dump(mode="json"),
        "job": name,
        "run": run,
    }
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    chosen, portable = choose_executor(ctx, executor, parallel)
    if portable:
        from shopops.jobs.ray_executor import PortableWork

        work: WorkFn = PortableWork(ctx.settings, JOB_KIND, params)
    else:
        # Build the shared resources here, in one thread: they are created lazily on first use.
        _ = ctx.db, ctx.llm
        work = _generate_work(ctx, params)
    return run_job(
        ctx.db,
        name,
        JOB_KIND,
        keys,
        work,
        params=params,
        progress=progress,
        executor=chosen,
        restart=restart,
        console=console,
    )
