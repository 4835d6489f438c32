"""Fingerprints of the auth-manager functions a translator mirrors.

A translator (``authmgr_*``) re-states a few lines of control flow from the auth manager's source. To make
sure the code it mirrors is the code it was written against, it lists the fingerprints (a hash of the AST,
docstrings left out) of those functions; the generator refuses a package whose functions differ, so a new
Airflow or FAB release is reviewed before its table is generated.
"""

from __future__ import annotations

import ast
import hashlib

from .pysource import SourceTree, Unresolvable


def fingerprint(node: ast.FunctionDef) -> str:
    body = [
        s
        for s in node.body
        if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str))
    ]
    dump = ast.dump(ast.Module(body=body, type_ignores=[]), annotate_fields=False)
    return hashlib.sha256(dump.encode()).hexdigest()[:16]


def class_fingerprints(tree: SourceTree, module: str, class_name: str, names: tuple[str, ...]) -> dict[str, str]:
    cls = tree.class_def(module, class_name)
    if cls is None:
        raise Unresolvable(f"class {class_name} not found in {module}")
    found = {n.name: fingerprint(n) for n in cls.body if isinstance(n, ast.FunctionDef) and n.name in names}
    return {name: found.get(name, "-") for name in names}


def verify(tree: SourceTree, module: str, class_name: str, known: dict[str, frozenset[str]], translator: str):
    actual = class_fingerprints(tree, module, class_name, tuple(sorted(known)))
    changed = {name: fp for name, fp in actual.items() if fp not in known[name]}
    if changed:
        raise Unresolvable(
            f"{translator}: {module}.{class_name} differs from the reviewed source in {sorted(changed)} "
            f"(fingerprints {changed}); review the new code and update the translator"
        )
    return actual
