"""SARIF 2.1.0, built with sarif-om and serialised through its attrs metadata (camelCase property names)."""
from __future__ import annotations

import json
import os

from .. import __version__
from .report import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/mwaa-lint/mwaa-lint"
ALWAYS_WRITTEN = frozenset(("level",))  # sarif-om defaults that generic serialisers drop but GitHub needs


def to_json(obj):
    """sarif-om objects -> plain JSON values, dropping None, schema defaults and empty containers."""
    import attr

    if attr.has(type(obj)):
        out = {}
        for field in attr.fields(type(obj)):
            value = getattr(obj, field.name)
            name = field.metadata.get("schema_property_name", field.name)
            default = field.default.factory() if isinstance(field.default, attr.Factory) else field.default
            if value is None or (value == default and field.name not in ALWAYS_WRITTEN):
                continue
            value = to_json(value)
            if value in ({}, []):
                continue
            out[name] = value
        return out
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    return obj


def relative_uri(path: str, root: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return rel.replace(os.sep, "/")


def _rule_descriptor(rule):
    import sarif_om as om

    properties = {"tags": list(rule.tags), "precision": rule.precision}
    if rule.security_severity is not None:
        properties["security-severity"] = f"{float(rule.security_severity):.1f}"
    help_uri = rule.help_uri or f"{INFORMATION_URI}/blob/main/rules/{os.path.basename(rule.path) or rule.id}"
    return om.ReportingDescriptor(
        id=rule.id,
        name=rule.name,
        short_description=om.MultiformatMessageString(text=rule.summary),
        full_description=om.MultiformatMessageString(text=rule.summary),
        help=om.MultiformatMessageString(text=rule.description, markdown=rule.description),
        help_uri=help_uri,
        default_configuration=om.ReportingConfiguration(level=rule.level.value),
        properties=properties,
    )


def _region(span):
    import sarif_om as om

    return om.Region(
        start_line=span.start_line, start_column=span.start_col, end_line=span.end_line, end_column=span.end_col
    )


def _result(finding, index: int, root: str):
    import sarif_om as om

    location = om.Location(
        physical_location=om.PhysicalLocation(
            artifact_location=om.ArtifactLocation(uri=relative_uri(finding.path, root), uri_base_id="%SRCROOT%"),
            region=_region(finding.span),
        ),
        logical_locations=[om.LogicalLocation(name=finding.logical, kind="resource")] if finding.logical else None,
    )
    related = [
        om.Location(
            id=i,
            message=om.Message(text=text),
            physical_location=om.PhysicalLocation(
                artifact_location=om.ArtifactLocation(uri=relative_uri(path, root), uri_base_id="%SRCROOT%"),
                region=_region(span),
            ),
        )
        for i, (path, span, text) in enumerate(finding.related)
    ]
    result = om.Result(
        rule_id=finding.rule_id,
        rule_index=index,
        level=finding.level.value,
        message=om.Message(text=finding.message),
        locations=[location],
        related_locations=related or None,
        partial_fingerprints={"mwaaLintFingerprint/v1": finding.fingerprint},
    )
    if finding.suppressed is not None:
        # The final 2.1.0 schema calls the field "status"; sarif-om's Suppression predates that ("state").
        result.suppressions = [{"kind": finding.suppressed.kind, "status": "accepted", "justification": finding.suppressed.reason}]
    return result


def render(report: Report) -> str:
    import sarif_om as om

    rules = sorted(report.rules, key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    include_suppressed = report.options.get("sarif_suppressed", False)
    findings = [f for f in report.findings if include_suppressed or f.suppressed is None]
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name="mwaa-lint",
                version=__version__,
                semantic_version=__version__,
                information_uri=INFORMATION_URI,
                rules=[_rule_descriptor(rule) for rule in rules],
            )
        ),
        results=[_result(f, index[f.rule_id], report.root) for f in findings if f.rule_id in index],
        invocations=[om.Invocation(execution_successful=report.successful)],
        column_kind="unicodeCodePoints",
    )
    if report.options.get("category"):
        run.automation_details = om.RunAutomationDetails(id=report.options["category"])
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [to_json(run)]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"

