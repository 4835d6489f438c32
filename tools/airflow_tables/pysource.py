"""Read Python source with ``ast`` and resolve module-level constants, never importing it.

A ``SourceTree`` is a list of directories that each hold an ``airflow/`` package (unpacked wheels of
apache-airflow, apache-airflow-core, the FAB provider, ...). ``resolve(module, expr)`` evaluates the small
subset of Python that Airflow uses to declare permission data:

- literals, tuples, lists, sets, dicts, ``a + b`` on lists/tuples/strings, f-strings of constants;
- names bound at module level or in a class body (``ast.Assign``/``AnnAssign``), followed through
  ``from x import y [as z]`` and ``import x`` into the other modules of the tree;
- ``X.attr`` where ``X`` is an imported module (``permissions.RESOURCE_DAG``) or a class (an ``Enum`` member
  such as ``DagAccessEntity.RUN`` resolves to the symbol ``Sym("DagAccessEntity.RUN")``);
- ``getattr(module, "NAME", default)``;
- module-level control flow that selects definitions: ``if TYPE_CHECKING: ... else: ...`` (the ``else``
  branch is what runs), ``try: ... except ImportError: ...`` (the ``try`` branch when it resolves, else the
  handler) and ``if AIRFLOW_V_3_1_PLUS:`` style version gates, evaluated against the Airflow version being
  generated (the providers define them as ``airflow_version >= (X, Y, 0)``).

Anything else raises ``Unresolvable``: the generator must fail loudly rather than guess.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_VERSION_GATE = re.compile(r"^AIRFLOW_V_(\d+)_(\d+)(?:_(\d+))?_PLUS$")


class Unresolvable(Exception):
    """An expression the resolver does not evaluate."""


@dataclass(frozen=True, order=True)
class Sym:
    """A symbolic value such as an Enum member ``DagAccessEntity.RUN``."""

    name: str

    @property
    def member(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class ClassRef:
    module: str
    name: str


@dataclass(frozen=True)
class ModuleRef:
    module: str


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


class SourceTree:
    def __init__(self, roots: list[Path], airflow_version: str):
        self.roots = [Path(r) for r in roots]
        self.airflow_version = version_tuple(airflow_version)

    # -- files and modules -------------------------------------------------------------------------------------
    def module_path(self, module: str) -> Path | None:
        rel = Path(*module.split("."))
        for root in self.roots:
            for candidate in (root / rel.with_suffix(".py"), root / rel / "__init__.py"):
                if candidate.is_file():
                    return candidate
        return None

    def find_file(self, relative: str) -> Path | None:
        for root in self.roots:
            candidate = root / relative
            if candidate.is_file():
                return candidate
        return None

    def has_module(self, module: str) -> bool:
        return self.module_path(module) is not None

    def tree(self, module: str) -> ast.Module:
        path = self.module_path(module)
        if path is None:
            raise Unresolvable(f"module {module} is not in the source tree")
        return _parse(str(path))

    def function(self, module: str, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for node in self.tree(module).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                return node
        return None

    def class_def(self, module: str, name: str) -> ast.ClassDef | None:
        for node in self.module_statements(module):
            if isinstance(node, ast.ClassDef) and node.name == name:
                return node
        return None

    # -- module-level statements, with the control flow that selects definitions ------------------------------
    def module_statements(self, module: str) -> list[ast.stmt]:
        return self._flatten(module, self.tree(module).body)

    def _flatten(self, module: str, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for node in body:
            if isinstance(node, ast.If):
                branch = self._if_branch(module, node)
                if branch is not None:
                    out.extend(self._flatten(module, branch))
            elif isinstance(node, ast.Try):
                # The try branch wins unless its imports do not exist in the tree (ImportError at run time).
                if self._imports_resolve(module, node.body):
                    out.extend(self._flatten(module, node.body))
                else:
                    for handler in node.handlers:
                        out.extend(self._flatten(module, handler.body))
            else:
                out.append(node)
        return out

    def _if_branch(self, module: str, node: ast.If) -> list[ast.stmt] | None:
        test = node.test
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            return node.orelse
        gate = self._version_gate(test)
        if gate is not None:
            return node.body if gate else node.orelse
        # Any other module-level condition: only definitions that do not depend on it are read.
        return None

    def _version_gate(self, test: ast.expr) -> bool | None:
        negate = False
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            negate, test = True, test.operand
        if isinstance(test, ast.Name):
            m = _VERSION_GATE.match(test.id)
            if m:
                wanted = tuple(int(g or 0) for g in m.groups())
                result = self.airflow_version >= wanted
                return not result if negate else result
        return None

    def _imports_resolve(self, module: str, body: list[ast.stmt]) -> bool:
        for node in body:
            if isinstance(node, ast.ImportFrom):
                target = self._absolute(module, node)
                if self.has_module(target):
                    for alias in node.names:
                        sub = f"{target}.{alias.name}"
                        if not self.has_module(sub) and self._lookup(target, alias.name) is None:
                            return False
                elif not target.startswith("airflow"):
                    continue  # third-party import: assume installed
                else:
                    return False
        return True

    @staticmethod
    def _absolute(module: str, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = module.split(".")
        # A module "a.b.c" (file c.py) with level 1 means package "a.b".
        base = parts[: len(parts) - node.level]
        return ".".join(base + ([node.module] if node.module else []))

    # -- name lookup -------------------------------------------------------------------------------------------
    def _lookup(self, module: str, name: str):
        """Return the binding of ``name`` in ``module``: an ast expr, a ClassRef, a ModuleRef, or None."""
        binding = None
        for node in self.module_statements(module):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == name:
                        binding = (module, node.value)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                if isinstance(node.target, ast.Name) and node.target.id == name:
                    binding = (module, node.value)
            elif isinstance(node, ast.ClassDef) and node.name == name:
                binding = ClassRef(module, name)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                binding = ("function", module, name)
            elif isinstance(node, ast.ImportFrom):
                source = self._absolute(module, node)
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        binding = ("import", source, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname == name:
                        binding = ModuleRef(alias.name)
                    elif alias.asname is None and alias.name.split(".")[0] == name:
                        binding = ModuleRef(name)
        return binding

    def lookup(self, module: str, name: str, _depth: int = 0):
        """Follow imports until the binding of ``name`` is found; returns (module, expr) or a Ref."""
        if _depth > 20:
            raise Unresolvable(f"import cycle resolving {name} in {module}")
        binding = self._lookup(module, name)
        if binding is None:
            raise Unresolvable(f"{name} is not defined in {module}")
        if isinstance(binding, tuple) and binding[0] == "import":
            _, source, original = binding
            if self.has_module(f"{source}.{original}"):
                return ModuleRef(f"{source}.{original}")
            if not self.has_module(source):
                raise Unresolvable(f"module {source} (for {name}) is not in the source tree")
            return self.lookup(source, original, _depth + 1)
        return binding

    # -- evaluation --------------------------------------------------------------------------------------------
    def resolve(self, module: str, expr: ast.expr, scope: dict[str, object] | None = None):
        scope = scope or {}
        if isinstance(expr, ast.Constant):
            return expr.value
        if isinstance(expr, ast.Tuple):
            return tuple(self.resolve(module, e, scope) for e in expr.elts)
        if isinstance(expr, ast.List):
            return [self.resolve(module, e, scope) for e in expr.elts]
        if isinstance(expr, ast.Set):
            return frozenset(self.resolve(module, e, scope) for e in expr.elts)
        if isinstance(expr, ast.Dict):
            if any(k is None for k in expr.keys):
                raise Unresolvable("dict unpacking")
            return {
                self.resolve(module, k, scope): self.resolve(module, v, scope)
                for k, v in zip(expr.keys, expr.values)
            }
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.resolve(module, expr.left, scope) + self.resolve(module, expr.right, scope)
        if isinstance(expr, ast.JoinedStr):
            parts = []
            for value in expr.values:
                if isinstance(value, ast.Constant):
                    parts.append(str(value.value))
                elif isinstance(value, ast.FormattedValue) and value.format_spec is None and value.conversion == -1:
                    parts.append(str(self.resolve(module, value.value, scope)))
                else:
                    raise Unresolvable(ast.unparse(expr))
            return "".join(parts)
        if isinstance(expr, ast.Name):
            if expr.id in scope:
                return scope[expr.id]
            return self._value_of(self.lookup(module, expr.id))
        if isinstance(expr, ast.Attribute):
            base = self._ref_of(module, expr.value, scope)
            if isinstance(base, ModuleRef):
                return self._value_of(self.lookup(base.module, expr.attr))
            if isinstance(base, ClassRef):
                return self.class_attribute(base, expr.attr)
            raise Unresolvable(ast.unparse(expr))
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "getattr":
            base = self._ref_of(module, expr.args[0], scope)
            attr = self.resolve(module, expr.args[1], scope)
            try:
                if isinstance(base, ModuleRef):
                    return self._value_of(self.lookup(base.module, attr))
                raise Unresolvable(ast.unparse(expr))
            except Unresolvable:
                if len(expr.args) > 2:
                    return self.resolve(module, expr.args[2], scope)
                raise
        if isinstance(expr, ast.Subscript):
            container = self.resolve(module, expr.value, scope)
            return container[self.resolve(module, expr.slice, scope)]
        raise Unresolvable(ast.unparse(expr))

    def _ref_of(self, module: str, expr: ast.expr, scope: dict[str, object]):
        if isinstance(expr, ast.Name):
            if expr.id in scope:
                return scope[expr.id]
            binding = self.lookup(module, expr.id)
            if isinstance(binding, (ModuleRef, ClassRef)):
                return binding
            return self._value_of(binding)
        if isinstance(expr, ast.Attribute):
            base = self._ref_of(module, expr.value, scope)
            if isinstance(base, ModuleRef):
                sub = f"{base.module}.{expr.attr}"
                if self.has_module(sub):
                    return ModuleRef(sub)
                binding = self.lookup(base.module, expr.attr)
                return binding if isinstance(binding, (ModuleRef, ClassRef)) else self._value_of(binding)
        raise Unresolvable(ast.unparse(expr))

    def _value_of(self, binding):
        if isinstance(binding, tuple) and len(binding) == 2:
            module, expr = binding
            return self.resolve(module, expr)
        if isinstance(binding, ClassRef):
            return binding
        raise Unresolvable(f"not a value: {binding!r}")

    def class_attribute(self, ref: ClassRef, attr: str):
        """A class-body constant, or ``Sym("Class.attr")`` for an Enum member whose value is a literal."""
        node = self.class_def(ref.module, ref.name)
        if node is None:
            raise Unresolvable(f"class {ref.name} not found in {ref.module}")
        is_enum = any("Enum" in ast.unparse(b) for b in node.bases)
        scope: dict[str, object] = {}
        for stmt in node.body:
            targets = []
            if isinstance(stmt, ast.Assign):
                targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
                value = stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None and isinstance(stmt.target, ast.Name):
                targets, value = [stmt.target.id], stmt.value
            for target in targets:
                if is_enum:
                    scope[target] = Sym(f"{ref.name}.{target}")
                else:
                    try:
                        scope[target] = self.resolve(ref.module, value, scope)
                    except Unresolvable:
                        scope[target] = _UNRESOLVED
        if attr not in scope or scope[attr] is _UNRESOLVED:
            raise Unresolvable(f"{ref.name}.{attr}")
        return scope[attr]

    def class_constants(self, module: str, class_name: str) -> dict[str, object]:
        """Evaluate the class-body assignments of a class in order (later ones may use earlier ones)."""
        node = self.class_def(module, class_name)
        if node is None:
            raise Unresolvable(f"class {class_name} not found in {module}")
        scope: dict[str, object] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
                targets, value = [t.id for t in stmt.targets], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None and isinstance(stmt.target, ast.Name):
                targets, value = [stmt.target.id], stmt.value
            else:
                continue
            try:
                result = self.resolve(module, value, scope)
            except Unresolvable:
                continue
            for target in targets:
                scope[target] = result
        return scope

    def module_constant(self, module: str, name: str):
        return self._value_of(self.lookup(module, name))


_UNRESOLVED = object()


@lru_cache(maxsize=None)
def _parse(path: str) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
