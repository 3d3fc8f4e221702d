"""The HTTP API (FastAPI). Build an app with :func:`shopops.api.app.create_app`."""

from shopops.api.app import create_app

__all__ = ["create_app"]
