"""The bundled examples (the README's first command) report exactly these findings."""
from conftest import ROOT
from linter.config import Config
from linter.run import RunOptions, lint

EXPECTED = {
    ("cloudformation/mwaa-stack.yaml", "MWAA005", 49, 27),
    ("cloudformation/mwaa-stack.yaml", "MWAA006", 49, 27),  # Viewer cannot read /eventLogs on 2.10.3
    ("iam/ci-trigger.json", "MWAA002", 8, 19),
    ("iam/ci-trigger.json", "MWAA001", 13, 17),
    ("terraform/main.tf", "MWAA011", 11, 27),  # 2.5.1 reached end of support
    ("terraform/main.tf", "MWAA003", 40, 11),  # "admin" is not a role; no extra MWAA006 for it
    ("terraform/main.tf", "MWAA010", 41, 11),  # CreateCliToken to an execution role, at the environment ARN only
}


def test_examples_report_exactly_the_intended_findings():
    folder = ROOT / "examples"
    report = lint(Config(), RunOptions(paths=(str(folder),), root=str(ROOT)))
    got = {(str(__import__("pathlib").Path(f.path).relative_to(folder)), f.rule_id, f.span.start_line, f.span.start_col) for f in report.active}
    assert got == EXPECTED
    assert report.skipped == 0
