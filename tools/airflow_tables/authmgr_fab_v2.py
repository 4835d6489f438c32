"""FAB auth manager, FAB provider 2.x (Airflow 3.0). Same DAG logic as ``authmgr_fab_v1``:

- ``is_authorized_dag(method)`` without an access entity: ``(action(method), "DAGs")``.
- with an access entity: ``(action(method), R)`` for each resource R of the entity, plus
  ``(action(GET if method == GET else PUT), "DAGs")`` when a DAG id is known (the path names one).
- ``is_authorized_view(v)``: ``(action(GET), view map[v])``; from FAB 2.4 ``AccessView.DOCS`` asks
  ``MENU`` (``menu_access``) instead of GET.
- ``is_authorized_custom_view(m, resource)``: ``(method map.get(m, m), resource)``.
- other ``is_authorized_<x>(method)`` (backfill, asset, asset_alias, pool, ...): the resource read from the
  method's source.
No ``menu_access`` -> ``can_read`` folding.
"""

from __future__ import annotations

import ast

from . import fab_source
from .authmgr_common import verify
from .checks import Check
from .pysource import SourceTree, Unresolvable

NAME = "FAB auth manager v2 (FAB provider 2.x, Airflow 3.0)"

KNOWN = {
    "is_authorized_dag": frozenset({"cd84bc14b0eb9188"}),
    "_is_authorized_dag": frozenset({"fef94d2d69fcb9c2"}),
    "is_authorized_view": frozenset({"bc00590b4c6a0cfb", "84b1cc546dc94538"}),
    "is_authorized_custom_view": frozenset({"ebad2d07aac55309"}),
    "_get_user_permissions": frozenset({"9894344af65b0392"}),
    "_is_authorized": frozenset({"32c703dee5b88880"}),
}


def load(tree: SourceTree) -> fab_source.FabData:
    data = fab_source.read(tree)
    verify(tree, data.module, "FabAuthManager", KNOWN, "authmgr_fab_v2")
    return data


def docs_view_uses_menu(tree: SourceTree, data: fab_source.FabData) -> bool:
    cls = tree.class_def(data.module, "FabAuthManager")
    func = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "is_authorized_view")
    return any(isinstance(n, ast.Constant) and n.value == "MENU" for n in ast.walk(func))


def translate(check: Check, data: fab_source.FabData, docs_menu: bool = False) -> list[tuple[str, str]]:
    def action(method: str) -> str:
        if method not in data.method_to_action:
            raise Unresolvable(f"unknown method {method}")
        return data.method_to_action[method]

    if check.target == "authenticated":
        return []
    if check.target == "dag":
        out = []
        for method in check.methods:
            if check.entity is None:
                out.append((action(method), data.resource_dag))
                continue
            if check.entity not in data.entity_to_resources:
                raise Unresolvable(f"unknown DagAccessEntity.{check.entity}")
            out.extend((action(method), r) for r in data.entity_to_resources[check.entity])
            if check.dag_known:
                out.append((action("GET" if method == "GET" else "PUT"), data.resource_dag))
        return out
    if check.target == "view":
        method = "MENU" if docs_menu and check.view == "DOCS" else "GET"
        return [(action(method), data.view_to_resource[check.view])]
    if check.target == "custom_view":
        return [(data.method_to_action.get(m, m), check.resource) for m in check.methods]
    if check.target in data.simple_targets:
        return [(action(m), data.simple_targets[check.target]) for m in check.methods]
    raise Unresolvable(f"authmgr_fab_v2: no translation for {check}")
