"""What a principal can do in Airflow: environments in scope, the effective REST role (SPEC §2.2 decision table),
and the rules built on them: MWAA004-MWAA008, MWAA010, MWAA011."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from ..iam.actions import ROLE_ACTIONS
from ..iam.arns import DEFAULT_ROLES, SYM, shown
from ..iam.glob import glob_match, has_wildcard
from ..model import Hit, Record
from .roles import deny_covers, granted_airflow_actions

VPC_KEYS = ("aws:sourcevpc", "aws:sourcevpce")
POSITIVE_OPERATORS = ("stringequals", "stringlike", "foranyvalue:stringequals", "foranyvalue:stringlike")
NEGATIVE_OPERATORS = ("stringnotequals", "stringnotlike", "forallvalues:stringnotequals", "forallvalues:stringnotlike")


# -- environments in scope ----------------------------------------------------------------------------------------
def _env_segment_matches(segment: str, name: str) -> bool:
    if SYM in segment:
        return True
    return glob_match(segment, name)


def addresses_environment(arn, name: str) -> bool:
    """Whether a classified resource can address this environment (symbolic parts count as "maybe")."""
    if arn.kind in ("any", "symbolic"):
        return True
    if arn.kind == "pattern":
        return True
    if arn.kind in ("environment", "rbac-role"):
        return _env_segment_matches(arn.environment or "*", name)
    return False


# -- effective REST role -------------------------------------------------------------------------------------------
# eq=False: compared by identity; nothing compares these by value, and each generated method costs start-up time
# (see linter/model.py; the repr comes from model.Record).
@dataclass(frozen=True, eq=False, repr=False)
class Grant(Record):
    """A role-ARN grant of InvokeRestApi or CreateWebLoginToken."""

    action: str  # InvokeRestApi or CreateWebLoginToken
    role: str | None  # a named role, or None when the pattern names none
    highest: str | None  # for unnamed patterns: the highest default role the pattern can match
    value: object  # the resource Value (or None for NotResource)
    origin: object
    text: str


@dataclass(frozen=True, eq=False, repr=False)
class Access(Record):
    """What a principal's grants give it in Airflow: its default and custom roles."""

    grants: tuple  # tuple[Grant, ...] left after Deny
    default_roles: tuple  # named default roles, in ROLE order
    custom_roles: tuple  # named custom roles declared in the configuration
    unnamed: bool
    unknown_roles: tuple = ()  # named roles that are neither default nor declared: they grant nothing (MWAA003)

    @property
    def highest_named(self) -> str | None:
        return self.default_roles[-1] if self.default_roles else None

    @property
    def role_for_calls(self) -> str | None:
        """The role that decides whether calls succeed (MWAA006): the highest named, else Public when unnamed."""
        if self.highest_named:
            return self.highest_named
        if self.unnamed:
            return "Public"
        return None

    def grant_of(self, role: str | None):
        for grant in self.grants:
            if grant.role == role:
                return grant
        return self.grants[0] if self.grants else None


def _role_grants(doc, statement, environment: str):
    actions = granted_airflow_actions(statement) & set(ROLE_ACTIONS)
    if not actions:
        return
    if statement.has_not_resource:
        for action in sorted(actions):
            yield Grant(action, None, "Admin", None, statement.resource_origin, "NotResource")
        return
    for value in statement.resources:
        arn = value.airflow_resource
        if not arn.can_be("rbac-role") or arn.kind == "symbolic":
            continue
        if arn.kind == "rbac-role" and not _env_segment_matches(arn.environment or "*", environment):
            continue
        role = arn.role if arn.kind == "rbac-role" and arn.role and not has_wildcard(arn.role) and SYM not in arn.role else None
        if arn.kind == "rbac-role" and arn.role and SYM in arn.role:
            continue  # the role is unresolved: cannot judge
        highest = None
        if role is None:
            pattern = (arn.role or "*") if arn.kind == "rbac-role" else "*"
            highest = next((r for r in reversed(DEFAULT_ROLES) if glob_match(pattern, r)), None)
        for action in sorted(actions):
            yield Grant(action, role, highest, value, value.origin, value.text)


def _denied(grant: Grant, denies) -> bool:
    return any(
        grant.action in granted_airflow_actions(statement) and deny_covers(statement, grant.text)
        for statement in denies
    )


def effective_access(principal, environment: str, custom_names: set) -> Access:
    docs = [d for d in principal.documents if d.kind == "identity"]
    denies = [s for d in docs for s in d.statements if not s.is_allow and not s.conditions]
    grants = [
        g
        for d in docs
        for s in d.statements
        if s.is_allow
        for g in _role_grants(d, s, environment)
        if not _denied(g, denies)
    ]
    named = {g.role for g in grants if g.role}
    return Access(
        grants=tuple(grants),
        default_roles=tuple(r for r in DEFAULT_ROLES if r in named),
        custom_roles=tuple(sorted(r for r in named if r in custom_names)),
        unnamed=any(g.role is None for g in grants),
        unknown_roles=tuple(sorted(r for r in named if r not in DEFAULT_ROLES and r not in custom_names)),
    )


# -- which environment a principal is judged on ----------------------------------------------------------------------
def principal_environments(scan, principal) -> list:
    scope = principal.scope if principal.scope is not None else next((d.scope for d in principal.documents), None)
    candidates = [e for e in scan.environments_for(scope) if e.name]
    if principal.environment:
        return [e for e in candidates if e.name == principal.environment]
    named = set()
    for doc in principal.documents:
        for statement in doc.statements:
            if not statement.is_allow:
                continue
            for value in statement.resources:
                arn = value.airflow_resource
                if arn.kind in ("rbac-role", "environment") and arn.environment and not has_wildcard(arn.environment) and SYM not in arn.environment:
                    named.add(arn.environment)
    chosen = [e for e in candidates if e.name in named]
    if chosen:
        return chosen
    return candidates if len(candidates) == 1 else []


def airflow_version(environment, config) -> str | None:
    return environment.airflow_version or config.airflow_version


def _table(version):
    from ..airflow.tables import UnknownAirflowVersion, load_table

    if version is None:
        return None
    try:
        return load_table(version)
    except UnknownAirflowVersion:
        return None


def _custom_permissions(environment, roles) -> frozenset:
    lookup = dict(environment.custom_roles)
    return frozenset(p for role in roles for p in lookup.get(role, ()))


def _resolved_calls(principal, table):
    from ..airflow.tables import resolve_call

    for call in principal.calls:
        try:
            yield call, resolve_call(table, call.text)
        except ValueError as exc:
            yield call, exc


# -- MWAA006 / MWAA007 ------------------------------------------------------------------------------------------------
def _judged_principals(scan, config):
    """(principal, environment, Airflow table, effective access) for every principal with declared calls, on each
    environment it is judged on whose Airflow version is known."""
    for principal in scan.principals:
        if not principal.calls:
            continue
        for environment in principal_environments(scan, principal):
            table = _table(airflow_version(environment, config))
            if table is not None:
                customs = {name for name, _ in environment.custom_roles}
                yield principal, environment, table, effective_access(principal, environment.name, customs)


def insufficient_role(scan, config, options):
    if not any(p.calls for p in scan.principals):
        return
    from ..airflow.tables import format_permission, least_role

    for principal, environment, table, access in _judged_principals(scan, config):
        role = access.role_for_calls
        related = tuple((c.origin, f"declared call {c.text}") for c in principal.calls)
        if role is None and not access.custom_roles and access.unknown_roles:
            continue  # the only grants name roles that do not exist: MWAA003 reports them (SPEC §2.2: "–")
        if role is None and not access.custom_roles:
            first = principal.calls[0]
            yield Hit(
                first.origin,
                {
                    "call": first.text,
                    "environment": environment.name,
                    "problem": f"no InvokeRestApi or CreateWebLoginToken grant for environment {environment.name}",
                    "role": "none",
                    "least": "",
                },
                related=related[1:],
                logical=principal.logical,
            )
            continue
        held = (table.roles[role] if role else frozenset()) | _custom_permissions(environment, access.custom_roles)
        for call, resolution in _resolved_calls(principal, table):
            if isinstance(resolution, Exception) or resolution.endpoint is None:
                continue
            missing = sorted(set(resolution.endpoint.permissions) - held)
            if not missing:
                continue
            least = least_role(table, resolution.endpoint.permissions)
            grant = access.grant_of(access.highest_named) if access.highest_named else access.grant_of(None)
            has = role or "no default role"
            if access.custom_roles:
                has += f" with the custom role{'s' if len(access.custom_roles) > 1 else ''} {', '.join(access.custom_roles)}"
            if role == "Public" and not access.highest_named:
                has = "Public (the role is not named, so MWAA maps the session to the most restrictive role)"
            yield Hit(
                grant.origin if grant else call.origin,
                {
                    "call": call.text,
                    "environment": environment.name,
                    "problem": f"needs {', '.join(format_permission(p) for p in missing)}, which {has} lacks on Airflow {table.airflow_version}",
                    "role": has,
                    "least": f"; the least default role that works is {least}" if least else "; no default role has it",
                },
                related=((call.origin, f"declared call {call.text}"),)
                + tuple((g.origin, f"grants {g.role or 'an unnamed role'}") for g in access.grants if g is not grant),
                logical=principal.logical,
            )


def excessive_role(scan, config, options):
    if not any(p.calls for p in scan.principals):
        return
    from ..airflow.tables import least_role

    for principal, environment, table, access in _judged_principals(scan, config):
        highest = access.highest_named
        if highest is None:
            continue
        needed = set()
        resolutions = list(_resolved_calls(principal, table))
        if any(isinstance(r, Exception) or r.endpoint is None for _, r in resolutions):
            continue  # an unknown call (MWAA008): the least role cannot be decided
        for _, resolution in resolutions:
            needed |= set(resolution.endpoint.permissions)
        least = least_role(table, needed)
        if least is None or DEFAULT_ROLES.index(least) >= DEFAULT_ROLES.index(highest):
            continue
        grant = access.grant_of(highest)
        calls = ", ".join(c.text for c in principal.calls)
        yield Hit(
            grant.origin,
            {"role": highest, "least": least, "calls": calls, "environment": environment.name, "version": table.airflow_version},
            related=tuple((c.origin, f"declared call {c.text}") for c in principal.calls),
            logical=principal.logical,
        )


# -- MWAA008 ---------------------------------------------------------------------------------------------------------
def unknown_endpoint(scan, config, options):
    if not any(p.calls for p in scan.principals):
        return
    from ..airflow.tables import INVOKE_REST_API_MAX_PATH

    reported = set()
    for principal in scan.principals:
        if not principal.calls:
            continue
        environments = principal_environments(scan, principal)
        versions = sorted({v for v in (airflow_version(e, config) for e in environments) if v})
        if not versions and config.airflow_version:
            versions = [config.airflow_version]
        for version in versions:
            table = _table(version)
            if table is None:
                continue
            for call, resolution in _resolved_calls(principal, table):
                key = (call.origin, version)
                if key in reported:
                    continue
                if isinstance(resolution, Exception):
                    problem = str(resolution)
                elif resolution.endpoint is None:
                    problem = resolution.explanation + f" (Airflow {version})"
                    if resolution.reason == "wrong-prefix" and resolution.suggestions:
                        problem += f"; did you mean {resolution.suggestions[0].method} {table.api_prefix}{resolution.suggestions[0].path}?"
                elif resolution.path_too_long:
                    problem = (
                        f"{call.text}: the path is {len(resolution.path)} characters; InvokeRestApi accepts at most "
                        f"{INVOKE_REST_API_MAX_PATH} (without the /api/vN prefix)"
                    )
                else:
                    continue
                reported.add(key)
                yield Hit(call.origin, {"call": call.text, "problem": problem, "version": version}, logical=principal.logical)


# -- MWAA004 ---------------------------------------------------------------------------------------------------------
def environment_mismatch(scan, config, options):
    if not scan.environments:
        return
    for doc, statements in scan.airflow_documents:
        environments = [e for e in scan.environments_for(doc.scope) if e.name]
        if not environments:
            continue
        names = [e.name for e in environments]
        for statement in statements:
            for value in statement.resources:
                arn = value.airflow_resource
                if arn.kind not in ("environment", "rbac-role"):
                    continue
                segment = arn.environment or ""
                if not segment or SYM in segment or segment == "*":
                    continue
                matching = [e for e in environments if glob_match(segment, e.name)]
                if not matching:
                    close = difflib.get_close_matches(segment, names, n=1, cutoff=0.6)
                    hint = f'; did you mean "{close[0]}"?' if close else ""
                    yield Hit(
                        value.origin,
                        {
                            "resource": shown(value.text),
                            "problem": f'environment "{segment}" is none of the known environments ({", ".join(sorted(names))})',
                            "hint": hint + _where_known(environments),
                        },
                        logical=doc.logical,
                    )
                    continue
                for part, label in (("region", "region"), ("account", "account"), ("partition", "partition")):
                    written = getattr(arn, part)
                    if not written or SYM in written or has_wildcard(written):
                        continue
                    expected = {getattr(e, part) for e in matching if getattr(e, part)}
                    if expected and written not in expected:
                        yield Hit(
                            value.origin,
                            {
                                "resource": shown(value.text),
                                "problem": f'{label} "{written}" is not the {label} of environment {matching[0].name} ({", ".join(sorted(expected))})',
                                "hint": _where_known(matching),
                            },
                            logical=doc.logical,
                        )
                        break


def _where_known(environments) -> str:
    notes = sorted({e.note for e in environments if e.note})
    return f" (environments {'; '.join(notes)})" if notes else ""


# -- MWAA005 ---------------------------------------------------------------------------------------------------------
def _has_vpc_condition(statement, environment) -> tuple[bool, str]:
    """(restricted, problem): a positive aws:SourceVpc/aws:SourceVpce condition, and whether it names a VPC or
    endpoint the configuration says is not this environment's."""
    for condition in statement.conditions:
        if condition.key.lower() in VPC_KEYS and condition.operator.lower() in POSITIVE_OPERATORS:
            known = [v.known for v in condition.values if v.known is not None]
            allowed = environment.vpc_ids if condition.key.lower() == "aws:sourcevpc" else environment.vpc_endpoint_ids
            if allowed and known and not any(k in allowed for k in known):
                return True, f"{condition.key} {', '.join(known)} is not a VPC or endpoint of {environment.name} ({', '.join(allowed)})"
            return True, ""
    return False, ""


def _vpc_deny(principal_docs, action: str, arn_text: str) -> bool:
    for doc in principal_docs:
        for statement in doc.statements:
            if statement.is_allow or action not in granted_airflow_actions(statement):
                continue
            if not any(
                c.key.lower() in VPC_KEYS and c.operator.lower() in NEGATIVE_OPERATORS for c in statement.conditions
            ):
                continue
            if deny_covers(statement, arn_text):
                return True
    return False


def missing_source_vpc(scan, config, options):
    if not any(e.name and e.webserver_access_mode == "PRIVATE_ONLY" for e in scan.environments):
        return
    raise_token_level = options.get("token-actions-level", "note")
    documents_by_principal = {id(d): list(p.documents) for p in reversed(scan.principals) for d in p.documents}
    for doc, statements in scan.airflow_documents:
        if doc.kind != "identity":
            continue
        environments = [
            e for e in scan.environments_for(doc.scope) if e.name and e.webserver_access_mode == "PRIVATE_ONLY"
        ]
        if not environments:
            continue
        siblings = documents_by_principal.get(id(doc), [doc])
        for statement in statements:
            if not statement.is_allow:
                continue
            actions = statement.airflow_actions & {"InvokeRestApi", "CreateWebLoginToken", "CreateCliToken"}
            for action in sorted(actions):
                level = None if action == "InvokeRestApi" else raise_token_level
                wanted = "rbac-role" if action != "CreateCliToken" else "environment"
                for value in statement.resources:
                    arn = value.airflow_resource
                    if arn.kind == "symbolic" or not arn.can_be(wanted):
                        continue
                    for environment in environments:
                        if not addresses_environment(arn, environment.name):
                            continue
                        restricted, problem = _has_vpc_condition(statement, environment)
                        if restricted and not problem:
                            break
                        if not restricted and _vpc_deny(siblings, action, value.text):
                            break
                        detail = problem or "no aws:SourceVpc or aws:SourceVpce condition restricts it to the environment's VPC"
                        consequence = (
                            "InvokeRestApi cannot be called from outside the VPC of a private webserver; scope the grant with a "
                            "StringEquals aws:SourceVpc (or aws:SourceVpce) condition"
                            if action == "InvokeRestApi"
                            else "a VPC condition on token actions also blocks the console's \"Open Airflow UI\", which mints "
                            "tokens outside the VPC; add one only if console access is not needed"
                        )
                        yield Hit(
                            value.origin,
                            {
                                "action": action,
                                "environment": environment.name,
                                "problem": detail,
                                "consequence": consequence,
                            },
                            logical=doc.logical,
                            level=level,
                        )
                        break


# -- MWAA010 ---------------------------------------------------------------------------------------------------------
def cli_token_grant(scan, config, options):
    execution_docs = {id(d) for p in scan.principals if p.is_execution_role for d in p.documents}
    for doc, statements in scan.airflow_documents:
        if doc.kind != "identity":
            continue
        for statement in statements:
            if not statement.is_allow or "CreateCliToken" not in statement.airflow_actions:
                continue
            if id(doc) in execution_docs:
                cli_resources = [v for v in statement.resources if v.airflow_resource.can_be("environment")]
                for value in cli_resources if not statement.has_not_resource else [None]:
                    origin = value.origin if value is not None else statement.resource_origin
                    yield Hit(
                        origin,
                        {
                            "resource": shown(value.text) if value is not None else "NotResource",
                            "problem": "granted to an MWAA execution role (its trust policy names airflow.amazonaws.com/airflow-env.amazonaws.com): every DAG can mint CLI tokens and run privileged Airflow CLI commands",
                        },
                        logical=doc.logical,
                    )
                continue
            if statement.has_not_resource:
                yield Hit(
                    statement.resource_origin,
                    {"resource": "NotResource", "problem": "NotResource allows it on every environment not listed"},
                    logical=doc.logical,
                )
                continue
            for value in statement.resources:
                arn = value.airflow_resource
                wildcard_env = arn.kind == "any" or (arn.kind == "pattern" and arn.can_be("environment")) or (
                    arn.kind == "environment" and has_wildcard(arn.environment or "")
                )
                if wildcard_env:
                    yield Hit(
                        value.origin,
                        {
                            "resource": shown(value.text),
                            "problem": "on every environment the pattern matches; name the environment: "
                            "arn:aws:airflow:REGION:ACCOUNT:environment/ENVIRONMENT",
                        },
                        logical=doc.logical,
                    )


# -- MWAA011 ---------------------------------------------------------------------------------------------------------
def unsupported_airflow_version(scan, config, options):
    if not any(e.airflow_version for e in scan.environments):
        return
    from ..airflow.tables import version_info

    for environment in scan.environments:
        version = environment.airflow_version
        if not version or SYM in version:
            continue
        info = version_info(version)
        if info.status in ("supported", "newer"):
            continue
        origin = environment.version_origin or environment.origin
        if origin is None:
            continue
        if info.status == "end-of-support":
            advice = f"upgrade to a supported version ({_supported_versions()})"
        else:
            advice = f"use a version MWAA offers ({_supported_versions()})"
        yield Hit(origin, {"environment": environment.name or environment.logical or "(unnamed)", "problem": info.message, "advice": advice}, logical=environment.logical)


@lru_cache(maxsize=1)
def _supported_versions() -> str:
    """The versions MWAA supports, listed for advice (computed once per process)."""
    from ..airflow.tables import known_versions, version_info

    return ", ".join(v for v in known_versions() if version_info(v).status == "supported")
