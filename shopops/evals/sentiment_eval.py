"""``shopops eval sentiment``: review sentiment over a CSV file of ``text,label`` rows.

The contract: a CSV with a header naming at least ``text`` and ``label`` (other columns are
ignored), ``label`` being ``positive`` or ``negative``. One JSON object out: ``n``, ``accuracy``,
``macro_f1`` (over the two classes) and ``reviews_per_second``, then extras: the method, the model
version, figures per model language (``zh`` for CJK text, ``en`` for the rest) and the seconds spent.

A prediction is read from p(positive): ``positive`` above 0.5, ``negative`` below, and no side at
exactly 0.5 (an LLM's ``neutral`` or ``mixed``, a reply that never validated), which counts as a
miss: the file's labels are binary. The neutral band and the mixed rule are not scored here.

Pure like the other evaluations: file in, metrics out; no store. ``fast`` runs the packaged
classifier in vectorised chunks (language detection and feature extraction included in the time);
``llm`` asks the configured model once per review.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel
from rich.console import Console

from shopops.errors import InputError, StructuredOutputError
from shopops.evals.metrics import accuracy, macro_f1
from shopops.evals.progress import progress_bar
from shopops.langid import detect_language
from shopops.reviews.sentiment import model_language

if TYPE_CHECKING:
    from shopops.llm.base import LLMBackend
    from shopops.reviews.sentiment import SentimentModel

LABELS = ("positive", "negative")
REQUIRED = ("text", "label")
MAX_LISTED = 10
FAST_CHUNK = 2048
EvalMethod = Literal["fast", "llm"]


@dataclass(frozen=True)
class SentimentItem:
    row: int  # 1-based, the header being row 1
    text: str
    label: str


def read_sentiment_file(path: Path, *, limit: int | None = None) -> list[SentimentItem]:
    """Every row of a ``text,label`` CSV (the first ``limit``); every row is checked first and all
    problems are reported together, each with its row number and field."""
    if not path.is_file():
        raise InputError(f"{path} does not exist", hint="give a CSV file with the columns text,label")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED if name not in columns]
        if missing:
            raise InputError(
                f"{path}: missing column(s) {', '.join(missing)} (header: {', '.join(columns) or 'none'})",
                hint="the first line must be a header naming at least text and label",
            )
        reader.fieldnames = columns
        items: list[SentimentItem] = []
        problems: list[str] = []
        for row_number, row in enumerate(reader, start=2):
            if limit is not None and len(items) >= limit:
                break
            text = (row.get("text") or "").strip()
            label = (row.get("label") or "").strip().lower()
            if not text:
                problems.append(f"row {row_number}, field 'text': is empty")
            if label not in LABELS:
                problems.append(
                    f"row {row_number}, field 'label': {row.get('label')!r:.40} is not positive or negative"
                )
            if text and label in LABELS:
                items.append(SentimentItem(row=row_number, text=text, label=label))
    if problems:
        listed = "; ".join(problems[:MAX_LISTED])
        more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
        raise InputError(
            f"{path}: {listed}{more}", hint="every row needs a text and a label positive|negative"
        )
    if not items:
        raise InputError(f"{path}: no rows", hint="add rows of text,label under the header")
    return items


def binary_label(p_positive: float) -> str:
    return "positive" if p_positive > 0.5 else "negative" if p_positive < 0.5 else "none"


class SentimentEvalReport(BaseModel):
    """The contract's JSON object first, then extras under other names."""

    n: int
    accuracy: float
    macro_f1: float
    reviews_per_second: float
    method: str = "fast"
    model: str = ""
    by_language: dict[str, dict[str, int | float]] = {}  # by the model that read the text (zh | en)
    failures: int = 0  # llm replies that never validated (scored as a miss)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return self.model_dump()


def summarize_sentiment(
    items: Sequence[SentimentItem],
    p_positive: Sequence[float],
    languages: Sequence[str],
    *,
    method: str,
    model: str,
    seconds: float,
    failures: int = 0,
) -> SentimentEvalReport:
    """Metrics of aligned items and probabilities."""
    truth = [item.label for item in items]
    predicted = [binary_label(p) for p in p_positive]
    languages = [model_language(code) for code in languages]
    by_language: dict[str, dict[str, int | float]] = {}
    for lang in sorted(set(languages)):
        rows = [i for i, code in enumerate(languages) if code == lang]
        t, p = [truth[i] for i in rows], [predicted[i] for i in rows]
        by_language[lang] = {
            "n": len(rows),
            "accuracy": round(accuracy(t, p), 4),
            "macro_f1": round(macro_f1(t, p, labels=LABELS), 4),
        }
    return SentimentEvalReport(
        n=len(items),
        accuracy=round(accuracy(truth, predicted), 4),
        macro_f1=round(macro_f1(truth, predicted, labels=LABELS), 4),
        reviews_per_second=round(len(items) / max(seconds, 1e-9), 2),
        method=method,
        model=model,
        by_language=by_language,
        failures=failures,
        seconds=round(seconds, 3),
    )


def evaluate_sentiment(
    items: Sequence[SentimentItem],
    *,
    method: EvalMethod = "fast",
    llm: LLMBackend | None = None,
    model: SentimentModel | None = None,
    progress: bool = False,
    console: Console | None = None,
) -> tuple[SentimentEvalReport, list[float]]:
    """Score every item with ``method``; return the report and p(positive) per item."""
    texts = [item.text for item in items]
    failures = 0
    probabilities: list[float] = []
    with progress_bar(console or Console(stderr=True), f"sentiment ({method})", progress) as bar:
        task = bar.add_task("reviews", total=len(items))
        if method == "fast":
            from shopops.reviews.sentiment import default_model

            classifier = default_model() if model is None else model
            name = classifier.version
            start = time.perf_counter()
            languages = [detect_language(text) for text in texts]
            for offset in range(0, len(texts), FAST_CHUNK):
                chunk = slice(offset, offset + FAST_CHUNK)
                probabilities += classifier.predict_proba(texts[chunk], languages[chunk]).tolist()
                bar.advance(task, len(texts[chunk]))
            seconds = time.perf_counter() - start
        else:
            if llm is None:
                raise ValueError("method 'llm' needs an llm backend")
            from shopops.reviews.sentiment_llm import classify_with_llm

            name = f"{llm.name}:{llm.model}"
            languages = [detect_language(text) for text in texts]
            start = time.perf_counter()
            for text, language in zip(texts, languages, strict=True):
                try:
                    probabilities.append(classify_with_llm(llm, [text], [language])[0].p_positive)
                except StructuredOutputError:
                    failures += 1
                    probabilities.append(0.5)
                bar.advance(task)
            seconds = time.perf_counter() - start
    report = summarize_sentiment(
        items, probabilities, languages, method=method, model=name, seconds=seconds, failures=failures
    )
    return report, probabilities
