"""What an endpoint asks the auth manager, before translation into (action, resource) pairs.

Endpoint extraction (``connexion_v1`` for Airflow 2, ``fastapi_v2`` for Airflow 3) turns each
``requires_access*`` decorator or route dependency into one ``Check``; an auth-manager module
(``authmgr_legacy``, ``authmgr_fab_v1``, ``authmgr_fab_v2``) turns checks into permissions.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .pysource import SourceTree, Sym, Unresolvable

HTTP_METHODS = ("GET", "POST", "PUT", "DELETE")


@dataclass(frozen=True)
class Check:
    """One authorization call.

    target: the auth-manager question, named after its ``is_authorized_<target>`` method (``dag``,
        ``connection``, ``view``, ``custom_view``, ...), ``legacy`` for the Airflow < 2.8 ``requires_access``
        decorator (explicit permission list) or ``authenticated`` (login only, no permission).
    methods: the ResourceMethods asked (several for bulk endpoints: what the body may contain).
    entity: ``DagAccessEntity`` member for ``dag``; view: ``AccessView`` member for ``view``.
    resource: the FAB resource name for ``custom_view``; perms: the explicit pairs for ``legacy``.
    dag_known: whether a specific DAG id is known when the check runs (it is, when the path has ``{dag_id}``).
    helper: the decorator/dependency that made the check (for error messages and notes).
    """

    target: str
    methods: tuple[str, ...] = ()
    entity: str | None = None
    view: str | None = None
    resource: str | None = None
    perms: tuple[tuple[str, str], ...] = ()
    dag_known: bool = False
    helper: str = ""


@dataclass(frozen=True)
class RawEndpoint:
    method: str
    path: str
    operation_id: str
    checks: tuple[Check, ...]
    source: str = field(default="", compare=False)
    slash_params: tuple[str, ...] = ()  # path parameters that may contain "/" (Starlette ``:path``)


def sym_member(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Sym):
        return value.member
    raise Unresolvable(f"expected an Enum member, got {value!r}")


def bind_arguments(tree: SourceTree, module: str, call: ast.Call, func: ast.FunctionDef) -> dict[str, object]:
    """Bind a helper call's arguments (resolved in ``module``) to the helper's parameter names."""
    params = [a.arg for a in func.args.posonlyargs + func.args.args]
    kwonly = [a.arg for a in func.args.kwonlyargs]
    values: dict[str, object] = {}
    defaults = func.args.defaults
    for name, default in zip(params[len(params) - len(defaults):], defaults):
        values[name] = _literal_default(default)
    for name, default in zip(kwonly, func.args.kw_defaults):
        if default is not None:
            values[name] = _literal_default(default)
    for name, arg in zip(params, call.args):
        values[name] = tree.resolve(module, arg)
    for keyword in call.keywords:
        if keyword.arg is None:
            raise Unresolvable(f"**kwargs in {ast.unparse(call)}")
        values[keyword.arg] = tree.resolve(module, keyword.value)
    return values


def _literal_default(node: ast.expr):
    if isinstance(node, ast.Constant):
        return node.value
    return None
