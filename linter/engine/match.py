"""The declarative `match` vocabulary of rule files, evaluated per statement.

A statement matches when every given part holds:
  effect         "Allow" or "Deny"
  action         an element matcher that at least one Action element satisfies (with NotAction: `grants`
                 holds when the statement leaves one of the actions allowed; other keys look at NotAction items)
  resource       an element matcher that at least one Resource (or NotResource) element satisfies
  not-action / not-resource   whether the statement uses NotAction / NotResource
  condition      has-key / lacks-key: condition key globs (any case) present in / absent from the statement
  report         where findings point: every matching "action" or "resource" element, or the "statement"
Element matchers (all given keys must hold for one element): grants, matches, could-match, wildcard, arn.
Elements with unresolved (symbolic) parts never match.
"""
from __future__ import annotations

from ..iam.actions import expand
from ..iam.glob import glob_match, globs_intersect, has_wildcard
from ..model import Hit, Scan


def _grants(pattern: str, wanted: list[str]) -> bool:
    granted = expand(pattern)
    return any(
        any(glob_match(w, action, case_sensitive=False) for action in granted)
        or glob_match(pattern, w, case_sensitive=False)
        for w in wanted
    )


def element_matches(value, spec: dict, is_action: bool) -> bool:
    text = value.known
    if text is None:
        return False
    case = not is_action
    if "grants" in spec and not _grants(text, spec["grants"]):
        return False
    if "matches" in spec and not any(glob_match(g, text, case_sensitive=case) for g in spec["matches"]):
        return False
    if "could-match" in spec:
        left = text.lower() if is_action else text
        if not any(globs_intersect(left, g.lower() if is_action else g) for g in spec["could-match"]):
            return False
    if "wildcard" in spec and has_wildcard(text) != spec["wildcard"]:
        return False
    if "arn" in spec:
        arn = value.airflow_resource
        if arn.kind not in ("environment", "rbac-role"):
            return False
        parts = {
            "partition": arn.partition,
            "region": arn.region,
            "account": arn.account,
            "resource-type": arn.kind,
            "environment": arn.environment or "",
            "role": arn.role or "",
        }
        for key, pattern in spec["arn"].items():
            if not glob_match(pattern, parts[key]):
                return False
    return True


def _not_action_grants(statement, wanted: list[str]) -> bool:
    excluded = set()
    for value in statement.not_actions:
        if value.known is None:
            return False
        excluded |= expand(value.known)
    return any(a not in excluded for w in wanted for a in expand(w))


def run_match(scan: Scan, spec: dict):
    report = spec.get("report") or ("resource" if "resource" in spec else "action" if "action" in spec else "statement")
    for doc in scan.documents:
        for statement in doc.statements:
            if "effect" in spec and statement.effect != spec["effect"]:
                continue
            if "not-action" in spec and statement.has_not_action != spec["not-action"]:
                continue
            if "not-resource" in spec and statement.has_not_resource != spec["not-resource"]:
                continue
            condition = spec.get("condition")
            if condition:
                keys = [c.key for c in statement.conditions]
                if any(not any(glob_match(g, k, False) for k in keys) for g in condition.get("has-key", ())):
                    continue
                if any(any(glob_match(g, k, False) for k in keys) for g in condition.get("lacks-key", ())):
                    continue
            matched = {"action": [], "resource": []}
            ok = True
            if "action" in spec:
                action_spec = spec["action"]
                if statement.has_not_action:
                    other = {k: v for k, v in action_spec.items() if k != "grants"}
                    ok = ("grants" not in action_spec or _not_action_grants(statement, action_spec["grants"])) and (
                        not other or any(element_matches(v, other, True) for v in statement.not_actions)
                    )
                    matched["action"] = [statement.action_origin] if ok else []
                else:
                    matched["action"] = [v.origin for v in statement.actions if element_matches(v, action_spec, True)]
                    ok = bool(matched["action"])
            if ok and "resource" in spec:
                elements = statement.not_resources if statement.has_not_resource else statement.resources
                matched["resource"] = [v.origin for v in elements if element_matches(v, spec["resource"], False)]
                ok = bool(matched["resource"])
            if not ok:
                continue
            origins = matched.get(report) or [statement.origin]
            for origin in origins:
                yield Hit(origin, {"sid": statement.sid or "", "document": doc.name}, logical=doc.logical)
