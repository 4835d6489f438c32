"""Fetch wheels with ``pip download --no-deps`` and unpack their ``airflow/`` source into a cache directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path


def wheel_name(dist: str, version: str) -> str:
    return f"{dist.replace('-', '_')}-{version}-py3-none-any.whl"


def ensure_wheel(cache: Path, dist: str, version: str) -> Path:
    wheels = cache / "wheels"
    wheel = wheels / wheel_name(dist, version)
    if not wheel.is_file():
        wheels.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--dest", str(wheels), f"{dist}=={version}"]
        subprocess.run(cmd, check=True)
    if not wheel.is_file():
        raise FileNotFoundError(f"pip did not produce {wheel}")
    return wheel


def ensure_source(cache: Path, dist: str, version: str) -> Path:
    """The directory holding the wheel's ``airflow/`` package (unpacked once, Python and YAML files only)."""
    target = cache / "src" / f"{dist}-{version}"
    marker = target / ".unpacked"
    if not marker.is_file():
        wheel = ensure_wheel(cache, dist, version)
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as zf:
            for member in zf.namelist():
                if member.startswith("airflow/") and member.endswith((".py", ".yaml")):
                    zf.extract(member, target)
        marker.write_text(wheel.name + "\n")
    return target


def source_roots(cache: Path, packages: dict[str, str]) -> list[Path]:
    return [ensure_source(cache, dist, version) for dist, version in sorted(packages.items())]
