"""Raw IAM policy JSON: a policy document, or the AWS CLI shapes that wrap one."""
from __future__ import annotations

import json

from ..model import Condition, Diagnostic, Origin, ParsedSource, PolicyDocument, Principal, Statement, Value, new_origin, new_value
from ..positions import KEY, FileSpans
from . import MAX_STATEMENTS, statements_cut

STATEMENT_KEYS = frozenset(
    ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition")
)


class DocumentReader:
    """Turns a JSON-like value (already parsed) into the model, collecting MWAA000 problems with pointers.

    Shared by every source whose policies arrive as plain JSON values (raw JSON, plan JSON, jsonencode).
    `make_value(raw, origin)` lets a source turn its own scalars (e.g. with symbolic parts) into Values.
    """

    def __init__(self, path: str, logical: str | None = None, make_value=None):
        self.path = path
        self.logical = logical
        self.problems: list[Diagnostic] = []
        self.make_value = make_value or _literal_value

    def problem(self, message: str, origin: Origin) -> None:
        self.problems.append(Diagnostic("MWAA000", message, origin, self.logical))

    def document(self, raw, origin: Origin, name: str = "", kind: str | None = None, scope: str | None = None) -> PolicyDocument | None:
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                self.problem(f"policy document is a string that is not valid JSON: {exc}", origin)
                return None
        if not isinstance(raw, dict):
            self.problem(f"a policy document is a JSON object, not {_kind(raw)}", origin)
            return None
        if "Statement" not in raw:
            self.problem('policy document has no "Statement"', origin)
            return None
        version = raw.get("Version")
        if version is not None and version not in ("2012-10-17", "2008-10-17"):
            self.problem(f'"Version" must be "2012-10-17" (or the legacy "2008-10-17"), not {version!r}', origin.child("Version"))
        body = raw["Statement"]
        items = [(body, origin.child("Statement"))] if isinstance(body, dict) else None
        if isinstance(body, list):
            items = [(item, origin.child("Statement", i)) for i, item in enumerate(body[:MAX_STATEMENTS])]
            if len(body) > MAX_STATEMENTS:  # the rest is counted, not read
                self.problems.append(statements_cut(len(body), origin.child("Statement", MAX_STATEMENTS), self.logical))
        if items is None:
            self.problem(f'"Statement" is an object or a list of objects, not {_kind(body)}', origin.child("Statement"))
            return None
        is_trust = kind == "trust" or any(isinstance(i, dict) and "Principal" in i for i, _ in items)
        statements = tuple(s for s in (self.statement(item, o, is_trust) for item, o in items) if s is not None)
        return PolicyDocument(origin, statements, self.logical, name, "trust" if is_trust else "identity", scope=scope)

    def statement(self, raw, origin: Origin, is_trust: bool) -> Statement | None:
        if not isinstance(raw, dict):
            self.problem(f"a statement is a JSON object, not {_kind(raw)}", origin)
            return None
        if not STATEMENT_KEYS.issuperset(raw):
            for key in raw:
                if key not in STATEMENT_KEYS:
                    self.problem(f'unknown statement element "{key}" (IAM rejects the policy)', origin.child(key, KEY))
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            where = origin.child("Effect") if "Effect" in raw else origin
            self.problem(f'"Effect" must be "Allow" or "Deny", not {effect!r}' if "Effect" in raw else 'statement has no "Effect"', where)
            return None
        if ("Action" in raw) == ("NotAction" in raw):
            self.problem('a statement has exactly one of "Action" and "NotAction"', origin)
            return None
        if not is_trust and ("Resource" in raw) == ("NotResource" in raw):
            self.problem('a statement has exactly one of "Resource" and "NotResource"', origin)
            return None
        values = {}
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in raw:
                found = self.strings(raw[key], origin, key)
                if found is None:
                    return None
                values[key] = found
        sid = raw.get("Sid")
        condition = raw.get("Condition")
        principal = raw.get("Principal")
        return Statement(
            origin=origin,
            effect=effect,
            sid=sid if isinstance(sid, str) else None,
            actions=values.get("Action", ()),
            not_actions=values.get("NotAction", ()),
            resources=values.get("Resource", ()),
            not_resources=values.get("NotResource", ()),
            conditions=self.conditions(condition, origin.child("Condition")) if condition is not None else (),
            has_not_action="NotAction" in raw,
            has_not_resource="NotResource" in raw,
            principals=self.principals(principal, origin.child("Principal")) if principal is not None else (),
        )

    def strings(self, raw, statement: Origin, key: str) -> tuple | None:
        """The Values of the statement's element `key`: a string or a list of strings."""
        pointer = statement.pointer + (key,)
        if isinstance(raw, list):
            out = []
            for i, item in enumerate(raw):
                origin = new_origin(statement.path, pointer + (i,), None)
                value = self.make_value(item, origin)
                if value is None:
                    self.problem(f'"{key}" items are strings, not {_kind(item)}', origin)
                    return None
                out.append(value)
            return tuple(out)
        origin = new_origin(statement.path, pointer, None)
        value = self.make_value(raw, origin)
        if value is None:
            self.problem(f'"{key}" is a string or a list of strings, not {_kind(raw)}', origin)
            return None
        return (value,)

    def conditions(self, raw, origin: Origin) -> tuple:
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            self.problem(f'"Condition" is an object of operators, not {_kind(raw)}', origin)
            return ()
        out = []
        for operator, block in raw.items():
            if not isinstance(block, dict):
                self.problem(f'condition operator "{operator}" takes an object of keys, not {_kind(block)}', origin.child(operator))
                continue
            for key, values in block.items():
                items = values if isinstance(values, list) else [values]
                where = origin.child(operator, key)
                found = []
                for i, item in enumerate(items):
                    item_origin = where.child(i) if isinstance(values, list) else where
                    if isinstance(item, bool):
                        item = "true" if item else "false"
                    elif isinstance(item, (int, float)):
                        item = str(item)
                    value = self.make_value(item, item_origin)
                    if value is None:
                        self.problem(f'condition "{operator}" / "{key}" values are strings, not {_kind(item)}', item_origin)
                        continue
                    found.append(value)
                out.append(Condition(operator, key, tuple(found), where))
        return tuple(out)

    def principals(self, raw, origin: Origin) -> tuple:
        if raw is None:
            return ()
        if raw == "*" or not isinstance(raw, dict):
            value = self.make_value(raw, origin)
            return (value,) if value else ()
        out = []
        for kind, entries in raw.items():
            items = entries if isinstance(entries, list) else [entries]
            for i, item in enumerate(items):
                item_origin = origin.child(kind, i) if isinstance(entries, list) else origin.child(kind)
                value = self.make_value(item, item_origin)
                if value is not None:
                    out.append(value)
        return tuple(out)


def _literal_value(raw, origin: Origin) -> Value | None:
    return new_value((raw,), origin) if isinstance(raw, str) else None


def _kind(raw) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(raw), "a number"
    )


def looks_like(raw) -> bool:
    """Whether parsed JSON is something this source reads."""
    return isinstance(raw, dict) and bool(
        "Statement" in raw
        or isinstance(raw.get("PolicyDocument"), (dict, str))
        or isinstance(raw.get("PolicyVersion"), dict)
        or any(k in raw for k in ("RoleDetailList", "UserDetailList", "GroupDetailList"))
    )


def parse_json(path: str, text: str, raw) -> ParsedSource:
    """Build the model for a JSON file already decoded into `raw`."""
    reader = DocumentReader(path)
    root = Origin(path)
    documents: list[PolicyDocument] = []
    principals: list[Principal] = []

    def add(raw_doc, origin: Origin, name: str, kind: str | None = None):
        doc = reader.document(raw_doc, origin, name, kind)
        if doc is not None:
            documents.append(doc)
        return doc

    if "Statement" in raw:
        doc = add(raw, root, path)
        if doc is not None:
            principals.append(Principal(path, (doc,), root))
    elif "PolicyDocument" in raw:
        doc = add(raw["PolicyDocument"], root.child("PolicyDocument"), path)
        if doc is not None:
            principals.append(Principal(path, (doc,), root))
    elif "PolicyVersion" in raw:
        doc = add(raw["PolicyVersion"].get("Document"), root.child("PolicyVersion", "Document"), path)
        if doc is not None:
            principals.append(Principal(path, (doc,), root))
    else:
        principals.extend(_authorization_details(raw, root, add))
    return ParsedSource(
        path,
        "iam-json",
        documents=tuple(documents),
        principals=tuple(principals),
        diagnostics=tuple(reader.problems),
        spans=FileSpans(path, "json", text=text),
    )


def _authorization_details(raw, root: Origin, add) -> list[Principal]:
    """`aws iam get-account-authorization-details` output: principals with inline and attached policies."""
    managed = {}
    for i, policy in enumerate(_list(raw.get("Policies"))):
        for j, version in enumerate(_list(policy.get("PolicyVersionList"))):
            if version.get("IsDefaultVersion"):
                origin = root.child("Policies", i, "PolicyVersionList", j, "Document")
                doc = add(version.get("Document"), origin, str(policy.get("PolicyName", "")))
                if doc is not None:
                    managed[policy.get("Arn")] = doc
    principals = []
    for list_key, inline_key, name_key in (
        ("RoleDetailList", "RolePolicyList", "RoleName"),
        ("UserDetailList", "UserPolicyList", "UserName"),
        ("GroupDetailList", "GroupPolicyList", "GroupName"),
    ):
        for i, entry in enumerate(_list(raw.get(list_key))):
            name = str(entry.get(name_key, f"{list_key}[{i}]"))
            docs = []
            for j, inline in enumerate(_list(entry.get(inline_key))):
                doc = add(inline.get("PolicyDocument"), root.child(list_key, i, inline_key, j, "PolicyDocument"), name)
                if doc is not None:
                    docs.append(doc)
            for attached in _list(entry.get("AttachedManagedPolicies")):
                if attached.get("PolicyArn") in managed:
                    docs.append(managed[attached["PolicyArn"]])
            trust = entry.get("AssumeRolePolicyDocument")
            execution = False
            if trust is not None:
                doc = add(trust, root.child(list_key, i, "AssumeRolePolicyDocument"), name, "trust")
                execution = doc is not None and trusts_airflow(doc)
            principals.append(Principal(name, tuple(docs), root.child(list_key, i), name, is_execution_role=execution))
    return principals


AIRFLOW_SERVICE_PRINCIPALS = ("airflow.amazonaws.com", "airflow-env.amazonaws.com")


def trusts_airflow(doc: PolicyDocument) -> bool:
    return any(
        s.is_allow and any((p.known or "") in AIRFLOW_SERVICE_PRINCIPALS for p in s.principals) for s in doc.statements
    )


def _list(raw) -> list:
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []
