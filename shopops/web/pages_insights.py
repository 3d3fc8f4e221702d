"""``/reports``: the operations report, questions over the store's numbers, written reports and the
report and plan drafts in the queue (``/forecasts``, ``/alerts``: pages_forecasts; ``/reviews``:
pages_reviews).

The page shows, from top to bottom: the ask box (a question in plain language, answered by
:func:`shopops.reports.ask.ask` with the number, the comparison, the query used and a chart; a
question it cannot answer gets the list of what can be asked), the weekly or monthly report of a
chosen period (see :mod:`shopops.web.pages_reports`, whose routes this router includes), the
reports written to the data folder, and the report and plan drafts waiting in the queue.

Both the report and the question are GET forms (reading changes nothing): a link to
``/reports?kind=weekly`` or ``/reports?q=revenue+last+week`` opens the page with it. With htmx the
question is answered in place by ``/reports/ask`` (the answer only).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from shopops.api.admission import admission_for
from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.errors import InputError
from shopops.reports.ask import MODES, AskResult, ask
from shopops.reports.semantic_answer import format_value
from shopops.web import pages_reports
from shopops.web.pages_reports import KINDS, render_written, report_view
from shopops.web.render import context_of, language_of, render
from shopops.workflow.drafts import list_drafts

router = APIRouter(include_in_schema=False)
router.include_router(pages_reports.router)
REPORT_KINDS = ("report.", "plan.")
MAX_QUESTION_FIELD = 2000  # longer than a question may be, so a long one gets a message, not a 422


def answer(request: Request, question: str, mode: str) -> dict[str, Any]:
    """The ask box's values: the question, the mode and the answer (or why there is none)."""
    values: dict[str, Any] = {
        "question": question,
        "mode": mode if mode in MODES else "auto",
        "ask_result": None,
        "ask_error": "",
        "format_value": format_value,
    }
    if not question.strip():
        return values
    ctx = context_of(request)
    gate = admission_for(ctx)
    try:
        result: AskResult = ask(ctx, question, mode=values["mode"], llm_gate=lambda: gate.slot("question"))
    except InputError as exc:
        values["ask_error"] = exc.message + (f" {exc.hint}" if exc.hint else "")
        return values
    values["ask_result"] = result
    return values


@router.get("/reports")
def reports(
    request: Request,
    kind: str = Query("", max_length=20),
    end: str = Query("", max_length=20),
    language: str = Query("", max_length=5),
    q: str = Query("", max_length=MAX_QUESTION_FIELD),
    mode: str = Query("auto", max_length=10),
    who: Principal = Depends(reader),
) -> Response:
    ctx = context_of(request)
    language = language if language in ("en", "zh") else language_of(request, who)
    view, report_error = None, ""
    if kind in KINDS:
        try:
            view = report_view(ctx, kind, end, language)  # type: ignore[arg-type]
        except InputError as exc:
            report_error = exc.message + (f" ({exc.hint})" if exc.hint else "")
    sections = [(prefix, list_drafts(ctx.db, kind=prefix, limit=50)) for prefix in REPORT_KINDS]
    return render(
        request,
        "reports.html",
        who,
        active="/reports",
        sections=sections,
        kinds=KINDS,
        form={"kind": kind if kind in KINDS else "weekly", "end": end.strip(), "language": language},
        view=view,
        report_error=report_error,
        **answer(request, q, mode),
        **render_written(request),
    )


@router.get("/reports/ask")
def ask_fragment(
    request: Request,
    q: str = Query("", max_length=MAX_QUESTION_FIELD),
    mode: str = Query("auto", max_length=10),
    who: Principal = Depends(reader),
) -> Response:
    """The answer alone, for the ask box (htmx swaps it in under the question)."""
    return render(request, "reports/_answer.html", who, **answer(request, q, mode))
