"""Airflow role analysis fixtures: each folder of fixtures/role-analysis/ is one run with its own
.mwaa-lint.yaml; every file's findings must equal its `<file>.expected.yaml` (a file without one must be clean)."""
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES
from fixture_support import implemented_rules
from linter.config import load_config
from linter.run import RunOptions, lint

CASES = sorted(p for p in (FIXTURES / "role-analysis").iterdir() if p.is_dir()) if (FIXTURES / "role-analysis").is_dir() else []


def expected_for(case: Path) -> set:
    known = implemented_rules()
    out = set()
    for expected in case.rglob("*.expected.yaml"):
        target = Path(str(expected)[: -len(".expected.yaml")])
        for item in yaml.safe_load(expected.read_text(encoding="utf-8")) or []:
            if item["rule"] in known:
                out.add((target.name, item["rule"], int(item["line"]), int(item["col"])))
    return out


def actual_for(case: Path) -> set:
    config_path = case / ".mwaa-lint.yaml"
    config = load_config(str(config_path)) if config_path.exists() else load_config(None, str(case))
    report = lint(config, RunOptions(paths=(str(case),)))
    return {(Path(f.path).name, f.rule_id, f.span.start_line, f.span.start_col) for f in report.active}


def test_enough_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case(case):
    expected, actual = expected_for(case), actual_for(case)
    assert expected == actual, f"{case}\n  missing:    {sorted(expected - actual)}\n  unexpected: {sorted(actual - expected)}"
