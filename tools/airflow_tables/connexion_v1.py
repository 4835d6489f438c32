"""Airflow 2 (``/api/v1``): OpenAPI operations matched to connexion endpoint functions and their decorators.

Each operation of ``airflow/api_connexion/openapi/v1.yaml`` names its handler through ``operationId`` and
``x-openapi-router-controller`` (a module). The handler's ``requires_access*`` decorators are the checks.
A handler without such a decorator that only returns a call to another handler (the ``/roles`` and
``/users`` endpoints forwarded to the FAB auth manager from 2.8 on, the mapped-task-instance variants)
inherits that handler's decorators. A handler with neither (``/health``, ``/version``) needs no permission.
"""

from __future__ import annotations

import ast
import re

import yaml

from .checks import RawEndpoint
from .helpers import helper_check
from .pysource import ModuleRef, SourceTree, Unresolvable

SPEC_FILE = "airflow/api_connexion/openapi/v1.yaml"
_METHODS = ("get", "put", "post", "patch", "delete")


def spec_path(tree: SourceTree):
    path = tree.find_file(SPEC_FILE)
    if path is None:
        raise Unresolvable(f"{SPEC_FILE} is missing")
    return path


def operations(spec_text: str):
    """(METHOD, path, operationId, controller module) for every operation of the spec, in spec order."""
    spec = yaml.safe_load(spec_text)
    for path, item in spec["paths"].items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            controller = op.get("x-openapi-router-controller") or item.get("x-openapi-router-controller")
            yield method.upper(), path, op["operationId"], controller


def path_params(path: str) -> frozenset[str]:
    return frozenset(re.findall(r"{([^}]+)}", path))


def extract(tree: SourceTree, spec_text: str | None = None) -> list[RawEndpoint]:
    if spec_text is None:
        spec_text = spec_path(tree).read_text(encoding="utf-8")
    out = []
    for method, path, operation_id, controller in operations(spec_text):
        checks, source = handler_checks(tree, controller, operation_id, path_params(path))
        out.append(RawEndpoint(method, path, operation_id, tuple(checks), source))
    return out


def handler_checks(tree: SourceTree, module: str, name: str, params: frozenset[str], depth: int = 0):
    func = tree.function(module, name)
    if func is None:
        raise Unresolvable(f"{module}.{name} not found")
    checks = []
    for decorator in func.decorator_list:
        if isinstance(decorator, ast.Call):
            check = helper_check(tree, module, decorator, params)
            if check is not None:
                checks.append(check)
    if checks:
        return checks, f"{module}.{name}"
    delegate = _delegate(tree, module, func)
    if delegate is not None and depth < 3:
        return handler_checks(tree, delegate[0], delegate[1], params, depth + 1)
    return [], f"{module}.{name}"


def _delegate(tree: SourceTree, module: str, func: ast.FunctionDef):
    """``return other(...)`` or ``return module.other(...)`` as the only return of an undecorated handler."""
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return) and isinstance(n.value, ast.Call)]
    if len(returns) != 1:
        return None
    target = returns[0].value.func
    if isinstance(target, ast.Name):
        binding = tree.lookup(module, target.id)
        if isinstance(binding, tuple) and binding[0] == "function":
            return binding[1], binding[2]
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        base = tree.lookup(module, target.value.id)
        if isinstance(base, ModuleRef) and tree.function(base.module, target.attr) is not None:
            return base.module, target.attr
    return None
