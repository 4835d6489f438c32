"""Rule files: valid against the shipped schema, and their examples behave as they say."""
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from linter.config import Config
from linter.engine import builtin_rules_dir, load_builtin_rules, rule_schema
from linter.run import RunOptions, lint

RULES = load_builtin_rules()
RULE_FILES = sorted(builtin_rules_dir().glob("*.yaml"))


def test_rule_ids_are_fixed_catalogue():
    ids = [r.id for r in RULES]
    assert ids == sorted(set(ids))
    assert all(i.startswith("MWAA") and 0 <= int(i[4:]) <= 12 for i in ids)
    for rule, path in zip(RULES, RULE_FILES):
        assert Path(path).name.startswith(f"{rule.id}-{rule.name}")


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_rule_file_matches_schema(path):
    jsonschema.Draft202012Validator(rule_schema()).validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def _examples():
    for rule in RULES:
        for outcome in ("fail", "pass"):
            for i, example in enumerate(rule.examples[outcome]):
                yield pytest.param(rule, outcome, example, id=f"{rule.id}-{outcome}-{i}")


def run_example(rule, example, tmp_path):
    policy = example["policy"]
    target = tmp_path / "policy.json"
    target.write_text(policy if isinstance(policy, str) else json.dumps(policy, indent=2), encoding="utf-8")
    config = Config()
    if example.get("config"):
        from linter.config import config_from_dict

        config = config_from_dict(example["config"], str(tmp_path / ".mwaa-lint.yaml"))
    report = lint(config, RunOptions(paths=(str(target),), select=(rule.id,)))
    return [f for f in report.findings if f.rule_id == rule.id]


@pytest.mark.parametrize("rule, outcome, example", list(_examples()))
def test_rule_example(rule, outcome, example, tmp_path):
    found = run_example(rule, example, tmp_path)
    if outcome == "fail":
        assert found, f"{rule.id}: failing example produced no finding"
    else:
        assert not found, f"{rule.id}: passing example produced {[f.message for f in found]}"


def test_rules_cache_is_current():
    import subprocess
    import sys

    from conftest import ROOT

    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_rules_cache.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_stale_rules_cache_is_ignored(tmp_path, monkeypatch):
    import shutil

    import linter.engine as engine

    rules_dir = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), rules_dir)
    target = rules_dir / "MWAA001-airflow-action-wildcard.yaml"
    target.write_text(target.read_text().replace("level: warning", "level: error", 1))
    monkeypatch.setattr(engine, "builtin_rules_dir", lambda: rules_dir)
    changed = {r.id: r for r in engine.load_builtin_rules()}
    assert changed["MWAA001"].level.value == "error"
    assert {r.id: r.level for r in RULES}["MWAA001"].value == "warning"
