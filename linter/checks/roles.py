"""MWAA002 (the Airflow role is not named) and MWAA003 (an ARN that cannot work for the action)."""
from __future__ import annotations

import difflib

from ..iam.actions import ROLE_ACTIONS, expand_own
from ..iam.arns import DEFAULT_ROLES, SYM, environment_name_problem, shown
from ..iam.glob import glob_match, has_wildcard
from ..model import Hit

ROLE_CHOICES = ", ".join(DEFAULT_ROLES[1:])
ROLE_ACTION_NAMES = frozenset(ROLE_ACTIONS)


def granted_airflow_actions(statement) -> frozenset:
    """Names of airflow actions a statement names; none when NotAction has unresolved parts (cannot judge)."""
    return statement.airflow_actions or frozenset()


def suggested_arn(arn, environment: str | None = None, role: str = "ROLE") -> str:
    def part(text, placeholder):
        return text if text and not has_wildcard(text) and SYM not in text else placeholder

    env = environment or part(arn.environment if arn else None, "ENVIRONMENT")
    return (
        f"arn:{part(arn.partition if arn else None, 'aws')}:airflow:{part(arn.region if arn else None, 'REGION')}:"
        f"{part(arn.account if arn else None, 'ACCOUNT')}:role/{env}/{role}"
    )


def deny_covers(statement, resource_text: str) -> bool:
    """Whether a Deny statement's Resource (or NotResource) covers a resource written as `resource_text`."""
    target = resource_text.replace(SYM, "x")
    if statement.has_not_resource:
        if any(r.known is None for r in statement.not_resources):
            return False
        return not any(glob_match(r.known, target) for r in statement.not_resources)
    return any(r.known is not None and glob_match(r.known, target) for r in statement.resources)


def _unconditional_denies(doc) -> list:
    """The Deny statements of a document that have no condition, prepared once per document for `_denied_everywhere`:
    (airflow actions named, NotResource?, exact resource texts, wildcard patterns)."""
    out = []
    for statement in doc.statements:
        if statement.is_allow or statement.conditions:
            continue
        actions = granted_airflow_actions(statement)
        elements = statement.not_resources if statement.has_not_resource else statement.resources
        texts = [v.known for v in elements]
        if statement.has_not_resource and any(t is None for t in texts):
            continue  # an unresolved NotResource: it covers nothing for sure
        texts = [t for t in texts if t is not None]
        out.append((actions, statement.has_not_resource, frozenset(t for t in texts if not has_wildcard(t)), [t for t in texts if has_wildcard(t)]))
    return out


def _denied_everywhere(denies: list, actions: set, resource_text: str) -> bool:
    """An unconditional Deny in the same document covers these role actions on this resource pattern (as
    `deny_covers`; exact resources are looked up, not matched one by one)."""
    target = resource_text.replace(SYM, "x")
    for denied, negated, exact, patterns in denies:
        if actions <= denied and (target in exact or any(glob_match(p, target) for p in patterns)) != negated:
            return True
    return False


def _config_environment(config) -> str | None:
    names = [e.name for e in config.environments if e.name]
    return names[0] if len(names) == 1 else None


def airflow_role_wildcard(scan, config, options):
    for doc, statements in scan.airflow_documents:
        denies = None  # listed once per document (not once per statement: 100,000 statements stay linear)
        for statement in statements:
            if not statement.is_allow:
                continue
            role_actions = statement.airflow_actions & ROLE_ACTION_NAMES
            if not role_actions:
                continue
            actions_text = " and ".join(sorted(role_actions))
            if statement.has_not_resource:
                yield Hit(
                    statement.resource_origin,
                    {
                        "resource": "NotResource",
                        "actions": actions_text,
                        "problem": "NotResource allows every role ARN it does not list, Admin included; the role is not named",
                        "suggestion": suggested_arn(None, _config_environment(config)),
                        "roles": f", with ROLE one of {ROLE_CHOICES}",
                    },
                    logical=doc.logical,
                )
                continue
            for value in statement.resources:
                arn = value.airflow_resource
                unnamed = arn.kind == "any" or (arn.kind == "pattern" and arn.can_be("rbac-role"))
                role_pattern = arn.kind == "rbac-role" and has_wildcard(arn.role or "")
                env_pattern = arn.kind == "rbac-role" and has_wildcard(arn.environment or "")
                if not (unnamed or role_pattern or env_pattern):
                    continue
                if denies is None:
                    denies = _unconditional_denies(doc)
                if _denied_everywhere(denies, role_actions, value.text):
                    continue
                if unnamed or role_pattern:
                    pattern = "*" if unnamed else arn.role.replace(SYM, "*")
                    reached = [r for r in DEFAULT_ROLES if glob_match(pattern, r)]
                    highest = reached[-1] if reached else None
                    problem = (
                        "the Airflow role is not named"
                        + (f" (the pattern matches {', '.join(reached)})" if reached and not unnamed else "")
                        + ". MWAA maps such a session to the most restrictive role, so most REST endpoints answer "
                        "Forbidden"
                        + (f", while the pattern also reaches {highest}" if highest else "")
                    )
                    role = "ROLE"
                else:
                    problem = f"the role {arn.role} is named but not the environment, so it is granted on every environment the pattern matches"
                    role = arn.role
                environment = _config_environment(config) if arn.kind != "rbac-role" else None
                yield Hit(
                    value.origin,
                    {
                        "resource": shown(value.text),
                        "actions": actions_text,
                        "problem": problem,
                        "suggestion": suggested_arn(arn, environment, role),
                        "roles": f", with ROLE one of {ROLE_CHOICES}" if role == "ROLE" else "",
                    },
                    logical=doc.logical,
                )


def custom_roles(config) -> set:
    return {name for env in config.environments for name, _ in env.custom_roles}


def _role_suggestion(role: str, known: list[str]) -> str:
    for candidate in known:
        if candidate.lower() == role.lower():
            return candidate
    close = difflib.get_close_matches(role, known, n=1, cutoff=0.5)
    if not close:
        close = [k for k in known if role.lower().startswith(k.lower()) or k.lower().startswith(role.lower())][:1]
    return close[0] if close else ""


def _acceptable(arn, action) -> bool:
    required = action.required_resource_type
    if required:
        return arn.can_be(required)
    if action.resource_types:  # optional resource type, e.g. TagResource on an environment or "*"
        return arn.can_be(action.resource_types[0][0])
    return arn.kind in ("any", "symbolic")  # actions without resource types need "*"


RESOURCE_SHAPES = {
    "rbac-role": "a role ARN (arn:…:airflow:REGION:ACCOUNT:role/ENVIRONMENT/ROLE)",
    "environment": "an environment ARN (arn:…:airflow:REGION:ACCOUNT:environment/ENVIRONMENT)",
    None: '"*"',
}


def role_arn_mismatch(scan, config, options):
    customs = custom_roles(config)
    known_roles = list(DEFAULT_ROLES) + sorted(customs)
    for doc, statements in scan.airflow_documents:
        for statement in statements:
            verb = "grants" if statement.is_allow else "denies"
            elements = [] if statement.has_not_resource else [(v, v.airflow_resource) for v in statement.resources]
            reported = set()
            for value, arn in elements:
                problem = ""
                if arn.kind in ("wrong-service", "malformed"):
                    problem = arn.problem
                    fix = suggested_arn(arn, None, arn.role if arn.role and not has_wildcard(arn.role) else "ROLE")
                elif arn.kind in ("rbac-role", "environment"):
                    problem = environment_name_problem(arn.environment or "")
                    fix = suggested_arn(arn) if problem and arn.kind == "rbac-role" else ""
                    role = arn.role or ""
                    if not problem and arn.kind == "rbac-role" and role and SYM not in role and not has_wildcard(role):
                        if role not in known_roles:
                            better = _role_suggestion(role, known_roles)
                            problem = (
                                f'"{role}" is not an Airflow default role ({", ".join(DEFAULT_ROLES)}; names are '
                                f"case-sensitive) and not declared as a custom role in the configuration"
                            )
                            fix = suggested_arn(arn, None, better) if better else ""
                if problem:
                    reported.add(value.origin)
                    yield Hit(
                        value.origin,
                        {
                            "resource": shown(value.text),
                            "problem": problem,
                            "verb": verb,
                            "fix": f"; write {fix}" if fix else "",
                        },
                        logical=doc.logical,
                    )
            if statement.has_not_resource or any(arn.kind == "symbolic" for _, arn in elements):
                continue
            named = [
                info
                for v in statement.actions
                if v.known and not has_wildcard(v.known)
                for info in expand_own(v.known)
            ]
            for action in named:
                if any(_acceptable(arn, action) for _, arn in elements):
                    continue
                shape = RESOURCE_SHAPES.get(action.required_resource_type) if action.required_resource_type or not action.resource_types else RESOURCE_SHAPES["environment"] + ' or "*"'
                for value, arn in elements:
                    if value.origin in reported or arn.kind in ("wrong-service", "malformed"):
                        continue
                    reported.add(value.origin)
                    what = {"environment": "an environment ARN", "rbac-role": "a role ARN"}.get(arn.kind, "a resource")
                    fix = ""
                    if action.required_resource_type == "rbac-role" and arn.kind == "environment":
                        fix = suggested_arn(arn)
                    yield Hit(
                        value.origin,
                        {
                            "resource": shown(value.text),
                            "problem": f"{what} cannot match airflow:{action.name}, which needs {shape}",
                            "verb": verb,
                            "fix": f"; write {fix}" if fix else "",
                        },
                        logical=doc.logical,
                    )
            yield from _unused_elements(doc, statement, elements, named, reported, verb)


def _unused_elements(doc, statement, elements, named, reported, verb):
    """An airflow ARN that serves none of the statement's actions, when every airflow action is named."""
    if not named or any(v.known is None or (has_wildcard(v.known) and expand_own(v.known)) for v in statement.actions):
        return
    for value, arn in elements:
        if value.origin in reported or arn.kind not in ("environment", "rbac-role"):
            continue
        if any(_acceptable(arn, action) for action in named):
            continue
        what = {"environment": "an environment ARN", "rbac-role": "a role ARN"}[arn.kind]
        names = ", ".join(sorted({f"airflow:{a.name}" for a in named}))
        fix = suggested_arn(arn) if arn.kind == "environment" and any(a.required_resource_type == "rbac-role" for a in named) else ""
        yield Hit(
            value.origin,
            {"resource": shown(value.text), "problem": f"{what} matches none of {names}", "verb": verb, "fix": f"; write {fix}" if fix else ""},
            logical=doc.logical,
        )
