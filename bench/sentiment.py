"""Review sentiment on the documented held-out split: the fast classifier vs snownlp and VADER.

One run over the held-out split of the development data (the split the packaged model was trained
beside: ``shopops.reviews.sentiment_train.split`` with the seed in its ``sentiment.json``), every
system on the same texts, each reported with accuracy, macro-F1 and reviews/s:

- **shopops fast**: the packaged classifier (language detection, features and scoring all timed),
  per language and per source; also the full ``score_texts`` (neutral band + mixed clause rule);
- **snownlp** (zh): ``SnowNLP(text).sentiments >= 0.5`` (a dev dependency);
- **VADER** (en): ``compound >= 0.05`` is positive (the usual threshold; the rest negative);
- **llm** (``--llm N``): the configured model on N seeded samples per language, the fast model
  scored on the same sample beside it.

    .venv/bin/python bench/sentiment.py [--data DIR] [--llm N] [--snownlp-limit N] [--json]

Targets (the issue's acceptance): accuracy >= 92% zh, >= 88% en, >= 1,000 reviews/s. Exit status 0
when all pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from shopops.evals.metrics import accuracy, macro_f1
from shopops.reviews.sentiment import ARTIFACT_DIR, default_model, score_texts
from shopops.reviews.sentiment_train import load_language, split

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "reviews"
TARGET_ACCURACY = {"zh": 0.92, "en": 0.88}
TARGET_RATE = 1000.0
LABELS = ("positive", "negative")


def measure(
    name: str, predict: Callable[[list[str]], list[str]], texts: list[str], truth: list[str]
) -> dict[str, Any]:
    start = time.perf_counter()
    predicted = predict(texts)
    seconds = time.perf_counter() - start
    return {
        "system": name,
        "n": len(texts),
        "accuracy": round(accuracy(truth, predicted), 4),
        "macro_f1": round(macro_f1(truth, predicted, labels=LABELS), 4),
        "reviews_per_second": round(len(texts) / max(seconds, 1e-9), 1),
        "predicted": predicted,
    }


def fast_predict(texts: list[str]) -> list[str]:
    return ["positive" if p >= 0.5 else "negative" for p in default_model().predict_proba(texts)]


def scored_predict(texts: list[str]) -> list[str]:
    """``score_texts`` in full; the binary label is read from p (neutral/mixed are not classes here)."""
    return ["positive" if s.p_positive >= 0.5 else "negative" for s in score_texts(texts)]


def snownlp_predict(texts: list[str]) -> list[str]:
    from snownlp import SnowNLP

    return ["positive" if SnowNLP(t).sentiments >= 0.5 else "negative" for t in texts]


def vader_predict(texts: list[str]) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return ["positive" if analyzer.polarity_scores(t)["compound"] >= 0.05 else "negative" for t in texts]


def llm_predict(texts: list[str]) -> list[str]:
    from shopops.config import load_settings
    from shopops.llm.registry import create_llm
    from shopops.reviews.sentiment_llm import classify_with_llm

    backend = create_llm(load_settings())
    try:
        scores = classify_with_llm(backend, texts)
    finally:
        backend.close()
    return [
        "positive" if s.p_positive > 0.5 else "negative" if s.p_positive < 0.5 else "none" for s in scores
    ]


def per_source(result: dict[str, Any], truth: Sequence[str], sources: Sequence[str]) -> dict[str, float]:
    out = {}
    for source in sorted(set(sources)):
        rows = [i for i, s in enumerate(sources) if s == source]
        out[source] = round(accuracy([truth[i] for i in rows], [result["predicted"][i] for i in rows]), 4)
    return out


def run(data_dir: Path, *, llm: int, snownlp_limit: int | None, seed: int) -> dict[str, Any]:
    manifest = json.loads((ARTIFACT_DIR / "sentiment.json").read_text())
    default_model()  # load outside the timings
    report: dict[str, Any] = {"model": manifest["version"], "split_seed": manifest["seed"], "languages": {}}
    for language, baseline_name, baseline in (
        ("zh", "snownlp", snownlp_predict),
        ("en", "vader", vader_predict),
    ):
        _, test = split(load_language(data_dir, language).frame, language, manifest["seed"])
        texts = test["text"].tolist()
        truth = ["positive" if y else "negative" for y in test["y"]]
        sources = test["source"].tolist()
        fast = measure("shopops fast", fast_predict, texts, truth)
        fast["per_source"] = per_source(fast, truth, sources)
        full = measure("shopops score_texts", scored_predict, texts, truth)
        limit = len(texts) if snownlp_limit is None or language != "zh" else min(snownlp_limit, len(texts))
        base = measure(baseline_name, baseline, texts[:limit], truth[:limit])
        base["per_source"] = per_source(base, truth[:limit], sources[:limit])
        systems = [fast, full, base]
        if llm:
            rows = sorted(random.Random(seed).sample(range(len(texts)), min(llm, len(texts))))
            sample, sample_truth = [texts[i] for i in rows], [truth[i] for i in rows]
            systems.append(measure("llm", llm_predict, sample, sample_truth))
            systems.append(measure("shopops fast (llm sample)", fast_predict, sample, sample_truth))
        for system in systems:
            system.pop("predicted")
        report["languages"][language] = {
            "test_rows": len(texts),
            "systems": systems,
            "accuracy_gain_vs_baseline": round(fast["accuracy"] - base["accuracy"], 4),
            "speed_ratio_vs_baseline": round(fast["reviews_per_second"] / base["reviews_per_second"], 1),
            "pass_accuracy": fast["accuracy"] >= TARGET_ACCURACY[language],
            "pass_speed": fast["reviews_per_second"] >= TARGET_RATE,
        }
    return report


def show(report: dict[str, Any], console: Console) -> None:
    table = Table(
        "lang",
        "system",
        "n",
        "accuracy",
        "macro-F1",
        "reviews/s",
        "per source",
        title=f"sentiment — {report['model']}",
    )
    for language, part in report["languages"].items():
        for system in part["systems"]:
            sources = ", ".join(f"{k} {v:.3f}" for k, v in system.get("per_source", {}).items())
            table.add_row(
                language,
                system["system"],
                str(system["n"]),
                f"{system['accuracy']:.4f}",
                f"{system['macro_f1']:.4f}",
                f"{system['reviews_per_second']:,.0f}",
                sources,
            )
    console.print(table)
    for language, part in report["languages"].items():
        verdict = "PASS" if part["pass_accuracy"] and part["pass_speed"] else "FAIL"
        console.print(
            f"{language}: {verdict} (accuracy >= {TARGET_ACCURACY[language]:.0%}: {part['pass_accuracy']}, "
            f">= {TARGET_RATE:,.0f}/s: {part['pass_speed']}); "
            f"vs baseline {part['accuracy_gain_vs_baseline']:+.4f} accuracy, "
            f"{part['speed_ratio_vs_baseline']}x the speed",
            highlight=False,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--llm", type=int, default=0, help="also run the LLM on N samples per language")
    parser.add_argument("--snownlp-limit", type=int, default=None, help="snownlp on the first N zh rows only")
    parser.add_argument("--seed", type=int, default=7, help="seed of the LLM sample")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    report = run(args.data, llm=args.llm, snownlp_limit=args.snownlp_limit, seed=args.seed)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        show(report, Console())
    passed = all(p["pass_accuracy"] and p["pass_speed"] for p in report["languages"].values())
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
