"""Support latency: retrieval alone, and a draft through the HTTP API under concurrent clients.

(a) **retrieval**: ``KnowledgeIndex.search`` (k=3) over the development KB (bench/support_data.py,
    built from ../shared/data/support) with the configured embedder, for ``--queries`` customer
    questions (the dev set's, then more of the FAQ's questions in customer wording). Reported
    twice: the whole search (the query's embedding included) and the ranking alone (BM25, cosine
    and fusion over a precomputed query vector), p50/p95/mean ms.
(b) **API**: ``shopops serve`` (uvicorn, one process) over a temporary ``SHOPOPS_DATA_DIR`` (the
    packaged model linked in from the configured data dir, not copied), the KB imported with
    ``shopops import knowledge``, one agent with an API key. ``--clients`` threads POST
    ``/api/support/messages`` (``{"text", "conversation_id"}``, a new conversation each time) for
    ``--duration`` seconds; a 429/503 answer is waited out as its ``Retry-After`` says (a polite
    helpdesk; ``--no-backoff`` retries at once). One request is sent alone first (it indexes the
    KB and loads the model) and is reported apart. Reported: p50/p95 of the 200 answers, counts per
    status, whether every 429/503 carried ``Retry-After``.

Acceptance (API): every 429/503 carried Retry-After, at least one draft came back (200), and
nothing else failed (no 5xx other than 503, no other status, no dropped connection).

    .venv/bin/python bench/support_latency.py [--duration 60] [--clients 8] [--queries 300]
        [--max-concurrent N] [--answer-style extract|verify|generate] [--llm local|fake]
        [--embed local|hash] [--skip-api] [--skip-retrieval] [--no-backoff] [--json]

With the default ``extract`` answer style an English question needs no model call (the drafts are
quotes of the best passage), so the API figures are retrieval plus the store; ``--answer-style
generate`` loads the model with every draft and shows the admission control at work.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from shopops.config import load_settings
from shopops.evals.metrics import percentile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from api_load import free_port, wait_until_up  # noqa: E402  (one way to start and wait for a server)
from support_data import SHARED_SUPPORT, build_dev_set, customer_wording, load_faq  # noqa: E402

REQUEST_TIMEOUT = 300.0


# -- (a) retrieval ---------------------------------------------------------------------------------


def retrieval_queries(
    dev_questions: list[str], faq: list[dict[str, str]], count: int, seed: int
) -> list[str]:
    rng = random.Random(seed)
    queries = list(dev_questions)
    while len(queries) < count:
        queries.append(customer_wording(rng.choice(faq)["question"], rng))
    return queries[:count]


def stats(values_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(values_ms),
        "p50_ms": round(percentile(values_ms, 50), 2),
        "p95_ms": round(percentile(values_ms, 95), 2),
        "mean_ms": round(sum(values_ms) / len(values_ms), 2) if values_ms else 0.0,
    }


def measure_retrieval(kb_dir: Path, queries: list[str], embed_backend: str | None) -> dict[str, Any]:
    from shopops.embed.registry import create_embedder
    from shopops.evals.support_eval import build_kb_index

    settings = load_settings(embed_backend=embed_backend)
    embedder = create_embedder(settings)
    try:
        started = time.perf_counter()
        index = build_kb_index(kb_dir, embedder)
        build_s = time.perf_counter() - started
        for query in queries[:5]:  # warm up: model load, jieba, caches
            index.search(query, k=3)
        whole, ranking = [], []
        for query in queries:
            t0 = time.perf_counter()
            index.search(query, k=3)
            whole.append((time.perf_counter() - t0) * 1000)
        vectors = embedder.embed_queries(queries)
        for query, vector in zip(queries, vectors, strict=True):
            t0 = time.perf_counter()
            index.search(query, k=3, query_vector=vector)
            ranking.append((time.perf_counter() - t0) * 1000)
        return {
            "embedder": embedder.model,
            "passages": len(index),
            "index_build_s": round(build_s, 2),
            "search": stats(whole),
            "ranking_only": stats(ranking),
        }
    finally:
        embedder.close()


# -- (b) the API -----------------------------------------------------------------------------------


@dataclass
class Sample:
    status: int  # 0: no HTTP answer (connection error, timeout)
    seconds: float
    retry_after: str | None = None
    error: str = ""
    outcome: str = ""  # of a 200: "answer", or "escalate:<hand-off reason>"


@dataclass
class LoadResult:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0


def model_name(settings: Any) -> str:
    if settings.llm_backend == "local":
        return f"local {settings.local_model}"
    return str(settings.llm_backend)


def shopops_command() -> list[str]:
    script = Path(sys.executable).with_name("shopops")
    return [str(script)] if script.exists() else [sys.executable, "-m", "shopops.cli.main"]


def prepare_store(tmp: Path, kb_dir: Path, env: dict[str, str]) -> str:
    """Link the packaged models in, import the KB (the CLI, as a user does), make an agent with an
    API key; returns the key."""
    from shopops.auth.accounts import create_user
    from shopops.auth.sessions import issue_api_key
    from shopops.config import Settings
    from shopops.context import AppContext

    source_models = load_settings().data_dir / "models"
    data_dir = Path(env["SHOPOPS_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    if source_models.is_dir():
        (data_dir / "models").symlink_to(source_models, target_is_directory=True)
    imported = subprocess.run(
        [*shopops_command(), "import", "knowledge", str(kb_dir)], env=env, capture_output=True, text=True
    )
    if imported.returncode != 0:
        raise SystemExit(f"shopops import knowledge failed:\n{imported.stdout}\n{imported.stderr}")
    settings = Settings(data_dir=data_dir, database_url=env["SHOPOPS_DATABASE_URL"], llm_backend="fake")
    ctx = AppContext(settings)
    try:
        user = create_user(ctx.db, "bench-agent@example.com", None, role="agent", name="Bench agent")
        return issue_api_key(ctx.db, user.id, actor="bench")
    finally:
        ctx.close()


def post(client: httpx.Client, url: str, text: str, conversation: str) -> Sample:
    started = time.perf_counter()
    try:
        response = client.post(url, json={"text": text, "conversation_id": conversation})
    except httpx.HTTPError as exc:
        return Sample(0, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}"[:200])
    seconds = time.perf_counter() - started
    outcome = ""
    if response.status_code == 200:
        try:
            body = response.json()
            handoff = body.get("handoff") or {}
            outcome = (
                body["decision"] if body["decision"] == "answer" else f"escalate:{handoff.get('reason')}"
            )
        except (ValueError, KeyError, AttributeError):
            outcome = "unreadable"
    return Sample(
        response.status_code,
        seconds,
        response.headers.get("retry-after"),
        error="" if response.status_code < 400 else response.text[:200],
        outcome=outcome,
    )


def run_load(
    url: str, headers: dict[str, str], texts: list[str], clients: int, seconds: float, backoff: bool
) -> LoadResult:
    result = LoadResult()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client_loop(number: int) -> None:
        sent = 0
        with httpx.Client(headers=headers, timeout=REQUEST_TIMEOUT) as client:
            while time.perf_counter() < deadline:
                text = texts[(number * 7919 + sent) % len(texts)]
                sample = post(client, url, text, f"bench-{number}-{sent}")
                sent += 1
                with lock:
                    result.samples.append(sample)
                if backoff and sample.status in (429, 503):
                    try:
                        wait = float(sample.retry_after or 1)
                    except ValueError:
                        wait = 1.0
                    time.sleep(max(0.0, min(wait, deadline - time.perf_counter())))

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def measure_api(args: argparse.Namespace, kb_dir: Path, texts: list[str]) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="shopops-support-latency-"))
    env = {
        **os.environ,
        "SHOPOPS_DATA_DIR": str(tmp / "data"),
        "SHOPOPS_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
    }
    for name, value in (
        ("SHOPOPS_LLM_BACKEND", args.llm),
        ("SHOPOPS_EMBED_BACKEND", args.embed),
        ("SHOPOPS_SUPPORT_MAX_CONCURRENT", args.max_concurrent),
        ("SHOPOPS_LOCAL_MODEL", args.model),
        ("SHOPOPS_SUPPORT_ANSWER_STYLE", args.answer_style),
    ):
        if value is not None:
            env[name] = str(value)
    proc: subprocess.Popen[bytes] | None = None
    try:
        key = prepare_store(tmp, kb_dir, env)
        served = load_settings(
            llm_backend=args.llm,
            embed_backend=args.embed,
            support_max_concurrent=args.max_concurrent,
            support_answer_style=args.answer_style,
        )
        port = free_port()
        log = tmp / "server.log"
        with log.open("wb") as handle:
            proc = subprocess.Popen(
                [*shopops_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        root = f"http://127.0.0.1:{port}"
        wait_until_up(f"{root}/api/health", proc, log, timeout=120)
        url = f"{root}/api/support/messages"
        headers = {"Authorization": f"Bearer {key}"}
        print(
            f"API: {args.clients} clients x {args.duration} s, support_max_concurrent "
            f"{served.support_max_concurrent}, answer style {served.support_answer_style}, "
            f"llm {model_name(served)}, "
            f"embedder {served.embed_backend}, backoff on 429/503: {not args.no_backoff}",
            file=sys.stderr,
            flush=True,
        )
        with httpx.Client(headers=headers, timeout=REQUEST_TIMEOUT) as client:
            first = post(client, url, texts[0], "bench-first")
        if first.status != 200:
            raise SystemExit(
                f"the first request answered {first.status}: {first.error}\n{log.read_text()[-3000:]}"
            )
        load = run_load(url, headers, texts, args.clients, args.duration, not args.no_backoff)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    statuses = Counter(s.status for s in load.samples)
    outcomes = Counter(s.outcome for s in load.samples if s.status == 200)
    ok_ms = [s.seconds * 1000 for s in load.samples if s.status == 200]
    overloaded = [s for s in load.samples if s.status in (429, 503)]
    with_retry_after = sum(1 for s in overloaded if s.retry_after)
    other_5xx = sum(n for status, n in statuses.items() if status >= 500 and status != 503)
    unexpected = sum(n for status, n in statuses.items() if status not in (200, 429, 503))
    errors = [s.error for s in load.samples if s.status not in (200, 429, 503)][:5]
    passed = bool(ok_ms) and with_retry_after == len(overloaded) and other_5xx == 0 and unexpected == 0
    return {
        "clients": args.clients,
        "duration_s": args.duration,
        "wall_s": round(load.seconds, 1),
        "support_max_concurrent": served.support_max_concurrent,
        "answer_style": served.support_answer_style,
        "llm": served.llm_backend,
        "model": model_name(served),
        "first_request_ms": round(first.seconds * 1000, 1),
        "requests": len(load.samples),
        "status_counts": {str(k): v for k, v in sorted(statuses.items())},
        "ok": stats(ok_ms),
        "outcomes": dict(outcomes.most_common()),
        "first_outcome": first.outcome,
        "drafts_per_minute": round(len(ok_ms) / load.seconds * 60, 2) if load.seconds else 0.0,
        "overload_answers": len(overloaded),
        "overload_with_retry_after": with_retry_after,
        "other_5xx": other_5xx,
        "unexpected": unexpected,
        "error_examples": errors,
        "pass": passed,
    }


# -- main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds of API load")
    parser.add_argument("--clients", type=int, default=8, help="concurrent API clients")
    parser.add_argument("--queries", type=int, default=300, help="retrieval queries")
    parser.add_argument(
        "--max-concurrent", type=int, default=None, help="support_max_concurrent of the server"
    )
    parser.add_argument(
        "--llm", choices=("local", "openai", "fake"), default=None, help="default: configured"
    )
    parser.add_argument(
        "--embed", choices=("local", "openai", "hash"), default=None, help="default: configured"
    )
    parser.add_argument("--model", default=None, help="local model (default: the configured one)")
    parser.add_argument(
        "--answer-style",
        choices=("extract", "verify", "generate"),
        default=None,
        help="the server's support_answer_style (default: the configured one)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-backoff", action="store_true", help="retry 429/503 at once, not after Retry-After"
    )
    parser.add_argument("--skip-api", action="store_true", help="retrieval only")
    parser.add_argument("--skip-retrieval", action="store_true", help="API only")
    parser.add_argument("--shared", type=Path, default=SHARED_SUPPORT, help="../shared/data/support")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if not (args.shared / "ecommerce_faq.json").is_file():
        parser.error(f"{args.shared} has no ecommerce_faq.json: the bench needs ../shared/data")

    with tempfile.TemporaryDirectory(prefix="shopops-support-dev-") as tmp:
        dev = build_dev_set(Path(tmp), seed=args.seed, shared=args.shared)
        texts = [
            json.loads(line)["question"]
            for path in (dev.questions, dev.context_questions)
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        result: dict[str, Any] = {"dev_set": dev.counts, "cores": os.cpu_count()}
        if not args.skip_retrieval:
            queries = retrieval_queries(texts, load_faq(args.shared), args.queries, args.seed)
            result["retrieval"] = measure_retrieval(dev.kb_dir, queries, args.embed)
        if not args.skip_api:
            result["api"] = measure_api(args, dev.kb_dir, texts)
    passed = result.get("api", {}).get("pass", True)
    if args.json:
        print(json.dumps(result))
        return 0 if passed else 1
    if "retrieval" in result:
        r = result["retrieval"]
        print(
            f"retrieval over {r['passages']} passages ({r['embedder']}; "
            f"index built in {r['index_build_s']} s):"
        )
        for name in ("search", "ranking_only"):
            s = r[name]
            label = "search (embed query + rank)" if name == "search" else "ranking only (vector given)"
            print(
                f"  {label:<30} n={s['n']:<4} p50 {s['p50_ms']:8.2f} ms  p95 {s['p95_ms']:8.2f} ms  "
                f"mean {s['mean_ms']:8.2f} ms"
            )
    if "api" in result:
        a = result["api"]
        ok = a["ok"]
        print(
            f"API POST /api/support/messages: {a['clients']} clients x {a['duration_s']} s "
            f"(wall {a['wall_s']} s), support_max_concurrent {a['support_max_concurrent']}, "
            f"answer style {a['answer_style']}, "
            f"llm {a['model']}, {result['cores']} cores"
        )
        print(f"  first request alone (indexing + model load): {a['first_request_ms']:.0f} ms")
        print(
            f"  200: n={ok['n']} p50 {ok['p50_ms']:.0f} ms  p95 {ok['p95_ms']:.0f} ms  "
            f"mean {ok['mean_ms']:.0f} ms; {a['drafts_per_minute']} drafts/min"
        )
        print(f"  status counts: {a['status_counts']} (0 = no HTTP answer)")
        print(f"  outcomes of the 200s: {a['outcomes']} (first request: {a['first_outcome']})")
        print(
            f"  429/503 answers: {a['overload_answers']}, "
            f"with Retry-After: {a['overload_with_retry_after']}; "
            f"other 5xx: {a['other_5xx']}; other statuses/errors: {a['unexpected']}"
        )
        for example in a["error_examples"]:
            print(f"    e.g. {example}")
        verdict = "PASS" if a["pass"] else "FAIL"
        print(f"{verdict}: overload answers carry Retry-After and nothing else failed")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
