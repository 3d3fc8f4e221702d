"""``shopops plan draft ALERT_ID``: a response plan for an alert, into the review queue.

Thin over :func:`shopops.forecast.plans.draft_plan`: the plan's numbers are computed from the
alert's evidence, the model words them, and every number it wrote is checked before the draft is
stored (``shopops drafts show ID`` to read it, ``shopops drafts approve ID`` to approve it).
"""

from __future__ import annotations

import json

import typer
from rich.markup import escape

from shopops.cli.common import console, get_ctx
from shopops.cli.drafts_cmd import AS_OPTION, default_actor
from shopops.forecast.plans import draft_plan

app = typer.Typer(help="Response plans for alerts: drafted, checked, reviewed.", no_args_is_help=True)


@app.command("draft")
def draft(
    ctx: typer.Context,
    alert_id: int = typer.Argument(..., min=1, help="the alert (shopops alerts list)"),
    max_tokens: int = typer.Option(400, "--max-tokens", min=64, max=2000),
    actor: str | None = AS_OPTION,
    json_output: bool = typer.Option(False, "--json", help="print the draft as JSON"),
) -> None:
    """Draft a response plan for ALERT_ID; it lands in the review queue with its evidence."""
    plan = draft_plan(get_ctx(ctx), alert_id, actor=default_actor(actor), max_tokens=max_tokens)
    if json_output:
        out = {
            "draft_id": plan.draft_id,
            "alert_id": plan.alert_id,
            "text": plan.text,
            "facts": plan.facts.facts,
            "flags": [f.model_dump() for f in plan.flags],
            "numbers_checked": plan.numbers_checked,
        }
        console.print_json(json.dumps(out, ensure_ascii=False))
        return
    console.print(f"draft #{plan.draft_id} for alert #{plan.alert_id}:", highlight=False)
    console.print(escape(plan.text), highlight=False)
    if plan.flags:
        console.print(f"[yellow]{len(plan.flags)} sentence(s) or step(s) replaced by the checker[/]")
        for flag in plan.flags:
            console.print(f"  [dim]{escape(flag.message)}[/]", highlight=False)
