"""Settings: one pydantic-settings model.

Precedence, highest first: CLI flag (passed as keyword arguments) > ``SHOPOPS_*`` environment
variables > ``./shopops.toml`` (or the file named by ``SHOPOPS_CONFIG``) > defaults.

Secrets (API keys, passwords) come from the environment only. A secret found in the TOML file is
refused with :class:`SecretInFileError`; secrets are ``SecretStr`` so they never print.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from shopops.errors import ConfigError, SecretInFileError

LocalModelName = Literal["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]
SECRET_FIELDS = frozenset({"openai_api_key", "embed_openai_api_key", "reply_webhook_secret"})
DEFAULT_CONFIG_FILE = "shopops.toml"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "shopops"


class Settings(BaseSettings):
    """Effective configuration of one shopops process."""

    model_config = SettingsConfigDict(env_prefix="SHOPOPS_", extra="forbid", validate_default=True)

    data_dir: Path = Field(default_factory=default_data_dir, description="SQLite file, model cache, exports")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite in data_dir. postgresql://user@host/db"
    )

    llm_backend: Literal["local", "openai", "fake"] = "local"
    local_model: LocalModelName = "qwen2.5-coder-0.5b"
    llm_threads: int = Field(default=0, ge=0, description="CPU threads for the local model; 0 = all cores")
    llm_context: int = Field(default=4096, ge=512, le=32768)
    llm_max_tokens: int = Field(default=512, ge=1, le=8192)
    llm_temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    llm_seed: int = 42
    llm_parallel: int = Field(
        default=1, ge=1, le=16, description="local model: concurrent generation slots (batch jobs use them)"
    )

    openai_base_url: str = "https://api.openai.com/v1"
    openai_model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = None
    openai_timeout: float = Field(default=60.0, gt=0)
    openai_max_retries: int = Field(default=3, ge=0, le=10)
    openai_json_schema: bool = Field(
        default=True, description="send response_format=json_schema (turn off for servers without it)"
    )

    embed_backend: Literal["local", "openai", "hash"] = "local"
    embed_openai_base_url: str | None = Field(default=None, description="default: openai_base_url")
    embed_openai_model: str = "text-embedding-3-small"
    embed_openai_api_key: SecretStr | None = Field(default=None, description="default: openai_api_key")

    structured_max_attempts: int = Field(default=3, ge=1, le=10)
    copy_max_regenerations: int = Field(
        default=2, ge=0, le=5, description="copy: regenerations when the checker flags a claim"
    )
    ray_address: str | None = None

    # The team workspace (API and web UI).
    session_days: int = Field(default=14, ge=1, le=365, description="how long a sign-in lasts")
    cookie_secure: bool = Field(
        default=False, description="mark the session cookie Secure (set when served over HTTPS)"
    )
    api_rate_limit: int = Field(
        default=600, ge=0, description="requests per minute per user, API key or address; 0 = off"
    )
    login_rate_limit: int = Field(
        default=10, ge=0, description="sign-in attempts per minute per address; 0 = off"
    )
    reply_webhook_url: str | None = Field(
        default=None, description="approved support replies are POSTed here (JSON) to be sent"
    )
    reply_webhook_secret: SecretStr | None = Field(
        default=None, description="signs webhook bodies (X-Shopops-Signature: sha256=<hmac>)"
    )
    # -- customer service
    support_confidence_threshold: float = Field(
        default=0.6, ge=0.0, le=1.0, description="support: drafts below this confidence are escalated"
    )
    support_human_only_intents: list[str] = Field(
        default=["refund_dispute", "legal", "abuse", "human"],
        description="support: intents always handed to a person",
    )
    support_answer_style: Literal["extract", "verify", "generate"] = Field(
        default="extract",
        description="support: knowledge answers quote the best passage (extract), after the model picks "
        "it (verify), or are worded by the model (generate)",
    )
    support_return_window_days: int = Field(
        default=30, ge=0, le=3650, description="support: returns accepted this many days after delivery"
    )
    support_max_concurrent: int = Field(
        default=4, ge=1, le=256, description="support API: drafts in progress at once; more get 503"
    )
    # -- review intelligence
    review_sentiment_method: Literal["fast", "llm"] = Field(
        default="fast",
        description="reviews: the project's trained classifier (fast) or the LLM under a schema (llm)",
    )
    review_neutral_band: float = Field(
        default=0.15, ge=0.0, le=0.5, description="reviews: p(positive) within 0.5 ± this reads as neutral"
    )
    review_alert_p_value: float = Field(
        default=0.01, gt=0.0, lt=0.5, description="reviews: significance of a negative-aspect rise alert"
    )
    review_alert_min_mentions: int = Field(
        default=5, ge=1, le=10_000, description="reviews: fewest negative mentions in a week to alert on"
    )
    # -- product search
    search_vector_index: Literal["exact", "lancedb", "sqlite-vec"] = Field(
        default="exact",
        description="search: exact numpy search over the stored embeddings (chosen by bench/search.py), "
        "or a LanceDB / sqlite-vec index in the data directory for very large catalogs",
    )
    search_rewrite: Literal["off", "long", "always"] = Field(
        default="off",
        description="search: the LLM rewrites queries into keywords and filters (long: 8+ words only)",
    )
    mask_personal_data: bool = Field(
        default=True, description="mask emails, phones, addresses and card numbers before a remote LLM"
    )

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'shopops.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlFileSource(settings_cls))


class TomlFileSource(PydanticBaseSettingsSource):
    """Reads ``./shopops.toml`` (or ``$SHOPOPS_CONFIG``); a ``[shopops]`` table or top-level keys."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self.path = Path(os.environ.get("SHOPOPS_CONFIG", DEFAULT_CONFIG_FILE))
        self.values = _read_toml(self.path)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        if "SHOPOPS_CONFIG" in os.environ:
            raise ConfigError(
                f"config file {path} (from SHOPOPS_CONFIG) does not exist",
                hint="fix the path in SHOPOPS_CONFIG or unset it",
            )
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", hint="fix the syntax at that line") from exc
    values = data.get("shopops", data)
    leaked = sorted(SECRET_FIELDS & set(values))
    if leaked:
        raise SecretInFileError(
            f"{path} contains secret setting(s) {', '.join(leaked)}; secrets are never read from files",
            hint="remove them from the file and set "
            + ", ".join(f"SHOPOPS_{name.upper()}" for name in leaked)
            + " in the environment instead",
        )
    url = values.get("database_url")
    if isinstance(url, str) and urlsplit(url).password:
        raise SecretInFileError(
            f"{path} has a password inside database_url",
            hint="remove the password from the file; set SHOPOPS_DATABASE_URL in the environment, "
            "or use PGPASSWORD / a .pgpass file",
        )
    return values


def load_settings(**overrides: Any) -> Settings:
    """Build Settings; ``overrides`` are CLI flags (``None`` means 'not given')."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"invalid configuration: {problems}",
            hint="check the flag, the SHOPOPS_* variable or the shopops.toml entry of that name "
            "(`shopops config show` prints the effective values)",
        ) from None


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def redacted(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain values, secrets shown only as set/unset."""
    out: dict[str, Any] = {}
    for name, value in settings.model_dump().items():
        if name in SECRET_FIELDS:
            out[name] = "***" if value is not None else None
        elif name == "reply_webhook_url" and value:  # hook URLs often carry a token in the path
            parts = urlsplit(value)
            out[name] = f"{parts.scheme}://{parts.hostname or ''}/***"
        elif isinstance(value, Path):
            out[name] = str(value)
        elif isinstance(value, str) and "://" in value:  # base URLs, ray_address: user:pw@ possible
            out[name] = redact_url(value)
        else:
            out[name] = value
    out["database_url"] = redact_url(settings.effective_database_url)
    return out
