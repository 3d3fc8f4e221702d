"""Train the fast sentiment classifier and write the packaged artifact and model card.

The same as ``shopops train sentiment``; kept as a script so the artifact can be rebuilt from a
checkout without installing the console script::

    .venv/bin/python scripts/train_sentiment.py --data ../shared/data/reviews --seed 0
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shopops.cli.train_cmd import default_data_dir
from shopops.reviews.sentiment_train import ARTIFACT_DIR, train


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="folder with the review CSVs")
    parser.add_argument("--out", type=Path, default=ARTIFACT_DIR, help="artifact folder")
    parser.add_argument("--seed", type=int, default=0, help="seed of the held-out split")
    parser.add_argument(
        "--language", action="append", choices=("zh", "en"), help="zh and/or en (default both)"
    )
    args = parser.parse_args(argv)
    languages = tuple(args.language or ("zh", "en"))
    manifest = train(args.data, args.out, seed=args.seed, languages=languages)
    summary = {
        code: {k: part["held_out"][k] for k in ("n", "accuracy", "macro_f1", "per_source")}
        for code, part in manifest["training"].items()
    }
    json.dump({"version": manifest["version"], "held_out": summary}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
