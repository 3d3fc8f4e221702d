"""``shopops train``: fit the project's own models on real labelled data, reproducibly.

Thin over :mod:`shopops.reviews.sentiment_train`; the model card written next to the artifact names
the data files (sha256, rows), the split and the held-out results.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from shopops.cli.common import console
from shopops.errors import InputError

app = typer.Typer(help="Train the project's own models on labelled data.", no_args_is_help=True)

REPO_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "reviews"


def default_data_dir() -> Path:
    """``../shared/data/reviews`` next to the repository, when it is there."""
    return REPO_DATA


@app.command("sentiment")
def sentiment(
    data: Path | None = typer.Option(
        None, "--data", help="folder with the review CSVs (default ../shared/data/reviews next to the repo)"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="where to write the artifact and model card (default: the packaged artifacts)"
    ),
    seed: int = typer.Option(0, "--seed", help="seed of the stratified held-out split"),
    language: list[str] = typer.Option(["zh", "en"], "--language", help="zh and/or en"),
) -> None:
    """Train the fast sentiment classifier (zh, en), evaluate it on the held-out split, write it."""
    from shopops.reviews.sentiment_train import ARTIFACT_DIR, train

    data_dir = default_data_dir() if data is None else data
    if not data_dir.is_dir():
        raise InputError(
            f"no review data at {data_dir}", hint="pass --data DIR, the folder holding the review CSVs"
        )
    unknown = sorted(set(language) - {"zh", "en"})
    if unknown:
        raise InputError(f"--language {', '.join(unknown)} is not supported", hint="use zh and/or en")
    out_dir = ARTIFACT_DIR if out is None else out
    manifest = train(data_dir, out_dir, seed=seed, languages=tuple(dict.fromkeys(language)))
    table = Table("language", "source", "n", "accuracy", "macro-F1", title=manifest["version"])
    for code, part in manifest["training"].items():
        held = part["held_out"]
        table.add_row(code, "all", str(held["n"]), f"{held['accuracy']:.4f}", f"{held['macro_f1']:.4f}")
        for source, row in held["per_source"].items():
            table.add_row("", source, str(row["n"]), f"{row['accuracy']:.4f}", f"{row['macro_f1']:.4f}")
    console.print(table)
    console.print(f"written to {out_dir} (model card: {out_dir / 'MODEL_CARD.md'})", highlight=False)
