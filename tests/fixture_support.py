"""Run the linter on fixture files and compare with their `<file>.expected.yaml` (rule, line, col) lists."""
from __future__ import annotations

from pathlib import Path

import yaml

from linter.config import Config
from linter.run import RunOptions, lint

INPUT_SUFFIXES = (".json", ".yaml", ".yml", ".template", ".tf")


def fixture_cases(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in INPUT_SUFFIXES and not p.name.endswith(".expected.yaml") and not p.name.startswith(".")
        and Path(str(p) + ".expected.yaml").exists()
    )


def implemented_rules() -> set:
    """Rule ids that have a rule file. Expectations for rules not built yet are kept in fixtures and start
    counting the moment the rule file lands."""
    from linter.engine import load_builtin_rules

    return {rule.id for rule in load_builtin_rules()}


def expected_findings(case: Path) -> set:
    raw = yaml.safe_load(Path(str(case) + ".expected.yaml").read_text(encoding="utf-8")) or []
    known = implemented_rules()
    return {(item["rule"], int(item["line"]), int(item["col"])) for item in raw if item["rule"] in known}


def actual_findings(case: Path, config: Config | None = None) -> set:
    report = lint(config or Config(), RunOptions(paths=(str(case),)))
    return {(f.rule_id, f.span.start_line, f.span.start_col) for f in report.active}


def compare(case: Path, config: Config | None = None) -> str:
    expected = expected_findings(case)
    actual = actual_findings(case, config)
    if expected == actual:
        return ""
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    return f"{case}:\n  missing:    {missing}\n  unexpected: {unexpected}"
