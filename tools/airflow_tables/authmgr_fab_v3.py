"""FAB auth manager, FAB provider 3.x (Airflow 3.1+). ``is_authorized_dag`` was rewritten:

- with an access entity: ``(action(method), R)`` for each resource R of the entity (for RUN with a DAG id,
  the DAG-level ``DAG Run:<id>`` permission is an alternative; default roles hold the global one);
- then, GET without a DAG id: the user must be able to list DAGs: ``(can_read, "DAGs")`` (or read on some
  ``DAG:<id>``);
- else without an access entity: ``(action(method), "DAGs")``;
- else with a DAG id: ``(action(GET if method == GET else PUT), "DAGs")``.
So a GET on a DAG sub-entity without a DAG id (``GET /eventLogs``) now also needs ``DAGs.can_read``.
Views, custom views and the simple ``is_authorized_<x>`` methods are as in ``authmgr_fab_v2``.
"""

from __future__ import annotations

from . import fab_source
from .authmgr_common import verify
from .authmgr_fab_v2 import docs_view_uses_menu  # noqa: F401  (generate.py asks either module)
from .checks import Check
from .pysource import SourceTree, Unresolvable

NAME = "FAB auth manager v3 (FAB provider 3.x, Airflow 3.1+)"

KNOWN = {
    "is_authorized_dag": frozenset({"b8eec12251e48248"}),
    "_is_authorized_dag": frozenset({"3609392d661a8f14"}),
    "_is_authorized_list_dags": frozenset({"ec608951a9c1297d"}),
    "is_authorized_view": frozenset({"84b1cc546dc94538"}),
    "is_authorized_custom_view": frozenset({"ebad2d07aac55309"}),
    "_get_user_permissions": frozenset({"9894344af65b0392"}),
    "_is_authorized": frozenset({"32c703dee5b88880"}),
}


def load(tree: SourceTree) -> fab_source.FabData:
    data = fab_source.read(tree)
    verify(tree, data.module, "FabAuthManager", KNOWN, "authmgr_fab_v3")
    return data


def translate(check: Check, data: fab_source.FabData, docs_menu: bool = True) -> list[tuple[str, str]]:
    def action(method: str) -> str:
        if method not in data.method_to_action:
            raise Unresolvable(f"unknown method {method}")
        return data.method_to_action[method]

    if check.target == "authenticated":
        return []
    if check.target == "dag":
        out = []
        for method in check.methods:
            if check.entity is not None:
                if check.entity not in data.entity_to_resources:
                    raise Unresolvable(f"unknown DagAccessEntity.{check.entity}")
                out.extend((action(method), r) for r in data.entity_to_resources[check.entity])
            if method == "GET" and not check.dag_known:
                out.append((action("GET"), data.resource_dag))
            elif check.entity is None:
                out.append((action(method), data.resource_dag))
            elif check.dag_known:
                out.append((action("GET" if method == "GET" else "PUT"), data.resource_dag))
        return out
    if check.target == "view":
        method = "MENU" if docs_menu and check.view == "DOCS" else "GET"
        return [(action(method), data.view_to_resource[check.view])]
    if check.target == "custom_view":
        return [(data.method_to_action.get(m, m), check.resource) for m in check.methods]
    if check.target in data.simple_targets:
        return [(action(m), data.simple_targets[check.target]) for m in check.methods]
    raise Unresolvable(f"authmgr_fab_v3: no translation for {check}")
