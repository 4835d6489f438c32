"""SARIF 2.1.0, written as plain JSON objects.

The property names and their order are those of the sarif-om object model (Microsoft's SARIF classes): each object
lists its required property first, then the others alphabetically. A property whose value is None, the schema's
default or an empty list/object is left out, except `level`, which GitHub needs even when it is the default.
(sarif-om itself costs ~40 ms of imports per run; tests/test_sarif.py builds the same log through sarif-om's
classes and checks the output is identical.)
"""
from __future__ import annotations

import json
import os

from .. import __version__
from .report import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/mwaa-lint/mwaa-lint"
SRCROOT = "%SRCROOT%"


def relative_uri(path: str, root: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return rel.replace(os.sep, "/")


def _without_none(value):
    """Plain JSON values (dicts and lists given by rules and findings), None dropped from dicts."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_without_none(v) for v in value]
    return value


def _put(obj: dict, name: str, value) -> None:
    """Set an optional property: None and empty lists/objects are left out."""
    if value is not None and value != [] and value != {}:
        obj[name] = value


def _message(text) -> dict:
    """A message or multiformatMessageString with only `text`."""
    return {} if text is None else {"text": text}


def _rule_descriptor(rule) -> dict:
    properties = {"tags": list(rule.tags), "precision": rule.precision}
    if rule.security_severity is not None:
        properties["security-severity"] = f"{float(rule.security_severity):.1f}"
    help_uri = rule.help_uri or f"{INFORMATION_URI}/blob/main/rules/{os.path.basename(rule.path) or rule.id}"
    descriptor = {"id": rule.id, "defaultConfiguration": {"level": rule.level.value}}
    _put(descriptor, "fullDescription", _message(rule.summary))
    help_ = _message(rule.description)
    if help_:
        _put(help_, "markdown", rule.description)
    _put(descriptor, "help", help_)
    _put(descriptor, "helpUri", help_uri)
    _put(descriptor, "name", rule.name)
    _put(descriptor, "properties", _without_none(properties))
    _put(descriptor, "shortDescription", _message(rule.summary))
    return descriptor


def _physical_location(path: str, span, root: str) -> dict:
    region: dict = {}
    _put(region, "endColumn", span.end_col)
    _put(region, "endLine", span.end_line)
    _put(region, "startColumn", span.start_col)
    _put(region, "startLine", span.start_line)
    location = {"artifactLocation": {"uri": relative_uri(path, root), "uriBaseId": SRCROOT}}
    _put(location, "region", region)
    return location


def _result(finding, index: int, root: str) -> dict:
    location: dict = {}
    if finding.logical:
        location["logicalLocations"] = [{"kind": "resource", "name": finding.logical}]
    location["physicalLocation"] = _physical_location(finding.path, finding.span, root)
    related = []
    for i, (path, span, text) in enumerate(finding.related):
        entry = {"id": i}
        _put(entry, "message", _message(text))
        entry["physicalLocation"] = _physical_location(path, span, root)
        related.append(entry)
    result: dict = {}
    _put(result, "message", _message(finding.message))
    result["level"] = finding.level.value
    result["locations"] = [location]
    _put(result, "partialFingerprints", _without_none({"mwaaLintFingerprint/v1": finding.fingerprint}))
    _put(result, "relatedLocations", related)
    _put(result, "ruleId", finding.rule_id)
    result["ruleIndex"] = index
    if finding.suppressed is not None:
        # The final 2.1.0 schema calls the field "status" (sarif-om's Suppression predates that: "state").
        suppression = {"kind": finding.suppressed.kind, "status": "accepted", "justification": finding.suppressed.reason}
        result["suppressions"] = [_without_none(suppression)]
    return result


def render(report: Report) -> str:
    rules = sorted(report.rules, key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    include_suppressed = report.options.get("sarif_suppressed", False)
    findings = [f for f in report.findings if include_suppressed or f.suppressed is None]
    driver = {"name": "mwaa-lint", "informationUri": INFORMATION_URI}
    _put(driver, "rules", [_rule_descriptor(rule) for rule in rules])
    driver["semanticVersion"] = __version__
    driver["version"] = __version__
    run: dict = {"tool": {"driver": driver}}
    if report.options.get("category"):
        run["automationDetails"] = {"id": report.options["category"]}
    run["columnKind"] = "unicodeCodePoints"
    run["invocations"] = [{"executionSuccessful": report.successful}]
    _put(run, "results", [_result(f, index[f.rule_id], report.root) for f in findings if f.rule_id in index])
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
