"""The team workspace: server-rendered pages (Jinja2 + htmx) over the same capability functions
as the CLI and the API. ``install_web(app)`` adds them to the API app (see ``shopops.web.app``)."""

from __future__ import annotations

from shopops.web.app import install_web

__all__ = ["install_web"]
