"""Airflow 2.0-2.7: the REST API does not ask an auth manager (2.7 has the interface, unused by the API). Endpoints declare ``@security.requires_access([(action, resource), ...])``
and ``AirflowSecurityManager.check_authorization`` checks each pair against the user's permissions (for the
``DAGs`` resource, a DAG-level ``DAG:<dag_id>`` permission is accepted too; default roles hold ``DAGs``).
"""

from __future__ import annotations

from .checks import Check
from .pysource import SourceTree, Unresolvable

NAME = "legacy security manager (airflow/www/security.py)"
MENU_ACCESS_IS_READ = False


def load(tree: SourceTree) -> None:
    if not tree.has_module("airflow.www.security"):
        raise Unresolvable("authmgr_legacy: no airflow/www/security.py")
    return None


def translate(check: Check, data: None = None) -> list[tuple[str, str]]:
    if check.target == "legacy":
        return [tuple(p) for p in check.perms]
    if check.target == "authenticated":
        return []
    raise Unresolvable(f"authmgr_legacy: unexpected check {check}")
