"""``shopops drafts``: the review queue — list, show, edit, approve and reject drafts.

Thin over :mod:`shopops.workflow.drafts`. The actor recorded in the audit log is ``--as EMAIL``
when given, else ``cli:<login name>``.
"""

from __future__ import annotations

import getpass
import json

import typer
from rich.markup import escape
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.cli.copy_cmd import flag_line
from shopops.workflow.drafts import (
    DraftView,
    approve_draft,
    edit_draft,
    get_draft,
    list_drafts,
    reject_draft,
)

app = typer.Typer(help="The review queue: every AI output is a draft until approved.", no_args_is_help=True)

STATUS_STYLE = {"draft": "cyan", "approved": "green", "rejected": "red"}
AS_OPTION = typer.Option(None, "--as", help="who is acting (a user's email); default cli:<login>")


def default_actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (some containers)
        return "cli"


def _json(view: DraftView) -> str:
    return json.dumps(view.model_dump(mode="json"), indent=2, ensure_ascii=False)


def _preview(view: DraftView, width: int = 70) -> str:
    text = str(view.content.get("text") or view.content.get("summary") or "")
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_draft(view: DraftView) -> None:
    style = STATUS_STYLE.get(view.status, "white")
    console.print(
        f"[bold]draft #{view.id}[/] {escape(view.kind)} · {view.subject_type} {escape(view.subject_id)} · "
        f"[{style}]{view.status}[/] · by {escape(view.author)}",
        highlight=False,
    )
    language = view.content.get("language")
    if language:
        console.print(f"language {language}  variant {view.content.get('variant', 0)}", highlight=False)
    text = view.content.get("text")
    if text is None:  # drafts of other capabilities: show what they hold
        text = json.dumps(
            {k: v for k, v in view.content.items() if k != "request"}, indent=2, ensure_ascii=False
        )
    console.print()
    console.print(str(text), markup=False, highlight=False)
    console.print()
    for flag in view.flags:
        console.print(flag_line(flag), highlight=False)
    if view.checks and not view.flags:
        console.print("  [green]checks passed[/]")
    if view.review_note:
        console.print(f"review note: {escape(view.review_note)}", highlight=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", help="kind prefix, e.g. copy. or copy.title"),
    status: str | None = typer.Option(None, "--status", help="draft, approved or rejected"),
    subject: str | None = typer.Option(None, "--subject", help="subject id, e.g. a product id"),
    limit: int = typer.Option(50, "--limit", help="at most this many (1-200)"),
    offset: int = typer.Option(0, "--offset", help="skip this many (paging)"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable"),
) -> None:
    """Drafts, newest first."""
    page = list_drafts(
        get_ctx(ctx).db, kind=kind, status=status, subject_id=subject, limit=limit, offset=offset
    )
    if as_json:
        typer.echo(json.dumps(page.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    if not page.items:
        console.print("no drafts match")
        return
    table = Table("id", "kind", "subject", "status", "flags", "text", title=f"drafts ({page.total})")
    for view in page.items:
        blocking = len(view.blocking_flags)
        flags = f"[red]{blocking} blocking[/]" if blocking else str(len(view.flags))
        style = STATUS_STYLE.get(view.status, "white")
        table.add_row(
            str(view.id),
            escape(view.kind),
            escape(f"{view.subject_type} {view.subject_id}"),
            f"[{style}]{view.status}[/]",
            flags,
            escape(_preview(view)),
        )
    console.print(table)
    shown = page.offset + len(page.items)
    if shown < page.total:
        console.print(f"showing {page.offset + 1}-{shown} of {page.total}; next: --offset {shown}")


@app.command("show")
def show(
    ctx: typer.Context,
    draft_id: int = typer.Argument(..., help="draft id"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable"),
) -> None:
    """One draft with its text and check flags."""
    view = get_draft(get_ctx(ctx).db, draft_id)
    if as_json:
        typer.echo(_json(view))
        return
    print_draft(view)


@app.command("approve")
def approve(
    ctx: typer.Context,
    draft_id: int = typer.Argument(..., help="draft id"),
    override: str | None = typer.Option(
        None, "--override", help="approve despite blocking flags; the reason is recorded"
    ),
    actor: str | None = AS_OPTION,
) -> None:
    """Approve a draft (refused while check flags block it, unless --override gives a reason)."""
    view = approve_draft(get_ctx(ctx).db, draft_id, default_actor(actor), override_reason=override)
    console.print(f"[green]approved[/] draft #{view.id}" + (" (override recorded)" if override else ""))


@app.command("reject")
def reject(
    ctx: typer.Context,
    draft_id: int = typer.Argument(..., help="draft id"),
    reason: str = typer.Option(..., "--reason", help="what is wrong (required)"),
    actor: str | None = AS_OPTION,
) -> None:
    """Reject a draft with a reason."""
    view = reject_draft(get_ctx(ctx).db, draft_id, default_actor(actor), reason)
    console.print(f"[red]rejected[/] draft #{view.id}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    draft_id: int = typer.Argument(..., help="draft id"),
    text: str = typer.Option(..., "--text", help="the corrected text (copy is checked again)"),
    actor: str | None = AS_OPTION,
) -> None:
    """Replace a draft's text; copy drafts are re-checked against the product's current facts."""
    view = edit_draft(get_ctx(ctx).db, draft_id, default_actor(actor), text=text)
    print_draft(view)
