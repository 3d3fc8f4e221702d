"""Settings precedence (flag > SHOPOPS_* env > ./shopops.toml > defaults), secrets, redaction."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopops.cli.main import run
from shopops.config import Settings, load_settings, redact_url, redacted
from shopops.errors import ConfigError, SecretInFileError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No SHOPOPS_* variable from the caller's shell, and a fresh working directory.

    Each variable is set before being deleted so that monkeypatch also removes any the code under
    test sets (the CLI's ``--config`` exports SHOPOPS_CONFIG)."""
    for name in [*(n for n in os.environ if n.startswith("SHOPOPS_")), "SHOPOPS_CONFIG"]:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def write_toml(directory: Path, text: str, name: str = "shopops.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.llm_backend == "local"
    assert settings.embed_backend == "local"
    assert settings.data_dir == tmp_path / "xdg" / "shopops"
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'xdg' / 'shopops' / 'shopops.db'}"


def test_precedence_flag_over_env_over_toml_over_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_toml(
        tmp_path,
        'llm_backend = "openai"\nembed_backend = "hash"\nopenai_model = "toml-model"\nllm_max_tokens = 100\n',
    )
    monkeypatch.setenv("SHOPOPS_EMBED_BACKEND", "openai")
    monkeypatch.setenv("SHOPOPS_OPENAI_MODEL", "env-model")

    settings = load_settings(openai_model="flag-model", local_model=None)

    assert settings.openai_model == "flag-model"  # flag beats env and toml
    assert settings.embed_backend == "openai"  # env beats toml
    assert settings.llm_backend == "openai"  # toml beats default
    assert settings.llm_max_tokens == 100
    assert settings.local_model == "qwen2.5-coder-0.5b"  # a None flag means "not given"
    assert settings.llm_context == 4096  # default


def test_toml_may_use_a_shopops_table_and_shopops_config_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = write_toml(tmp_path, '[shopops]\nllm_backend = "fake"\n', name="elsewhere.toml")
    monkeypatch.setenv("SHOPOPS_CONFIG", str(other))
    assert load_settings().llm_backend == "fake"


def test_missing_config_file_named_by_shopops_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPOPS_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match=r"nope\.toml .*does not exist"):
        load_settings()


def test_invalid_toml_syntax_is_a_config_error(tmp_path: Path) -> None:
    write_toml(tmp_path, "llm_backend = \n")
    with pytest.raises(ConfigError, match=r"shopops\.toml is not valid TOML"):
        load_settings()


@pytest.mark.parametrize("name", ["openai_api_key", "embed_openai_api_key", "reply_webhook_secret"])
def test_secret_in_toml_is_refused_naming_the_env_var(tmp_path: Path, name: str) -> None:
    write_toml(tmp_path, f'{name} = "sk-in-a-file"\n')
    with pytest.raises(SecretInFileError) as info:
        load_settings()
    message = str(info.value)
    assert f"SHOPOPS_{name.upper()}" in message
    assert "sk-in-a-file" not in message
    assert isinstance(info.value, ConfigError)


def test_password_in_toml_database_url_is_refused(tmp_path: Path) -> None:
    write_toml(tmp_path, 'database_url = "postgresql://shop:pw123@db.local/shop"\n')
    with pytest.raises(SecretInFileError) as info:
        load_settings()
    assert "pw123" not in str(info.value)
    assert "SHOPOPS_DATABASE_URL" in str(info.value)


def test_database_url_without_password_in_toml_is_fine(tmp_path: Path) -> None:
    write_toml(tmp_path, 'database_url = "postgresql://shop@db.local/shop"\n')
    assert load_settings().effective_database_url == "postgresql://shop@db.local/shop"


def test_secrets_from_env_are_secret_str(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPOPS_OPENAI_API_KEY", "sk-test-supersecret")
    settings = load_settings()
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-test-supersecret"
    assert "sk-test-supersecret" not in repr(settings)
    assert "sk-test-supersecret" not in str(settings)


@pytest.mark.parametrize(
    ("source", "field"),
    [
        ("flag", "llm_context"),
        ("env", "llm_backend"),
        ("toml", "llm_temperature"),
        ("toml", "no_such_setting"),
    ],
)
def test_invalid_values_name_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, field: str
) -> None:
    flags: dict[str, object] = {}
    if source == "flag":
        flags[field] = 10  # below the minimum of 512
    elif source == "env":
        monkeypatch.setenv(f"SHOPOPS_{field.upper()}", "gpt-5-local")
    else:
        write_toml(tmp_path, f'{field} = "very hot"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(**flags)
    assert field in str(info.value)
    assert "How to fix" in str(info.value)


def test_redacted_masks_secrets_and_url_passwords() -> None:
    settings = Settings(
        database_url="postgresql://u:pw123@h/db",
        openai_api_key="sk-test-supersecret",  # type: ignore[arg-type]
        openai_base_url="https://proxy-user:proxy-pass@llm.example/v1",
    )
    values = redacted(settings)
    text = json.dumps(values)
    assert values["openai_api_key"] == "***"
    assert values["embed_openai_api_key"] is None
    assert values["database_url"] == "postgresql://u:***@h/db"
    assert values["openai_base_url"] == "https://proxy-user:***@llm.example/v1"
    for secret in ("sk-test-supersecret", "pw123", "proxy-pass"):
        assert secret not in text
    assert redact_url("sqlite:///x.db") == "sqlite:///x.db"


SECRET_KEY = "sk-test-supersecret"
SECRET_PASSWORD = "pw123"


@pytest.mark.parametrize("as_json", [False, True])
def test_config_show_prints_no_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    monkeypatch.setenv("SHOPOPS_OPENAI_API_KEY", SECRET_KEY)
    monkeypatch.setenv("SHOPOPS_DATABASE_URL", f"postgresql://u:{SECRET_PASSWORD}@h/db")
    monkeypatch.setenv("COLUMNS", "200")
    run(["config", "show", *(["--json"] if as_json else [])])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert SECRET_KEY not in output
    assert SECRET_PASSWORD not in output
    assert "***" in output
    if as_json:
        values = json.loads(captured.out)
        assert values["openai_api_key"] == "***"
        assert values["database_url"] == "postgresql://u:***@h/db"


def test_cli_flag_beats_env_in_config_show(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("SHOPOPS_EMBED_BACKEND", "openai")
    config = write_toml(tmp_path, 'llm_backend = "fake"\n', name="custom.toml")
    run(["--config", str(config), "--embed-backend", "hash", "config", "show", "--json"])
    values = json.loads(capsys.readouterr().out)
    assert values["embed_backend"] == "hash"
    assert values["llm_backend"] == "fake"


def test_cli_invalid_flag_value_exits_1_naming_the_field(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run(["--llm-backend", "gpt", "config", "show"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "llm_backend" in err
    assert "Traceback" not in err


def test_webhook_url_shows_only_its_host() -> None:
    settings = Settings(reply_webhook_url="https://hooks.example.com/services/T000/B000/s3cr3t?token=abc")
    shown = redacted(settings)["reply_webhook_url"]
    assert shown == "https://hooks.example.com/***"
