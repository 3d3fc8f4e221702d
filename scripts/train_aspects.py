"""Train the fast aspect-polarity model and write it, with its model card, into the package.

    python scripts/train_aspects.py [--data ../shared/data/reviews/aspects] [--out shopops/reviews/artifacts]
                                    [--no-held-out]

Reproducible: same data, same arrays (a seeded solver, files read in name order). Prints the per-set
figures as JSON; the same figures go into ``ASPECT_MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from shopops.reviews.aspect_model import ARTIFACT_DIR
from shopops.reviews.aspect_train import TrainConfig, model_card, train_and_evaluate

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "reviews" / "aspects"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder of <lang>_<domain>_<split>.jsonl"
    )
    parser.add_argument("--out", type=Path, default=ARTIFACT_DIR, help="where the artifacts are written")
    parser.add_argument("--no-held-out", action="store_true", help="skip the leave-one-domain-out fits")
    parser.add_argument("--c", type=float, default=TrainConfig.c, help="inverse regularisation strength")
    args = parser.parse_args()
    config = TrainConfig(c=args.c)
    report = train_and_evaluate(args.data, config, leave_one_domain_out=not args.no_held_out)
    arrays, info = report.model.save(args.out)
    size = arrays.stat().st_size + info.stat().st_size
    (args.out / "ASPECT_MODEL_CARD.md").write_text(model_card(report, artifact_bytes=size), "utf-8")
    summary = {
        "test": report.test,
        "by_language": report.by_language,
        "held_out_domain": report.held_out_domain,
        "seconds": round(report.seconds, 1),
        "artifact_bytes": size,
        "artifacts": [str(p) for p in (arrays, info, args.out / "ASPECT_MODEL_CARD.md")],
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
