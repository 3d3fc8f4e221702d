"""``shopops demo``: load the demo store and run the main job; write the demo files elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.config import redact_url
from shopops.demo.workspace import WorkspaceSeed

if TYPE_CHECKING:
    from shopops.demo.reports_demo import ReportsDemo
    from shopops.demo.reviews_demo import ReviewDemo
    from shopops.demo.search_demo import SearchDemo

app = typer.Typer(help="The demo store and the end-to-end demo job.", no_args_is_help=True)


@app.command("run")
def run(
    ctx: typer.Context,
    limit: int = typer.Option(8, "--limit", min=1, help="how many demo products get a summary draft"),
    max_tokens: int = typer.Option(200, "--max-tokens", min=32, max=2048, help="per generation"),
    restart: bool = typer.Option(
        False, "--restart", help="redo every product, discarding the job's progress"
    ),
    load: bool = typer.Option(True, "--load/--no-load", help="import the demo store first (idempotent)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Load the demo store, then draft a grounded summary of each demo product with the model."""
    from shopops.demo.run import run_demo

    app_ctx = get_ctx(ctx)
    console.print(f"[bold]shopops demo[/]: Lumen & Leaf, with {app_ctx.settings.llm_backend} LLM backend")
    result = run_demo(
        app_ctx, limit=limit, max_tokens=max_tokens, restart=restart, load=load, progress=not quiet
    )

    url = redact_url(result.database_url)
    where = url.split("///", 1)[1] if url.startswith("sqlite") and "///" in url else url
    console.print(f"\ndatabase: {where}", highlight=False)
    if result.imports:
        console.print(
            "loaded: "
            + ", ".join(f"{r.kind} {r.created} new/{r.updated} updated" for r in result.imports)
            + f" ({result.load_seconds:.1f}s)",
            highlight=False,
        )
    counts = Table("entity", "rows", title="what the store holds")
    for label, count in result.counts.items():
        counts.add_row(label, str(count))
    console.print(counts)

    drafts = Table(title=f"drafts of job {result.job.name}", show_lines=True)
    drafts.add_column("product", ratio=2)
    drafts.add_column("summary draft", ratio=3, overflow="fold")
    for handle, title, summary in result.drafts:
        drafts.add_row(f"{title}\n[dim]{handle}[/]", summary)
    console.print(drafts)

    job = result.job
    rate = ""
    if result.completion_tokens and job.seconds:
        tokens = result.completion_tokens
        rate = f", {tokens} tokens generated ({tokens / job.seconds:.1f} tok/s)"
    console.print(
        f"job {job.name}: {job.status}, {job.done}/{job.total} done ({job.processed} now, "
        f"{job.skipped} already done), {job.failed} failed, {job.seconds:.1f}s{rate}",
        highlight=False,
    )
    for key, error in job.errors:
        console.print(f"  failed {key}: {error}", highlight=False, markup=False)
    if result.support:
        replies = Table(title="support: the demo tickets, through the support pipeline", show_lines=True)
        replies.add_column("ticket", ratio=2)
        replies.add_column("outcome", ratio=3, overflow="fold")
        for subject, outcome in result.support:
            reason = f" ({outcome.handoff.reason})" if outcome.handoff else ""
            cited = ", ".join(c.passage_id for c in outcome.citations)
            replies.add_row(
                f"#{outcome.ticket_id} {subject}",
                f"[bold]{outcome.decision}{reason}[/], confidence {outcome.confidence:.2f}\n"
                + escape(outcome.text)
                + (f"\n[dim]cites {escape(cited)}[/]" if cited else ""),
            )
        console.print(replies)
    if result.reviews is not None:
        _print_reviews(result.reviews)
    if result.search is not None:
        _print_search(result.search)
    if result.reports is not None:
        _print_reports(result.reports)
    console.print(f"total time: {result.seconds:.1f}s\n")
    console.print("[bold]next, try:[/]")
    for line in (
        "shopops db status                       # row counts and schema revision",
        f"shopops jobs show {job.name}",
        "shopops demo run --limit 24            # summaries of every demo product (resumes this job)",
        'shopops llm chat "Write a tagline for a bamboo cutting board"',
        "shopops import products my-shopify-export.csv",
    ):
        console.print(f"  {line}", highlight=False, markup=False)
    _print_workspace(result.workspace)
    if job.status != "done":
        console.print(f"some products failed; retry them with: shopops jobs resume {job.name}")
        raise typer.Exit(1)


def _print_reviews(demo: ReviewDemo) -> None:
    """The review step: what was read, the counted summary, alerts and reply drafts."""
    a = demo.analysis
    console.print(
        f"\n[bold]reviews[/]: {a.analyzed} analysed, {a.unchanged} unchanged ({a.method}, "
        f"{a.reviews_per_second:.0f} reviews/s)",
        highlight=False,
    )
    for statement in demo.summary.statements[:6]:
        console.print(f"  • {escape(statement.text)}", highlight=False)
    for alert in demo.alerts:
        console.print(f"  alert #{alert.id} [{alert.severity}] {escape(alert.title)}", highlight=False)
    if not demo.alerts:
        console.print("  no negative aspect rose beyond normal variation", highlight=False)
    for reply in demo.replies:
        console.print(
            f"  reply draft #{reply.draft_id} to review {reply.review_id} "
            f"{escape(f'[{reply.language}]')}: {escape(reply.text)}",
            highlight=False,
        )
    run = demo.forecast
    if run is not None:
        models = ", ".join(f"{name} {count}" for name, count in sorted(run.models_chosen.items()))
        console.print(
            f"[bold]forecasts[/]: {len(run.series)} SKUs, {run.freq} buckets, horizon {run.horizon} "
            f"({models}; {run.seconds:.1f} s), {len(run.alert_ids)} stock/sales alerts open "
            "(see /forecasts and /alerts; draft a response with `shopops plan draft ID`)",
            highlight=False,
        )


def _print_search(demo: SearchDemo) -> None:
    """The search step: the index sync, each demo query's best hits, one product's panels."""
    index = demo.index
    console.print(
        f"\n[bold]search[/]: {index.products} products indexed ({index.indexed} embedded now, "
        f"{index.seconds:.1f} s, {index.embed_model})",
        highlight=False,
    )
    for result in demo.searches:
        fixed = "".join(f" [{typed}→{word}]" for typed, word in result.corrections.items())
        titles = "; ".join(hit.title for hit in result.hits)
        console.print(
            f"  {escape(result.query)!r}{escape(fixed)} ({result.took_ms:.0f} ms): {escape(titles)}",
            highlight=False,
        )
    recs = demo.recommendations
    if recs is not None:
        console.print(f"  recommendations for {escape(recs.title)}:", highlight=False)
        for item in [*recs.similar[:2], *recs.complementary[:2]]:
            console.print(f"    {escape(item.title)}: {escape(item.reason)}", highlight=False)
        if recs.alternatives is not None and recs.alternatives.items:
            item = recs.alternatives.items[0]
            console.print(f"    {escape(item.title)}: {escape(item.reason)}", highlight=False)
    console.print(
        '  try: shopops search "gift for a tea lover" --max-price 60; shopops recommend ID',
        highlight=False,
    )


def _print_reports(demo: ReportsDemo) -> None:
    """The reports step: the weekly report's files and checked narrative, answers, briefings."""
    report = demo.report
    narrative = report.narrative
    console.print(
        f"\n[bold]weekly report[/] {report.facts.period.label}: {len(narrative.sentences)} narrative "
        f"sentences ({narrative.source}; {narrative.numbers_checked} numbers checked, "
        f"{len(narrative.removed)} removed)",
        highlight=False,
    )
    for sentence in narrative.sentences[:4]:
        console.print(f"  • {escape(sentence)}", highlight=False)
    for fmt, path in demo.files.items():
        console.print(f"  {fmt}: {path}", highlight=False, soft_wrap=True)
    for answer in demo.answers:
        console.print(f"  ask {escape(answer.question)!r}: {escape(answer.message)}", highlight=False)
    for briefing in demo.briefings:
        waiting = ", ".join(f"{item.title} {item.count}" for item in briefing.items if item.count)
        console.print(f"  briefing {briefing.role}: {escape(waiting) or 'nothing waiting'}", highlight=False)
    console.print(
        '  try: shopops report monthly --pdf month.pdf; shopops ask "revenue by month this year"',
        highlight=False,
    )


def _print_workspace(seed: WorkspaceSeed | None) -> None:
    """Where to look next: the web UI, and who to sign in as."""
    from shopops.demo.workspace import email_for

    console.print(
        "\n[bold]the team workspace[/]: start it with [bold]make serve[/] "
        "(or `.venv/bin/shopops serve`), then open [bold]http://127.0.0.1:8000/[/]"
    )
    if seed is not None and seed.teams:
        console.print(
            f"  seeded {seed.teams} support teams and {seed.tickets} tickets ({seed.escalated} escalated)"
        )
    console.print(
        f"  sign in as {email_for('owner')} (owner), {email_for('manager')}, "
        f"{email_for('writer')} (operator), {email_for('agent')} (agent) or {email_for('analyst')}",
        highlight=False,
    )
    if seed is not None and seed.password:
        console.print(
            f"  demo password (shown once, stored only as a hash): [bold]{seed.password}[/]", highlight=False
        )
    elif seed is not None and seed.accounts:
        console.print("  password: the value of SHOPOPS_DEMO_PASSWORD", highlight=False)
    else:
        console.print(
            "  the demo accounts already existed; forgot the password? "
            f"`shopops users password {email_for('owner')}`",
            highlight=False,
        )


@app.command("generate")
def generate(
    out: Path = typer.Argument(..., help="directory to write the demo store files into"),
    seed: int | None = typer.Option(None, "--seed", help="another seed gives another store (same shape)"),
) -> None:
    """Write the demo store's CSV, Markdown and JSON files: examples of every import format."""
    from shopops.demo.generate import DEFAULT_SEED, generate_store

    written = generate_store(out, DEFAULT_SEED if seed is None else seed)
    for path in written:
        console.print(f"wrote {path}", highlight=False)
