"""Data read from a FAB auth manager's source (``fab_auth_manager.py`` and its imports), shared by the
``authmgr_fab_v1`` and ``authmgr_fab_v2`` translators.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .pysource import ModuleRef, SourceTree, Sym, Unresolvable

FAB_MODULES = (
    "airflow.providers.fab.auth_manager.fab_auth_manager",  # FAB provider (Airflow 2.9+ and 3.x)
    "airflow.auth.managers.fab.fab_auth_manager",  # Airflow 2.8 core
)


@dataclass(frozen=True)
class FabData:
    module: str
    method_to_action: dict[str, str]
    entity_to_resources: dict[str, tuple[str, ...]]
    view_to_resource: dict[str, str]
    simple_targets: dict[str, str]  # is_authorized_<target> -> resource for "_is_authorized(method, X)" methods
    resource_dag: str
    menu_access_is_read: bool  # _get_user_permissions folds can_access_menu into can_read
    source_notes: tuple[str, ...]


def fab_module(tree: SourceTree) -> str:
    for module in FAB_MODULES:
        if tree.has_module(module):
            return module
    raise Unresolvable("no FAB auth manager module in the source tree")


def module_dict(tree: SourceTree, module: str, name: str) -> dict:
    """A module-level dict constant, with later ``NAME[key] = value`` assignments applied (version gates
    included)."""
    value = dict(tree.module_constant(module, name))
    for node in tree.module_statements(module):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name:
                value[tree.resolve(module, target.slice)] = tree.resolve(module, node.value)
    return value


def _enum_keys(mapping: dict) -> dict:
    out = {}
    for key, value in mapping.items():
        if not isinstance(key, Sym):
            raise Unresolvable(f"unexpected key {key!r}")
        out[key.member] = value
    return out


def _function_module(tree: SourceTree, module: str, name: str) -> str:
    binding = tree.lookup(module, name)
    if isinstance(binding, tuple) and binding[0] == "function":
        return binding[1]
    raise Unresolvable(f"{name} is not a function in {module}")


def _permission_constant(tree: SourceTree, module: str, name: str) -> str:
    try:
        return tree.module_constant(module, name)
    except Unresolvable:
        perms = tree.lookup(module, "permissions")
        if not isinstance(perms, ModuleRef):
            raise
        return tree.module_constant(perms.module, name)


def read(tree: SourceTree) -> FabData:
    module = fab_module(tree)
    utils = _function_module(tree, module, "get_fab_action_from_method_map")
    method_to_action = tree.module_constant(utils, "_MAP_METHOD_NAME_TO_FAB_ACTION_NAME")
    entity = _enum_keys(module_dict(tree, module, "_MAP_DAG_ACCESS_ENTITY_TO_FAB_RESOURCE_TYPE"))
    views = _enum_keys(module_dict(tree, module, "_MAP_ACCESS_VIEW_TO_FAB_RESOURCE_TYPE"))
    cls = tree.class_def(module, "FabAuthManager")
    simple: dict[str, str] = {}
    delegates: dict[str, str] = {}
    menu_is_read = False
    for node in cls.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        if node.name.startswith("is_authorized_"):
            kind, value = _simple_resource(tree, module, node)
            if kind == "resource":
                simple[node.name[len("is_authorized_"):]] = value
            elif kind == "delegate":
                delegates[node.name[len("is_authorized_"):]] = value
        if node.name == "_get_user_permissions":
            menu_is_read = any(
                isinstance(n, ast.Name) and n.id == "ACTION_CAN_ACCESS_MENU" for n in ast.walk(node)
            )
    for name, other in delegates.items():
        if other in simple:
            simple[name] = simple[other]  # is_authorized_dataset -> is_authorized_asset
    return FabData(
        module=module,
        method_to_action=dict(method_to_action),
        entity_to_resources={k: tuple(v) for k, v in entity.items()},
        view_to_resource=views,
        simple_targets=simple,
        resource_dag=_permission_constant(tree, module, "RESOURCE_DAG"),
        menu_access_is_read=menu_is_read,
        source_notes=(module, utils),
    )


def _simple_resource(tree: SourceTree, module: str, func: ast.FunctionDef) -> tuple[str | None, str | None]:
    """``return self._is_authorized(method=method, resource_type=X, user=user)`` -> ("resource", X);
    ``return self.is_authorized_y(method=method, ...)`` (after warnings) -> ("delegate", "y")."""
    body = func.body
    if not body or not isinstance(body[-1], ast.Return) or not isinstance(body[-1].value, ast.Call):
        return None, None
    if not all(isinstance(s, ast.Expr) for s in body[:-1]):  # docstring, warnings.warn(...)
        return None, None
    call = body[-1].value
    if not isinstance(call.func, ast.Attribute):
        return None, None
    kwargs = {kw.arg: kw.value for kw in call.keywords}
    method = kwargs.get("method")
    if not (isinstance(method, ast.Name) and method.id == "method"):
        return None, None
    if call.func.attr == "_is_authorized":
        return "resource", tree.resolve(module, kwargs["resource_type"])
    if call.func.attr.startswith("is_authorized_"):
        return "delegate", call.func.attr[len("is_authorized_"):]
    return None, None
