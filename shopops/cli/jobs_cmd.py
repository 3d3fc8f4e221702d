"""``shopops jobs``: list, inspect and resume the store's batch jobs."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.jobs import DEFAULT_MAX_ATTEMPTS, JobSummary, get_job, job_items, list_jobs, resume_job

app = typer.Typer(help="Resumable batch jobs.", no_args_is_help=True)

STATUS_STYLE = {"done": "green", "failed": "red", "interrupted": "yellow", "running": "cyan"}


def _styled(status: str) -> str:
    style = STATUS_STYLE.get(status)
    return f"[{style}]{status}[/]" if style else status


def _when(value: object, width: int = 19) -> str:
    return "" if value is None else str(value)[:width]


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """Every job in the store, most recently updated first."""
    jobs = list_jobs(get_ctx(ctx).db)
    if as_json:
        typer.echo(json.dumps([job.__dict__ for job in jobs], indent=2, default=str))
        return
    if not jobs:
        console.print("no jobs yet")
        return
    table = Table(title="jobs")
    table.add_column("name", overflow="fold", min_width=16)
    for column in ("kind", "status", "done", "failed", "updated"):
        table.add_column(column)
    for job in jobs:
        table.add_row(
            job.name,
            job.kind,
            _styled(job.status),
            f"{job.done}/{job.total}",
            str(job.failed),
            _when(job.updated_at, 16),
        )
    console.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="job name"),
    items: int = typer.Option(20, "--items", help="how many failed and pending items to list"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable"),
) -> None:
    """A job's status, params, counts, and its failed and pending items."""
    db = get_ctx(ctx).db
    job = get_job(db, name)
    failed = job_items(db, name, status="failed", limit=items)
    pending = job_items(db, name, status="pending", limit=items)
    if as_json:
        payload = {**job.__dict__, "failed_items": [i.__dict__ for i in failed]}
        payload["pending_items"] = [i.key for i in pending]
        typer.echo(json.dumps(payload, indent=2, default=str))
        return
    console.print(f"[bold]{job.name}[/]  kind {job.kind}  status {_styled(job.status)}")
    console.print(f"params   {json.dumps(job.params, sort_keys=True)}", highlight=False)
    console.print(f"items    {job.done}/{job.total} done, {job.failed} failed, {job.pending} pending")
    console.print(f"created  {_when(job.created_at)}   updated {_when(job.updated_at)}")
    if job.error:
        console.print(f"error    {job.error}", highlight=False, markup=False)
    if failed:
        table = Table("key", "attempts", "error", title=f"failed items (first {items})")
        for item in failed:
            table.add_row(item.key, str(item.attempts), item.error)
        console.print(table)
    if pending:
        more = " ..." if job.pending > items else ""
        console.print("pending: " + ", ".join(i.key for i in pending) + more)
    if job.status != "done":
        console.print(f"continue with: shopops jobs resume {job.name}")


def print_summary(summary: JobSummary) -> None:
    """One line for a run of a job, then its errors; shared by commands that run jobs."""
    console.print(
        f"job {summary.name}: {_styled(summary.status)}; {summary.done}/{summary.total} done "
        f"({summary.processed} processed now, {summary.skipped} already done), {summary.failed} failed, "
        f"{summary.seconds:.1f}s"
    )
    for key, error in summary.errors:
        console.print(f"  failed {key}: {error}", highlight=False, markup=False)
    if summary.failed:
        console.print(f"retry the failed items with: shopops jobs resume {summary.name}")


@app.command("resume")
def resume(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="job name"),
    max_attempts: int = typer.Option(
        DEFAULT_MAX_ATTEMPTS, "--max-attempts", min=1, help="retry failed items until this many attempts"
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Continue a job where it stopped: done items are kept, failed ones retried, new ones added."""
    summary = resume_job(get_ctx(ctx), name, progress=not quiet, max_attempts=max_attempts)
    print_summary(summary)
    if summary.status != "done":
        raise typer.Exit(1)
