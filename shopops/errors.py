"""One exception tree for shopops. Every message says what went wrong *and* how to fix it.

    ShopopsError                      exit 1 / HTTP 500
    ├── ConfigError                   bad or missing setting               HTTP 400
    │   └── SecretInFileError         a secret was written into a config file
    ├── InputError                    the user's input is wrong            HTTP 422
    │   ├── ImportValidationError     rows of an import failed validation (lists every row/field)
    │   └── NotFoundError             no such product/order/job/...        HTTP 404
    ├── BackendError                  a model or embedding backend failed  HTTP 502
    │   ├── BackendUnavailableError   unreachable / gave up after retries  HTTP 503
    │   ├── ModelNotInstalledError    the local model's files are not installed
    │   ├── ModelIntegrityError       the model file's sha256 does not match; refused
    │   └── StructuredOutputError     no schema-valid output after N attempts
    ├── StoreError                    database problems                    HTTP 500
    │   └── MigrationError            schema is not at the expected revision
    ├── JobError                      a batch job cannot run or resume     HTTP 409
    ├── AuthenticationError           not signed in / no valid API key     HTTP 401
    ├── PermissionDeniedError         this role may not do this            HTTP 403
    └── RateLimitError                too many requests; retry later       HTTP 429
        └── OverloadedError           model work at capacity; retry later  HTTP 503

CLI adapters print ``str(error)`` and exit 1 (traceback only with ``--debug``); the API renders
``{"error": str(error), "type": ClassName}`` with ``error.http_status``.
"""

from __future__ import annotations

from dataclasses import dataclass


class ShopopsError(Exception):
    """Base of every error shopops raises on purpose."""

    http_status: int = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message}\n  How to fix: {hint}")


class ConfigError(ShopopsError):
    http_status = 400


class SecretInFileError(ConfigError):
    pass


class InputError(ShopopsError):
    http_status = 422


class NotFoundError(InputError):
    http_status = 404


@dataclass(frozen=True)
class RowError:
    """One problem with one row of an input file. ``row`` is 1-based, counting the header as row 1."""

    row: int
    field: str
    message: str
    value: str | None = None

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (got {self.value[:60]!r})"
        return f"row {self.row}, field '{self.field}': {self.message}{shown}"


class ImportValidationError(InputError):
    """An import found bad rows; nothing was written."""

    def __init__(self, path: str, errors: list[RowError], *, max_listed: int = 50) -> None:
        self.path = path
        self.errors = errors
        listed = "\n".join(f"  {path}: {e}" for e in errors[:max_listed])
        more = f"\n  ... and {len(errors) - max_listed} more" if len(errors) > max_listed else ""
        super().__init__(
            f"{len(errors)} invalid row(s) in {path}; nothing was imported.\n{listed}{more}",
            hint="correct those rows and import again, or pass --skip-invalid to import the valid rows "
            "and write the rejected ones to a file",
        )


class BackendError(ShopopsError):
    http_status = 502


class BackendUnavailableError(BackendError):
    http_status = 503


class ModelNotInstalledError(BackendError):
    http_status = 503


class ModelIntegrityError(BackendError):
    http_status = 500


class StructuredOutputError(BackendError):
    pass


class StoreError(ShopopsError):
    pass


class MigrationError(StoreError):
    pass


class JobError(ShopopsError):
    http_status = 409


class AuthenticationError(ShopopsError):
    """No valid credentials: sign in, or send an API key."""

    http_status = 401


class PermissionDeniedError(ShopopsError):
    """Signed in, but this role may not do this."""

    http_status = 403


class RateLimitError(ShopopsError):
    http_status = 429

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, hint=hint)


class OverloadedError(RateLimitError):
    """The server is busy with as much model work as it takes at once: retry after a while."""

    http_status = 503
