"""Configuration: found upward or given, validated without jsonschema, errors name file, line and key."""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT
from linter.cli import app
from linter.config import ConfigError, config_from_dict, find_config, load_config

SCHEMA = json.loads((ROOT / "linter" / "data" / "config.schema.json").read_text())
SPEC_EXAMPLE = """
airflow-version: "2.10.3"
environments:
  - name: analytics-prod
    airflow-version: "3.0.6"
    webserver-access-mode: PRIVATE_ONLY
    region: eu-west-1
    account: "111122223333"
    vpc-ids: [vpc-0a1b2c3d4e5f60718]
    vpc-endpoint-ids: [vpce-0123456789abcdef0]
    custom-roles:
      DagTriggerer: ["DAGs.can_read", "DAG Runs.can_create"]
principals:
  - match: ["iam/ci-trigger.json", "aws_iam_policy.ci_trigger", "CiTriggerRole"]
    environment: analytics-prod
    calls:
      - GET /eventLogs
      - POST /dags/{dag_id}/dagRuns
rules:
  MWAA007: {level: error}
  MWAA001: {ignore: ["legacy/**", "iam/admin.json:12"]}
fail-on: warning
exclude: ["vendor/**"]
rules-dirs: ["policy-rules/"]
"""
INVALID = [
    {"environments": [{"name": "x", "region": "EU"}]},
    {"fail-on": "sometimes"},
    {"rules": {"mwaa1": {}}},
    {"principals": [{"match": "x"}]},
    {"environments": [{"name": "1bad"}]},
    {"unknown-key": 1},
]


def test_generated_validator_is_current():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_config_validator.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("raw", [yaml.safe_load(SPEC_EXAMPLE)] + INVALID)
def test_generated_validator_agrees_with_jsonschema(raw):
    reference_ok = jsonschema.Draft7Validator(SCHEMA).is_valid(raw)
    try:
        config_from_dict(raw, "c.yaml")
        ours_ok = True
    except ConfigError:
        ours_ok = False
    assert ours_ok == reference_ok


def test_spec_example_loads():
    config = config_from_dict(yaml.safe_load(SPEC_EXAMPLE), "/repo/.mwaa-lint.yaml")
    (env,) = config.environments
    assert env.name == "analytics-prod" and env.airflow_version == "3.0.6"
    assert dict(env.custom_roles)["DagTriggerer"] == frozenset({("can_read", "DAGs"), ("can_create", "DAG Runs")})
    assert config.rule("MWAA007").level == "error"
    assert [c.text for c in config.principals[0].calls] == ["GET /eventLogs", "POST /dags/{dag_id}/dagRuns"]


def test_error_names_file_line_and_key(tmp_path):
    path = tmp_path / ".mwaa-lint.yaml"
    path.write_text("environments:\n  - name: prod\n    region: EU\n")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert str(caught.value).startswith(f"{path}:3:13: invalid configuration at environments/0/region")


def test_found_upward_and_in_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mwaa-lint]\nfail-on = "error"\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(str(nested)) == (str(tmp_path / "pyproject.toml"), "pyproject")
    assert load_config(None, str(nested)).fail_on == "error"
    (tmp_path / "a" / ".mwaa-lint.yaml").write_text("fail-on: note\n")
    assert load_config(None, str(nested)).fail_on == "note"


def test_pyproject_without_our_table_is_passed_over_even_when_broken(tmp_path):
    """A pyproject.toml that never names mwaa-lint is someone else's file: the search goes on upward, broken or not;
    one that has the table but is not valid TOML (or UTF-8) is a configuration error."""
    (tmp_path / ".mwaa-lint.yaml").write_text("fail-on: note\n")
    nested = tmp_path / "project"
    nested.mkdir()
    (nested / "pyproject.toml").write_text('[tool.black\nline-length = "unterminated\n')
    assert find_config(str(nested)) == (str(tmp_path / ".mwaa-lint.yaml"), "yaml")
    (nested / "pyproject.toml").write_text('[tool.mwaa-lint]\nfail-on = "unterminated\n')
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config(str(nested))
    (nested / "pyproject.toml").write_bytes(b'[tool.mwaa-lint]\nfail-on = "\xff"\n')
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config(str(nested))


def test_invalid_config_is_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("fail-on: sometimes\n")
    result = CliRunner().invoke(app, ["check", "--config", str(path), str(tmp_path)])
    assert result.exit_code == 2
    assert f"{path}:1:10: invalid configuration at fail-on" in result.output


def test_least_role_command():
    runner = CliRunner()
    newer = runner.invoke(app, ["least-role", "--airflow-version", "2.10.3", "GET /eventLogs"])
    assert newer.exit_code == 0 and "Least default role: Admin" in newer.output
    assert "Op lacks: Audit Logs.can_read" in newer.output
    older = runner.invoke(app, ["least-role", "--airflow-version", "2.8.1", "GET /eventLogs"])
    assert "Least default role: Viewer" in older.output
    for version in ("2.8.1", "2.10.3"):
        trigger = runner.invoke(app, ["least-role", "--airflow-version", version, "--format", "json", "POST /dags/{dag_id}/dagRuns"])
        document = json.loads(trigger.output)
        assert document["least_role"] == "User"
        assert list(document) == ["airflow_version", "calls", "least_role", "missing"]


def test_endpoints_command_json_shape():
    result = CliRunner().invoke(app, ["endpoints", "--airflow-version", "2.10.3", "--format", "json"])
    document = json.loads(result.output)
    event_logs = [e for e in document["endpoints"] if e["path"] == "/eventLogs" and e["method"] == "GET"]
    assert event_logs == [{"method": "GET", "api_prefix": "/api/v1", "path": "/eventLogs", "permissions": [["can_read", "Audit Logs"]], "least_role": "Admin"}]


@pytest.mark.parametrize("args", [["least-role", "--airflow-version", "9.9.9", "GET /dags"], ["endpoints", "--airflow-version", "2.10.3", "--role", "admin"], ["least-role", "--airflow-version", "2.10.3", "FETCH /dags"]])
def test_bad_usage_is_exit_2(args):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "Traceback" not in result.output
