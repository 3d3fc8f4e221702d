"""Tokens/s of the local model through shopops vs xllamacpp called directly.

shopops path: ``LoggedLLM(LocalLLM(...))`` writing every generation to a temporary SQLite store
(what ``ctx.llm`` does). Direct path: ``xllamacpp.Server(params).handle_chat_completions(body)``
with the same ``CommonParams``, the same prompts, ``temperature=0`` and the same seed. Each path
has its own server; calls alternate (A-B, B-A, ...) so drift in machine load hits both equally.
Acceptance: the shopops path is at most 5% slower. On a shared, busy machine the end-to-end
figure swings by tens of percent from run to run, so the bench also reports the exact cost of
shopops' own code: the shopops path's wall time minus the time spent inside xllamacpp.

    .venv/bin/python bench/llm_backend.py [--model qwen2.5-coder-0.5b] [--max-tokens 64] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from shopops.config import default_data_dir
from shopops.llm.base import ChatRequest, Message
from shopops.llm.local import LocalLLM, build_params, chat_body
from shopops.llm.logging import LoggedLLM
from shopops.llm.model_files import ensure_model, get_spec
from shopops.store.db import open_database

PROMPTS = [
    "Write a two-sentence product description for a linen summer shirt.",
    "A customer says their parcel is late. Draft a short, polite reply.",
    "List three reasons shoppers return running shoes.",
    "Summarise this review in one sentence: 'Great mug, keeps coffee hot, but the lid leaks.'",
    "Suggest a subject line for a weekend sale email on kitchen knives.",
    "Explain in two sentences why a store should track inventory weekly.",
]
SYSTEM = "You are a helpful assistant for an online shop. Be concise."


class TimedServer:
    """Forwards to an xllamacpp Server and adds up the time spent inside it."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.inside = 0.0

    def handle_chat_completions(self, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.server.handle_chat_completions(*args)
        finally:
            self.inside += time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the prompts")
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("SHOPOPS_DATA_DIR") or default_data_dir())
    )
    args = parser.parse_args()

    import xllamacpp

    spec = get_spec(args.model)
    path = ensure_model(spec, args.data_dir)
    n_ctx, seed = 2048, 42
    direct = xllamacpp.Server(build_params(path, n_ctx=n_ctx, threads=args.threads, seed=seed))
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        shopops_llm = LoggedLLM(
            LocalLLM(spec, args.data_dir, n_ctx=n_ctx, threads=args.threads, seed=seed), db
        )

        def request(prompt: str) -> ChatRequest:
            messages = (Message("system", SYSTEM), Message("user", prompt))
            return ChatRequest(messages, task="bench", max_tokens=args.max_tokens, temperature=0.0, seed=seed)

        def run_direct(prompt: str) -> tuple[int, float]:
            body = chat_body(request(prompt), stream=False)
            started = time.perf_counter()
            response = direct.handle_chat_completions(body)
            elapsed = time.perf_counter() - started
            return int(response["usage"]["completion_tokens"]), elapsed

        local = shopops_llm.backend
        assert isinstance(local, LocalLLM)
        # load now, then add up the time spent inside xllamacpp on shopops' calls
        timed = TimedServer(local.server)
        local._server = timed

        def run_shopops(prompt: str) -> tuple[int, float]:
            started = time.perf_counter()
            result = shopops_llm.complete(request(prompt))
            return result.completion_tokens, time.perf_counter() - started

        warm = "Say OK."  # first-call costs (graph build, page-in) are not what is measured
        run_direct(warm)
        run_shopops(warm)
        timed.inside = 0.0
        totals = {"direct": [0, 0.0], "shopops": [0, 0.0]}
        runners = {"direct": run_direct, "shopops": run_shopops}
        print(
            f"model {spec.name}, {len(PROMPTS)} prompts x {args.rounds} round(s), max_tokens "
            f"{args.max_tokens}, temperature 0, seed {seed}, threads {args.threads or os.cpu_count()}"
        )
        step = 0
        ratios: list[float] = []
        for _round in range(args.rounds):
            for prompt in PROMPTS:
                order = ["direct", "shopops"] if step % 2 == 0 else ["shopops", "direct"]
                step += 1
                line, pair = [], {}
                for name in order:
                    tokens, seconds = runners[name](prompt)
                    totals[name][0] += tokens
                    totals[name][1] += seconds
                    pair[name] = seconds
                    line.append(f"{name} {tokens} tok {seconds:.2f} s ({tokens / seconds:.1f} tok/s)")
                ratios.append(pair["shopops"] / pair["direct"])
                print("  " + " | ".join(line))
        inside = timed.inside
        shopops_llm.close()
        db.dispose()

    rate = {name: tokens / seconds for name, (tokens, seconds) in totals.items()}
    overhead = rate["direct"] / rate["shopops"] - 1
    for name, label in (("direct", "direct xllamacpp :"), ("shopops", "through shopops  :")):
        tokens, seconds = totals[name]
        print(f"{label} {tokens} tokens in {seconds:.2f} s = {rate[name]:.2f} tok/s")
    print(f"overhead         : {overhead * 100:+.1f}% end to end (acceptance: at most +5%)")
    print(
        f"paired median    : {(statistics.median(ratios) - 1) * 100:+.1f}% (shopops/direct time per prompt)"
    )
    outside = totals["shopops"][1] - inside
    calls = len(PROMPTS) * args.rounds
    print(
        f"shopops' own code: {outside * 1000 / calls:.2f} ms per call outside xllamacpp "
        f"({outside / totals['shopops'][1] * 100:.2f}% of the shopops path's time: request building, "
        "lock, result parsing, generation-log insert)"
    )
    if totals["direct"][0] != totals["shopops"][0]:
        print("note: the two paths generated different token counts (should not happen at temperature 0)")
    return 0 if overhead <= 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
