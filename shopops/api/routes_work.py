"""Tickets, assignments, comments, the inbox and teams: the team workspace's REST API.

Reading needs ``read``; opening, escalating and answering tickets ``support.reply``; assigning
``work.assign``; commenting ``comment``; changing teams ``settings.manage``. The inbox is always the
caller's own. Every body and query is bounded (lengths, list sizes, id ranges) so bad input is a
422, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shopops.api.app import MAX_ID, ModelResponse, RowId, get_context
from shopops.api.security import assigner, commenter, reader, settings_manager, support_agent
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.workflow.assignment import AssignmentView, InboxView, assign, complete, inbox, mark_read
from shopops.workflow.comments import MAX_BODY, CommentView, add_comment, list_comments
from shopops.workflow.entities import ENTITY_TYPES
from shopops.workflow.replies import MAX_TEXT, DeliveryView, answer_ticket, deliveries_for
from shopops.workflow.teams import TeamView, create_team, delete_team, list_teams, update_team
from shopops.workflow.tickets import (
    MAX_PAGE,
    ReplyView,
    TicketDetail,
    TicketPage,
    TicketView,
    escalate_ticket,
    get_ticket,
    list_tickets,
    open_ticket,
)

router = APIRouter(prefix="/api")

EntityType = Literal["ticket", "draft", "alert", "review", "product", "order", "report"]
TicketStatus = Literal["open", "escalated", "answered", "closed"]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Code = Annotated[str, Field(min_length=1, max_length=50)]
HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
assert set(EntityType.__args__) == set(ENTITY_TYPES)  # type: ignore[attr-defined]


def _no_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list | tuple):
        return all(_no_nul(item) for item in value)
    if isinstance(value, BaseModel):
        return all(_no_nul(item) for item in value.__dict__.values())
    return True


class Strict(BaseModel):
    """Request bodies: unknown fields and NUL characters (PostgreSQL refuses them) are 422s."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _text_without_nul(self) -> Strict:
        if not _no_nul(self):
            raise ValueError("text must not contain NUL characters")
        return self


class OpenTicketBody(Strict):
    subject: str = Field(min_length=1, max_length=500)
    body: str = Field(min_length=1, max_length=MAX_TEXT)
    customer_email: str | None = Field(default=None, max_length=320)
    order_number: str | None = Field(default=None, max_length=100)
    channel: str = Field(default="email", min_length=1, max_length=30)
    language: str = Field(default="", max_length=10)
    intent: str = Field(default="", max_length=50)
    external_id: str | None = Field(default=None, max_length=100)


class EscalateBody(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class AnswerBody(Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class AnswerResult(BaseModel):
    draft: ReplyView
    ticket: TicketDetail
    deliveries: list[DeliveryView] = Field(description="webhook deliveries ([] when no webhook is set)")


class EntityRef(Strict):
    entity_type: EntityType
    entity_id: str = Field(min_length=1, max_length=100)


class AssignBody(EntityRef):
    team_id: Id | None = None
    assignee_id: Id | None = None
    due_at: dt.datetime | None = Field(default=None, description="ISO 8601; without an offset it is UTC")

    @field_validator("due_at")
    @classmethod
    def _in_range(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        try:
            value = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
        except OverflowError:
            raise ValueError("due_at is out of range") from None
        if not 2000 <= value.year <= 2200:
            raise ValueError("due_at must be between the years 2000 and 2200")
        return value


class CommentBody(EntityRef):
    body: str = Field(min_length=1, max_length=MAX_BODY)


class ReadBody(Strict):
    ids: list[Id] | None = Field(default=None, max_length=500, description="null marks every one read")


class ReadResult(BaseModel):
    marked: int


class HoursBody(Strict):
    """Business hours; {} means always open."""

    days: list[Annotated[int, Field(ge=0, le=6)]] | None = Field(default=None, min_length=1, max_length=7)
    start: str | None = Field(default=None, pattern=HHMM)
    end: str | None = Field(default=None, pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")


class TeamBody(Strict):
    name: str = Field(min_length=1, max_length=100)
    intents: list[Code] = Field(default_factory=list, max_length=50)
    languages: list[Annotated[str, Field(min_length=2, max_length=10)]] = Field(
        default_factory=list, max_length=20
    )
    timezone: str = Field(default="UTC", min_length=1, max_length=60)
    hours: HoursBody = Field(default_factory=HoursBody)
    fallback: bool = False


class TeamPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    intents: list[Code] | None = Field(default=None, max_length=50)
    languages: list[Annotated[str, Field(min_length=2, max_length=10)]] | None = Field(
        default=None, max_length=20
    )
    timezone: str | None = Field(default=None, min_length=1, max_length=60)
    hours: HoursBody | None = None
    fallback: bool | None = None


class Deleted(BaseModel):
    id: int
    deleted: bool = True


# -- tickets -------------------------------------------------------------------------------------


@router.get("/tickets", tags=["tickets"], response_model=TicketPage)
async def tickets(
    status: TicketStatus | None = Query(None),
    assignee_id: int | None = Query(None, ge=1, le=MAX_ID),
    team_id: int | None = Query(None, ge=1, le=MAX_ID),
    intent: str | None = Query(None, max_length=50),
    language: str | None = Query(None, max_length=10),
    limit: int = Query(25, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=MAX_ID),
    _: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    """Tickets, newest first, with who has each."""
    page = list_tickets(
        ctx.db,
        status=status,
        assignee_id=assignee_id,
        team_id=team_id,
        intent=intent,
        language=language,
        limit=limit,
        offset=offset,
    )
    return ModelResponse(page)


@router.post("/tickets", tags=["tickets"], status_code=201)
def open_(
    body: OpenTicketBody, who: Principal = Depends(support_agent), ctx: AppContext = Depends(get_context)
) -> TicketView:
    """Open a ticket with the customer's first message (customer and order linked when known)."""
    return open_ticket(ctx.db, **body.model_dump(), actor=who.email)


@router.get("/tickets/{ticket_id}", tags=["tickets"])
async def ticket(
    ticket_id: RowId, _: Principal = Depends(reader), ctx: AppContext = Depends(get_context)
) -> TicketDetail:
    return get_ticket(ctx.db, ticket_id)


@router.post("/tickets/{ticket_id}/escalate", tags=["tickets"])
def escalate(
    ticket_id: RowId,
    body: EscalateBody,
    who: Principal = Depends(support_agent),
    ctx: AppContext = Depends(get_context),
) -> TicketView:
    """Hand the ticket to a person: routed to a team by intent, language and hours, then assigned."""
    return escalate_ticket(ctx.db, ticket_id, actor=who.email, reason=body.reason)


@router.post("/tickets/{ticket_id}/answer", tags=["tickets"])
def answer(
    ticket_id: RowId,
    body: AnswerBody,
    who: Principal = Depends(support_agent),
    ctx: AppContext = Depends(get_context),
) -> AnswerResult:
    """Answer the customer: stored as an approved reply draft and delivered (webhook if set)."""
    draft = answer_ticket(ctx.db, ctx.settings, ticket_id, actor=who, text=body.text)
    return AnswerResult(
        draft=ReplyView.model_validate(draft.model_dump()),
        ticket=get_ticket(ctx.db, ticket_id),
        deliveries=deliveries_for(ctx.db, draft.id),
    )


# -- assignments, comments, inbox ----------------------------------------------------------------


@router.post("/assignments", tags=["work"])
def assign_(
    body: AssignBody, who: Principal = Depends(assigner), ctx: AppContext = Depends(get_context)
) -> AssignmentView:
    """Assign (or reassign) a piece of work to a team and/or a person, with an optional due date."""
    return assign(
        ctx.db,
        body.entity_type,
        body.entity_id,
        actor=who.email,
        team_id=body.team_id,
        assignee_id=body.assignee_id,
        due_at=body.due_at,
    )


@router.post("/assignments/complete", tags=["work"])
def complete_(
    body: EntityRef, who: Principal = Depends(assigner), ctx: AppContext = Depends(get_context)
) -> AssignmentView:
    return complete(ctx.db, body.entity_type, body.entity_id, who.email)


@router.get("/comments", tags=["work"])
async def comments(
    entity_type: EntityType = Query(...),
    entity_id: str = Query(..., min_length=1, max_length=100),
    _: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> list[CommentView]:
    return list_comments(ctx.db, entity_type, entity_id)


@router.post("/comments", tags=["work"], status_code=201)
def comment(
    body: CommentBody, who: Principal = Depends(commenter), ctx: AppContext = Depends(get_context)
) -> CommentView:
    """Comment; ``@name`` or ``@email`` of a colleague notifies them."""
    return add_comment(
        ctx.db, body.entity_type, body.entity_id, author_id=who.id, author=who.email, body=body.body
    )


@router.get("/inbox", tags=["work"])
async def my_inbox(who: Principal = Depends(reader), ctx: AppContext = Depends(get_context)) -> InboxView:
    """The caller's open assignments (soonest due first) and unread notifications."""
    return inbox(ctx.db, who.id)


@router.post("/inbox/read", tags=["work"])
def read(
    body: ReadBody | None = None, who: Principal = Depends(reader), ctx: AppContext = Depends(get_context)
) -> ReadResult:
    return ReadResult(marked=mark_read(ctx.db, who.id, body.ids if body else None))


# -- teams ---------------------------------------------------------------------------------------


@router.get("/teams", tags=["teams"])
async def teams(_: Principal = Depends(reader), ctx: AppContext = Depends(get_context)) -> list[TeamView]:
    return list_teams(ctx.db)


@router.post("/teams", tags=["teams"], status_code=201)
def create(
    body: TeamBody, who: Principal = Depends(settings_manager), ctx: AppContext = Depends(get_context)
) -> TeamView:
    fields = body.model_dump()
    fields["hours"] = body.hours.model_dump(exclude_none=True)
    return create_team(ctx.db, actor=who.email, **fields)


@router.patch("/teams/{team_id}", tags=["teams"])
def change(
    team_id: RowId,
    body: TeamPatch,
    who: Principal = Depends(settings_manager),
    ctx: AppContext = Depends(get_context),
) -> TeamView:
    """Change the fields sent; ``"hours": {}`` (or null) makes the team always open."""
    fields: dict[str, Any] = {}
    for name in body.model_fields_set:
        value = getattr(body, name)
        if name == "hours":
            fields[name] = value.model_dump(exclude_none=True) if value is not None else {}
        elif value is not None:
            fields[name] = value
    return update_team(ctx.db, team_id, actor=who.email, **fields)


@router.delete("/teams/{team_id}", tags=["teams"])
def remove(
    team_id: RowId, who: Principal = Depends(settings_manager), ctx: AppContext = Depends(get_context)
) -> Deleted:
    delete_team(ctx.db, team_id, actor=who.email)
    return Deleted(id=team_id)
