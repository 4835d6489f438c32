"""FAB auth manager, first generation: Airflow 2.8 core (``airflow/auth/managers/fab``) and the FAB provider
1.x used by Airflow 2.9-2.11. Maps are read from the package (``fab_source``); this module mirrors the
control flow of ``FabAuthManager.is_authorized_dag`` / ``is_authorized_view`` / ``is_authorized_custom_view``:

- ``is_authorized_dag(method)`` without an access entity: ``(action(method), "DAGs")`` (a DAG-level
  ``DAG:<id>`` permission also works; default roles hold the global one).
- with an access entity: ``(action(method), R)`` for every resource R the entity maps to, plus, when a DAG
  id is known (the path names one), ``(action(GET if method == GET else PUT), "DAGs")``: triggering a DAG run
  (POST, RUN) needs ``DAG Runs.can_create`` and ``DAGs.can_edit``.
- ``is_authorized_view(v)``: ``(action(GET), view map[v])``.
- ``is_authorized_custom_view(m, resource)``: ``(method map.get(m, m), resource)``.
- other ``is_authorized_<x>(method)``: ``(action(method), resource read from the method's source)``.
- Airflow 2.8 only: ``_get_user_permissions`` turns ``menu_access`` into ``can_read``; role tables then
  count a ``menu_access`` permission as ``can_read`` on the same resource.
"""

from __future__ import annotations

from . import fab_source
from .authmgr_common import verify
from .checks import Check
from .pysource import SourceTree, Unresolvable

NAME = "FAB auth manager v1 (Airflow 2.8 core, FAB provider 1.x)"

KNOWN = {
    "is_authorized_dag": frozenset({"8586b67563c3ccea", "610971d83386ba65"}),
    "_is_authorized_dag": frozenset({"955773de8c894e94", "43dd63805041ad6a"}),
    "is_authorized_view": frozenset({"a614aaf37b16a0bc", "bc00590b4c6a0cfb"}),
    "is_authorized_custom_view": frozenset({"6c4af0ed8a364769", "b10a5df11e52efbb"}),
    "_get_user_permissions": frozenset({"ba7d7843962a043f", "2cf3969ac5ef9a4b"}),
    "_is_authorized": frozenset({"3082d7e9ff357aaf"}),
}


def load(tree: SourceTree) -> fab_source.FabData:
    data = fab_source.read(tree)
    verify(tree, data.module, "FabAuthManager", KNOWN, "authmgr_fab_v1")
    return data


def translate(check: Check, data: fab_source.FabData) -> list[tuple[str, str]]:
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
        return [(action("GET"), data.view_to_resource[check.view])]
    if check.target == "custom_view":
        return [(data.method_to_action.get(m, m), check.resource) for m in check.methods]
    if check.target in data.simple_targets:
        return [(action(m), data.simple_targets[check.target]) for m in check.methods]
    raise Unresolvable(f"authmgr_fab_v1: no translation for {check}")
