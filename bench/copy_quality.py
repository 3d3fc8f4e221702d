"""Copy quality on the development catalog: shopops vs a template and a raw-prompt baseline.

Issue 4's acceptance: with the default local model, shopops' descriptions have an
unsupported_claim_rate of at most 5% after the checker's own regeneration loop and no refusals or
prompt echoes, and ROUGE-L is reported beside

- **template**: a deterministic description from the facts, no model (never invents);
- **raw-prompt**: the same model asked "write a product description for: <title>", no grounding
  and no checker loop (the checker still reads its output, so its unsupported_claim_rate shows
  what grounding buys);

all three on the same products in one run. The set is a seeded sample of N products of
../shared/data/catalog/amazon_india_dev.csv (scripts/build_copy_eval_set.py); every system goes
through the harness of ``shopops eval copy``. Outputs (``{id, text, flags}`` per system) are kept
in --out-dir for reading the flags.

    .venv/bin/python bench/copy_quality.py [--n 40] [--seed 7] [--model qwen2.5-coder-0.5b]
        [--max-tokens N] [--regenerations 2] [--out-dir DIR]

On 2 cores the 0.5B model writes ~25 tokens/s: shopops spends 10-90 s a product (regenerations
included), the raw prompt 10-30 s at --max-tokens 250; keep --n small on a busy machine.
Exit status 0 when shopops meets the acceptance figures, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console
from rich.table import Table

from shopops.config import load_settings
from shopops.copy.types import CopyKind
from shopops.evals.baselines import work_for_system
from shopops.evals.copy_eval import CopyEvalReport, evaluate_copy, flag_counts, read_eval_file
from shopops.llm.registry import create_llm

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared" / "data" / "catalog" / "amazon_india_dev.csv"
SYSTEMS = ("template", "shopops", "raw-prompt")
MAX_UNSUPPORTED = 0.05


def load_builder() -> ModuleType:
    path = ROOT / "scripts" / "build_copy_eval_set.py"
    spec = importlib.util.spec_from_file_location("build_copy_eval_set", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table(reports: dict[str, CopyEvalReport], title: str) -> Table:
    out = Table(title=title)
    for column in ("system", "n", "rouge_l", "bleu", "unsupported", "compliance", "refusals", "items/s"):
        out.add_column(column, justify="left" if column == "system" else "right")
    for name, r in reports.items():
        out.add_row(
            name,
            str(r.n),
            "–" if r.rouge_l is None else f"{r.rouge_l:.4f}",
            "–" if r.bleu is None else f"{r.bleu:.2f}",
            f"{r.unsupported_claim_rate:.1%}",
            str(r.compliance_violations),
            str(r.refusals),
            f"{r.items_per_second:.3f}",
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=40, help="products sampled from the catalog")
    parser.add_argument("--seed", type=int, default=7, help="seed of the sample")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--backend", default=None, help="llm backend (default: the configured one)")
    parser.add_argument("--model", default=None, help="local model (default: the configured one)")
    parser.add_argument("--max-tokens", type=int, default=None, help="default: the writer's own budget")
    parser.add_argument(
        "--regenerations", type=int, default=None, help="default: settings.copy_max_regenerations"
    )
    parser.add_argument("--out-dir", type=Path, default=None, help="keep the set and outputs here")
    args = parser.parse_args()
    if not args.csv.is_file():
        parser.error(f"{args.csv} does not exist: the bench needs ../shared/data (or pass --csv)")

    err = Console(stderr=True)
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="shopops-copy-quality-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = load_builder()
    eval_file = out_dir / "copy_eval.jsonl"
    builder.write_jsonl(builder.build(args.csv, limit=args.n, seed=args.seed), eval_file)
    items = read_eval_file(eval_file)

    settings = load_settings(llm_backend=args.backend, local_model=args.model)
    regenerations = settings.copy_max_regenerations if args.regenerations is None else args.regenerations
    model = settings.local_model if settings.llm_backend == "local" else settings.llm_backend
    backend = create_llm(settings)
    err.print(
        f"{len(items)} products (seed {args.seed}) -> {out_dir}; model {model}, "
        f"regenerations {regenerations}, max_tokens {args.max_tokens or 'per kind'}",
        highlight=False,
    )
    reports: dict[str, CopyEvalReport] = {}
    counts: dict[str, dict[str, int]] = {}
    started = time.perf_counter()
    try:
        for system in SYSTEMS:
            work = work_for_system(
                system,
                kind=CopyKind.DESCRIPTION,
                lang="en",
                llm=lambda: backend,
                max_regenerations=regenerations,
                max_tokens=args.max_tokens,
                temperature=settings.llm_temperature,
                seed=settings.llm_seed,
            )
            report, outputs = evaluate_copy(
                items,
                work,
                lang="en",
                out=out_dir / f"{system}.jsonl",
                progress=True,
                console=err,
                label=system,
            )
            reports[system], counts[system] = report, flag_counts(outputs)
    finally:
        backend.close()
    seconds = time.perf_counter() - started

    ours = reports["shopops"]
    passed = ours.unsupported_claim_rate <= MAX_UNSUPPORTED and ours.refusals == 0
    console = Console()
    console.print(table(reports, f"copy quality: {len(items)} products, {model}, descriptions (en)"))
    for system, kinds in counts.items():
        shown = ", ".join(f"{kind} {count}" for kind, count in kinds.items()) or "none"
        console.print(f"flags {system:<10} {shown}", highlight=False)
    verdict = "PASS" if passed else "FAIL"
    console.print(
        f"acceptance: shopops unsupported_claim_rate {ours.unsupported_claim_rate:.1%} (<= 5%), "
        f"refusals/prompt echoes {ours.refusals} (= 0): {verdict}; outputs in {out_dir}",
        highlight=False,
        soft_wrap=True,
    )
    line: dict[str, Any] = {
        "bench": "copy_quality",
        "n": len(items),
        "seed": args.seed,
        "model": model,
        "regenerations": regenerations,
        "seconds": round(seconds, 1),
        "systems": {name: r.as_json() for name, r in reports.items()},
        "flags": counts,
        "pass": passed,
    }
    print(json.dumps(line))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
