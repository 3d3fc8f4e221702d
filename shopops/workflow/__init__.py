"""Review workflow: every AI output is a draft until a person approves it (see ``drafts``)."""

from shopops.workflow.drafts import (
    DraftPage,
    DraftView,
    approve_draft,
    audit_trail,
    edit_draft,
    get_draft,
    list_drafts,
    reject_draft,
)

__all__ = [
    "DraftPage",
    "DraftView",
    "approve_draft",
    "audit_trail",
    "edit_draft",
    "get_draft",
    "list_drafts",
    "reject_draft",
]
