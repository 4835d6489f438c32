"""Build one Airflow version's table from unpacked package sources, and write the JSON files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import authmgr_fab_v1, authmgr_fab_v2, authmgr_fab_v3, authmgr_legacy, connexion_v1, fastapi_v2, roles
from .pysource import SourceTree, Unresolvable

PACKAGES_FILE = Path(__file__).with_name("mwaa_packages.json")
TRANSLATORS = (authmgr_fab_v1, authmgr_fab_v2, authmgr_fab_v3)


@dataclass(frozen=True)
class Table:
    airflow_version: str
    data: dict  # the JSON document

    def dumps(self) -> str:
        return dumps(self.data)


def dumps(data) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def mwaa_packages() -> dict:
    return json.loads(PACKAGES_FILE.read_text(encoding="utf-8"))


def pick_translator(tree: SourceTree, raw):
    """The auth-manager translator for this source and its data: the legacy one when the endpoints use the
    pre-2.8 ``requires_access`` decorator, else the FAB translator whose reviewed fingerprints match."""
    targets = {check.target for ep in raw for check in ep.checks}
    if "legacy" in targets:
        if targets - {"legacy", "authenticated"}:
            raise Unresolvable(f"legacy and auth-manager checks mixed: {sorted(targets)}")
        return authmgr_legacy, authmgr_legacy.load(tree)
    errors = []
    for translator in TRANSLATORS:
        try:
            return translator, translator.load(tree)
        except Unresolvable as exc:
            errors.append(str(exc))
    raise Unresolvable("no auth-manager translator fits this source:\n  " + "\n  ".join(errors))


def translate(translator, data, check, tree):
    if translator is authmgr_legacy:
        return translator.translate(check)
    if translator in (authmgr_fab_v2, authmgr_fab_v3):
        return translator.translate(check, data, docs_menu=authmgr_fab_v2.docs_view_uses_menu(tree, data))
    return translator.translate(check, data)


def build(airflow_version: str, packages: dict[str, str], roots: list[Path]) -> Table:
    tree = SourceTree(roots, airflow_version)
    if tree.has_module(fastapi_v2.PUBLIC_MODULE):
        api_prefix, raw = "/api/v2", fastapi_v2.extract(tree)
    else:
        api_prefix, raw = "/api/v1", connexion_v1.extract(tree)
    translator, data = pick_translator(tree, raw)

    endpoints = []
    needed: set[tuple[str, str]] = set()
    for ep in raw:
        perms: set[tuple[str, str]] = set()
        for check in ep.checks:
            perms.update(translate(translator, data, check, tree))
        needed |= perms
        entry = {
            "method": ep.method,
            "path": ep.path,
            "operation_id": ep.operation_id,
            "permissions": [list(p) for p in sorted(perms)],
        }
        if ep.slash_params:
            entry["slash_params"] = list(ep.slash_params)
        endpoints.append(entry)
    endpoints.sort(key=lambda e: (e["path"], e["method"]))
    _check_unique(endpoints)

    menu_is_read = bool(getattr(data, "menu_access_is_read", False))
    source = roles.read(tree)
    created = roles.view_permissions(tree)
    if translator is authmgr_legacy:
        created |= needed  # requires_access() registers its pairs (sync_resource_permissions)
    role_perms, unheld = roles.role_tables(source, frozenset(needed), created, menu_is_read)

    doc = {
        "airflow_version": airflow_version,
        "api_prefix": api_prefix,
        "generated_from": dict(sorted(packages.items())),
        "auth_manager": translator.NAME,
        "role_source": f"{source.module}.{source.class_name}.ROLE_CONFIGS",
        "menu_access_counts_as_read": menu_is_read,
        "permissions_no_default_role_holds": [list(p) for p in sorted(unheld)],
        "endpoints": endpoints,
        "roles": {role: [list(p) for p in sorted(role_perms[role])] for role in roles.ROLE_ORDER},
    }
    return Table(airflow_version, doc)


def _check_unique(endpoints):
    seen = set()
    for ep in endpoints:
        key = (ep["method"], ep["path"])
        if key in seen:
            raise Unresolvable(f"duplicate endpoint {key}")
        seen.add(key)
