"""``shopops eval``: measure a capability on a file of public data; one JSON object with ``--json``.

Thin over :mod:`shopops.evals`. The evaluation reads no store: the model backend is built from the
settings (global flags, ``SHOPOPS_*``, shopops.toml), not from ``AppContext.llm``, which would log
every generation to the database.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import typer
from rich.table import Table

from shopops.cli.common import console, err_console, get_ctx
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
