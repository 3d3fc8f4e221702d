"""The support benchmarks on fast fakes: the dev set is built as described, bench/support_quality.py
runs all three systems through the eval harness, bench/support_latency.py measures retrieval and
the API. Needs ../shared/data (skips without it); the figures of a fake run mean nothing."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from rich.console import Console

from shopops.evals.support_eval import load_kb_documents, read_support_file

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def support_dir(shared_data: Path) -> Path:
    return shared_data / "support"


def test_dev_set_is_built_as_described(tmp_path: Path, support_dir: Path) -> None:
    data = load("support_data")
    dev = data.build_dev_set(tmp_path, seed=7, shared=support_dir)
    faq = data.load_faq(support_dir)
    counts = dev.counts
    assert counts["kb_entries"] + counts["held_out_entries"] == len(faq) == 79
    assert 15 <= counts["held_out_entries"] <= 25
    assert counts["answerable"] == 30 and counts["unanswerable_out_of_scope"] == 10
    assert counts["context_answerable"] == counts["context_unanswerable"] == 10

    docs = load_kb_documents(dev.kb_dir)
    kb_text = "\n".join(d.content for d in docs)
    assert dev.manual_included == any(d.key == "abcd_guidelines.json" for d in docs)
    items = read_support_file(dev.questions)
    rows = [json.loads(line) for line in dev.questions.read_text("utf-8").splitlines()]
    by_id = {e["question"]: e for e in faq}
    for row in rows:
        if row["source"] == "faq_held_out":
            assert by_id[row["question"]]["answer"] not in kb_text  # its answer is not in the KB
        if row["source"] == "faq_in_kb":
            assert row["answers"][0] in kb_text
            assert row["question"] not in by_id  # reworded the way customers write
    assert {i.answerable for i in items} == {True, False} and all(i.context is None for i in items)
    context = read_support_file(dev.context_questions)
    assert all(i.context for i in context)
    for item in context:
        if item.answerable:
            assert item.answers == (item.context,)
    again = data.build_dev_set(tmp_path / "again", seed=7, shared=support_dir)
    assert again.questions.read_text("utf-8") == dev.questions.read_text("utf-8")  # deterministic
    other = data.build_dev_set(tmp_path / "other", seed=8, shared=support_dir)
    assert other.questions.read_text("utf-8") != dev.questions.read_text("utf-8")


def quality_args(tmp_path: Path, support_dir: Path, **extra: Any) -> argparse.Namespace:
    options: dict[str, Any] = {
        "limit": 8,
        "seed": 7,
        "llm": "fake",
        "embed": "hash",
        "model": None,
        "answer_style": None,
        "sweep": True,
        "thresholds": (0.3, 0.5, 0.7),
        "json": True,
        "out_dir": tmp_path / "out",
        "shared": support_dir,
        "no_manual": False,
        "quiet": True,
    }
    options.update(extra)
    return argparse.Namespace(**options)


def test_quality_bench_smoke_run(tmp_path: Path, support_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPOPS_DATA_DIR", str(tmp_path / "data"))
    quality = load("support_quality")
    result = quality.run(quality_args(tmp_path, support_dir), Console(stderr=True, quiet=True))
    reports = result.pop("_reports")
    assert set(result["systems"]) == {"shopops", "retrieval", "raw-llm"}
    for by_set in result["systems"].values():
        assert set(by_set) == {"kb", "context", "all"}
        assert by_set["kb"]["n"] == by_set["context"]["n"] == 8 and by_set["all"]["n"] == 16
        for key in ("decision_accuracy", "answer_f1", "escalation_precision", "escalation_recall"):
            assert 0.0 <= by_set["all"][key] <= 1.0
    assert result["pass"] == all(
        reports["shopops"]["all"].decision_accuracy > reports[b]["all"].decision_accuracy
        for b in ("retrieval", "raw-llm")
    )
    assert [s["threshold"] for s in result["sweep"]] == [0.3, 0.5, 0.7]
    assert result["sweep_consistent"] is True
    assert result["best_threshold"] in (0.3, 0.5, 0.7)
    out = tmp_path / "out"
    for system in ("shopops", "retrieval", "raw-llm"):
        lines = (out / f"{system}.kb.out.jsonl").read_text("utf-8").splitlines()
        assert len(lines) == 8 and set(json.loads(lines[0])) == {"id", "decision", "text", "citations"}
    details = [
        json.loads(line) for line in (out / "shopops.kb.details.jsonl").read_text("utf-8").splitlines()
    ]
    assert all("confidence" in d and "candidate" in d for d in details)
    # the retrieval baseline answers exactly when BM25 matched something
    retrieval = [
        json.loads(line) for line in (out / "retrieval.context.out.jsonl").read_text("utf-8").splitlines()
    ]
    assert all(line["decision"] == "answer" or line["text"] == "" for line in retrieval)


def test_raw_llm_baseline_escalates_when_the_model_says_so() -> None:
    from shopops.evals.support_eval import SupportItem
    from shopops.llm.fake import FakeLLM

    quality = load("support_quality")
    item = SupportItem(id="q", line=1, question="Do you sell gift cards?", answerable=False)
    said = quality.raw_llm_work(FakeLLM(script=["ESCALATE"]), temperature=0.0, seed=1)(item)
    assert said.decision == "escalate"
    answered = quality.raw_llm_work(FakeLLM(script=["Yes, from $10."]), temperature=0.0, seed=1)(item)
    assert answered.decision == "answer" and answered.answer == "Yes, from $10."
    assert quality.RAW_PROMPT == "Answer the customer's question; if you do not know, reply exactly ESCALATE."
    llm = FakeLLM(script=["ESCALATE"])
    quality.raw_llm_work(llm, temperature=0.0, seed=1)(item)
    assert [(m.role, m.content) for m in llm.requests[0].messages] == [
        ("system", quality.RAW_PROMPT),
        ("user", "Do you sell gift cards?"),
    ]


def test_latency_bench_smoke_run(tmp_path: Path, support_dir: Path) -> None:
    latency = load("support_latency")
    data = load("support_data")
    dev = data.build_dev_set(tmp_path, seed=7, shared=support_dir)
    queries = latency.retrieval_queries(["where is my parcel?"], data.load_faq(support_dir), 40, 7)
    assert len(queries) == 40 and queries[0] == "where is my parcel?"
    retrieval = latency.measure_retrieval(dev.kb_dir, queries, "hash")
    assert (
        retrieval["search"]["n"] == 40 and retrieval["search"]["p95_ms"] >= retrieval["search"]["p50_ms"] > 0
    )


def test_latency_bench_api_smoke_run(
    tmp_path: Path, support_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real ``shopops serve`` subprocess on the fakes, two seconds of load, one draft at a time."""
    monkeypatch.setenv("SHOPOPS_DATA_DIR", str(tmp_path / "home"))
    latency = load("support_latency")
    data = load("support_data")
    dev = data.build_dev_set(tmp_path / "dev", seed=7, shared=support_dir)
    args = argparse.Namespace(
        llm="fake",
        embed="hash",
        max_concurrent=1,
        model=None,
        answer_style="generate",
        clients=4,
        duration=2,
        no_backoff=False,
    )
    result = latency.measure_api(args, dev.kb_dir, ["What is your return policy?", "hi, do you ship abroad?"])
    assert result["pass"], result
    assert result["ok"]["n"] > 0 and result["status_counts"].get("200", 0) == result["ok"]["n"]
    assert result["overload_with_retry_after"] == result["overload_answers"]
    assert result["answer_style"] == "generate"
