"""The demo's reports step: last week's operations report, two questions, the day's briefings.

Runs on every ``make demo`` after the review and forecast steps (the report reads their results):
the weekly report is written to ``<data_dir>/reports/`` as HTML, PDF, Markdown and JSON with the
model's narrative checked against the computed facts; two plain-language questions are answered
over the semantic layer (the rule parser answers these without the model); each role's briefing
counts what waits for it today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shopops.context import AppContext
from shopops.reports.ask import AskResult, ask
from shopops.reports.briefing import ROLES, Briefing, daily_briefing
from shopops.reports.service import Report, build_report, scheduled_paths, write_report

DEMO_QUESTIONS = ("AOV last week vs the week before", "上个月退货最多的3个SKU")


@dataclass(frozen=True)
class ReportsDemo:
    report: Report
    files: dict[str, Path]
    answers: list[AskResult] = field(default_factory=list)
    briefings: list[Briefing] = field(default_factory=list)


def run_reports_demo(ctx: AppContext, *, narrative: bool = True) -> ReportsDemo:
    """Write the weekly report, answer the demo questions, brief every role."""
    report = build_report(ctx, "weekly", narrative=narrative)
    files = write_report(report, scheduled_paths(ctx, report))
    answers = [ask(ctx, question, mode="rules") for question in DEMO_QUESTIONS]
    briefings = [daily_briefing(ctx.db, role) for role in ROLES]
    return ReportsDemo(report=report, files=dict(files), answers=answers, briefings=briefings)
