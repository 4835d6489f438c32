"""Terraform plan JSON (`terraform show -json`): policies, principals and MWAA environments of the planned values.

Resources come from `planned_values` (root and child modules, recursively), then `prior_state` for data sources
read during the plan; an address seen twice is read once. A value unknown at plan time (missing from the planned
values, listed in `after_unknown`) is looked up in `configuration`: a `data "aws_iam_policy_document"` that is only
resolved at apply time is read from its `expressions` (`constant_value` known, `references` symbolic). Findings point
into the plan file (the policy string's line; the configuration's list items) and carry the resource address.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..model import Diagnostic, Environment, Origin, ParsedSource, PolicyDocument, Symbolic, new_origin
from ..positions import FileSpans
from .iam_json import DocumentReader, trusts_airflow
from .terraform_values import (
    ATTACHMENTS,
    DOC_DATA,
    POLICY_RESOURCES,
    PRINCIPAL_TYPES,
    Collected,
    Leaf,
    _link,
    _make_value,
    _merge_statements,
)

MAX_MODULE_DEPTH = 32


def _planned(node, pointer: tuple, depth: int = 0):
    """(resource, pointer) of a planned_values/prior_state module and its child modules."""
    if not isinstance(node, dict) or depth > MAX_MODULE_DEPTH:
        return
    for i, resource in enumerate(node.get("resources") or []):
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            yield resource, pointer + ("resources", i)
    for j, child in enumerate(node.get("child_modules") or []):
        yield from _planned(child, pointer + ("child_modules", j), depth + 1)


def _configured(node, pointer: tuple, prefix: str = "", depth: int = 0):
    """(full address, module prefix, resource, pointer) of a configuration module and its module calls."""
    if not isinstance(node, dict) or depth > MAX_MODULE_DEPTH:
        return
    for i, resource in enumerate(node.get("resources") or []):
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            yield prefix + resource["address"], prefix, resource, pointer + ("resources", i)
    for name, call in sorted((node.get("module_calls") or {}).items()):
        if isinstance(call, dict):
            yield from _configured(call.get("module"), pointer + ("module_calls", name, "module"), f"{prefix}module.{name}.", depth + 1)


def _references(expression) -> list:
    if isinstance(expression, dict) and isinstance(expression.get("references"), list):
        return [r for r in expression["references"] if isinstance(r, str)]
    return []


def _referenced(expression, prefix: str, types) -> str | None:
    """The address of the first resource of one of `types` an expression references (module prefix added)."""
    for ref in _references(expression):
        parts = ref.split(".")
        if len(parts) >= 2 and parts[0] in types:
            return f"{prefix}{parts[0]}.{parts[1].split('[')[0]}"
        if len(parts) >= 3 and parts[0] == "data" and parts[1] in types:
            return f"{prefix}data.{parts[1]}.{parts[2].split('[')[0]}"
    return None


class PlanReader:
    def __init__(self, path: str, raw: dict):
        self.path = path
        self.problems: list[Diagnostic] = []
        self.planned: dict = {}  # address -> (resource, pointer)
        for root in (("planned_values", "root_module"), ("prior_state", "values", "root_module")):
            node = raw
            for key in root:
                node = node.get(key) if isinstance(node, dict) else None
            for resource, pointer in _planned(node, root):
                self.planned.setdefault(resource["address"], (resource, pointer))
        config = raw.get("configuration") if isinstance(raw.get("configuration"), dict) else {}
        self.config: dict = {}  # address -> (prefix, resource, pointer)
        for address, prefix, resource, pointer in _configured(config.get("root_module"), ("configuration", "root_module")):
            self.config.setdefault(address, (prefix, resource, pointer))
        self.data_docs: dict = {}

    def origin(self, pointer: tuple) -> Origin:
        return new_origin(self.path, tuple(pointer), None)

    def note(self, rule: str, message: str, pointer: tuple, logical: str) -> None:
        self.problems.append(Diagnostic(rule, message, self.origin(pointer), logical))

    def document(self, text, pointer: tuple, logical: str, kind: str | None = None) -> tuple:
        reader = DocumentReader(self.path, logical)
        doc = reader.document(text, self.origin(pointer), logical, kind, scope=self.path)
        self.problems.extend(reader.problems)
        return (doc,) if doc is not None else ()

    def policy(self, address: str, attribute: str, values: dict, pointer: tuple, kind: str | None = None) -> tuple:
        """The documents of a policy attribute: its planned JSON string, else what the configuration says."""
        text = values.get(attribute)
        if isinstance(text, str) and text.strip():
            return self.document(text, pointer + ("values", attribute), address, kind)
        if text is not None:
            return ()
        found = self.config.get(address)
        if found is not None:
            prefix, resource, _ = found
            expression = (resource.get("expressions") or {}).get(attribute)
            data = _referenced(expression, prefix, (DOC_DATA,))
            if data is not None:
                doc = self.config_document(data)
                if doc is not None:
                    return (doc,)
            if expression is None:
                return ()
            refs = ", ".join(_references(expression)) or "an expression"
            where = found[2] + ("expressions", attribute)
            self.note("MWAA012", f"{attribute} of {address} is unknown until apply (built from {refs}); not analysed", where, address)
            return ()
        self.note("MWAA012", f"{attribute} of {address} is unknown until apply; not analysed", pointer, address)
        return ()

    def config_document(self, address: str):
        """A `data "aws_iam_policy_document"`: its planned JSON if it was read, else its configuration blocks."""
        if address in self.data_docs:
            return self.data_docs[address]
        self.data_docs[address] = None
        planned = self.planned.get(address)
        if planned is not None and isinstance((planned[0].get("values") or {}).get("json"), str):
            docs = self.document(planned[0]["values"]["json"], planned[1] + ("values", "json"), address)
            self.data_docs[address] = docs[0] if docs else None
            return self.data_docs[address]
        found = self.config.get(address)
        if found is None:
            return None
        prefix, resource, pointer = found
        expressions = resource.get("expressions") or {}
        reader = DocumentReader(self.path, address, _make_value)
        statements = []
        raws = []
        for i, block in enumerate(expressions.get("statement") or []):
            if isinstance(block, dict):
                raws.append((_statement(block, pointer + ("expressions", "statement", i), self.path), pointer + ("expressions", "statement", i)))
        is_trust = any("Principal" in raw for raw, _ in raws)
        for raw, where in raws:
            statement = reader.statement(raw, self.origin(where), is_trust)
            if statement is not None:
                statements.append(statement)
        self.problems.extend(reader.problems)
        merged: list = []
        for key in ("source_policy_documents", "source_json"):
            merged = _merge_statements(merged, self.included(expressions.get(key), prefix))
        merged = _merge_statements(merged, statements)
        for key in ("override_policy_documents", "override_json"):
            merged = _merge_statements(merged, self.included(expressions.get(key), prefix))
        doc = PolicyDocument(
            self.origin(pointer), tuple(merged), address, address, "trust" if any(s.principals for s in merged) else "identity", scope=self.path
        )
        self.data_docs[address] = doc
        return doc

    def included(self, expression, prefix: str) -> list:
        statements = []
        for ref in _references(expression):
            parts = ref.split(".")
            if len(parts) >= 3 and parts[0] == "data" and parts[1] == DOC_DATA and not ref.endswith("]"):
                doc = self.config_document(f"{prefix}data.{DOC_DATA}.{parts[2]}")
                if doc is not None:
                    statements.extend(doc.statements)
        return statements


def _strings(expression, pointer: tuple, path: str) -> list:
    """A configuration expression as Leafs: constant strings at their positions, references symbolic."""
    if not isinstance(expression, dict):
        return []
    if "constant_value" in expression:
        value = expression["constant_value"]
        items = value if isinstance(value, list) else [value]
        where = pointer + ("constant_value",)
        return [
            Leaf((str(item),), Origin(path, where + (i,) if isinstance(value, list) else where))
            for i, item in enumerate(items)
            if item is not None
        ]
    refs = _references(expression)
    if refs:
        return [Leaf((Symbolic("${" + refs[0] + "}"),), Origin(path, pointer))]
    return []


def _text(expression) -> str | None:
    if isinstance(expression, dict) and isinstance(expression.get("constant_value"), str):
        return expression["constant_value"]
    return None


def _statement(block: dict, pointer: tuple, path: str) -> dict:
    raw: dict = {"Effect": _text(block.get("effect")) or ("Allow" if "effect" not in block else "${effect}")}
    sid = _text(block.get("sid"))
    if sid:
        raw["Sid"] = sid
    for attr, key in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")):
        if attr in block:
            raw[key] = _strings(block[attr], pointer + (attr,), path)
    conditions: dict = {}
    for j, condition in enumerate(block.get("condition") or []):
        if isinstance(condition, dict):
            test = _text(condition.get("test")) or "${test}"
            variable = _text(condition.get("variable")) or "${variable}"
            values = _strings(condition.get("values"), pointer + ("condition", j, "values"), path)
            conditions.setdefault(test, {}).setdefault(variable, []).extend(values)
    if conditions:
        raw["Condition"] = conditions
    for kind, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        for j, principal in enumerate(block.get(kind) or []):
            if isinstance(principal, dict):
                ptype = _text(principal.get("type")) or "AWS"
                ids = _strings(principal.get("identifiers"), pointer + (kind, j, "identifiers"), path)
                raw.setdefault(key, {}).setdefault(ptype, []).extend(ids)
    return raw


def _known(values: dict, key: str) -> str | None:
    value = values.get(key)
    return value if isinstance(value, str) else None


def parse_json(path: str, text: str, raw) -> ParsedSource:
    plan = PlanReader(path, raw)
    out = Collected()
    names: dict = {}  # (principal type, planned name) -> address
    role_refs = []  # (policy address, kind, planned name, configured principal address)
    for address, (resource, pointer) in plan.planned.items():
        rtype = resource.get("type")
        values = resource.get("values") if isinstance(resource.get("values"), dict) else {}
        if resource.get("mode") == "data":
            continue
        prefix, configured, _ = plan.config.get(_config_address(address), ("", {}, ()))
        expressions = configured.get("expressions") or {} if isinstance(configured, dict) else {}
        origin = plan.origin(pointer)
        if rtype in POLICY_RESOURCES:
            docs = plan.policy(_config_address(address), "policy", values, pointer)
            _add(out, docs)
            kind = POLICY_RESOURCES[rtype]
            target = None
            if kind:
                target = _referenced(expressions.get(kind), prefix, (PRINCIPAL_TYPES[kind],))
                role_refs.append((address, kind, _known(values, kind), target))
            out.own[address] = (docs, None, (), origin)
        elif rtype in PRINCIPAL_TYPES.values():
            inline = []
            for i, block in enumerate(values.get("inline_policy") or []):
                if isinstance(block, dict) and isinstance(block.get("policy"), str) and block["policy"].strip():
                    inline.extend(plan.document(block["policy"], pointer + ("values", "inline_policy", i, "policy"), address))
            trust = ()
            if rtype == "aws_iam_role":
                trust = tuple(replace(d, kind="trust") for d in plan.policy(_config_address(address), "assume_role_policy", values, pointer, "trust"))
            _add(out, inline)
            _add(out, trust)
            out.principals[address] = {
                "documents": inline,
                "trust": trust,
                "calls": (),
                "origin": origin,
                "execution": any(trusts_airflow(d) for d in trust),
            }
            if _known(values, "name"):
                names[(rtype, values["name"])] = address
        elif rtype in ATTACHMENTS or rtype == "aws_iam_policy_attachment":
            policy = _referenced(expressions.get("policy_arn"), prefix, ("aws_iam_policy",))
            kinds = [ATTACHMENTS[rtype]] if rtype in ATTACHMENTS else ["role", "user", "group"]
            for kind in kinds:
                key = kind if rtype in ATTACHMENTS else kind + "s"
                target = _referenced(expressions.get(key), prefix, (PRINCIPAL_TYPES[kind],))
                planned_names = values.get(key) if isinstance(values.get(key), list) else [values.get(key)]
                if policy:
                    role_refs.append((policy, kind, planned_names[0] if planned_names and isinstance(planned_names[0], str) else None, target))
        elif rtype == "aws_mwaa_environment":
            out.environments.append(_environment(plan, address, values, pointer, prefix, expressions))
    for policy, kind, planned_name, target in role_refs:
        target = target or names.get((PRINCIPAL_TYPES[kind], planned_name))
        if target:
            out.attachments.append((target, policy))
    for address in sorted(plan.config):
        _, configured, pointer = plan.config[address]
        if configured.get("mode") == "data" and configured.get("type") == DOC_DATA:
            doc = plan.config_document(address)
            if doc is not None and not any(d is doc for d in out.documents) and not _used(plan, address):
                out.documents.append(doc)
                out.own[address] = ((doc,), None, (), doc.origin)
    documents, principals = _link(out, path)
    return ParsedSource(
        path,
        "terraform-plan",
        documents=tuple(documents),
        environments=tuple(out.environments),
        principals=tuple(principals),
        diagnostics=tuple(plan.problems),
        spans=FileSpans(path, "json", text=text),
    )


def _config_address(address: str) -> str:
    """A planned address without instance keys: module.m["a"].aws_iam_policy.x[0] -> module.m.aws_iam_policy.x."""
    return _INSTANCE_KEY.sub("", address) if "[" in address else address


_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")


def _used(plan: PlanReader, address: str) -> bool:
    """Whether a data document reaches a policy resource (read there through its planned JSON or the configuration)."""
    for prefix, resource, _ in plan.config.values():
        if resource.get("type") in POLICY_RESOURCES or resource.get("type") == "aws_iam_role":
            todo = list((resource.get("expressions") or {}).values())  # attributes and nested blocks (inline_policy)
            while todo:
                expression = todo.pop()
                if isinstance(expression, list):
                    todo.extend(expression)
                elif isinstance(expression, dict):
                    if _referenced(expression, prefix, (DOC_DATA,)) == address:
                        return True
                    todo.extend(v for v in expression.values() if isinstance(v, (dict, list)))
    return False


def _add(out: Collected, docs) -> None:
    for doc in docs:
        if not any(d is doc for d in out.documents):
            out.documents.append(doc)


def _environment(plan: PlanReader, address: str, values: dict, pointer: tuple, prefix: str, expressions: dict) -> Environment:
    name = _known(values, "name")
    version = _known(values, "airflow_version")
    mode = values.get("webserver_access_mode")
    execution = _referenced(expressions.get("execution_role_arn"), prefix, ("aws_iam_role",)) or _known(values, "execution_role_arn")
    return Environment(
        name=name,
        origin=plan.origin(pointer + ("values", "name") if name else pointer),
        airflow_version=version,
        version_origin=plan.origin(pointer + ("values", "airflow_version")) if version else None,
        webserver_access_mode=mode if isinstance(mode, str) else "PRIVATE_ONLY",  # absent or computed: the service default
        execution_role=execution,
        scope=plan.path,
        logical=address,
    )
