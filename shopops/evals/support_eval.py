"""``shopops eval support``: run the support pipeline over a JSONL file of questions and score it.

The contract: one question per line, ``id``, ``question``, ``answerable`` (bool), ``answers`` (list
of reference strings, may be empty) and optionally ``context``: a text that is the *only* knowledge
for that question (an index is built from :func:`passages_from_text` of it). Lines without a
context are answered from the knowledge base given by ``--kb DIR``: every supported document under
DIR (recursively), parsed by the knowledge importer's :func:`read_document`, chunked and indexed
once, in memory. One JSON object out with ``n``, ``decision_accuracy`` (answered when answerable,
escalated when not), ``answer_f1`` (mean SQuAD token F1 of the answered items that have references,
best over the references; characters for Chinese), ``escalation_precision`` and
``escalation_recall`` (the positive class is "escalate", i.e. not answerable), ``p50_ms`` and
``p95_ms`` (wall time of the pipeline per item; building a context's index is not counted).

Like the copy evaluation this is pure: file and folder in, metrics out; nothing is read from or
written to the store. What answers is a *work function*, ``SupportItem -> SupportOutput``: the real
pipeline (:func:`pipeline_work`, :func:`shopops.support.pipeline.draft_reply` exactly as the
service calls it, minus the order tool) here, baselines in ``bench/support_quality.py``. Each
output keeps the draft's confidence and whether its fate depended on the threshold, so decisions
at other thresholds follow from one run (:func:`decision_at`, :func:`threshold_sweep`).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import BaseModel
from rich.console import Console

from shopops.errors import InputError
from shopops.evals.jsonl import MAX_LISTED, LineError, read_jsonl
from shopops.evals.metrics import best_token_f1, percentile, precision_recall
from shopops.evals.progress import progress_bar

if TYPE_CHECKING:
    from shopops.config import Settings
    from shopops.embed.base import EmbeddingBackend
    from shopops.llm.base import LLMBackend
    from shopops.support.chunking import DocumentText
    from shopops.support.index import KnowledgeIndex
    from shopops.support.pipeline import SupportConfig
    from shopops.support.types import SupportDraft

__all__ = [
    "THRESHOLD_REASONS",
    "SupportEvalReport",
    "SupportItem",
    "SupportOutput",
    "SupportWorkFn",
    "build_kb_index",
    "decision_at",
    "evaluate_support",
    "load_kb_documents",
    "output_from_draft",
    "pipeline_work",
    "read_support_file",
    "summarize_support",
    "support_config_from_settings",
    "threshold_sweep",
]

HINT = (
    'each line must be one JSON object: {"id": ..., "question": "...", "answerable": true|false, '
    '"answers": ["..."], "context": "..." (optional)}; see docs/evaluation.md'
)
# Escalations that carry the model's answer: the draft was written and only its confidence fell
# short of the threshold (pipeline._generate). At a lower threshold they would have been answers.
THRESHOLD_REASONS = frozenset({"low_confidence", "no_knowledge"})


# -- input -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportItem:
    """One question of an evaluation file; ``line`` is 1-based, ``context`` ``None`` means the KB."""

    id: str
    line: int
    question: str
    answerable: bool
    answers: tuple[str, ...] = ()
    context: str | None = None


def parse_support_line(obj: Any, line: int) -> SupportItem:
    """Validate one decoded line; raise ``LineError`` naming the first bad field."""
    if not isinstance(obj, dict):
        raise LineError("(line)", f"must be a JSON object, got {type(obj).__name__}")
    raw_id = obj.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        raise LineError("id", "is required (a non-empty string or integer)")
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        raise LineError("question", "is required (a non-empty string)")
    answerable = obj.get("answerable")
    if not isinstance(answerable, bool):
        shown = "missing" if answerable is None else f"got {json.dumps(answerable)[:40]}"
        raise LineError("answerable", f"is required: true or false ({shown})")
    answers = obj.get("answers")
    if answers is None:
        answers = []
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise LineError("answers", "must be a list of strings (may be empty)")
    context = obj.get("context")
    if context is not None and (not isinstance(context, str) or not context.strip()):
        raise LineError("context", "must be a non-empty string when given (or leave it out to use --kb)")
    return SupportItem(
        id=str(raw_id).strip(),
        line=line,
        question=question.strip(),
        answerable=answerable,
        answers=tuple(a.strip() for a in answers if a.strip()),
        context=context.strip() if context is not None else None,
    )


def read_support_file(path: Path, *, limit: int | None = None) -> list[SupportItem]:
    """Every item of a JSONL file (the first ``limit`` when given). All lines are checked before
    anything runs; one :class:`InputError` lists the bad ones as ``FILE:LINE: field 'NAME': ...``."""
    return read_jsonl(path, parse_support_line, limit=limit, noun="question", hint=HINT)


def require_kb(items: Sequence[SupportItem], kb: Path | None, path: Path) -> None:
    """Lines without a context need ``--kb``: say which ones when it is missing."""
    if kb is not None:
        return
    missing = [item for item in items if item.context is None]
    if missing:
        lines = ", ".join(str(item.line) for item in missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise InputError(
            f"{path}: {len(missing)} line(s) have no 'context' (lines {lines}) and no --kb was given",
            hint="pass --kb DIR (the knowledge those lines are answered from), or give each line a context",
        )


# -- knowledge -------------------------------------------------------------------------------------


def kb_files(directory: Path) -> list[Path]:
    """The documents under ``directory`` that ``shopops import knowledge DIR`` would read (supported
    types, recursively, sorted; hidden files and ``.rejects.`` files skipped)."""
    from shopops.ingest.base import input_files
    from shopops.ingest.knowledge import KnowledgeImporter

    return input_files(KnowledgeImporter(), directory)


def load_kb_documents(directory: Path) -> list[DocumentText]:
    """Every supported document under ``directory`` as the importer reads it (nothing is stored)."""
    from shopops.ingest.knowledge import read_document
    from shopops.support.chunking import DocumentText

    if not directory.is_dir():
        raise InputError(
            f"{directory}: not a directory", hint="--kb takes a folder of .md/.txt/.html/.json documents"
        )
    files = kb_files(directory)
    docs: list[DocumentText] = []
    problems: list[str] = []
    for path in files:
        unit = read_document(path, directory)
        if unit.errors or unit.record is None:
            problems += [f"{path}: {error}" for error in unit.errors] or [f"{path}: not readable"]
            continue
        fields = unit.record.fields
        docs.append(
            DocumentText(
                key=unit.record.source_key,
                title=fields["title"],
                content=fields["content"],
                kind=fields["kind"],
                language=fields.get("language") or "",
            )
        )
    if problems:
        listed = "\n".join(f"  {p}" for p in problems[:MAX_LISTED])
        raise InputError(f"{len(problems)} problem(s) in the knowledge base {directory}:\n{listed}")
    return docs


def build_kb_index(directory: Path, embedder: EmbeddingBackend) -> KnowledgeIndex:
    """One in-memory index over every document under ``directory`` (chunked as the store chunks)."""
    from shopops.support.index import KnowledgeIndex

    return KnowledgeIndex.from_documents(load_kb_documents(directory), embedder)


def context_index(context: str, embedder: EmbeddingBackend) -> KnowledgeIndex:
    from shopops.support.chunking import passages_from_text
    from shopops.support.index import KnowledgeIndex

    return KnowledgeIndex.build(passages_from_text(context), embedder)


class IndexSource:
    """The index an item is answered from: the shared KB, or its own context's (cached by text)."""

    def __init__(self, embedder: EmbeddingBackend, kb: KnowledgeIndex | None, cache_size: int = 64) -> None:
        self.embedder, self.kb, self.cache_size = embedder, kb, cache_size
        self._contexts: dict[str, KnowledgeIndex] = {}

    def __call__(self, item: SupportItem) -> KnowledgeIndex:
        if item.context is None:
            if self.kb is None:
                raise InputError(
                    f"line {item.line} ({item.id}) has no context and no knowledge base was given"
                )
            return self.kb
        index = self._contexts.get(item.context)
        if index is None:
            if len(self._contexts) >= self.cache_size:
                self._contexts.pop(next(iter(self._contexts)))
            index = self._contexts[item.context] = context_index(item.context, self.embedder)
        return index


# -- outputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportOutput:
    """What a system did with one question.

    ``answer`` is the text compared with the references: the draft's ``answer`` when it answered,
    and, for an escalation that only missed the threshold, the answer it would have given (kept so
    :func:`decision_at` can re-decide at another threshold). ``candidate``: whether the decision
    depends on the threshold (answer iff ``confidence >= threshold``); other escalations (injection,
    human-only intent, nothing retrieved, model error) are fixed. ``ms``: wall time of the system's
    own step for this item.
    """

    decision: str  # answer | escalate
    answer: str = ""
    citations: tuple[str, ...] = ()
    confidence: float = 0.0
    candidate: bool = False
    reason: str | None = None  # the hand-off reason of an escalation
    ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


SupportWorkFn = Callable[[SupportItem], SupportOutput]


def output_from_draft(draft: SupportDraft, ms: float) -> SupportOutput:
    reason = draft.handoff.reason if draft.handoff is not None else None
    candidate = draft.decision == "answer" or (reason in THRESHOLD_REASONS and bool(draft.answer.strip()))
    return SupportOutput(
        decision=draft.decision,
        answer=draft.answer,
        citations=tuple(c.passage_id for c in draft.citations),
        confidence=draft.confidence,
        candidate=candidate,
        reason=reason,
        ms=ms,
        extra={"intent": draft.triage.intent, "checks": [c.code for c in draft.checks]},
    )


def support_config_from_settings(settings: Settings) -> SupportConfig:
    """The pipeline's configuration exactly as the service builds it for this store's settings
    (threshold, human-only intents, return policy, answer style); nothing opens the store."""
    from shopops.context import AppContext
    from shopops.support.service import support_config

    return support_config(AppContext(settings))


def pipeline_work(
    llm: LLMBackend,
    embedder: EmbeddingBackend,
    config: SupportConfig,
    *,
    kb: KnowledgeIndex | None = None,
) -> SupportWorkFn:
    """The real pipeline: :func:`draft_reply` with no order tool, timed around that call alone."""
    from shopops.support.pipeline import SupportRequest, draft_reply

    indexes = IndexSource(embedder, kb)

    def work(item: SupportItem) -> SupportOutput:
        index = indexes(item)
        started = time.perf_counter()
        draft = draft_reply(SupportRequest(message=item.question), index=index, llm=llm, config=config)
        return output_from_draft(draft, (time.perf_counter() - started) * 1000)

    return work


def decision_at(output: SupportOutput, threshold: float) -> str:
    """The decision the pipeline would have made at ``threshold`` (exact for pipeline outputs)."""
    if not output.candidate:
        return output.decision
    return "answer" if output.confidence >= threshold else "escalate"


# -- metrics ---------------------------------------------------------------------------------------


class SupportEvalReport(BaseModel):
    """The contract's JSON object, then extras (counts, reasons, threshold) under other names."""

    n: int
    decision_accuracy: float
    answer_f1: float
    escalation_precision: float
    escalation_recall: float
    p50_ms: float
    p95_ms: float
    answered: int = 0
    escalated: int = 0
    answerable_items: int = 0
    f1_items: int = 0  # answered items with references: what answer_f1 averages over
    escalation_reasons: dict[str, int] = {}
    threshold: float | None = None
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return self.model_dump()


def summarize_support(
    items: Sequence[SupportItem],
    outputs: Sequence[SupportOutput],
    *,
    threshold: float | None = None,
    seconds: float = 0.0,
) -> SupportEvalReport:
    """The contract's metrics over aligned items and outputs; ``threshold`` given: every decision
    is re-made at it (:func:`decision_at`) instead of taken as recorded."""
    if len(items) != len(outputs):
        raise ValueError(f"{len(items)} items but {len(outputs)} outputs")
    decisions = [out.decision if threshold is None else decision_at(out, threshold) for out in outputs]
    truth = ["answer" if item.answerable else "escalate" for item in items]
    correct = sum(t == d for t, d in zip(truth, decisions, strict=True))
    f1s = [
        best_token_f1(out.answer, item.answers)
        for item, out, decision in zip(items, outputs, decisions, strict=True)
        if decision == "answer" and item.answers
    ]
    precision, recall = precision_recall(truth, decisions, positive="escalate")
    reasons = Counter(
        out.reason or "other"
        for out, decision in zip(outputs, decisions, strict=True)
        if decision == "escalate"
    )
    times = [out.ms for out in outputs]
    n = len(items)
    return SupportEvalReport(
        n=n,
        decision_accuracy=round(correct / n, 4) if n else 0.0,
        answer_f1=round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        escalation_precision=round(precision, 4),
        escalation_recall=round(recall, 4),
        p50_ms=round(percentile(times, 50), 1),
        p95_ms=round(percentile(times, 95), 1),
        answered=decisions.count("answer"),
        escalated=decisions.count("escalate"),
        answerable_items=sum(item.answerable for item in items),
        f1_items=len(f1s),
        escalation_reasons=dict(sorted(reasons.items())),
        threshold=threshold,
        seconds=round(seconds, 2),
    )


def threshold_sweep(
    items: Sequence[SupportItem], outputs: Sequence[SupportOutput], thresholds: Iterable[float]
) -> list[SupportEvalReport]:
    """The metrics at each threshold, from one run's outputs (see :func:`decision_at`)."""
    return [summarize_support(items, outputs, threshold=t) for t in thresholds]


# -- the run ---------------------------------------------------------------------------------------


def output_line(item: SupportItem, output: SupportOutput) -> str:
    """One ``--out`` line: ``{"id", "decision", "text", "citations"}`` (text and citations empty for
    an escalation: nothing is answered)."""
    answered = output.decision == "answer"
    return json.dumps(
        {
            "id": item.id,
            "decision": output.decision,
            "text": output.answer if answered else "",
            "citations": list(output.citations) if answered else [],
        },
        ensure_ascii=False,
    )


def evaluate_support(
    items: Sequence[SupportItem],
    work: SupportWorkFn,
    *,
    out: Path | None = None,
    progress: bool = False,
    console: Console | None = None,
    label: str = "eval support",
    threshold: float | None = None,
) -> tuple[SupportEvalReport, list[SupportOutput]]:
    """Run ``work`` over ``items`` in order, score the outputs, and write ``--out`` lines if asked
    (line by line as items finish, so an interrupted run keeps what it did). Progress goes to
    ``console`` (stderr by default), never to stdout. ``threshold`` is only recorded in the report."""
    err = console or Console(stderr=True)
    outputs: list[SupportOutput] = []
    handle: IO[str] | None = out.open("w", encoding="utf-8") if out is not None else None
    started = time.perf_counter()
    try:
        with progress_bar(err, label, progress) as bar:
            task = bar.add_task(label, total=len(items))
            for item in items:
                output = work(item)
                outputs.append(output)
                if handle is not None:
                    handle.write(output_line(item, output) + "\n")
                    handle.flush()
                bar.advance(task)
    finally:
        if handle is not None:
            handle.close()
    report = summarize_support(items, outputs, seconds=time.perf_counter() - started)
    report.threshold = threshold
    return report, outputs
