"""Comments on any entity (a ticket, a draft, ...), with @mentions that notify people.

A mention is ``@`` followed by a user's email (``@li.wei@shop.example``) or by the part of it
before the ``@`` (``@li.wei``). A local part shared by two accounts, an unknown name or a disabled
account is left as plain text: a comment is never refused for what it mentions. Each mentioned
person other than the author gets a "mention" notification; the comment's ``mentions`` keeps the
ids of everyone it named.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopops.errors import InputError
from shopops.store.db import Database
from shopops.store.models import AuditLog, Comment, User, UtcDateTime
from shopops.workflow.entities import check_entity, notify, titles

MAX_BODY = 5000
MAX_LISTED = 500
EXCERPT = 140
# "@" not glued to a preceding word character (so "li@shop.example" itself is not a mention); an
# email or a local part; trailing dots belong to the sentence, not the name.
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")


class CommentView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    entity_type: str
    entity_id: str
    author_id: int | None = None
    author: str
    body: str
    mentions: list[int]
    created_at: UtcDateTime


def mention_tokens(body: str) -> list[str]:
    """The names written after ``@``, lower-cased, in order, without repeats."""
    seen: list[str] = []
    for match in MENTION.finditer(body):
        token = match.group(1).rstrip(".").lower()
        if token and token not in seen:
            seen.append(token)
    return seen


def resolve_mentions(session: Session, body: str) -> list[User]:
    """The active users ``body`` mentions (unknown and ambiguous names are skipped)."""
    tokens = mention_tokens(body)
    if not tokens:
        return []
    users = list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    by_email = {user.email.lower(): user for user in users}
    by_local: dict[str, list[User]] = {}
    for user in users:
        by_local.setdefault(user.email.lower().split("@", 1)[0], []).append(user)
    found: list[User] = []
    for token in tokens:
        user = by_email.get(token) if "@" in token else None
        if user is None and "@" not in token and len(by_local.get(token, [])) == 1:
            user = by_local[token][0]
        if user is not None and user not in found:
            found.append(user)
    return found


def add_comment(
    db: Database, entity_type: str, entity_id: str, *, author_id: int | None, author: str, body: str
) -> CommentView:
    """Add a comment; notify the people it mentions; write an audit row on the entity."""
    body = (body or "").strip()
    if not body or len(body) > MAX_BODY:
        raise InputError(f"a comment must be 1..{MAX_BODY} characters (got {len(body)})")
    author = (author or "").strip()[:200]
    if not author:
        raise InputError("a comment needs an author")
    with db.session() as session:
        entity_id = check_entity(session, entity_type, entity_id)
        mentioned = resolve_mentions(session, body)
        comment = Comment(
            entity_type=entity_type,
            entity_id=entity_id,
            author_id=author_id,
            author=author,
            body=body,
            mentions=[user.id for user in mentioned],
        )
        session.add(comment)
        session.flush()
        if mentioned:
            title = titles(session, [(entity_type, entity_id)])[(entity_type, entity_id)]
            excerpt = body if len(body) <= EXCERPT else body[: EXCERPT - 1] + "…"
            for user in mentioned:
                if user.id != author_id:
                    notify(
                        session,
                        user.id,
                        "mention",
                        entity_type,
                        entity_id,
                        f"{author} mentioned you on {title}: {excerpt}",
                    )
        session.add(
            AuditLog(
                actor=author,
                action="comment.add",
                entity_type=entity_type,
                entity_id=entity_id,
                before=None,
                after={"comment_id": comment.id, "mentions": comment.mentions},
            )
        )
        return CommentView.model_validate(comment)


def list_comments(db: Database, entity_type: str, entity_id: str) -> list[CommentView]:
    """The entity's comments, oldest first (at most the newest 500)."""
    with db.session() as session:
        entity_id = check_entity(session, entity_type, entity_id)
        return comments_in(session, entity_type, entity_id)


def comments_in(session: Session, entity_type: str, entity_id: str) -> list[CommentView]:
    rows = session.scalars(
        select(Comment)
        .where(Comment.entity_type == entity_type, Comment.entity_id == entity_id)
        .order_by(Comment.id.desc())
        .limit(MAX_LISTED)
    )
    return [CommentView.model_validate(row) for row in reversed(list(rows))]
