"""Airflow 3 (``/api/v2``): FastAPI public routes and their ``Depends(requires_access_*(...))`` dependencies.

Paths are rebuilt from the routers: ``public_router = AirflowRouter(prefix="/api/v2")`` in
``airflow/api_fastapi/core_api/routes/public/__init__.py`` includes other routers
(``x.include_router(y)``), each declared as ``AirflowRouter(prefix=...)``; a route is a function decorated
with ``@<router>.<method>(path, dependencies=[...])``. Checks come from ``dependencies=`` of the route and of
its routers, and from ``Depends(requires_access_*)`` in the function's parameters. A route with none is
checked for a direct ``get_auth_manager().is_authorized_*`` call in its body.

The rebuilt (method, path) set is compared with the OpenAPI document the package ships
(``core_api/openapi/v2-rest-api-generated.yaml``), which also gives each operation's ``operationId``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import yaml

from .checks import RawEndpoint
from .helpers import helper_check, _single
from .pysource import SourceTree, Unresolvable

PUBLIC_MODULE = "airflow.api_fastapi.core_api.routes.public"
SPEC_FILE = "airflow/api_fastapi/core_api/openapi/v2-rest-api-generated.yaml"
API_PREFIX = "/api/v2"
_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Router:
    module: str
    name: str
    prefix: str
    dependencies: tuple[ast.expr, ...]


def _router(tree: SourceTree, module: str, name: str) -> Router:
    binding = tree.lookup(module, name)
    if not (isinstance(binding, tuple) and len(binding) == 2 and isinstance(binding[1], ast.Call)):
        raise Unresolvable(f"router {name} in {module}")
    where, call = binding
    kwargs = {kw.arg: kw.value for kw in call.keywords}
    prefix = tree.resolve(where, kwargs["prefix"]) if "prefix" in kwargs else ""
    deps = tuple(kwargs["dependencies"].elts) if "dependencies" in kwargs else ()
    return Router(where, _router_var(tree, where, call), prefix, deps)


def _router_var(tree: SourceTree, module: str, call: ast.Call) -> str:
    for node in tree.module_statements(module):
        if isinstance(node, ast.Assign) and node.value is call:
            return node.targets[0].id
    raise Unresolvable("router variable")


def _includes(tree: SourceTree, module: str, parent: str):
    """(child name, include prefix) for every ``parent.include_router(child[, prefix=...])`` in module."""
    for node in tree.module_statements(module):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            f = call.func
            if isinstance(f, ast.Attribute) and f.attr == "include_router" and isinstance(f.value, ast.Name):
                if f.value.id == parent and isinstance(call.args[0], ast.Name):
                    kwargs = {kw.arg: kw.value for kw in call.keywords}
                    prefix = tree.resolve(module, kwargs["prefix"]) if "prefix" in kwargs else ""
                    yield call.args[0].id, prefix


def routers(tree: SourceTree) -> list[tuple[Router, str, tuple[ast.expr, ...]]]:
    """Every router reachable from ``public_router``, with its full prefix and inherited dependencies."""
    out = []

    def walk(module: str, name: str, prefix: str, deps: tuple):
        router = _router(tree, module, name)
        full = prefix + router.prefix
        all_deps = deps + tuple((router.module, d) for d in router.dependencies)
        out.append((router, full, all_deps))
        for child, include_prefix in _includes(tree, router.module, router.name):
            walk(router.module, child, full + include_prefix, all_deps)

    walk(PUBLIC_MODULE, "public_router", "", ())
    return out


def _normalise(path: str) -> tuple[str, tuple[str, ...]]:
    """``/pools/{pool_name:path}`` -> (``/pools/{pool_name}``, ("pool_name",)): Starlette's ``:path``
    converter lets the parameter span several segments (slashes included); the OpenAPI document drops it."""
    slash = tuple(re.findall(r"{([^}:]+):path}", path))
    return re.sub(r"{([^}:]+):[^}]*}", r"{\1}", path), slash


def path_params(path: str) -> frozenset[str]:
    return frozenset(re.findall(r"{([^}:]+)(?::[^}]*)?}", path))


def extract(tree: SourceTree) -> list[RawEndpoint]:
    spec = _spec_operations(tree)
    found: dict[tuple[str, str], RawEndpoint] = {}
    for router, prefix, inherited in routers(tree):
        for func, method, sub_path, deps in _routes(tree, router):
            full = prefix + sub_path
            if not full.startswith(API_PREFIX):
                raise Unresolvable(f"route {full} outside {API_PREFIX}")
            path, slash_params = _normalise(full[len(API_PREFIX):] or "/")
            params = path_params(path)
            checks = []
            for dep_module, dep in list(inherited) + [(router.module, d) for d in deps]:
                checks.extend(_dependency_checks(tree, dep_module, dep, params))
            checks.extend(_parameter_checks(tree, router.module, func, params))
            if not checks:
                checks.extend(_body_checks(tree, router.module, func, params))
            key = (method, path)
            if key not in spec:
                raise Unresolvable(f"route {method} {path} ({router.module}.{func.name}) not in {SPEC_FILE}")
            found[key] = RawEndpoint(
                method, path, spec[key], tuple(checks), f"{router.module}.{func.name}", slash_params
            )
    missing = sorted(set(spec) - set(found))
    if missing:
        raise Unresolvable(f"operations of {SPEC_FILE} not found in the routers: {missing}")
    return [found[key] for key in sorted(found)]


def _spec_operations(tree: SourceTree) -> dict[tuple[str, str], str]:
    path = tree.find_file(SPEC_FILE)
    if path is None:
        raise Unresolvable(f"{SPEC_FILE} is missing")
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for full, item in spec["paths"].items():
        if not full.startswith(API_PREFIX):
            continue
        for method in _METHODS:
            if method in item:
                out[(method.upper(), full[len(API_PREFIX):] or "/")] = item[method]["operationId"]
    return out


def _routes(tree: SourceTree, router: Router):
    for node in tree.tree(router.module).body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
                continue
            target = decorator.func.value
            if not (isinstance(target, ast.Name) and target.id == router.name):
                continue
            verb = decorator.func.attr
            if verb not in _METHODS:
                raise Unresolvable(f"route decorator .{verb} on {node.name}")
            sub_path = tree.resolve(router.module, decorator.args[0]) if decorator.args else ""
            kwargs = {kw.arg: kw.value for kw in decorator.keywords}
            if "path" in kwargs:
                sub_path = tree.resolve(router.module, kwargs["path"])
            if kwargs.get("include_in_schema") is not None:
                if tree.resolve(router.module, kwargs["include_in_schema"]) is False:
                    continue
            deps = tuple(kwargs["dependencies"].elts) if "dependencies" in kwargs else ()
            yield node, verb.upper(), sub_path, deps


def _dependency_checks(tree: SourceTree, module: str, dep: ast.expr, params):
    """``Depends(requires_access_x(...))`` -> Check; other dependencies (``action_logging()``) -> nothing."""
    if isinstance(dep, ast.Call) and isinstance(dep.func, ast.Name) and dep.func.id == "Depends" and dep.args:
        inner = dep.args[0]
        if isinstance(inner, ast.Call):
            check = helper_check(tree, module, inner, params)
            return [check] if check is not None else []
        if isinstance(inner, ast.Name) and inner.id.startswith("requires_access"):
            raise Unresolvable(f"Depends({inner.id}) without call")
    return []


def _parameter_checks(tree: SourceTree, module: str, func, params):
    out = []
    for arg in func.args.args + func.args.kwonlyargs:
        if arg.annotation is None:
            continue
        for node in ast.walk(arg.annotation):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Depends":
                out.extend(_dependency_checks(tree, module, node, params))
        if isinstance(arg.annotation, ast.Name):
            # An alias such as ``EditableDagsFilterDep`` is a filter, not a check; follow only aliases
            # whose definition calls a requires_access helper.
            try:
                binding = tree.lookup(module, arg.annotation.id)
            except Unresolvable:
                continue
            if isinstance(binding, tuple) and len(binding) == 2 and isinstance(binding[1], ast.expr):
                where, expr = binding
                for node in ast.walk(expr):
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Depends":
                        out.extend(_dependency_checks(tree, where, node, params))
    return out


def _body_checks(tree: SourceTree, module: str, func, params):
    """A route without a requires_access dependency that calls ``get_auth_manager().is_authorized_x(...)``."""
    local = _local_choices(func)
    out = []
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name.startswith("is_authorized_"):
                out.append(_single(tree, module, func, node, name[len("is_authorized_"):], local, params))
    return out


def _local_choices(func) -> dict[str, tuple]:
    """Locals assigned a constant or ``"A" if cond else "B"``: the values they can take."""
    out: dict[str, tuple] = {}
    for node in ast.walk(func):
        target = value = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            target, value = node.target.id, node.value
        if target is None:
            continue
        if isinstance(value, ast.Constant):
            out[target] = out.get(target, ()) + (value.value,)
        elif isinstance(value, ast.IfExp) and all(isinstance(v, ast.Constant) for v in (value.body, value.orelse)):
            out[target] = out.get(target, ()) + (value.body.value, value.orelse.value)
    return {k: tuple(sorted(set(v))) for k, v in out.items()}

