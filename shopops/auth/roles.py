"""Roles and what each may do.

Five roles, from the issue: **owner** (everything, including users), **manager** (approves,
assigns, settings), **operator** (catalog and copy: writes and edits, does not approve),
**agent** (customer service: answers tickets, approves and sends replies), **analyst** (reads
everything, changes nothing). Routes and pages declare one :class:`Permission`; a draft's kind
adds a second check when it is decided (an agent may approve a reply but not product copy).
"""

from __future__ import annotations

from enum import StrEnum

from shopops.errors import InputError, PermissionDeniedError


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    OPERATOR = "operator"
    AGENT = "agent"
    ANALYST = "analyst"


class Permission(StrEnum):
    READ = "read"  # dashboards, catalog, queue, tickets, reviews, reports, audit
    COPY_WRITE = "copy.write"  # generate copy, edit copy drafts, request regeneration
    CATALOG_WRITE = "catalog.write"  # import and edit products
    EXPORT = "export"  # export approved copy
    DRAFTS_EDIT = "drafts.edit"  # edit/regenerate (which kinds: see edit_permission_for_kind)
    DRAFTS_DECIDE = "drafts.decide"  # approve/reject (which kinds: see KIND_PERMISSION)
    DRAFTS_APPROVE = "drafts.approve"  # decide copy, plans, reports
    SUPPORT_REPLY = "support.reply"  # answer tickets; decide and send reply drafts
    WORK_ASSIGN = "work.assign"  # assign, reassign, set due dates
    COMMENT = "comment"  # comment and @mention
    SETTINGS_MANAGE = "settings.manage"  # voice profiles, compliance rules, teams
    USERS_MANAGE = "users.manage"  # accounts, roles, API keys of others


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.MANAGER: frozenset(Permission) - {Permission.USERS_MANAGE},
    Role.OPERATOR: frozenset(
        {
            Permission.READ,
            Permission.COPY_WRITE,
            Permission.DRAFTS_EDIT,
            Permission.CATALOG_WRITE,
            Permission.EXPORT,
            Permission.COMMENT,
        }
    ),
    Role.AGENT: frozenset(
        {
            Permission.READ,
            Permission.DRAFTS_EDIT,
            Permission.DRAFTS_DECIDE,
            Permission.SUPPORT_REPLY,
            Permission.WORK_ASSIGN,
            Permission.COMMENT,
        }
    ),
    Role.ANALYST: frozenset({Permission.READ}),
}

# Deciding a draft needs DRAFTS_DECIDE on the route and this permission for the draft's kind.
# Replies to reviews are customer-facing service work, decided like support replies.
KIND_PERMISSION: dict[str, Permission] = {
    "support.": Permission.SUPPORT_REPLY,
    "review.reply": Permission.SUPPORT_REPLY,
}


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise InputError(
            f"unknown role {value!r}", hint=f"use one of {', '.join(role.value for role in Role)}"
        ) from None


def can(role: str | Role, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def require(role: str | Role, permission: Permission) -> None:
    if not can(role, permission):
        raise PermissionDeniedError(
            f"the {role} role may not do this (needs {permission.value})",
            hint="ask an owner to change your role, or ask a colleague who has it",
        )


def permission_for_kind(kind: str) -> Permission:
    """What deciding a draft of ``kind`` needs beyond DRAFTS_DECIDE."""
    for prefix, permission in KIND_PERMISSION.items():
        if kind.startswith(prefix):
            return permission
    return Permission.DRAFTS_APPROVE


def require_decide(role: str | Role, kind: str) -> None:
    require(role, Permission.DRAFTS_DECIDE)
    require(role, permission_for_kind(kind))


def edit_permission_for_kind(kind: str) -> Permission:
    """What editing or regenerating a draft of ``kind`` needs beyond DRAFTS_EDIT."""
    if kind.startswith("copy."):
        return Permission.COPY_WRITE
    return permission_for_kind(kind)


def require_edit(role: str | Role, kind: str) -> None:
    require(role, Permission.DRAFTS_EDIT)
    require(role, edit_permission_for_kind(kind))
