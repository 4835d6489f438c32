"""MWAA001 (wildcards over airflow actions) and MWAA009 (airflow actions that do not exist)."""
from __future__ import annotations

import difflib
from functools import lru_cache

from ..iam.actions import DESTRUCTIVE_ACTIONS, TOKEN_ACTIONS, expand_own, names_own_service, service_actions
from ..iam.glob import has_wildcard
from ..model import Hit

AIRFLOW_RESOURCE_KINDS = ("any", "pattern", "environment", "rbac-role")
TOKEN_ACTION_NAMES = frozenset(TOKEN_ACTIONS)


def _can_address_airflow(statement) -> bool:
    if statement.has_not_resource:
        return True
    return any(r.airflow_resource.kind in AIRFLOW_RESOURCE_KINDS for r in statement.resources)


def _describe(names) -> str:
    names = sorted(names)
    notes = []
    tokens = [n for n in names if n in TOKEN_ACTIONS]
    destructive = [n for n in names if n in DESTRUCTIVE_ACTIONS]
    if tokens:
        notes.append(f"token actions {', '.join(tokens)} (Airflow UI, REST API and CLI access)")
    if destructive:
        notes.append(f"environment-changing actions {', '.join(destructive)}")
    listed = ", ".join(names)
    return listed + (f"; including the {' and the '.join(notes)}" if notes else "")


def airflow_action_wildcard(scan, config, options):
    for doc, statements in scan.airflow_documents:
        for statement in statements:
            if not statement.is_allow:
                continue
            if statement.has_not_action:
                left = statement.airflow_actions
                if left & TOKEN_ACTION_NAMES and _can_address_airflow(statement):
                    yield Hit(
                        statement.action_origin,
                        {"action": "NotAction", "count": len(left), "actions": _describe(left)},
                        logical=doc.logical,
                    )
                continue
            if len(statement.airflow_actions) < 2:
                continue  # no element grants more than one airflow action
            addressable = None  # whether the resources can address airflow: looked at once a wildcard grants
            for value in statement.actions:
                text = value.known
                if text is None or not has_wildcard(text):
                    continue
                granted = {info.name for info in expand_own(text)}
                if len(granted) > 1:
                    if addressable is None:
                        addressable = _can_address_airflow(statement)
                    if not addressable:
                        break
                    yield Hit(
                        value.origin,
                        {"action": text, "count": len(granted), "actions": _describe(granted)},
                        logical=doc.logical,
                    )


def unknown_airflow_action(scan, config, options):
    for doc in scan.documents:
        for statement in doc.statements:
            for value in statement.not_actions + statement.actions:
                text = value.known
                found = _action_problem(text) if text is not None else None
                if found is not None:
                    service, suggestion, problem = found
                    yield Hit(value.origin, _args(text, service, statement, suggestion, problem), logical=doc.logical)


@lru_cache(maxsize=8192)  # the same action names come back in statement after statement, file after file
def _action_problem(text: str) -> tuple | None:
    """(service, suggested action or "", problem) of an action element that names no action of ours, else None."""
    service = names_own_service(text)
    if service is None:
        bare = text.lower() in service_actions("airflow") and ":" not in text
        if bare:
            name = service_actions("airflow")[text.lower()].name
            return "airflow", f"airflow:{name}", "has no service prefix"
        return None
    if expand_own(text, service):
        return None
    names = [info.name for info in service_actions(service).values()]
    _, _, wanted = text.partition(":")
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.5) or difflib.get_close_matches(
        wanted.lower(), [n.lower() for n in names], n=1, cutoff=0.5
    )
    suggestion = ""
    if close:
        match = next(n for n in names if n.lower() == close[0].lower())
        suggestion = f"{service}:{match}"
    return service, suggestion, f"matches no {service} action"


def _args(text, service, statement, suggestion, problem) -> dict:
    consequence = "the Deny protects nothing" if statement.effect == "Deny" else "the grant does nothing"
    return {
        "action": text,
        "service": service,
        "problem": problem,
        "consequence": consequence,
        "suggestion": f"; did you mean {suggestion}?" if suggestion else "",
    }

