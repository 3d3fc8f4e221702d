"""``shopops eval copy``: generate copy for a JSONL file of products and score it.

The contract (issue 4): one product per line, ``id`` plus whatever of ``title``, ``category``,
``price``, ``list_price``, ``attributes`` (object), ``description`` it has, and ``reference`` (the
human-written copy); one JSON object out with ``n``, ``rouge_l``, ``bleu``,
``unsupported_claim_rate``, ``compliance_violations``, ``refusals`` and ``items_per_second``.

The evaluation is pure: file in, metrics out. It reads nothing from the store and writes nothing
to it (the backend is built from Settings, not ``AppContext.llm``, which logs to the store).
What produces the copy is a *work function*, ``EvalItem -> ItemOutput``: shopops' grounded writer
with its checker loop here, the baselines in :mod:`shopops.evals.baselines`, a plain function in
tests. Every system is scored by the same code on the same items.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel
from rich.console import Console

from shopops.copy.types import CopyKind, CopyRequest, Flag, ProductFacts, VoiceProfile
from shopops.errors import StructuredOutputError
from shopops.evals.metrics import bleu, rouge_l_corpus
from shopops.evals.progress import progress_bar
from shopops.evals.records import EvalItem, read_eval_file
from shopops.llm.base import LLMBackend

__all__ = [
    "EVAL_KINDS",
    "CopyEvalReport",
    "EvalItem",
    "ItemOutput",
    "WorkFn",
    "evaluate_copy",
    "grounded_work",
    "item_facts",
    "read_eval_file",
    "summarize",
]

EVAL_KINDS = (CopyKind.DESCRIPTION, CopyKind.TITLE)
UNGROUNDED = frozenset({"unsupported", "contradicted"})
REFUSALS = frozenset({"refusal", "prompt_echo"})


@dataclass(frozen=True)
class ItemOutput:
    """What a system wrote for one item and the checker's flags on it (after any regeneration)."""

    text: str
    flags: list[Flag] = field(default_factory=list)


WorkFn = Callable[[EvalItem], ItemOutput]


class CopyEvalReport(BaseModel):
    """The contract's JSON object. ``rouge_l`` (0–1) and ``bleu`` (sacrebleu, 0–100) are ``None``
    when no line has a ``reference``."""

    n: int
    rouge_l: float | None
    bleu: float | None
    unsupported_claim_rate: float
    compliance_violations: int
    refusals: int
    items_per_second: float

    def as_json(self) -> dict[str, Any]:
        return self.model_dump()


def item_facts(item: EvalItem) -> ProductFacts:
    """The product facts of an eval line (the copy studio's own record mapping)."""
    from shopops.copy.facts import facts_from_record

    return facts_from_record(item.record)


def grounded_work(
    llm: LLMBackend,
    *,
    kind: CopyKind,
    lang: str,
    max_regenerations: int,
    max_tokens: int | None = None,
    voice: VoiceProfile | None = None,
) -> WorkFn:
    """shopops' writer: grounded prompt, checker, regeneration while blocking claims remain.
    ``max_tokens`` ``None`` keeps the writer's own budget for the kind."""
    from shopops.copy.service import generate_copy

    profile = voice or VoiceProfile()

    def work(item: EvalItem) -> ItemOutput:
        request = CopyRequest(product=item.id, kind=kind, language=lang)  # pydantic checks the language
        results = generate_copy(
            llm,
            item_facts(item),
            request,
            voice=profile,
            max_regenerations=max_regenerations,
            max_tokens=max_tokens,
        )
        best = results[0]
        return ItemOutput(text=best.text, flags=list(best.checks.flags))

    return work


def summarize(
    items: Sequence[EvalItem], outputs: Sequence[ItemOutput], *, lang: str, seconds: float
) -> CopyEvalReport:
    """The contract's metrics over aligned items and outputs.

    ROUGE-L and BLEU use only the items with a reference; the flag counts use every output.
    """
    if len(items) != len(outputs):
        raise ValueError(f"{len(items)} items but {len(outputs)} outputs")
    scored = [(out.text, item.reference) for item, out in zip(items, outputs, strict=True) if item.reference]
    hypotheses = [text for text, _ in scored]
    references = [ref for _, ref in scored if ref is not None]
    n = len(outputs)
    ungrounded = sum(any(f.kind in UNGROUNDED for f in out.flags) for out in outputs)
    return CopyEvalReport(
        n=n,
        rouge_l=round(rouge_l_corpus(hypotheses, references, lang=lang), 4) if scored else None,
        bleu=round(bleu(hypotheses, references, lang=lang), 2) if scored else None,
        unsupported_claim_rate=round(ungrounded / n, 4) if n else 0.0,
        compliance_violations=sum(f.kind == "compliance" for out in outputs for f in out.flags),
        refusals=sum(any(f.kind in REFUSALS for f in out.flags) for out in outputs),
        items_per_second=round(n / seconds, 4) if seconds > 0 else 0.0,
    )


def output_line(item: EvalItem, output: ItemOutput) -> str:
    """One ``--out`` line: ``{"id", "text", "flags"}``."""
    flags = [flag.model_dump() for flag in output.flags]
    return json.dumps({"id": item.id, "text": output.text, "flags": flags}, ensure_ascii=False)


def _run_one(work: WorkFn, item: EvalItem, warn: Callable[[str], None]) -> ItemOutput:
    """Run ``work`` on one item. A model that gives no schema-valid output for this item counts as
    a refusal with empty text (the copy a merchant would have got is none); other errors (backend
    down, model missing, bad settings) stop the evaluation."""
    try:
        return work(item)
    except StructuredOutputError as exc:
        warn(f"{item.id}: no copy generated: {exc.message}")
        message = f"no copy generated: {exc.message}"
        return ItemOutput(text="", flags=[Flag(kind="refusal", message=message[:500])])


def evaluate_copy(
    items: Sequence[EvalItem],
    work: WorkFn,
    *,
    lang: str,
    out: Path | None = None,
    progress: bool = False,
    console: Console | None = None,
    label: str = "eval copy",
) -> tuple[CopyEvalReport, list[ItemOutput]]:
    """Run ``work`` over ``items`` in order, score the outputs, and write ``--out`` lines if asked.

    ``--out`` is written line by line as items finish, so an interrupted run keeps what it did.
    Progress and warnings go to ``console`` (stderr by default), never to stdout.
    """
    err = console or Console(stderr=True)
    outputs: list[ItemOutput] = []
    handle: IO[str] | None = out.open("w", encoding="utf-8") if out is not None else None

    def warn(message: str) -> None:
        err.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)

    started = time.perf_counter()
    try:
        with progress_bar(err, label, progress) as bar:
            task = bar.add_task(label, total=len(items))
            for item in items:
                output = _run_one(work, item, warn)
                outputs.append(output)
                if handle is not None:
                    handle.write(output_line(item, output) + "\n")
                    handle.flush()
                bar.advance(task)
    finally:
        if handle is not None:
            handle.close()
    seconds = time.perf_counter() - started
    return summarize(items, outputs, lang=lang, seconds=seconds), outputs


def flag_counts(outputs: Iterable[ItemOutput]) -> dict[str, int]:
    """How many flags of each kind the outputs carry (for reports beside the contract's numbers)."""
    counts: dict[str, int] = {}
    for output in outputs:
        for flag in output.flags:
            counts[flag.kind] = counts.get(flag.kind, 0) + 1
    return dict(sorted(counts.items()))
