"""Build a copy evaluation file (JSONL) from the Amazon India development catalog.

The catalog (../shared/data/catalog/amazon_india_dev.csv) repeats each product once per review;
this keeps the first row of each ``product_id`` and writes one line per product::

    {"id", "title", "category", "price", "list_price", "currency", "reference"}

``title`` is ``product_name``; ``category`` the leaf of the ``|``-separated path; ``price`` the
discounted price and ``list_price`` the actual (MRP) price, as numbers in INR; ``reference`` is the
human-written ``about_product`` text with its ``|``-separated points turned into sentences.
The catalog has no attribute or description columns, so the model writes from the title, category
and prices only, while the reference was written with the product in hand: ROUGE-L is a
comparison between systems on the same items, not an absolute target.

``--limit N --seed S`` takes a deterministic random sample of N products (kept in file order).
Write the output outside the repository: the data's licence does not allow shipping it.

    .venv/bin/python scripts/build_copy_eval_set.py --limit 40 --seed 7 --out /tmp/copy_eval.jsonl
    .venv/bin/shopops eval copy /tmp/copy_eval.jsonl --json
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "catalog" / "amazon_india_dev.csv"
REQUIRED = ("product_id", "product_name", "category", "discounted_price", "actual_price", "about_product")


def rupees(value: str) -> float | None:
    """``"₹1,099"`` -> 1099.0 (Indian digit grouping included); ``None`` when there is no number."""
    digits = re.sub(r"[^\d.]", "", value or "")
    try:
        return float(digits) if digits else None
    except ValueError:
        return None


def as_sentences(about: str) -> str:
    """``"Fast charge : 3A|Durable nylon"`` -> ``"Fast charge : 3A. Durable nylon."``"""
    sentences = []
    for part in (about or "").split("|"):
        part = " ".join(part.split())
        if part:
            sentences.append(part if part[-1] in ".!?" else part + ".")
    return " ".join(sentences)


def to_line(row: dict[str, str]) -> dict[str, Any]:
    leaf = [p.strip() for p in (row["category"] or "").split("|") if p.strip()]
    return {
        "id": row["product_id"].strip(),
        "title": " ".join(row["product_name"].split()),
        "category": leaf[-1] if leaf else "",
        "price": rupees(row["discounted_price"]),
        "list_price": rupees(row["actual_price"]),
        "currency": "INR",
        "reference": as_sentences(row["about_product"]),
    }


def build(csv_path: Path, *, limit: int | None = None, seed: int = 0) -> list[dict[str, Any]]:
    """One eval line per distinct product, in file order; a seeded sample of ``limit`` if given."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{csv_path}: missing column(s) {', '.join(missing)}")
        lines: dict[str, dict[str, Any]] = {}
        for row in reader:
            key = (row["product_id"] or "").strip()
            if key and key not in lines and row["product_name"].strip():
                lines[key] = to_line(row)
    products = list(lines.values())
    if limit is not None and limit < len(products):
        chosen = set(random.Random(seed).sample(range(len(products)), limit))
        products = [p for i, p in enumerate(products) if i in chosen]
    return products


def write_jsonl(lines: list[dict[str, Any]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="the Amazon India catalog CSV")
    parser.add_argument("--out", type=Path, required=True, help="JSONL to write (outside the repository)")
    parser.add_argument("--limit", type=int, default=None, help="sample this many products")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        parser.error(f"{args.csv} does not exist (pass --csv)")
    lines = build(args.csv, limit=args.limit, seed=args.seed)
    write_jsonl(lines, args.out)
    print(f"wrote {len(lines)} products to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
