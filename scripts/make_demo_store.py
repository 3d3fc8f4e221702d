"""Regenerate the demo store shipped in shopops/demo/data from its generator.

    .venv/bin/python scripts/make_demo_store.py            # rewrite shopops/demo/data
    .venv/bin/python scripts/make_demo_store.py --check    # exit 1 if the shipped files are stale

The generator (shopops/demo/generate.py) is the source of truth: the same seed always yields the
same bytes, and tests/unit/test_demo_generate.py fails when the shipped files and it disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shopops.demo.generate import DATA_DIR, DEFAULT_SEED, generate_files, generate_store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=DATA_DIR, help="output directory (default: the package's)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        stale = [
            name
            for name, content in generate_files(args.seed).items()
            if not (args.out / name).is_file() or (args.out / name).read_bytes() != content
        ]
        for name in stale:
            print(f"stale: {args.out / name}")
        return 1 if stale else 0
    written = generate_store(args.out, args.seed)
    total = sum(path.stat().st_size for path in written)
    print(f"wrote {len(written)} files ({total / 1024:.0f} KiB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
