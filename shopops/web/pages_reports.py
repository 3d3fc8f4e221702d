"""Weekly and monthly operations reports in the workspace (the ``/reports`` page itself, with the
ask box, is composed in :mod:`shopops.web.pages_insights`, which includes this router).

- The report shown on the page is built with the code's own sentences (``narrative=False``: no
  model call, a couple of seconds): :func:`report_view` gathers what the page draws of it (KPI
  cards, charts as inline SVG, the report's tables) and the links to download that same period
  as HTML, PDF or Markdown (``/reports/download/{kind}.{fmt}``, attachments).
- The model's checked summary takes minutes with the local model, so it is never awaited by a
  page: ``POST /reports/generate`` starts a background run (one at a time, under the model's
  admission gate) that writes every format to ``<data_dir>/reports/`` under the period's name,
  where ``shopops report --scheduled`` writes too. The list of written reports polls while a run
  is going and shows its outcome.
- Written reports are served by name (``/reports/files/weekly-2026-W43.pdf``): only names of the
  scheduled pattern, plain files directly in that folder, so no other file can be asked for.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse
from starlette.responses import RedirectResponse, Response

from shopops.api.admission import admission_for
from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.errors import JobError, NotFoundError, ShopopsError
from shopops.reports.facts import KPI_LABELS, PeriodKind, fmt_change, fmt_value
from shopops.reports.render_html import chart_svgs
from shopops.reports.render_md import Table, report_tables, title_of, words
from shopops.reports.service import (
    FORMATS,
    MEDIA_TYPES,
    Report,
    build_report,
    check_language,
    parse_end,
    render,
    reports_dir,
    scheduled_paths,
    write_report,
)
from shopops.web.render import context_of
from shopops.web.render import render as render_page

log = logging.getLogger("shopops.web")
router = APIRouter(include_in_schema=False)
KINDS: tuple[PeriodKind, ...] = ("weekly", "monthly")
DOWNLOADS = ("html", "pdf", "md")
# The names write_report gives scheduled files (see Report.name); nothing else is listed or served.
FILE_NAME = re.compile(
    r"(?P<stem>(?P<kind>weekly|monthly)-(?P<label>\d{4}-(?:W\d{2}|\d{2}))(?P<zh>-zh)?)\.(?P<fmt>html|pdf|md|json)",
    re.ASCII,
)
MAX_LISTED = 60
KEEP_RUNS = 6


@dataclass(frozen=True)
class KpiCard:
    name: str
    label: str
    shown: str
    change: str
    direction: str


@dataclass(frozen=True)
class ReportView:
    """What the page shows of a report, and where to download the same period."""

    report: Report
    title: str
    words: dict[str, str]
    cards: list[KpiCard]
    charts: list[dict[str, object]]
    tables: list[Table]
    downloads: dict[str, str]  # format -> URL
    model_form: dict[str, str]  # the fields of "write it with the model"


def report_view(ctx: AppContext, kind: PeriodKind, end: str, language: str) -> ReportView:
    """The ``kind`` report ending on or before ``end`` (``""``: the latest complete period) with
    the code's sentences; the downloads and the model run are pinned to the period shown."""
    report = build_report(ctx, kind, end=parse_end(end), language=check_language(language), narrative=False)
    facts = report.facts
    w = words(language)
    labels = KPI_LABELS[language]
    cards = [
        KpiCard(
            name=k.name,
            label=labels[k.name],
            shown=fmt_value(k.value, k.unit, facts.currency),
            change=f"{fmt_change(k, facts.currency)} {w['vs_previous']}" if k.change is not None else "",
            direction=k.direction or "flat",
        )
        for k in facts.kpis
    ]
    pinned = {"kind": kind, "end": facts.period.end.isoformat(), "language": language}
    query = urlencode({"end": pinned["end"], "language": language})
    return ReportView(
        report=report,
        title=title_of(facts, language),
        words=w,
        cards=cards,
        charts=chart_svgs(facts, language),
        tables=report_tables(facts, language),
        downloads={fmt: f"/reports/download/{kind}.{fmt}?{query}" for fmt in DOWNLOADS},
        model_form=pinned,
    )


# -- written reports ------------------------------------------------------------------------------
@dataclass(frozen=True)
class WrittenReport:
    stem: str
    kind: str
    label: str
    language: str
    modified: dt.datetime  # UTC, of the newest of its files
    files: dict[str, str]  # format -> file name, in FORMATS order


def written_reports(ctx: AppContext, limit: int = MAX_LISTED) -> list[WrittenReport]:
    """The reports in ``<data_dir>/reports/`` (scheduled names only), newest first."""
    folder = reports_dir(ctx)
    if not folder.is_dir():
        return []
    found: dict[str, list[tuple[re.Match[str], float]]] = {}  # stem -> (name, modified) of each file
    for entry in folder.iterdir():
        match = FILE_NAME.fullmatch(entry.name)
        if match is None or entry.is_symlink() or not entry.is_file():
            continue
        try:
            modified = entry.stat().st_mtime
        except OSError:  # removed meanwhile
            continue
        found.setdefault(match["stem"], []).append((match, modified))
    listed = []
    for stem, files in found.items():
        first = files[0][0]
        names = {match["fmt"]: match.string for match, _ in files}
        listed.append(
            WrittenReport(
                stem=stem,
                kind=first["kind"],
                label=first["label"],
                language="zh" if first["zh"] else "en",
                modified=dt.datetime.fromtimestamp(max(when for _, when in files), dt.UTC),
                files={fmt: names[fmt] for fmt in FORMATS if fmt in names},
            )
        )
    listed.sort(key=lambda r: (r.modified, r.stem), reverse=True)
    return listed[:limit]


def written_file(ctx: AppContext, name: str) -> Path:
    """The written report file called ``name``; NotFoundError for any other name."""
    match = FILE_NAME.fullmatch(name)
    path = reports_dir(ctx) / name
    if match is None or path.is_symlink() or not path.is_file():
        raise NotFoundError(f"no written report named {name!r}", hint="pick one from the list on /reports")
    return path


# -- model runs in the background -----------------------------------------------------------------
@dataclass
class ModelRun:
    """A report being written with the model's summary, in a thread of the server."""

    kind: PeriodKind
    end: dt.date | None
    language: str
    started_at: dt.datetime
    thread: threading.Thread | None = None
    finished_at: dt.datetime | None = None  # set last: a run is done once this is set
    name: str = ""  # the written files' stem
    source: str = ""  # who wrote the summary: model, mixed or code
    model_error: str = ""  # why the model was not used, when it was not
    error: str = ""  # why nothing was written
    files: dict[str, str] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def key(self) -> tuple[str, dt.date | None, str]:
        return (self.kind, self.end, self.language)


_RUNS: weakref.WeakKeyDictionary[AppContext, list[ModelRun]] = weakref.WeakKeyDictionary()
_RUNS_LOCK = threading.Lock()


def model_runs(ctx: AppContext) -> list[ModelRun]:
    """This server's recent model runs, newest first."""
    with _RUNS_LOCK:
        return list(_RUNS.get(ctx, []))


def start_model_run(ctx: AppContext, kind: PeriodKind, end: dt.date | None, language: str) -> ModelRun:
    """Start writing the report with the model in the background; the same report already being
    written is that run. Another report while one runs: JobError (the model does one at a time)."""
    language = check_language(language)
    with _RUNS_LOCK:
        runs = _RUNS.setdefault(ctx, [])
        running = [r for r in runs if r.running]
        for run in running:
            if run.key == (kind, end, language):
                return run
        if running:
            raise JobError(
                "the model is already writing a report",
                hint="wait for it to finish (the list of written reports shows when), then start this one",
            )
        run = ModelRun(kind=kind, end=end, language=language, started_at=dt.datetime.now(dt.UTC))
        runs.insert(0, run)
        del runs[KEEP_RUNS:]
        run.thread = threading.Thread(
            target=_write_with_model, args=(ctx, run), name=f"report-{kind}", daemon=True
        )
    run.thread.start()
    return run


def _write_with_model(ctx: AppContext, run: ModelRun) -> None:
    try:
        with admission_for(ctx).slot("report"):
            report = build_report(ctx, run.kind, end=run.end, language=run.language, narrative=True)
        written = write_report(report, scheduled_paths(ctx, report))
        run.name, run.source, run.model_error = report.name, report.narrative.source, report.narrative.error
        run.files = {fmt: path.name for fmt, path in written.items()}
    except ShopopsError as exc:
        run.error = exc.message
    except Exception as exc:  # a background thread has no caller to tell: log it, show it on the page
        log.exception("writing the %s report with the model failed", run.kind)
        run.error = f"internal error ({type(exc).__name__})"
    finally:
        run.finished_at = dt.datetime.now(dt.UTC)


def render_written(request: Request) -> dict[str, Any]:
    """The values of the written-reports section (the page and its polling fragment)."""
    ctx = context_of(request)
    runs = model_runs(ctx)
    return {"written": written_reports(ctx), "runs": runs, "polling": any(r.running for r in runs)}


# -- routes ---------------------------------------------------------------------------------------
@router.get("/reports/download/{kind}.{fmt}")
def download(
    request: Request,
    kind: Literal["weekly", "monthly"],
    fmt: Literal["html", "pdf", "md"],
    end: str = Query("", max_length=20),
    language: str = Query("en", max_length=5),
    who: Principal = Depends(reader),
) -> Response:
    """The report of the page (the code's sentences) as a file to save."""
    report = build_report(
        context_of(request), kind, end=parse_end(end), language=check_language(language), narrative=False
    )
    disposition = f'attachment; filename="{report.name}.{fmt}"'
    return Response(
        render(report, fmt), media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition}
    )


@router.get("/reports/files/{name}")
def written_download(request: Request, name: str, who: Principal = Depends(reader)) -> Response:
    path = written_file(context_of(request), name)
    fmt = path.suffix[1:]
    return FileResponse(path, media_type=MEDIA_TYPES[fmt], filename=path.name)


@router.get("/reports/written")
def written_fragment(request: Request, who: Principal = Depends(reader)) -> Response:
    """The written reports and model runs (the section polls this while a run is going)."""
    return render_page(request, "reports/_written.html", who, **render_written(request))


@router.post("/reports/generate")
def generate(
    request: Request,
    kind: Literal["weekly", "monthly"] = Form(...),
    end: str = Form("", max_length=20),
    language: str = Form("en", max_length=5),
    who: Principal = Depends(reader),
) -> Response:
    """Write the report with the model's summary in the background; back to the page, which shows
    the run and, when it is done, its files."""
    end_date = parse_end(end)
    run = start_model_run(context_of(request), kind, end_date, language)
    query = urlencode(
        {"kind": kind, "end": end_date.isoformat() if end_date else "", "language": run.language}
    )
    return RedirectResponse(f"/reports?{query}#written", status_code=303)
