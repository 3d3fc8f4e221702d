"""Copy throughput: descriptions per minute, one product at a time vs the batch path, in one run.

Issue 4's acceptance: for 50 products, the batch path (``generate_catalog``: a catalog job whose
products run ``--parallel`` at a time on a local model with that many llama.cpp slots) writes
descriptions at least 1.3x as fast as one at a time (``write_copy`` per product, the default
one-slot model: what ``shopops copy write`` does in a loop).

The 50 products: the 24 products of the generated demo store (Lumen & Leaf), then 26 more made
from them in turn, each with a new handle and " (Edition 2)" (or 3) after the title, so all 50
prompts differ. Both paths write the same kind and language for the same products with the same
prompts, ``max_tokens`` fixed for both (200: at 120 the 0.5B model's JSON is often cut off and
re-asked) and the same number of checker regenerations (0 by default: the figure compares
generation throughput; regenerations depend on what each output says). A product whose output
never validates counts as failed in both paths. Each path gets its own temporary SQLite store and
its own model instance, loaded and warmed with one request before its clock starts.

    .venv/bin/python bench/copy_throughput.py [--n 50] [--parallel 4] [--max-tokens 120]
        [--regenerations 0] [--model qwen2.5-coder-0.5b] [--json]

Reports descriptions/minute and completion tokens/s of both paths and their ratio. Exit status 0
when the batch path reaches 1.3x, 1 otherwise. On 2 CPU cores each path takes a few minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shopops.config import Settings, default_data_dir
from shopops.context import AppContext
from shopops.copy.batch import ProductSelector, generate_catalog
from shopops.copy.service import write_copy
from shopops.copy.types import CopyKind, CopyRequest
from shopops.errors import ShopopsError
from shopops.llm.base import ChatRequest, Message
from shopops.store.models import Draft, GenerationLog, Product, ProductVariant

TARGET = 1.3


def build_store(ctx: AppContext, n: int) -> list[str]:
    """The demo store's products, plus second editions of the first ones up to ``n``; their ids."""
    from shopops.demo.generate import DATA_DIR
    from shopops.ingest import import_file

    import_file(ctx.db, "products", DATA_DIR / "products.csv")
    with ctx.db.session() as session:
        originals = session.scalars(
            select(Product).order_by(Product.id).options(selectinload(Product.variants))
        ).all()
        for i in range(max(0, n - len(originals))):
            source, edition = originals[i % len(originals)], 2 + i // len(originals)
            copy = Product(
                handle=f"{source.handle}-edition-{edition}",
                title=f"{source.title} (Edition {edition})",
                **{
                    name: getattr(source, name)
                    for name in ("description", "vendor", "product_type", "category", "tags")
                },
                option_names=list(source.option_names),
                attributes=dict(source.attributes),
                status=source.status,
                language=source.language,
            )
            copy.variants = [
                ProductVariant(
                    variant_key=f"{v.variant_key}-e{edition}",
                    sku=f"{v.sku}-E{edition}" if v.sku else "",
                    title=v.title,
                    option_values=list(v.option_values),
                    price=v.price,
                    compare_at_price=v.compare_at_price,
                    position=v.position,
                )
                for v in source.variants
            ]
            session.add(copy)
    with ctx.db.session() as session:
        return [str(pid) for pid in session.scalars(select(Product.id).order_by(Product.id))][:n]


def make_context(args: argparse.Namespace, directory: Path, parallel: int) -> AppContext:
    settings = Settings(
        data_dir=args.data_dir,
        database_url=f"sqlite:///{directory / 'bench.db'}",
        llm_backend=args.backend,
        local_model=args.model,
        embed_backend="hash",
        llm_parallel=parallel,
        llm_context=args.context,
        copy_max_regenerations=args.regenerations,
    )
    ctx = AppContext(settings)
    # Load and warm the model outside the timed part (the same for both paths).
    ctx.llm.complete(ChatRequest((Message("user", "Say OK."),), max_tokens=4, task="bench.warmup"))
    return ctx


def generated(ctx: AppContext) -> tuple[int, int]:
    """(generations, completion tokens) logged for copy, excluding the warm-up."""
    with ctx.db.session() as session:
        row = session.execute(
            select(func.count(), func.coalesce(func.sum(GenerationLog.completion_tokens), 0)).where(
                GenerationLog.task.like("copy.%")
            )
        ).one()
    return int(row[0]), int(row[1])


def blocked(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return sum(1 for checks in session.scalars(select(Draft.checks)) if (checks or {}).get("blocking"))


def run_sequential(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    ctx = make_context(args, directory, parallel=1)
    try:
        keys = build_store(ctx, args.n)
        started = time.perf_counter()
        failed = 0
        for key in keys:
            try:
                write_copy(
                    ctx, CopyRequest(product=key, kind=CopyKind.DESCRIPTION), max_tokens=args.max_tokens
                )
            except ShopopsError:  # as in the job: a product whose output never validated fails alone
                failed += 1
        seconds = time.perf_counter() - started
        return summarise("one at a time", len(keys) - failed, seconds, ctx, failed)
    finally:
        ctx.close()


def run_batch(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    ctx = make_context(args, directory, parallel=args.parallel)
    try:
        build_store(ctx, args.n)
        started = time.perf_counter()
        summary = generate_catalog(
            ctx,
            kind=CopyKind.DESCRIPTION,
            language="en",
            filter=ProductSelector(),
            parallel=args.parallel,
            max_tokens=args.max_tokens,
            progress=not args.json,
        )
        seconds = time.perf_counter() - started
        return summarise(f"batch ({args.parallel} slots)", summary.done, seconds, ctx, summary.failed)
    finally:
        ctx.close()


def summarise(path: str, n: int, seconds: float, ctx: AppContext, failed: int) -> dict[str, Any]:
    """Descriptions per minute counts the products that got a description (failures excluded)."""
    generations, tokens = generated(ctx)
    return {
        "path": path,
        "descriptions": n,
        "failed": failed,
        "seconds": round(seconds, 1),
        "per_minute": round(60 * n / seconds, 2),
        "generations": generations,
        "completion_tokens": tokens,
        "tokens_per_second": round(tokens / seconds, 1),
        "blocked_drafts": blocked(ctx),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=50, help="products")
    parser.add_argument("--parallel", type=int, default=4, help="batch path: products at once = model slots")
    parser.add_argument("--max-tokens", type=int, default=200, help="fixed for both paths")
    parser.add_argument("--regenerations", type=int, default=0, help="checker regenerations, both paths")
    parser.add_argument("--context", type=int, default=2048, help="context per slot")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--backend", default="local", help="local (the acceptance figure) or fake")
    parser.add_argument("--data-dir", type=Path, default=default_data_dir(), help="model cache")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shopops-bench-") as tmp:
        (Path(tmp) / "seq").mkdir()
        (Path(tmp) / "batch").mkdir()
        sequential = run_sequential(args, Path(tmp) / "seq")
        batch = run_batch(args, Path(tmp) / "batch")
    ratio = batch["per_minute"] / sequential["per_minute"]
    result = {
        "model": args.model,
        "max_tokens": args.max_tokens,
        "regenerations": args.regenerations,
        "sequential": sequential,
        "batch": batch,
        "speedup": round(ratio, 3),
        "target": TARGET,
        "ok": ratio >= TARGET,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for row in (sequential, batch):
            print(
                f"{row['path']:<20} {row['descriptions']} descriptions in {row['seconds']:>6.1f}s: "
                f"{row['per_minute']:6.2f}/min, {row['tokens_per_second']:5.1f} tok/s "
                f"({row['generations']} generations, {row['failed']} failed, {row['blocked_drafts']} blocked)"
            )
        print(f"speedup {ratio:.2f}x (target {TARGET}x): {'ok' if ratio >= TARGET else 'NOT reached'}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
