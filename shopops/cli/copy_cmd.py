"""``shopops copy``: write checked copy for a product, and manage the store's voice and rules.

Thin over :mod:`shopops.copy.service` and :mod:`shopops.copy.voice`. Batch commands (``copy
generate``, ``copy export``) register onto this module's ``app`` from ``copy_batch_cmd``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.copy.compliance import builtin_rules
from shopops.copy.service import add_rule, list_rules, remove_rule, write_copy
from shopops.copy.types import CopyKind, CopyRequest, CopyResult, Flag, VoiceProfile
from shopops.copy.voice import get_voice, list_voices, update_voice
from shopops.errors import InputError

app = typer.Typer(help="Copy studio: grounded product and marketing copy.", no_args_is_help=True)
voice_app = typer.Typer(help="The store's brand voice.", no_args_is_help=True)
rules_app = typer.Typer(
    help="The store's own compliance rules (banned words and claims).", no_args_is_help=True
)
app.add_typer(voice_app, name="voice")
app.add_typer(rules_app, name="rules")


def flag_line(flag: Flag) -> str:
    """A flag as one line of rich markup: red when it blocks approval, yellow when it warns."""
    style = "red" if flag.blocking else "yellow"
    where = flag.field or flag.rule
    detail = f" [dim]({escape(where)})[/]" if where else ""
    label = "blocks" if flag.blocking else "warns"
    return f"  [{style}]{label} · {flag.kind}[/]: {escape(flag.message)}{detail}"


def print_result(index: int, result: CopyResult) -> None:
    blocking = sum(flag.blocking for flag in result.checks.flags)
    status = "[red]blocked[/]" if blocking else "[green]ok[/]"
    draft = f"draft #{result.draft_id}" if result.draft_id is not None else "not saved"
    console.print(
        f"[bold]variant {index}[/] · {draft} · {status} · {result.checks.claims_checked} claim(s) checked"
        f" · {result.checks.regenerations} regeneration(s)"
    )
    console.print(result.text, markup=False, highlight=False)
    for flag in result.checks.flags:
        console.print(flag_line(flag), highlight=False)
    console.print()


def _request(**values: Any) -> CopyRequest:
    try:
        return CopyRequest.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(
            f"invalid copy request: {problems}", hint="see `shopops copy write --help`"
        ) from None


@app.command("write")
def write(
    ctx: typer.Context,
    product: str = typer.Argument(..., help="product id or handle"),
    kind: CopyKind = typer.Option(CopyKind.DESCRIPTION, "--kind", help="what to write"),
    lang: str = typer.Option("en", "--lang", help="en, zh, es, pt, id, vi, th or ar"),
    variants: int = typer.Option(1, "--variants", help="how many variants (1-5)"),
    tone: str | None = typer.Option(None, "--tone", help="overrides the voice's tone"),
    length: str = typer.Option("medium", "--length", help="short, medium or long"),
    audience: str | None = typer.Option(None, "--audience", help="who it is for"),
    voice: str | None = typer.Option(None, "--voice", help="saved voice name (default: the store's)"),
    marketplace: str | None = typer.Option(None, "--marketplace", help="e.g. amazon, taobao, shopify"),
    country: str | None = typer.Option(None, "--country", help="ISO country for compliance, e.g. CN"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable"),
) -> None:
    """Write copy for one product; each variant is checked and saved as a draft for review."""
    request = _request(
        product=product,
        kind=kind,
        language=lang,
        variants=variants,
        tone=tone,
        length=length,
        audience=audience,
        voice=voice,
        marketplace=marketplace,
        country=country,
    )
    results = write_copy(get_ctx(ctx), request)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in results], indent=2, ensure_ascii=False))
        return
    for index, result in enumerate(results, start=1):
        print_result(index, result)
    console.print("review with `shopops drafts list --kind copy.` and `shopops drafts approve ID`")


def _words(value: str | None) -> list[str] | None:
    return None if value is None else [w.strip() for w in value.split(",") if w.strip()]


def print_voice(profile: VoiceProfile, is_default: bool) -> None:
    console.print(f"[bold]{escape(profile.name)}[/]" + (" (default)" if is_default else ""))
    rows = [
        ("tone", profile.tone),
        ("audience", profile.audience or "-"),
        ("use", ", ".join(profile.words_to_use) or "-"),
        ("avoid", ", ".join(profile.words_to_avoid) or "-"),
    ]
    for label, value in rows:
        console.print(f"  {label:<9}{escape(value)}", highlight=False)
    for example in profile.examples:
        console.print(f"  example  {escape(example)}", highlight=False)


@voice_app.command("show")
def voice_show(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="voice name (default: the store's default voice)"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable"),
) -> None:
    """Show a voice profile (the default one unless named)."""
    with get_ctx(ctx).db.session() as session:
        profile = get_voice(session, name)
        is_default = any(v.name == profile.name and d for v, d in list_voices(session))
    if as_json:
        typer.echo(json.dumps({**profile.model_dump(), "default": is_default}, ensure_ascii=False, indent=2))
        return
    print_voice(profile, is_default)


@voice_app.command("list")
def voice_list(ctx: typer.Context) -> None:
    """Every saved voice profile."""
    with get_ctx(ctx).db.session() as session:
        voices = list_voices(session)
    if not voices:
        console.print("no saved voice; copy uses the built-in default (`shopops copy voice set` saves one)")
    for profile, is_default in voices:
        print_voice(profile, is_default)


@voice_app.command("set")
def voice_set(
    ctx: typer.Context,
    name: str | None = typer.Option(None, "--name", help="voice name (default: the default voice)"),
    tone: str | None = typer.Option(None, "--tone", help='e.g. "playful, short sentences"'),
    audience: str | None = typer.Option(None, "--audience", help="who the copy speaks to"),
    use: str | None = typer.Option(None, "--use", help="words to use, comma-separated"),
    avoid: str | None = typer.Option(None, "--avoid", help="words to avoid, comma-separated"),
    example: list[str] | None = typer.Option(None, "--example", help="example copy (repeat up to 3 times)"),
    default: bool | None = typer.Option(None, "--default/--not-default", help="make it the default voice"),
) -> None:
    """Create or change a voice profile; only the options given change."""
    with get_ctx(ctx).db.session() as session:
        profile = update_voice(
            session,
            name,
            tone=tone,
            audience=audience,
            words_to_use=_words(use),
            words_to_avoid=_words(avoid),
            examples=list(example) if example else None,
            default=default,
        )
        is_default = any(v.name == profile.name and d for v, d in list_voices(session))
    console.print("saved")
    print_voice(profile, is_default)


@rules_app.command("list")
def rules_list(
    ctx: typer.Context,
    builtin: bool = typer.Option(False, "--builtin", help="also list the built-in packs' rules"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable"),
) -> None:
    """The store's own compliance rules (the built-in packs always apply as well)."""
    with get_ctx(ctx).db.session() as session:
        rows = [
            {
                "rule_id": r.rule_id,
                "pack": "custom",
                "pattern": r.pattern,
                "match": r.match,
                "message": r.message,
                "marketplace": r.marketplace,
                "country": r.country,
                "severity": r.severity,
            }
            for r in list_rules(session)
            if r.enabled
        ]
    if builtin:
        rows = [dataclasses.asdict(rule) for rule in builtin_rules()] + rows
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        console.print(
            f"no rules of this store; {len(builtin_rules())} built-in rules apply "
            "(`--builtin` lists them, `shopops copy rules add` adds one)"
        )
        return
    table = Table("rule", "pattern", "match", "where", "severity", "message", title="compliance rules")
    for row in rows:
        where = "/".join(filter(None, [row["marketplace"], row["country"]])) or "everywhere"
        table.add_row(
            *(escape(str(row[k])) for k in ("rule_id", "pattern", "match")),
            escape(where),
            row["severity"],
            escape(row["message"]),
        )
    console.print(table)


@rules_app.command("add")
def rules_add(
    ctx: typer.Context,
    rule_id: str = typer.Argument(..., help="an id of your choice, e.g. store.no-cheap"),
    pattern: str = typer.Argument(..., help="word or phrase to ban (or a regex with --regex)"),
    regex: bool = typer.Option(False, "--regex", help="the pattern is a regular expression"),
    message: str = typer.Option("", "--message", help="what the reviewer sees when it fires"),
    marketplace: str = typer.Option("", "--marketplace", help="only for this marketplace"),
    country: str = typer.Option("", "--country", help="only for this ISO country"),
    warn: bool = typer.Option(False, "--warn", help="warn instead of blocking approval"),
) -> None:
    """Add a banned word, phrase or pattern to the store's copy rules."""
    with get_ctx(ctx).db.session() as session:
        rule = add_rule(
            session,
            rule_id,
            pattern,
            regex=regex,
            message=message,
            marketplace=marketplace,
            country=country,
            warn_only=warn,
        )
        console.print(f"added rule {escape(rule.rule_id)} ({rule.match}, {rule.severity})")


@rules_app.command("remove")
def rules_remove(ctx: typer.Context, rule_id: str = typer.Argument(..., help="the rule's id")) -> None:
    """Remove one of the store's own rules."""
    with get_ctx(ctx).db.session() as session:
        remove_rule(session, rule_id)
    console.print(f"removed rule {escape(rule_id)}")
