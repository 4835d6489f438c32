#!/usr/bin/env python3
"""Generate linter/airflow/data/airflow-<version>.json from the real Airflow packages (SPEC §2.4).

    python3 tools/gen_airflow_tables.py [--versions 2.10.3 3.0.6] [--cache DIR] [--check]

For each version in tools/airflow_tables/mwaa_packages.json: ``pip download --no-deps`` the packages it lists,
unpack their ``airflow/`` sources into the cache, read them with ``ast`` (nothing is imported) and write the
endpoint and role tables. ``--check`` compares with the committed files instead of writing (exit 1 on a
difference). Needs PyYAML (to read the OpenAPI documents) and network access to PyPI on the first run.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from airflow_tables import download, generate  # noqa: E402
from airflow_tables.pysource import Unresolvable  # noqa: E402

DATA_DIR = HERE.parent / "linter" / "airflow" / "data"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "mwaa-lint-airflow-tables"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", nargs="*", help="Airflow versions (default: every one listed)")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("AIRFLOW_TABLES_CACHE", DEFAULT_CACHE)))
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args(argv)

    listed = generate.mwaa_packages()["versions"]
    versions = args.versions or list(listed)
    unknown = [v for v in versions if v not in listed]
    if unknown:
        parser.error(f"not in mwaa_packages.json: {', '.join(unknown)}")

    failed = stale = 0
    for version in versions:
        started = time.monotonic()
        entry = listed[version]
        try:
            table = generate.build(version, entry["packages"], download.source_roots(args.cache, entry["packages"]))
        except Unresolvable as exc:
            print(f"{version}: NOT GENERATED: {exc}", file=sys.stderr)
            failed += 1
            continue
        for dist, alt in entry.get("alternatives", {}).items():
            packages = {**entry["packages"], dist: alt}
            other = generate.build(version, packages, download.source_roots(args.cache, packages))
            same = _without_sources(other.data) == _without_sources(table.data)
            print(f"{version}: with {dist}=={alt} instead of {entry['packages'][dist]}: "
                  f"{'same endpoints and roles' if same else 'DIFFERENT tables'}")
        target = args.out / f"airflow-{version}.json"
        text = table.dumps()
        took = time.monotonic() - started
        summary = (f"{version}: {len(table.data['endpoints'])} endpoints ({table.data['api_prefix']}), "
                   f"{table.data['auth_manager']}, {took:.1f}s")
        if table.data["permissions_no_default_role_holds"]:
            summary += f"; held by no default role: {table.data['permissions_no_default_role_holds']}"
        if args.check:
            old = target.read_text(encoding="utf-8") if target.is_file() else ""
            if old != text:
                stale += 1
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), text.splitlines(True), str(target), "generated", n=1))
            print(summary + (" (up to date)" if old == text else " (STALE)"))
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(summary)
    return 2 if failed else 1 if stale else 0


def _without_sources(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "generated_from"}


if __name__ == "__main__":
    sys.exit(main())
