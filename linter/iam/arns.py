"""Classify resource elements against the airflow ARN formats, keeping symbolic parts undecided."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..model import Record, Value
from .glob import globs_intersect, has_wildcard

SYM = "\ue000"  # stands for a symbolic part inside ARN text; never written by users
ENV_NAME = r"^[a-zA-Z][0-9a-zA-Z_-]*$"  # compiled on first use (re caches it)
ENV_NAME_MAX = 80
DEFAULT_ROLES = ("Public", "Viewer", "User", "Op", "Admin")  # Airflow default roles, each a superset of the one before
TEMPLATES = {"environment": "environment/*", "rbac-role": "role/*/*"}


# eq=False: compared by identity; nothing compares these by value, and each generated method costs start-up time
# (see linter/model.py; the repr comes from model.Record).
@dataclass(frozen=True, eq=False, repr=False)
class AirflowResource(Record):
    """What a resource element can address in MWAA.

    kind: "any" ("*"), "symbolic" (cannot be decided), "other-service", "wrong-service" (a mistaken airflow
    service name such as "mwaa"), "malformed", "environment", "rbac-role", "pattern" (wildcards in the
    resource part, type undecided).
    """

    kind: str
    text: str  # with SYM in place of symbolic parts
    partition: str = "*"
    service: str = "*"
    region: str = "*"
    account: str = "*"
    resource: str = "*"
    environment: str | None = None
    role: str | None = None
    problem: str = ""

    def can_be(self, resource_type: str | None) -> bool:
        """Whether this element can match an ARN of the type (None: the action takes "*" only)."""
        if self.kind in ("any", "symbolic"):
            return True
        if resource_type is None:
            return False
        if self.kind == resource_type:
            return True
        if self.kind == "pattern":
            return globs_intersect(self.resource.replace(SYM, "*"), TEMPLATES[resource_type])
        return False


def value_text(value: Value) -> str:
    return "".join(p if isinstance(p, str) else SYM for p in value.parts)


def shown(text: str) -> str:
    return text.replace(SYM, "…")


def classify(value: Value) -> AirflowResource:
    return classify_text(value_text(value))


@lru_cache(maxsize=8192)  # the same ARNs come back in statement after statement, file after file
def classify_text(text: str) -> AirflowResource:
    if text == "*":
        return AirflowResource("any", text)
    if not text.startswith("arn:"):
        if text.startswith(SYM) or text == "":
            return AirflowResource("symbolic", text)
        if has_wildcard(text.split(":")[0]) and text.split(":")[0] != "arn":
            return AirflowResource("any" if text.strip("*") == "" else "symbolic", text)
        return AirflowResource("malformed", text, problem="not an ARN (ARNs start with \"arn:\")")
    segments = text.split(":", 5)
    if len(segments) < 6:
        if segments[-1].endswith("*") or SYM in segments[-1]:
            segments += ["*"] * (6 - len(segments))
        else:
            return AirflowResource(
                "malformed", text, problem="an ARN has six colon-separated parts: arn:partition:service:region:account:resource"
            )
    _, partition, service, region, account, resource = segments
    base = dict(text=text, partition=partition, service=service, region=region, account=account, resource=resource)
    if SYM in service:
        return AirflowResource("symbolic", **base)
    if not globs_intersect(service, "airflow"):
        if service.lower() in ("mwaa", "airflow", "amazonmwaa", "managed-airflow"):
            return AirflowResource("wrong-service", problem=f'the service in an MWAA ARN is "airflow", not "{service}"', **base)
        return AirflowResource("other-service", **base)
    if SYM in resource.split("/")[0]:
        return AirflowResource("symbolic", **base)
    pieces = resource.split("/")
    head = pieces[0]
    if has_wildcard(head):
        return AirflowResource("pattern", **base)
    if head == "environment":
        if len(pieces) == 2:
            return AirflowResource("environment", environment=pieces[1], **base)
        if len(pieces) > 2:
            return AirflowResource(
                "malformed",
                environment=pieces[1],
                role=pieces[-1],
                problem=f'an environment ARN with "/{"/".join(pieces[2:])}" appended (a role ARN is '
                f"arn:…:airflow:…:role/ENVIRONMENT/ROLE)",
                **base,
            )
        return AirflowResource("malformed", problem="the environment name is missing", **base)
    if head == "role":
        if len(pieces) == 3:
            return AirflowResource("rbac-role", environment=pieces[1], role=pieces[2], **base)
        if len(pieces) == 2 and (pieces[1].endswith("*") or SYM in pieces[1]):
            return AirflowResource("rbac-role", environment=pieces[1], role="*", **base)
        if len(pieces) == 2:
            return AirflowResource(
                "malformed", environment=pieces[1], problem="the role segment is missing (role/ENVIRONMENT/ROLE)", **base
            )
        return AirflowResource("malformed", problem="a role ARN is role/ENVIRONMENT/ROLE", **base)
    return AirflowResource(
        "malformed", problem=f'"{head}" is not an MWAA resource type (environment/NAME or role/ENVIRONMENT/ROLE)', **base
    )


@lru_cache(maxsize=4096)  # the same environment names come back in ARN after ARN
def environment_name_problem(name: str) -> str:
    if SYM in name or has_wildcard(name):
        return ""
    if len(name) > ENV_NAME_MAX:
        return f"environment names have at most {ENV_NAME_MAX} characters"
    if not re.match(ENV_NAME, name):
        return "environment names start with a letter and contain only letters, digits, '-' and '_'"
    return ""
