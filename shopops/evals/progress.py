"""The progress bar of the evaluation commands (on stderr, gone when done)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def progress_bar(console: Console, label: str, enabled: bool) -> Progress:
    """The evaluation commands' progress bar (transient; off with ``enabled=False``)."""
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not enabled,
    )
