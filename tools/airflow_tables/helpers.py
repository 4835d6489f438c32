"""Turn a ``requires_access*`` helper call into a ``Check`` by reading the helper's own source.

The helpers live in Airflow core (``airflow/api_connexion/security.py`` for Airflow 2,
``airflow/api_fastapi/core_api/security.py`` for Airflow 3). Each one ends in a call on the auth manager:
``get_auth_manager().is_authorized_<target>(method=..., access_entity=..., ...)``, a batch variant
``batch_is_authorized_<target>(requests=[{"method": ..., "access_entity": ...}])``, or (Airflow < 2.8)
``appbuilder.sm.check_authorization(permissions, dag_id)``. We find that call and evaluate its arguments
with the values the endpoint passed to the helper.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from .checks import HTTP_METHODS, Check, bind_arguments, sym_member
from .pysource import SourceTree, Unresolvable

_AUTH_KWARGS = {
    "method": "method",
    "access_entity": "entity",
    "access_view": "view",
    "fab_action_name": "method",
    "fab_resource_name": "resource",
    "resource_name": "resource",
}


def helper_check(tree: SourceTree, module: str, call: ast.Call, path_params: frozenset[str]) -> Check | None:
    """The Check made by ``call`` (a decorator or ``Depends(...)`` argument in ``module``), or None."""
    name = _callee_name(call)
    if name is None or not name.startswith("requires_access") and name != "requires_authenticated":
        return None
    helper_module, func = _find_function(tree, module, call.func)
    bound = bind_arguments(tree, module, call, func)
    return _analyse(tree, helper_module, func, bound, path_params, depth=0)


def _callee_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _find_function(tree: SourceTree, module: str, func_expr: ast.expr) -> tuple[str, ast.FunctionDef]:
    if isinstance(func_expr, ast.Name):
        binding = tree.lookup(module, func_expr.id)
    elif isinstance(func_expr, ast.Attribute):
        base = tree._ref_of(module, func_expr.value, {})
        binding = tree.lookup(base.module, func_expr.attr)
    else:
        raise Unresolvable(ast.unparse(func_expr))
    if not (isinstance(binding, tuple) and binding[0] == "function"):
        raise Unresolvable(f"{ast.unparse(func_expr)} is not a function")
    _, helper_module, helper_name = binding
    return helper_module, tree.function(helper_module, helper_name)


def _analyse(tree, module, func, bound, path_params, depth) -> Check:
    if depth > 3:
        raise Unresolvable(f"helper nesting too deep at {func.name}")
    calls = [n for n in ast.walk(func) if isinstance(n, ast.Call)]
    for call in calls:
        callee = _callee_name(call)
        if callee is None:
            continue
        if callee == "check_authorization" or callee == "_requires_access_fab":
            perms = _value(tree, module, call.args[0], bound)
            return Check("legacy", perms=tuple(tuple(p) for p in perms or ()), helper=func.name)
        if callee.startswith("is_authorized_"):
            return _single(tree, module, func, call, callee[len("is_authorized_"):], bound, path_params)
        if callee.startswith("batch_is_authorized_"):
            return _batch(tree, module, func, callee[len("batch_is_authorized_"):], bound, path_params)
    for call in calls:
        callee = _callee_name(call)
        if callee and callee.startswith("requires_access") and callee != func.name:
            # A helper that delegates to another one (``requires_access_event_log`` -> ``requires_access_dag``).
            inner_module, inner = _find_function(tree, module, call.func)
            inner_bound = {}
            params = [a.arg for a in inner.args.posonlyargs + inner.args.args]
            for pname, arg in zip(params, call.args):
                inner_bound[pname] = _value(tree, module, arg, bound, default=_LOCAL)
            for kw in call.keywords:
                inner_bound[kw.arg] = _value(tree, module, kw.value, bound, default=_LOCAL)
            check = _analyse(tree, inner_module, inner, inner_bound, path_params, depth + 1)
            # A DAG id computed by the outer helper (from an event log row, a backfill, ...) counts as known.
            passes_dag = any(v is _LOCAL for v in inner_bound.values())
            return replace(check, dag_known=check.dag_known or passes_dag, helper=func.name)
    return Check("authenticated", helper=func.name)


_LOCAL = object()  # a value computed at run time inside the helper


def _value(tree, module, node, bound, default=None):
    if isinstance(node, ast.Name) and node.id in bound:
        return bound[node.id]
    try:
        return tree.resolve(module, node)
    except Unresolvable:
        if default is not None:
            return default
        raise


def _single(tree, module, func, call, target, bound, path_params) -> Check:
    fields: dict[str, object] = {}
    for kw in call.keywords:
        if kw.arg in _AUTH_KWARGS:
            fields[_AUTH_KWARGS[kw.arg]] = _value(tree, module, kw.value, bound)
    if target == "custom_view" and "resource" not in fields:
        raise Unresolvable(f"custom view without resource in {func.name}")
    method = fields.get("method")
    if target == "view":
        methods: tuple[str, ...] = ()
    elif isinstance(method, str):
        methods = (method,)
    elif isinstance(method, (tuple, list)) and all(isinstance(m, str) for m in method):
        methods = tuple(method)  # a local chosen at run time among these
    else:
        raise Unresolvable(f"{func.name}: method {method!r}")
    dag_known = target == "dag" and _dag_id_known(func, bound, path_params)
    return Check(
        target,
        methods=methods,
        entity=sym_member(fields.get("entity")),
        view=sym_member(fields.get("view")),
        resource=fields.get("resource"),
        dag_known=dag_known,
        helper=func.name,
    )


def _dag_id_known(func, bound, path_params) -> bool:
    """The helper reads the DAG id from the request (a path parameter), or was handed one."""
    if bound.get("param_dag_id") not in (None,):
        return True
    return "dag_id" in path_params


def _batch(tree, module, func, target, bound, path_params) -> Check:
    """``batch_is_authorized_<target>(requests=...)``: read the request dicts the helper builds."""
    methods: set[str] = set()
    entities: set[str] = set()
    bodies = [func] + _called_module_functions(tree, module, func)
    for body in bodies:
        for node in ast.walk(body):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "access_entity":
                        entities.add(sym_member(tree.resolve(module, value)))
                    if isinstance(key, ast.Constant) and key.value == "method":
                        if isinstance(value, ast.Name) and value.id in bound:
                            methods.add(bound[value.id])
            if isinstance(node, ast.Constant) and node.value in HTTP_METHODS:
                methods.add(node.value)
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
                # MAP_BULK_ACTION_TO_AUTH_METHOD[action.action]: any value of the map
                try:
                    mapping = tree.resolve(module, node.value)
                except Unresolvable:
                    continue
                if isinstance(mapping, dict) and set(mapping.values()) <= set(HTTP_METHODS):
                    methods.update(mapping.values())
    if not methods or len(entities) > 1:
        raise Unresolvable(f"{func.name}: batch methods {methods} entities {entities}")
    # Batched DAG requests carry the DAG ids of the entities they name (unresolvable ones are skipped).
    return Check(
        target,
        methods=tuple(m for m in HTTP_METHODS if m in methods),
        entity=next(iter(entities), None),
        dag_known=target == "dag",
        helper=func.name,
    )


def _called_module_functions(tree, module, func):
    names = {n.func.id for n in ast.walk(func) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    out = []
    for name in sorted(names):
        node = tree.function(module, name)
        if node is not None and node is not func:
            out.append(node)
    return out
