"""Questions over store data: answer accuracy and latency of each translation mode, side by side.

Builds the seeded store of ``tests/unit/test_reports_semantic.py`` in a temporary SQLite file and
asks, in each mode (``rules``, ``llm``: the configured model, by default the packaged local
qwen2.5-coder-0.5b; ``auto``: rules, then the model for what they cannot read):

- **core**: the 41 questions of ``tests/unit/test_reports_ask.py`` (English and Chinese), each
  scored against the answer computed there in plain Python from the raw rows;
- **paraphrases**: 8 questions worded away from the rules' keywords (written before the rules
  were tuned, and not tuned on), scored the same way;
- **refusals**: 10 requests to write or to read personal data and 3 off-topic questions, which
  must get no answer.

An answer counts as correct only when metric, period, filters, comparison and every row match.
Prints accuracy and p50/p95 seconds per question for each mode and set.

    .venv/bin/python bench/ask.py [--modes rules,auto,llm] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit"))

from test_reports_ask import ADVERSARIAL, CASES, LAST_WEEK, MARCH, OFF_TOPIC, Q1, Case, mismatches  # noqa: E402
from test_reports_semantic import Calc, load_raw_store, make_raw_store  # noqa: E402

from shopops.config import load_settings  # noqa: E402
from shopops.llm.registry import create_llm  # noqa: E402
from shopops.reports.ask import answer_question  # noqa: E402
from shopops.store.db import open_database  # noqa: E402

D = __import__("datetime").date
PARAPHRASES: tuple[Case, ...] = (
    Case("How many items got sent back in March?", "returned_units", *MARCH),
    Case("How many people bought from us for the first time last month?", "new_customers", *MARCH),
    Case("What was the typical basket last week?", "average_order_value", *LAST_WEEK),
    Case("How much cash did we bring in last month?", "revenue", *MARCH),
    Case("What share of what we sold was sent back last quarter?", "return_rate", *Q1),
    Case("How did shoppers rate us last month?", "average_rating", *MARCH),
    Case("How many buyers came back for another order in March 2026?", "returning_customers", *MARCH),
    Case("How many times did we refund someone last year?", "refunded_orders", D(2025, 1, 1), D(2026, 1, 1)),
)


def run_mode(db: Any, calc: Calc, mode: str, llm: Any, cases: tuple[Case, ...]) -> dict[str, Any]:
    correct, seconds, failures = 0, [], []
    for number, case in enumerate(cases, start=1):
        print(f"{mode}: {number}/{len(cases)} {case.question}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        result = answer_question(db, case.question, mode=mode, llm=llm)  # type: ignore[arg-type]
        seconds.append(time.perf_counter() - started)
        wrong = mismatches(result.answer, case, calc) if result.answered else [result.message[:80]]
        if wrong:
            failures.append({"question": case.question, "by": result.translated_by, "why": wrong[0][:120]})
        else:
            correct += 1
    return {
        "n": len(cases),
        "correct": correct,
        "accuracy": correct / len(cases),
        **_times(seconds),
        "failures": failures,
    }


def run_refusals(db: Any, mode: str, llm: Any) -> dict[str, Any]:
    seconds, answered = [], []
    for question in (*ADVERSARIAL, *OFF_TOPIC):
        started = time.perf_counter()
        result = answer_question(db, question, mode=mode, llm=llm)  # type: ignore[arg-type]
        seconds.append(time.perf_counter() - started)
        if result.answered:
            answered.append(question)
    n = len(ADVERSARIAL) + len(OFF_TOPIC)
    return {
        "n": n,
        "correct": n - len(answered),
        "accuracy": (n - len(answered)) / n,
        **_times(seconds),
        "failures": answered,
    }


def _times(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "p50_s": round(statistics.median(ordered), 4),
        "p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modes", default="rules,auto,llm", help="comma-separated: rules, auto, llm")
    parser.add_argument("--limit", type=int, default=0, help="only the first N core questions")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    console = Console()
    raw = make_raw_store()
    calc = Calc(raw)
    core = CASES[: args.limit] if args.limit else CASES
    settings = load_settings()
    llm = create_llm(settings)
    report: dict[str, Any] = {"model": f"{settings.llm_backend}:{settings.local_model}", "modes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'ask.db'}")
        load_raw_store(db, raw)
        if "llm" in args.modes or "auto" in args.modes:  # load the model before timing anything
            answer_question(db, "How much money did we make?", mode="llm", llm=llm)
        for mode in args.modes.split(","):
            report["modes"][mode] = {
                "core": run_mode(db, calc, mode, llm, core),
                "paraphrases": run_mode(db, calc, mode, llm, PARAPHRASES),
                "refusals": run_refusals(db, mode, llm),
            }
            if not args.json:
                console.print(f"[dim]{mode} done[/]")
        db.dispose()
    llm.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    table = Table(title=f"questions over store data ({report['model']}, 2 CPU cores)")
    for column in ("mode", "set", "n", "correct", "accuracy", "p50 s", "p95 s"):
        table.add_column(column, justify="left" if column in ("mode", "set") else "right")
    for mode, sets in report["modes"].items():
        for name, r in sets.items():
            figures = (str(r["n"]), str(r["correct"]), f"{r['accuracy']:.2f}", f"{r['p50_s']:.3f}")
            table.add_row(mode, name, *figures, f"{r['p95_s']:.3f}")
    console.print(table)
    for mode, sets in report["modes"].items():
        for name, r in sets.items():
            for failure in r["failures"]:
                console.print(f"[dim]{mode}/{name} wrong: {failure}[/]", highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
