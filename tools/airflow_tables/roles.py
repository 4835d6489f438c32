"""Default role permissions, read from the security manager's ``ROLE_CONFIGS``.

Where the lists live: ``airflow/www/security.py`` (``AirflowSecurityManager``, Airflow <= 2.7),
``airflow/auth/managers/fab/security_manager/override.py`` (Airflow 2.8) and
``airflow/providers/fab/auth_manager/security_manager/override.py`` (FAB provider, Airflow 2.9+ and 3.x), class
``FabAirflowSecurityManagerOverride``.

The rule ``sync_roles`` applies (mirrored here, the same in every version read):

1. ``create_perm_vm_for_all_dag``: the permissions ``DAG_RESOURCES x DAG_ACTIONS`` (``DAGs`` x can_read,
   can_edit, can_delete) exist.
2. ``bulk_sync_roles(ROLE_CONFIGS)``: each default role gets the permissions listed for it. ``ROLE_CONFIGS``
   already makes the roles cumulative (User = VIEWER + USER_PERMISSIONS, Op = ... + OP_PERMISSIONS, Admin = ... +
   ADMIN_PERMISSIONS); Public gets ``[]`` (MWAA does not configure ``AUTH_ROLE_PUBLIC`` permissions).
3. ``update_admin_permission``: Admin gets every permission that exists in the metadata database except
   DAG-level ones (``DAG:<id>``, ``DAG Run:<id>``). For the REST API that means: every permission a REST
   endpoint of that version checks *if that permission is ever created*. Creation happens through
   ``ROLE_CONFIGS`` (step 2), step 1, the FAB security views (``Users``, ``Roles``, ``Permissions``, ...:
   ``class_permission_name`` + ``base_permissions``/``method_permission_name`` of the view classes) and, before
   2.8, ``requires_access`` itself (it calls ``sync_resource_permissions`` for the pairs it declares). The
   generator adds to Admin exactly the endpoint permissions created by one of these, and reports the others
   (held by no default role: ``least_role`` null).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .pysource import SourceTree, Unresolvable

ROLE_ORDER = ("Public", "Viewer", "User", "Op", "Admin")

SECURITY_MANAGERS = (
    ("airflow.providers.fab.auth_manager.security_manager.override", "FabAirflowSecurityManagerOverride"),
    ("airflow.auth.managers.fab.security_manager.override", "FabAirflowSecurityManagerOverride"),
    ("airflow.www.security", "AirflowSecurityManager"),
)

# Packages whose view classes register permissions through Flask-AppBuilder (class_permission_name).
VIEW_MODULE_PREFIXES = (
    "airflow/providers/fab/auth_manager/views/",
    "airflow/auth/managers/fab/views/",
    "airflow/www/fab_security/",
    "airflow/www/views.py",
)


@dataclass(frozen=True)
class RoleSource:
    module: str
    class_name: str
    role_configs: dict[str, frozenset[tuple[str, str]]]
    dag_global: frozenset[tuple[str, str]]


def security_manager(tree: SourceTree) -> tuple[str, str, dict]:
    """The first of SECURITY_MANAGERS whose class body defines ROLE_CONFIGS (2.7 already has an empty
    ``FabAirflowSecurityManagerOverride``; its lists are still in ``airflow/www/security.py``)."""
    for module, class_name in SECURITY_MANAGERS:
        if tree.has_module(module) and tree.class_def(module, class_name) is not None:
            constants = tree.class_constants(module, class_name)
            if "ROLE_CONFIGS" in constants:
                return module, class_name, constants
    raise Unresolvable("no security manager with a resolvable ROLE_CONFIGS in the source tree")


def read(tree: SourceTree) -> RoleSource:
    module, class_name, constants = security_manager(tree)
    configs = {}
    for entry in constants["ROLE_CONFIGS"]:
        configs[entry["role"]] = frozenset((a, r) for a, r in entry["perms"])
    if set(configs) != set(ROLE_ORDER):
        raise Unresolvable(f"ROLE_CONFIGS roles {sorted(configs)}")
    dag_resources = constants.get("DAG_RESOURCES")
    dag_actions = constants.get("DAG_ACTIONS")
    if not dag_resources or not dag_actions:
        raise Unresolvable("DAG_RESOURCES / DAG_ACTIONS not resolvable")
    dag_global = frozenset((a, r) for r in dag_resources for a in dag_actions)
    return RoleSource(module, class_name, configs, dag_global)


def view_permissions(tree: SourceTree) -> frozenset[tuple[str, str]]:
    """Permissions FAB creates when it registers view classes: ``class_permission_name`` with each action of
    ``base_permissions`` (or the values of ``method_permission_name``)."""
    found: set[tuple[str, str]] = set()
    for root in tree.roots:
        for prefix in VIEW_MODULE_PREFIXES:
            base = root / prefix
            files = [base] if base.suffix == ".py" else sorted(base.glob("*.py")) if base.is_dir() else []
            for path in files:
                if not path.is_file():
                    continue
                module = ".".join(path.relative_to(root).with_suffix("").parts)
                for node in tree.tree(module).body:
                    if isinstance(node, ast.ClassDef):
                        found |= _class_view_permissions(tree, module, node.name)
    return frozenset(found)


def _class_view_permissions(tree: SourceTree, module: str, class_name: str) -> set[tuple[str, str]]:
    constants = tree.class_constants(module, class_name)
    resource = constants.get("class_permission_name", constants.get("_class_permission_name"))
    if not isinstance(resource, str):
        return set()
    actions = constants.get("base_permissions")
    if not actions:
        mapping = constants.get("method_permission_name")
        actions = sorted({f"can_{v}" for v in mapping.values()}) if isinstance(mapping, dict) else []
    return {(a, resource) for a in actions if isinstance(a, str)}


def role_tables(
    source: RoleSource,
    endpoint_permissions: frozenset[tuple[str, str]],
    created_elsewhere: frozenset[tuple[str, str]],
    menu_access_is_read: bool,
) -> tuple[dict[str, frozenset[tuple[str, str]]], frozenset[tuple[str, str]]]:
    """Effective permissions of each default role, and the endpoint permissions no role holds."""
    existing = source.dag_global | created_elsewhere | frozenset().union(*source.role_configs.values())
    admin_extra = frozenset(p for p in endpoint_permissions if p in existing)
    roles = {}
    for role in ROLE_ORDER:
        perms = set(source.role_configs[role])
        if role == "Admin":
            perms |= admin_extra
        roles[role] = frozenset(effective(perms, menu_access_is_read))
    unheld = frozenset(p for p in endpoint_permissions if p not in roles["Admin"])
    return roles, unheld


def effective(perms, menu_access_is_read: bool) -> set[tuple[str, str]]:
    """What the auth manager compares against: in Airflow 2.8, ``menu_access`` on R counts as ``can_read``."""
    if not menu_access_is_read:
        return set(perms)
    return {("can_read" if a == "menu_access" else a, r) for a, r in perms}
