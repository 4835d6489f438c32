"""Airflow knowledge: MWAA versions, REST endpoints and the permissions they need, default roles.

The tables are generated data (``tools/gen_airflow_tables.py``); see ``tables`` for the API.
"""

from __future__ import annotations

from .tables import (
    INVOKE_REST_API_MAX_PATH,
    ROLE_ORDER,
    AirflowTable,
    CallResolution,
    Endpoint,
    UnknownAirflowVersion,
    VersionInfo,
    closest_endpoints,
    effective_permissions,
    endpoints_report,
    format_permission,
    known_versions,
    least_role,
    least_role_report,
    load_table,
    match_call,
    missing_permissions,
    parse_call,
    resolve_call,
    version_info,
    version_status,
)

__all__ = [
    "INVOKE_REST_API_MAX_PATH",
    "ROLE_ORDER",
    "AirflowTable",
    "CallResolution",
    "Endpoint",
    "UnknownAirflowVersion",
    "VersionInfo",
    "closest_endpoints",
    "effective_permissions",
    "endpoints_report",
    "format_permission",
    "known_versions",
    "least_role",
    "least_role_report",
    "load_table",
    "match_call",
    "missing_permissions",
    "parse_call",
    "resolve_call",
    "version_info",
    "version_status",
]
