"""``shopops eval aspects``: aspect polarity over a JSONL file of (review, aspect, polarity) lines.

The contract: one object per line, ``text`` (the review or sentence), ``aspect`` (the aspect it is
judged on, given), ``polarity`` (the reference: ``positive``, ``negative`` or ``neutral``) and
``lang`` (optional; ``en``, ``zh``, ...). One JSON object out: ``n``, ``accuracy``, ``macro_f1``
(unweighted mean F1 over the classes present in the references or the predictions, as
scikit-learn's default: a two-class file is not charged for a third class nobody used),
``items_per_second``, then extras: the method, per-language figures and the confusion counts.

Pure like the other evaluations: file in, metrics out; no store. ``fast`` is the packaged
classifier in one vectorised pass; ``llm`` asks the configured model once per line.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel
from rich.console import Console

from shopops.errors import StructuredOutputError
from shopops.evals.jsonl import LineError, read_jsonl
from shopops.evals.metrics import accuracy, macro_f1
from shopops.evals.progress import progress_bar
from shopops.reviews.aspects import classify_aspects
from shopops.reviews.types import POLARITIES

if TYPE_CHECKING:
    from shopops.llm.base import LLMBackend
    from shopops.reviews.aspect_model import AspectPolarityModel

HINT = (
    'each line must be one JSON object: {"text": "...", "aspect": "...", '
    '"polarity": "positive"|"negative"|"neutral", "lang": "en"}'
)
FAST_CHUNK = 1024  # rows per vectorised call: bounds memory and lets the progress bar move
EvalMethod = Literal["fast", "llm"]


@dataclass(frozen=True)
class AspectItem:
    """One line of an evaluation file (``id`` is the line number: lines carry no id)."""

    id: str
    line: int
    text: str
    aspect: str
    polarity: str
    lang: str = ""


def parse_aspect_line(obj: Any, line: int) -> AspectItem:
    """Validate one decoded line; raise ``LineError`` naming the first bad field."""
    if not isinstance(obj, dict):
        raise LineError("(line)", f"must be a JSON object, got {type(obj).__name__}")
    for name in ("text", "aspect"):
        value = obj.get(name)
        if not isinstance(value, str) or not value.strip():
            raise LineError(name, "is required (a non-empty string)")
    polarity = obj.get("polarity")
    if not isinstance(polarity, str) or polarity.strip().lower() not in POLARITIES:
        raise LineError("polarity", f"must be one of {', '.join(POLARITIES)} (got {polarity!r:.40})")
    lang = obj.get("lang", "")
    if lang is None:
        lang = ""
    if not isinstance(lang, str):
        raise LineError("lang", "must be a language code string such as 'en' or 'zh' when given")
    return AspectItem(
        id=str(line),
        line=line,
        text=obj["text"].strip(),
        aspect=obj["aspect"].strip(),
        polarity=polarity.strip().lower(),
        lang=lang.strip().lower(),
    )


def read_aspects_file(path: Path, *, limit: int | None = None) -> list[AspectItem]:
    """Every item of a JSONL file (the first ``limit``); all lines checked before anything runs."""
    return read_jsonl(path, parse_aspect_line, limit=limit, noun="aspect line", hint=HINT)


class AspectEvalReport(BaseModel):
    """The contract's JSON object first, then extras under other names."""

    n: int
    accuracy: float
    macro_f1: float
    items_per_second: float
    method: str = "fast"
    by_language: dict[str, dict[str, float]] = {}
    confusion: dict[str, dict[str, int]] = {}  # reference -> predicted -> count
    failures: int = 0  # llm replies that never validated (scored as "neutral")
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return self.model_dump()


def summarize_aspects(
    items: Sequence[AspectItem], predicted: Sequence[str], *, method: str, seconds: float, failures: int = 0
) -> AspectEvalReport:
    """Metrics of aligned items and predictions."""
    if len(items) != len(predicted):
        raise ValueError(f"{len(items)} items but {len(predicted)} predictions")
    truth = [item.polarity for item in items]
    by_language: dict[str, dict[str, float]] = {}
    for lang in sorted({item.lang for item in items}):
        rows = [i for i, item in enumerate(items) if item.lang == lang]
        t, p = [truth[i] for i in rows], [predicted[i] for i in rows]
        by_language[lang or "?"] = {"n": len(rows), "accuracy": accuracy(t, p), "macro_f1": macro_f1(t, p)}
    confusion: dict[str, dict[str, int]] = {}
    for (t, p), count in sorted(Counter(zip(truth, predicted, strict=True)).items()):
        confusion.setdefault(t, {})[p] = count
    return AspectEvalReport(
        n=len(items),
        accuracy=round(accuracy(truth, predicted), 4),
        macro_f1=round(macro_f1(truth, predicted), 4),
        items_per_second=round(len(items) / max(seconds, 1e-9), 2),
        method=method,
        by_language=by_language if len(by_language) > 1 else {},
        confusion=confusion,
        failures=failures,
        seconds=round(seconds, 3),
    )


def evaluate_aspects(
    items: Sequence[AspectItem],
    *,
    method: EvalMethod = "fast",
    llm: LLMBackend | None = None,
    model: AspectPolarityModel | None = None,
    progress: bool = False,
    console: Console | None = None,
) -> tuple[AspectEvalReport, list[str]]:
    """Predict every item's polarity with ``method`` and score it; returns the report and the
    predictions. ``llm`` is required for ``method="llm"``; ``model`` defaults to the packaged one."""
    err = console or Console(stderr=True)
    predicted: list[str] = []
    failures = 0
    if method == "llm" and llm is None:
        raise ValueError("method 'llm' needs an llm backend")
    if method == "fast":
        from shopops.reviews.aspect_model import load_aspect_model

        model = model or load_aspect_model()  # loaded (and its imports warmed) before the clock
        classify_aspects(["warm up"], ["warm"], model=model)  # as a service that keeps both models loaded
    started = time.perf_counter()
    with progress_bar(err, f"eval aspects ({method})", progress) as bar:
        task = bar.add_task("aspects", total=len(items))
        if method == "fast":
            assert model is not None
            for at in range(0, len(items), FAST_CHUNK):
                chunk = items[at : at + FAST_CHUNK]
                labels = classify_aspects(
                    [i.text for i in chunk],
                    [i.aspect for i in chunk],
                    model=model,
                    languages=[i.lang for i in chunk],
                )
                predicted += [label for label, _ in labels]
                bar.advance(task, len(chunk))
        else:
            from shopops.reviews.aspect_llm import llm_polarity

            assert llm is not None
            for item in items:
                try:
                    label, _ = llm_polarity(llm, item.text, item.aspect)
                except StructuredOutputError:
                    label, failures = "neutral", failures + 1
                predicted.append(label)
                bar.advance(task)
    seconds = time.perf_counter() - started
    report = summarize_aspects(items, predicted, method=method, seconds=seconds, failures=failures)
    return report, predicted
