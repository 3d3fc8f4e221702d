"""Operations reports over the store: compute the facts, word them, render and write the files.

``build_report`` is what ``shopops report weekly|monthly``, ``GET /api/reports/...`` and the
scheduled run call: facts from the store (:mod:`shopops.reports.facts`), the checked narrative
(:mod:`shopops.reports.narrative`; the code's own sentences when no model is asked or the model
is unavailable, so a scheduled report never fails for want of a model), then HTML, PDF, Markdown
or JSON. ``write_report`` writes each file atomically (a reader never sees half a report), and
``scheduled_paths`` names them by period in ``<data_dir>/reports/`` (``weekly-2026-W43.html``),
so a cron job that runs twice overwrites the same files instead of piling up copies.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

from shopops.context import AppContext
from shopops.errors import BackendError, InputError
from shopops.reports.facts import PeriodKind, ReportFacts, compute_facts
from shopops.reports.narrative import Language, Narrative, write_narrative

Format = Literal["html", "pdf", "md", "json"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "md", "json")
MEDIA_TYPES: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}


@dataclass(frozen=True)
class Report:
    facts: ReportFacts
    narrative: Narrative

    @property
    def name(self) -> str:
        """``weekly-2026-W43`` (``-zh`` added for a Chinese report): the files' stem."""
        stem = f"{self.facts.period.kind}-{self.facts.period.label}"
        return stem + ("-zh" if self.narrative.language == "zh" else "")


EARLIEST_END, LATEST_END = dt.date(1971, 1, 1), dt.date(2100, 12, 31)


def check_end(end: dt.date | None) -> dt.date | None:
    """An end date a report can be about (periods, previous and year-ago ones stay valid dates)."""
    if end is not None and not EARLIEST_END <= end <= LATEST_END:
        raise InputError(
            f"--end {end.isoformat()} is outside the dates a report covers",
            hint=f"give a date from {EARLIEST_END.isoformat()} to {LATEST_END.isoformat()}",
        )
    return end


def parse_end(value: str | None) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"--end {value!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-10-25"
        ) from None


def check_language(value: str) -> Language:
    if value not in ("en", "zh"):
        raise InputError(
            f"reports are written in en or zh, not {value!r}", hint="pass --lang en or --lang zh"
        )
    return value  # type: ignore[return-value]


def build_report(
    ctx: AppContext,
    kind: PeriodKind,
    *,
    end: dt.date | None = None,
    language: str = "en",
    narrative: bool = True,
) -> Report:
    """The ``kind`` report ending on or before ``end`` (see :func:`shopops.reports.facts.compute_facts`);
    ``narrative=False`` words it with the code's sentences only (no model call)."""
    lang = check_language(language)
    facts = compute_facts(ctx, kind, end=check_end(end))
    if not narrative:
        return Report(facts, write_narrative(None, facts, lang))
    try:
        llm = ctx.llm
    except BackendError as exc:  # the model is not installed or cannot load: words from code
        return Report(facts, replace(write_narrative(None, facts, lang), error=str(exc).splitlines()[0]))
    return Report(
        facts, write_narrative(llm, facts, lang, max_tokens=min(ctx.settings.llm_max_tokens * 2, 800))
    )


def report_json(report: Report) -> str:
    narrative = asdict(report.narrative)
    narrative["text"] = report.narrative.text
    return json.dumps(
        {"facts": report.facts.model_dump(mode="json"), "narrative": narrative}, ensure_ascii=False, indent=1
    )


def render(report: Report, fmt: Format) -> bytes:
    """The report in one format, as the bytes of the file."""
    if fmt == "html":
        from shopops.reports.render_html import render_html

        return render_html(report.facts, report.narrative).encode("utf-8")
    if fmt == "pdf":
        from shopops.reports.render_pdf import pdf_bytes

        return pdf_bytes(report.facts, report.narrative)
    if fmt == "md":
        from shopops.reports.render_md import render_markdown

        return render_markdown(report.facts, report.narrative).encode("utf-8")
    if fmt == "json":
        return report_json(report).encode("utf-8")
    raise InputError(f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")


def reports_dir(ctx: AppContext) -> Path:
    return Path(ctx.settings.data_dir) / "reports"


def scheduled_paths(ctx: AppContext, report: Report) -> dict[Format, Path]:
    """Every format, named by period, in ``<data_dir>/reports/`` (the cron-friendly form)."""
    folder = reports_dir(ctx)
    return {fmt: folder / f"{report.name}.{fmt}" for fmt in FORMATS}


def write_report(report: Report, paths: dict[Format, Path]) -> dict[Format, Path]:
    """Write each requested format atomically; returns what was written."""
    written: dict[Format, Path] = {}
    for fmt, path in paths.items():
        data = render(report, fmt)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise InputError(
                f"cannot write the report to {path}: {exc.strerror or exc}",
                hint="choose a folder that exists and that you may write to",
            ) from exc
        written[fmt] = path
    return written
