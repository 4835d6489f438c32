"""IAM actions: the generated airflow table, wildcard expansion, and policyuniverse for other services."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..model import Record, cached_property
from .glob import glob_match, has_wildcard

TABLE_PATH = Path(__file__).with_name("data") / "airflow_actions.json"
OWN_SERVICES = ("airflow", "airflow-serverless")  # prefixes whose actions come from our generated table

ROLE_ACTIONS = ("CreateWebLoginToken", "InvokeRestApi")  # actions on rbac-role ARNs
TOKEN_ACTIONS = ("CreateCliToken", "CreateWebLoginToken", "InvokeRestApi")
DESTRUCTIVE_ACTIONS = ("DeleteEnvironment", "UpdateEnvironment")
NO_ACTIONS = frozenset()


# eq=False: compared by identity; nothing compares these by value, and each generated method costs start-up time
# (see linter/model.py; the repr comes from model.Record).
@dataclass(frozen=True, eq=False, repr=False)
class ActionInfo(Record):
    """One action of our own generated table."""

    service: str
    name: str
    access_level: str
    resource_types: tuple  # tuple[(name, required), ...]

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"

    @cached_property  # asked for again and again by MWAA003; the table's actions live as long as the process
    def required_resource_type(self) -> str | None:
        """The resource type an ARN must have for this action, or None when "*" (or that type) works."""
        required = [name for name, is_required in self.resource_types if is_required]
        return required[0] if required else None


@lru_cache(maxsize=None)
def own_table() -> dict:
    return json.loads(TABLE_PATH.read_text(encoding="utf-8"))["services"]


@lru_cache(maxsize=None)
def service_actions(service: str) -> dict:
    """Lower-case action name -> ActionInfo for one of our own service prefixes."""
    actions = own_table()[service]["actions"]
    return {
        name.lower(): ActionInfo(
            service,
            name,
            info["access_level"],
            tuple((rt["name"], rt["required"]) for rt in info["resource_types"]),
        )
        for name, info in actions.items()
    }


def split_action(pattern: str) -> tuple[str, str] | None:
    """"svc:Action" -> (svc, Action); "*" -> ("*", "*"); anything without a colon -> None."""
    if pattern == "*":
        return "*", "*"
    if ":" not in pattern:
        return None
    service, _, name = pattern.partition(":")
    return service, name


@lru_cache(maxsize=8192)  # the same few patterns recur in every policy and several rules expand them
def expand_own(pattern: str, service: str = "airflow") -> tuple[ActionInfo, ...]:
    """The actions of one of our own prefixes that an action pattern grants (IAM action names ignore case)."""
    parts = split_action(pattern)
    if parts is None or not glob_match(parts[0], service, case_sensitive=False):
        return ()
    actions = service_actions(service)
    if not has_wildcard(parts[1]):
        found = actions.get(parts[1].lower())
        return (found,) if found else ()
    return tuple(info for key, info in sorted(actions.items()) if glob_match(parts[1], key, case_sensitive=False))


def names_own_service(pattern: str) -> str | None:
    """The own service prefix an action pattern literally names ("airflow:Foo" -> "airflow"), else None."""
    parts = split_action(pattern)
    if parts is None:
        return None
    service = parts[0].lower()
    return service if service in OWN_SERVICES else None


@lru_cache(maxsize=None)
def _policyuniverse_actions() -> frozenset:
    """All actions policyuniverse knows, except our own prefixes (its airflow data lacks InvokeRestApi)."""
    from policyuniverse.expander_minimizer import all_permissions

    return frozenset(a.lower() for a in all_permissions if a.split(":")[0].lower() not in OWN_SERVICES)


def expand(pattern: str) -> frozenset:
    """Every known action ("service:action", lower case) an action pattern grants, for any service."""
    parts = split_action(pattern)
    if parts is None:
        return frozenset()
    own = {info.full_name.lower() for service in OWN_SERVICES for info in expand_own(pattern, service)}
    if not has_wildcard(pattern):
        return frozenset(own or {pattern.lower()})
    if not has_wildcard(parts[0]) and parts[0].lower() in OWN_SERVICES:
        return frozenset(own)
    return frozenset(own | {a for a in _policyuniverse_actions() if glob_match(pattern, a, case_sensitive=False)})


def statement_airflow_actions(statement) -> frozenset | None:
    """Names of the airflow actions a statement names; with NotAction, those it leaves allowed (None when
    NotAction has unresolved parts)."""
    if statement.has_not_action:
        if any(v.known is None for v in statement.not_actions):
            return None
        excluded = {info.name for v in statement.not_actions for info in expand_own(v.known)}
        return frozenset(info.name for info in service_actions("airflow").values()) - excluded
    named = NO_ACTIONS
    for value in statement.actions:
        text = value.known
        if text:
            names = _airflow_names(text)
            if names:
                named = names if not named else named | names
    return named


@lru_cache(maxsize=8192)
def _airflow_names(pattern: str) -> frozenset:
    return frozenset(info.name for info in expand_own(pattern))
