"""Built-in analyses that rule files name with `check:`. An explicit registry: name -> "module:function".

A check is called as `check(scan, config, options)` and yields `Hit`s whose args fill the rule's message.
"""
from __future__ import annotations

from functools import cache
from importlib import import_module

CHECKS = {
    "parse-error": "diagnostics:parse_errors",
    "not-analysed": "diagnostics:not_analysed",
    "airflow-action-wildcard": "actions:airflow_action_wildcard",
    "unknown-airflow-action": "actions:unknown_airflow_action",
    "airflow-role-wildcard": "roles:airflow_role_wildcard",
    "role-arn-mismatch": "roles:role_arn_mismatch",
    "environment-mismatch": "access:environment_mismatch",
    "missing-source-vpc": "access:missing_source_vpc",
    "insufficient-role": "access:insufficient_role",
    "excessive-role": "access:excessive_role",
    "unknown-endpoint": "access:unknown_endpoint",
    "cli-token-grant": "access:cli_token_grant",
    "unsupported-airflow-version": "access:unsupported_airflow_version",
}


@cache  # every rule asks for its check on every work item
def load_check(name: str):
    module, _, function = CHECKS[name].partition(":")
    return getattr(import_module(f"{__name__}.{module}"), function)
