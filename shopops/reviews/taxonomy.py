"""Per-category aspect taxonomies: which words of a review name which aspect of the product.

A :class:`Taxonomy` maps aspect names to the terms that mention them (``{"battery": ["battery",
"电池", ...]}``). Each category starts from a shipped default (:func:`default_taxonomy`: the generic
e-commerce aspects plus the extras of the closest product group); a merchant may replace it for one
category, or for every category at once with the category ``""`` (:func:`save_taxonomy`, stored in
``aspect_taxonomies`` with an audit-log entry). :func:`load_taxonomy` resolves what applies:
the category's own row, else the ``""`` row, else the default.

Validation names the offending aspect or term, so a merchant editing a long list sees what to fix.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from shopops.errors import InputError
from shopops.reviews.taxonomy_defaults import GENERIC, GROUP_KEYWORDS, GROUPS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from shopops.store.db import Database

MAX_ASPECTS = 200
MAX_TERMS = 100
MAX_ASPECT_LENGTH = 60
MAX_TERM_LENGTH = 80


def normalise_term(term: str) -> str:
    """The form terms are compared in: NFKC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", term).lower().split())


@dataclass(frozen=True)
class Taxonomy:
    """Aspect name -> its terms (normalised, the aspect's own name among them)."""

    aspects: dict[str, tuple[str, ...]]
    category: str = ""
    source: Literal["default", "merchant"] = "default"
    _lookup: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for aspect, terms in self.aspects.items():
            for term in terms:
                self._lookup.setdefault(normalise_term(term), aspect)

    def aspect_of(self, term: str) -> str | None:
        """The aspect a term belongs to (compared normalised), or ``None``."""
        return self._lookup.get(normalise_term(term))

    def terms(self) -> dict[str, str]:
        """Every term -> its aspect."""
        return dict(self._lookup)

    def as_dict(self) -> dict[str, list[str]]:
        """``{aspect: [terms]}``, the JSON form that is stored and edited."""
        return {aspect: list(terms) for aspect, terms in self.aspects.items()}


def validate_aspects(aspects: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Check and normalise ``{aspect: [terms]}``; an :class:`InputError` lists every problem.

    An aspect's name is always one of its terms. A term may belong to one aspect only, and names
    and terms must be non-empty and short."""
    hint = (
        f"give every aspect a name of at most {MAX_ASPECT_LENGTH} characters and a list of terms of at "
        f"most {MAX_TERM_LENGTH} characters each; a term may belong to one aspect only"
    )
    if not isinstance(aspects, Mapping):
        raise InputError("the taxonomy must be an object {aspect: [terms]}", hint=hint)
    problems: list[str] = []
    if len(aspects) > MAX_ASPECTS:
        problems.append(f"{len(aspects)} aspects (at most {MAX_ASPECTS})")
    clean: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    names: dict[str, str] = {}
    for raw_name, raw_terms in aspects.items():
        name = " ".join(str(raw_name).split())
        if not name:
            problems.append("an aspect has an empty name")
            continue
        if len(name) > MAX_ASPECT_LENGTH:
            problems.append(f"aspect {name[:40]!r}...: name longer than {MAX_ASPECT_LENGTH} characters")
            continue
        key = normalise_term(name)
        if key in names:
            problems.append(f"aspect {name!r} repeats aspect {names[key]!r}")
            continue
        names[key] = name
        if isinstance(raw_terms, str) or not isinstance(raw_terms, Iterable):
            problems.append(f"aspect {name!r}: terms must be a list of strings")
            continue
        terms: list[str] = []
        for raw_term in [name, *raw_terms]:
            if not isinstance(raw_term, str) or not raw_term.strip():
                problems.append(f"aspect {name!r}: a term is empty or not text")
                continue
            term = normalise_term(raw_term)
            if len(term) > MAX_TERM_LENGTH:
                problems.append(f"aspect {name!r}: term {term[:40]!r}... is longer than {MAX_TERM_LENGTH}")
                continue
            if term in terms:
                continue  # listed twice under the same aspect: harmless
            if term in owner:
                problems.append(f"term {term!r} is under both {owner[term]!r} and {name!r}")
                continue
            owner[term] = name
            terms.append(term)
        if len(terms) > MAX_TERMS:
            problems.append(f"aspect {name!r}: {len(terms)} terms (at most {MAX_TERMS})")
        clean[name] = tuple(terms)
    if problems:
        listed = "\n".join(f"  {p}" for p in problems[:30])
        raise InputError(f"{len(problems)} problem(s) in the aspect taxonomy:\n{listed}", hint=hint)
    return clean


def match_group(category: str) -> str | None:
    """The default product group closest to a category string, by keyword hits (``None``: generic)."""
    text = normalise_term(category)
    if not text:
        return None
    padded = f" {''.join(ch if ch.isalnum() or ch == '-' else ' ' for ch in text)} "
    best, best_hits = None, 0
    for group, keywords in GROUP_KEYWORDS.items():
        hits = 0
        for keyword in keywords:
            word = normalise_term(keyword)
            if word.isascii():
                hits += f" {word} " in padded or f" {word}s " in padded
            else:
                hits += word in text
        if hits > best_hits:
            best, best_hits = group, hits
    return best


def default_taxonomy(category: str = "") -> Taxonomy:
    """The shipped taxonomy for ``category``: generic aspects with the matched group's on top (a
    group's term moves to the group's aspect when the generic list had it elsewhere; a generic
    aspect whose name is a group term is absorbed whole)."""
    merged: dict[str, list[str]] = {aspect: list(terms) for aspect, terms in GENERIC.items()}
    group = match_group(category)
    for aspect, terms in GROUPS.get(group or "", {}).items():
        moved = {normalise_term(t) for t in [aspect, *terms]}
        absorbed = [o for o in merged if o != aspect and normalise_term(o) in moved]
        extra = [t for other in absorbed for t in merged.pop(other)]  # "smell" into "scent"
        moved.update(normalise_term(t) for t in extra)
        for other in merged:
            if other != aspect:
                merged[other] = [t for t in merged[other] if normalise_term(t) not in moved]
        merged[aspect] = [*merged.get(aspect, []), *terms, *extra]
    return Taxonomy(validate_aspects(merged), category=category, source="default")


def _row(session: Session, category: str):  # type: ignore[no-untyped-def]
    from shopops.store.models import AspectTaxonomy

    return session.scalar(select(AspectTaxonomy).where(AspectTaxonomy.category == category))


def load_taxonomy(session: Session, category: str) -> Taxonomy:
    """What applies to ``category``: its merchant row, else the ``""`` row, else the default."""
    category = category.strip()
    for key in dict.fromkeys([category, ""]):
        row = _row(session, key)
        if row is not None and row.aspects:
            aspects = {name: tuple(terms) for name, terms in row.aspects.items()}
            return Taxonomy(aspects, category=category, source="merchant")
    return default_taxonomy(category)


def save_taxonomy(db: Database, category: str, aspects: Mapping[str, Iterable[str]], actor: str) -> Taxonomy:
    """Validate and store a merchant's taxonomy for ``category`` (``""``: every category); the
    change is audit-logged with the previous version."""
    from shopops.store.models import AspectTaxonomy, AuditLog

    category = category.strip()
    if len(category) > 500:
        raise InputError("the category is longer than 500 characters", hint="use the store's category path")
    clean = validate_aspects(aspects)
    if not clean:
        raise InputError(
            "the taxonomy has no aspects",
            hint="give at least one aspect, or delete the row to use the default",
        )
    stored = {name: list(terms) for name, terms in clean.items()}
    with db.session() as session:
        row = _row(session, category)
        before = None if row is None else {"aspects": row.aspects, "updated_by": row.updated_by}
        if row is None:
            row = AspectTaxonomy(category=category, aspects=stored, updated_by=actor)
            session.add(row)
        else:
            row.aspects, row.updated_by = stored, actor
        session.flush()
        session.add(
            AuditLog(
                actor=actor,
                action="aspect_taxonomy.create" if before is None else "aspect_taxonomy.update",
                entity_type="aspect_taxonomy",
                entity_id=category or "*",
                before=before,
                after={"aspects": stored, "updated_by": actor},
            )
        )
    return Taxonomy(clean, category=category, source="merchant")
