"""``shopops reviews``: analyse reviews, summarise them with counts, watch trends, draft replies.

Thin over :mod:`shopops.reviews.service`, :mod:`shopops.reviews.insights` and
:mod:`shopops.reviews.replies`. Every command takes ``--json`` for scripts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from shopops.cli.common import console, err_console, get_ctx
from shopops.cli.drafts_cmd import AS_OPTION, default_actor
from shopops.errors import InputError
from shopops.evals.progress import progress_bar

app = typer.Typer(
    help="Review intelligence: sentiment, aspects, summaries, trends, replies.", no_args_is_help=True
)
taxonomy_app = typer.Typer(
    help="The aspect names per product category (merchant-editable).", no_args_is_help=True
)
app.add_typer(taxonomy_app, name="taxonomy")
PRODUCT = typer.Option(None, "--product", min=1, help="one product's reviews (its id)")
CATEGORY = typer.Option(None, "--category", help="one product category's reviews")
JSON = typer.Option(False, "--json", help="print JSON")


def _print_json(value: Any) -> None:
    console.print_json(json.dumps(value, ensure_ascii=False, default=str))


@app.command("analyze")
def analyze(
    ctx: typer.Context,
    product: int | None = PRODUCT,
    category: str | None = CATEGORY,
    method: str | None = typer.Option(None, "--method", help="fast (default setting) | llm"),
    force: bool = typer.Option(False, "--force", help="read every review again, changed or not"),
    json_output: bool = JSON,
) -> None:
    """Read sentiment and aspects of every review that changed since it was last read."""
    from shopops.reviews.service import analyze_reviews

    if method not in (None, "fast", "llm"):
        raise InputError(f"unknown method {method!r}", hint="use fast or llm")
    app_ctx = get_ctx(ctx)
    with progress_bar(err_console, "analysing reviews", not json_output) as bar:
        task = bar.add_task("reviews", total=None)

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = analyze_reviews(
            app_ctx,
            product_id=product,
            category=category,
            method=method,
            force=force,
            on_progress=on_progress,
        )
    if json_output:
        _print_json({**report.__dict__, "reviews_per_second": round(report.reviews_per_second, 1)})
        return
    console.print(
        f"{report.analyzed} reviews analysed, {report.unchanged} unchanged, {report.total} in scope "
        f"({report.method}, {report.seconds:.1f} s, {report.reviews_per_second:.0f} reviews/s)",
        highlight=False,
    )


@app.command("summary")
def summary(
    ctx: typer.Context,
    product_id: int | None = typer.Argument(None, min=1, help="the product's id (omit for the store)"),
    category: str | None = CATEGORY,
    lang: str = typer.Option("en", "--lang", help="en | zh"),
    top: int = typer.Option(5, "--top", min=1, max=20, help="complaints and praises to rank"),
    narrative: bool = typer.Option(False, "--narrative", help="add the model's checked narrative"),
    json_output: bool = JSON,
) -> None:
    """Counts and shares of sentiment and aspects, ranked complaints and praises, quotes by review id."""
    from shopops.reviews.insights import review_summary

    result, text = review_summary(
        get_ctx(ctx), product_id=product_id, category=category, language=lang, top_n=top, narrative=narrative
    )
    if json_output:
        _print_json({**result.model_dump(mode="json"), "narrative": text})
        return
    if not result.total_reviews:
        console.print("no analysed reviews in scope (run `shopops reviews analyze` first)")
        return
    for statement in result.statements:
        console.print(f"• {escape(statement.text)}", highlight=False)
    for heading, ranked in (("complaints", result.top_complained), ("praise", result.top_praised)):
        if not ranked:
            continue
        table = Table(title=heading)
        for column in ("#", "aspect", "reviews", "share", "quotes (review id: excerpt)"):
            table.add_column(column)
        for r in ranked:
            quotes = "\n".join(f"{q.review_id}: {q.excerpt}" for q in r.quotes)
            table.add_row(
                str(r.rank),
                escape(r.aspect),
                f"{r.count} of {r.of_reviews.denominator}",
                r.of_reviews.label,
                escape(quotes),
            )
        console.print(table)
    if text:
        console.print(f"\n[bold]narrative[/] (checked against the counts)\n{escape(text)}", highlight=False)


@app.command("trends")
def trends(
    ctx: typer.Context,
    product: int | None = PRODUCT,
    category: str | None = CATEGORY,
    weeks: int = typer.Option(12, "--weeks", min=1, max=520),
    json_output: bool = JSON,
) -> None:
    """Weekly review counts, sentiment shares and negative-aspect shares."""
    from shopops.reviews.insights import review_trends

    result = review_trends(get_ctx(ctx), product_id=product, category=category, weeks=weeks)
    if json_output:
        _print_json(result.model_dump(mode="json"))
        return
    table = Table(title="reviews per week")
    for column in ("week", "reviews", "positive", "negative", "top negative aspects"):
        table.add_column(column)
    for week in result.weeks:
        negative = sorted(week.negative.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        table.add_row(
            week.iso_week,
            str(week.reviews),
            str(week.sentiment.get("positive", 0)),
            str(week.sentiment.get("negative", 0)),
            ", ".join(f"{escape(a)} {n}" for a, n in negative if n),
        )
    console.print(table)


@app.command("alerts")
def alerts(ctx: typer.Context, actor: str | None = AS_OPTION, json_output: bool = JSON) -> None:
    """Test every negative aspect for a rise beyond normal variation; raise alerts for those that rose."""
    from shopops.reviews.insights import detect_review_alerts

    views = detect_review_alerts(get_ctx(ctx), actor=default_actor(actor))
    if json_output:
        _print_json([v.model_dump(mode="json") for v in views])
        return
    if not views:
        console.print("no negative aspect rose beyond normal variation")
        return
    for v in views:
        console.print(f"#{v.id} [{v.severity}] {escape(v.title)}", highlight=False)
    console.print("work them off with `shopops alerts list | ack | resolve`")


@app.command("profiles")
def profiles(ctx: typer.Context, json_output: bool = JSON) -> None:
    """RFM customer segments from orders, with what each segment praises and complains about."""
    from shopops.reviews.insights import customer_profiles

    segments = customer_profiles(get_ctx(ctx))
    if json_output:
        _print_json([s.model_dump(mode="json") for s in segments])
        return
    if not segments:
        console.print("no orders with customers: nothing to segment")
        return
    table = Table(title="customer segments")
    for column in ("segment", "customers", "reviews", "positive", "praise", "complaints"):
        table.add_column(column)
    for s in segments:
        table.add_row(
            escape(s.segment),
            str(s.customers),
            str(s.reviews),
            s.sentiment["positive"].label if "positive" in s.sentiment else "-",
            ", ".join(f"{escape(a.aspect)} {a.count}" for a in s.top_praised),
            ", ".join(f"{escape(a.aspect)} {a.count}" for a in s.top_complained),
        )
    console.print(table)


@app.command("reply")
def reply(
    ctx: typer.Context,
    product: int | None = PRODUCT,
    limit: int = typer.Option(10, "--limit", min=1, max=500, help="replies to draft at most"),
    actor: str | None = AS_OPTION,
    json_output: bool = JSON,
) -> None:
    """Draft replies to negative reviews (newest first) into the review queue, in the reviewer's language."""
    from shopops.reviews.replies import draft_replies
    from shopops.reviews.service import load_analyzed

    app_ctx = get_ctx(ctx)
    drafts = draft_replies(
        app_ctx, load_analyzed(app_ctx, product_id=product), actor=default_actor(actor), limit=limit
    )
    if json_output:
        _print_json([{**d.__dict__, "flags": [f.model_dump() for f in d.flags]} for d in drafts])
        return
    if not drafts:
        console.print("no negative review without a reply draft")
        return
    for d in drafts:
        note = " (fixed reply: the model's wording failed its checks)" if d.replaced else ""
        console.print(
            f"draft #{d.draft_id} for review {d.review_id} {escape(f'[{d.language}]')}{note}", highlight=False
        )
        console.print(f"  {escape(d.text)}", highlight=False)


@taxonomy_app.command("show")
def taxonomy_show(
    ctx: typer.Context,
    category: str = typer.Argument("", help="product category ('' = the store-wide default)"),
    json_output: bool = JSON,
) -> None:
    """The aspects and the words that name them, for one category."""
    from shopops.reviews.taxonomy import load_taxonomy

    with get_ctx(ctx).db.session() as session:
        taxonomy = load_taxonomy(session, category)
    aspects = taxonomy.as_dict()
    if json_output:
        _print_json(aspects)
        return
    for aspect, terms in aspects.items():
        console.print(f"[bold]{escape(aspect)}[/]: {escape(', '.join(terms))}", highlight=False)


@taxonomy_app.command("set")
def taxonomy_set(
    ctx: typer.Context,
    category: str = typer.Argument(..., help="product category ('' = the store-wide default)"),
    file: Path = typer.Option(
        ..., "--file", exists=True, dir_okay=False, help='JSON: {"aspect": ["term", ...]}'
    ),
    actor: str | None = AS_OPTION,
) -> None:
    """Replace a category's aspects from a JSON file; re-run `reviews analyze --force` to apply."""
    from shopops.reviews.taxonomy import save_taxonomy

    try:
        aspects = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{file}: not valid JSON ({exc})", hint='write {"aspect": ["term", ...]}') from exc
    taxonomy = save_taxonomy(get_ctx(ctx).db, category, aspects, actor=default_actor(actor))
    console.print(f"saved {len(taxonomy.as_dict())} aspects for category {category!r}", highlight=False)
