"""``shopops eval``: measure a capability on a file of public data; one JSON object with ``--json``.

Thin over :mod:`shopops.evals`. The evaluation reads no store: the model backend is built from the
settings (global flags, ``SHOPOPS_*``, shopops.toml), not from ``AppContext.llm``, which would log
every generation to the database; ``eval support`` indexes its knowledge base in memory.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import typer
from rich.table import Table

from shopops.cli.common import console, err_console, get_ctx
from shopops.cli.eval_aspects_cmd import aspects
from shopops.cli.eval_forecast_cmd import forecast
from shopops.cli.eval_search_cmd import search
from shopops.cli.eval_sentiment_cmd import sentiment
from shopops.copy.types import LANGUAGES, CopyKind
from shopops.errors import InputError
from shopops.evals.baselines import SYSTEMS, work_for_system
from shopops.evals.copy_eval import EVAL_KINDS, evaluate_copy, read_eval_file
from shopops.llm.base import LLMBackend

app = typer.Typer(
    help="Measure capabilities on files of real data (no store involved).", no_args_is_help=True
)


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise InputError(f"{option} {value!r} is not supported", hint=f"use one of: {', '.join(allowed)}")
    return value


@app.command("copy")
def copy(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="JSONL, one product per line: id, title, ..., reference"),
    kind: str = typer.Option("description", "--kind", help="description | title"),
    lang: str = typer.Option("en", "--lang", help="language to write (en, zh, ...)"),
    out: Path | None = typer.Option(None, "--out", help='write {"id", "text", "flags"} per item here'),
    limit: int | None = typer.Option(None, "--limit", min=1, help="only the first N products"),
    system: str = typer.Option("shopops", "--system", help="shopops | template | raw-prompt (baselines)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Generate copy for every product of FILE and score it against the human references.

    Prints n, rouge_l, bleu (sacrebleu; character-level for zh), unsupported_claim_rate, compliance_violations, refusals and items_per_second. Lines without a reference are generated and checked but left out of ROUGE-L and BLEU.
    """  # noqa: E501 - one paragraph: typer re-wraps help text, but keeps hard line breaks
    settings = get_ctx(ctx).settings
    copy_kind = CopyKind(_choice(kind, tuple(k.value for k in EVAL_KINDS), "--kind"))
    _choice(lang, tuple(LANGUAGES), "--lang")
    _choice(system, SYSTEMS, "--system")
    items = read_eval_file(file, limit=limit)
    backends: list[LLMBackend] = []

    @cache
    def llm() -> LLMBackend:
        from shopops.llm.registry import create_llm

        backends.append(create_llm(settings))
        return backends[-1]

    try:
        work = work_for_system(
            system,
            kind=copy_kind,
            lang=lang,
            llm=llm,
            max_regenerations=settings.copy_max_regenerations,
            temperature=settings.llm_temperature,
            seed=settings.llm_seed,
        )
        report, _ = evaluate_copy(
            items, work, lang=lang, out=out, progress=not quiet, console=err_console, label=f"{system} {kind}"
        )
    finally:
        for backend in backends:
            backend.close()
    if as_json:
        typer.echo(json.dumps(report.as_json()))
        return
    table = Table("metric", "value", title=f"eval copy: {file.name} ({system}, {kind}, {lang})")
    for name, value in report.as_json().items():
        shown = "–" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(name, shown)
    console.print(table)
    if out is not None:
        console.print(f"outputs written to {out}", highlight=False, soft_wrap=True)


@app.command("support")
def support(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="JSONL, one question per line: id, question, answerable, answers, context"
    ),
    kb: Path | None = typer.Option(None, "--kb", help="knowledge base folder for lines without a context"),
    out: Path | None = typer.Option(
        None, "--out", help='write {"id", "decision", "text", "citations"} per item here'
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="only the first N questions"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Answer every question of FILE with the support pipeline and score the decisions and answers.

    Prints n, decision_accuracy, answer_f1 (SQuAD token F1; characters for Chinese), escalation_precision, escalation_recall (escalate = not answerable), p50_ms and p95_ms. A line's context is its only knowledge; other lines are answered from the documents under --kb, indexed in memory (the store is not touched).
    """  # noqa: E501 - one paragraph: typer re-wraps help text, but keeps hard line breaks
    from shopops.evals.support_eval import read_support_file, require_kb

    settings = get_ctx(ctx).settings
    items = read_support_file(file, limit=limit)  # every line checked before anything loads
    require_kb(items, kb, file)

    from shopops.embed.registry import create_embedder
    from shopops.evals.support_eval import (
        build_kb_index,
        evaluate_support,
        pipeline_work,
        support_config_from_settings,
    )
    from shopops.llm.registry import create_llm

    config = support_config_from_settings(settings)
    embedder = create_embedder(settings)
    backend: LLMBackend | None = None
    try:
        index = build_kb_index(kb, embedder) if kb is not None else None
        backend = create_llm(settings)
        work = pipeline_work(backend, embedder, config, kb=index)
        report, _ = evaluate_support(
            items,
            work,
            out=out,
            progress=not quiet,
            console=err_console,
            label="support",
            threshold=config.threshold,
        )
    finally:
        if backend is not None:
            backend.close()
        embedder.close()
    data = report.as_json()
    if as_json:
        typer.echo(json.dumps(data))
        return
    title = f"eval support: {file.name} ({config.answer_style}, threshold {config.threshold:.2f})"
    table = Table("metric", "value", title=title)
    for name, value in data.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) or "–"
        else:
            shown = "–" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(name, shown)
    console.print(table)
    if out is not None:
        console.print(f"outputs written to {out}", highlight=False, soft_wrap=True)


app.command("aspects")(aspects)
app.command("forecast")(forecast)
app.command("search")(search)
app.command("sentiment")(sentiment)
