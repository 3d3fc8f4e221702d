"""Aspect polarity on the development test sets: the fast classifier vs two baselines (and the LLM).

One run over every ``*_test.jsonl`` of ../shared/data/reviews/aspects, each system scored by the
harness of ``shopops eval aspects`` (accuracy, macro-F1 over the classes present, items/s):

- **fast**: the packaged aspect-polarity model (``shopops eval aspects --method fast``);
- **majority**: always the most frequent polarity of the same language's train files;
- **lexicon**: a sentence-sentiment lexicon on the window around the aspect (the aspect's clause,
  at most 6 words / 10 characters either side): VADER's compound score for English (>= 0.05
  positive, <= -0.05 negative, else neutral), SnowNLP's probability for Chinese (>= 0.6 positive,
  <= 0.4 negative, else neutral); SnowNLP is a dev dependency;
- **llm** (``--llm N``): the configured model (``--model``, default the packaged local one) on N
  items per language, a seeded sample of that language's pooled test sets, with the fast model
  scored on the very same sample beside it.

    .venv/bin/python bench/aspects.py [--llm N] [--seed 7] [--json] [--data DIR] [--model NAME]

Exit status 0 when the fast model beats both baselines on accuracy on every set, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from shopops.evals.aspects_eval import AspectItem, evaluate_aspects, read_aspects_file, summarize_aspects
from shopops.reviews.aspect_features import is_cjk, locate_in

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "reviews" / "aspects"


def window(text: str, aspect: str) -> str:
    """The text around the aspect: its clause, at most 6 words / 10 characters either side."""
    loc = locate_in(text, aspect)
    if not loc.found:
        return loc.text
    cut = re.compile(r"[.,;!?\u3002\uff0c\uff1b\uff01\uff1f]|\bbut\b|但是|不过")
    left_text, right_text = loc.text[: loc.start], loc.text[loc.end :]
    lefts = list(cut.finditer(left_text))
    left_text = left_text[lefts[-1].end() :] if lefts else left_text
    right = cut.search(right_text)
    right_text = right_text[: right.start()] if right else right_text
    if is_cjk(loc.text):
        return left_text[-10:] + loc.text[loc.start : loc.end] + right_text[:10]
    return " ".join([*left_text.split()[-6:], loc.text[loc.start : loc.end], *right_text.split()[:6]])


def lexicon_predictor() -> Callable[[AspectItem], str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()

    def predict(item: AspectItem) -> str:
        span = window(item.text, item.aspect)
        if is_cjk(span):
            from snownlp import SnowNLP

            p = SnowNLP(span).sentiments if span.strip() else 0.5
            return "positive" if p >= 0.6 else "negative" if p <= 0.4 else "neutral"
        compound = vader.polarity_scores(span)["compound"]
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

    return predict


def scored(items: Sequence[AspectItem], predict: Callable[[AspectItem], str], method: str) -> dict[str, Any]:
    started = time.perf_counter()
    predicted = [predict(item) for item in items]
    report = summarize_aspects(items, predicted, method=method, seconds=time.perf_counter() - started)
    return {k: report.as_json()[k] for k in ("n", "accuracy", "macro_f1", "items_per_second")}


def run(args: argparse.Namespace, err: Console) -> dict[str, Any]:
    tests = {p.stem.removesuffix("_test"): p for p in sorted(args.data.glob("*_test.jsonl"))}
    majority: dict[str, str] = {}
    for lang in sorted({name.split("_")[0] for name in tests}):
        counts = Counter(
            json.loads(line)["polarity"]
            for path in sorted(args.data.glob(f"{lang}_*_train.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        )
        majority[lang] = counts.most_common(1)[0][0] if counts else "positive"
    lexicon = lexicon_predictor()
    results: dict[str, dict[str, Any]] = {}
    sets: dict[str, list[AspectItem]] = {}
    for name, path in tests.items():
        err.print(f"[bold]{name}[/]", highlight=False)
        items = sets[name] = read_aspects_file(path)
        fast, _ = evaluate_aspects(items, method="fast")
        lang = name.split("_")[0]
        results[name] = {
            "fast": {k: fast.as_json()[k] for k in ("n", "accuracy", "macro_f1", "items_per_second")},
            "majority": scored(items, lambda _item, label=majority[lang]: label, "majority"),
            "lexicon": scored(items, lexicon, "lexicon"),
        }
    out: dict[str, Any] = {"sets": results, "majority_label": majority}
    if args.llm:
        out["llm_sample"] = llm_sample(args, sets, err)
    return out


def llm_sample(args: argparse.Namespace, sets: dict[str, list[AspectItem]], err: Console) -> dict[str, Any]:
    from shopops.config import load_settings
    from shopops.llm.registry import create_llm

    settings = load_settings(local_model=args.model)
    backend = create_llm(settings)
    sample: dict[str, Any] = {"model": settings.local_model if settings.llm_backend == "local" else "?"}
    try:
        for lang in sorted({name.split("_")[0] for name in sets}):
            pool = [item for name, items in sets.items() if name.startswith(lang + "_") for item in items]
            chosen = random.Random(args.seed).sample(pool, min(args.llm, len(pool)))
            err.print(f"[bold]llm[/] {lang}: {len(chosen)} items", highlight=False)
            llm, _ = evaluate_aspects(chosen, method="llm", llm=backend, progress=True, console=err)
            fast, _ = evaluate_aspects(chosen, method="fast")
            keys = ("n", "accuracy", "macro_f1", "items_per_second")
            sample[lang] = {
                "llm": {**{k: llm.as_json()[k] for k in keys}, "failures": llm.failures},
                "fast": {k: fast.as_json()[k] for k in keys},
            }
    finally:
        backend.close()
    return sample


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of *_train/_test.jsonl")
    parser.add_argument("--llm", type=int, default=0, help="also run the LLM path on N items per language")
    parser.add_argument("--model", default=None, help="local model for --llm (default: the configured one)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the --llm sample")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    err = Console(stderr=True)
    out = run(args, err)
    wins = all(
        row["fast"]["accuracy"] > max(row["majority"]["accuracy"], row["lexicon"]["accuracy"])
        for row in out["sets"].values()
    )
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0 if wins else 1
    table = Table(
        "set", "system", "n", "accuracy", "macro-F1", "items/s", title="aspect polarity (test sets)"
    )
    for name, row in out["sets"].items():
        for system, r in row.items():
            ips = f"{r['items_per_second']:.0f}"
            table.add_row(name, system, str(r["n"]), f"{r['accuracy']:.3f}", f"{r['macro_f1']:.3f}", ips)
    for lang, row in out.get("llm_sample", {}).items():
        if isinstance(row, dict):
            for system, r in row.items():
                acc, f1, ips = f"{r['accuracy']:.3f}", f"{r['macro_f1']:.3f}", f"{r['items_per_second']:.2f}"
                table.add_row(f"sample {lang}", system, str(r["n"]), acc, f1, ips)
    Console().print(table)
    return 0 if wins else 1


if __name__ == "__main__":
    sys.exit(main())
