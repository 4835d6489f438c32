"""Suppression and baselines suppress exactly the intended finding; fingerprints survive edits elsewhere."""
import json

from typer.testing import CliRunner

from linter.cli import app
from linter.config import config_from_dict
from linter.run import RunOptions, lint

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "airflow:InvokeRestApi", "Resource": "*"},
    {"Effect": "Allow", "Action": "airflow:*", "Resource": "arn:aws:airflow:us-east-1:111122223333:environment/prod"}
  ]
}
"""


def findings(path, config=None, **options):
    report = lint(config or config_from_dict({}, str(path.parent / ".mwaa-lint.yaml")), RunOptions(paths=(str(path),), root=str(path.parent), **options))
    return report


def located(report):
    return {(f.rule_id, f.span.start_line, f.span.start_col, f.suppressed.via if f.suppressed else None) for f in report.findings}


def test_fingerprint_survives_blank_lines_above(tmp_path):
    target = tmp_path / "p.json"
    target.write_text(POLICY)
    before = {f.rule_id: f for f in findings(target).findings}
    target.write_text("\n\n\n" + POLICY)
    after = {f.rule_id: f for f in findings(target).findings}
    assert after["MWAA002"].span.start_line == before["MWAA002"].span.start_line + 3
    assert after["MWAA002"].fingerprint == before["MWAA002"].fingerprint
    assert after["MWAA001"].fingerprint == before["MWAA001"].fingerprint


def test_fingerprint_is_the_same_from_another_working_directory(tmp_path, monkeypatch):
    target = tmp_path / "p.json"
    target.write_text(POLICY)
    first = {f.fingerprint for f in findings(target).findings}
    monkeypatch.chdir(tmp_path)
    report = lint(config_from_dict({}, str(tmp_path / "c.yaml")), RunOptions(paths=("p.json",), root="."))
    assert {f.fingerprint for f in report.findings} == first


def test_config_ignore_by_glob_and_line_suppresses_only_that_finding(tmp_path):
    target = tmp_path / "p.json"
    target.write_text(POLICY)
    config = config_from_dict({"rules": {"MWAA002": {"ignore": ["p.json:4"]}}}, str(tmp_path / ".mwaa-lint.yaml"))
    assert located(findings(target, config)) == {("MWAA002", 4, 72, "configuration"), ("MWAA001", 5, 35, None)}
    other_line = config_from_dict({"rules": {"MWAA002": {"ignore": ["p.json:5"]}}}, str(tmp_path / ".mwaa-lint.yaml"))
    assert located(findings(target, other_line)) == {("MWAA002", 4, 72, None), ("MWAA001", 5, 35, None)}
    by_glob = config_from_dict({"rules": {"MWAA001": {"ignore": ["*.json"]}}}, str(tmp_path / ".mwaa-lint.yaml"))
    assert located(findings(target, by_glob)) == {("MWAA002", 4, 72, None), ("MWAA001", 5, 35, "configuration")}


def test_baseline_suppresses_known_findings_even_when_moved(tmp_path):
    target = tmp_path / "p.json"
    target.write_text(POLICY)
    runner = CliRunner()
    baseline = tmp_path / "baseline.json"
    first = runner.invoke(app, ["check", "--write-baseline", str(baseline), "--sarif-root", str(tmp_path), str(target)])
    assert first.exit_code == 1
    recorded = json.loads(baseline.read_text())
    assert {f["rule"] for f in recorded["findings"]} == {"MWAA001", "MWAA002"}
    target.write_text("\n\n" + POLICY.replace('"Resource": "*"}', '"Resource": "*"},\n    {"Effect": "Allow", "Action": "airflow:CreateWebLoginToken", "Resource": "*"}'))
    second = runner.invoke(app, ["check", "--baseline", str(baseline), "--sarif-root", str(tmp_path), "--format", "json", str(target)])
    document = json.loads(second.stdout)
    active = [(f["rule"], f["line"]) for f in document["findings"] if f["suppressed"] is None]
    suppressed = [(f["rule"], f["line"], f["suppressed"]["via"]) for f in document["findings"] if f["suppressed"]]
    assert active == [("MWAA002", 7)]
    assert sorted(suppressed) == [("MWAA001", 8, "baseline"), ("MWAA002", 6, "baseline")]
    assert document["summary"]["suppressed"] == 2
    assert second.exit_code == 1


def test_summary_counts_suppressed_and_why(tmp_path):
    target = tmp_path / "p.json"
    target.write_text(POLICY)
    config_file = tmp_path / ".mwaa-lint.yaml"
    config_file.write_text("rules:\n  MWAA001:\n    ignore: ['p.json']\n")
    result = CliRunner().invoke(app, ["check", "--config", str(config_file), str(target)])
    assert result.output.splitlines()[-1].endswith("1 suppressed (1 by configuration)")


def test_suppressed_findings_left_out_of_sarif_unless_asked(tmp_path):
    target = tmp_path / "p.json"
    target.write_text(POLICY)
    config_file = tmp_path / ".mwaa-lint.yaml"
    config_file.write_text("rules:\n  MWAA001:\n    ignore: ['p.json']\n")
    runner = CliRunner()
    plain = json.loads(runner.invoke(app, ["check", "--config", str(config_file), "--format", "sarif", str(target)]).stdout)
    assert [r["ruleId"] for r in plain["runs"][0]["results"]] == ["MWAA002"]
    full = json.loads(runner.invoke(app, ["check", "--config", str(config_file), "--format", "sarif", "--sarif-suppressed", str(target)]).stdout)
    (suppressed,) = [r for r in full["runs"][0]["results"] if r.get("suppressions")]
    assert suppressed["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "configuration: rules.MWAA001.ignore 'p.json'"}]


def test_inline_comments_and_metadata_suppress_exactly_their_finding():
    from conftest import FIXTURES

    folder = FIXTURES / "suppression"
    report = lint(config_from_dict({}, str(folder / ".mwaa-lint.yaml")), RunOptions(paths=(str(folder),), root=str(folder)))
    got = {(f.path.replace(str(folder) + "/", ""), f.rule_id, f.span.start_line, f.span.start_col, f.suppressed.via if f.suppressed else None) for f in report.findings}
    assert got == {
        ("template.yaml", "MWAA001", 12, 21, "comment"),  # comment on the line above
        ("template.yaml", "MWAA002", 16, 23, None),  # the comment on this line names another rule
        ("template.yaml", "MWAA002", 28, 23, "metadata"),  # Metadata ignore on the resource
        ("template.yaml", "MWAA001", 30, 21, None),  # same resource, rule not ignored
        ("tf/main.tf", "MWAA002", 9, 20, "comment"),
        ("tf/main.tf", "MWAA002", 14, 20, None),
    }
    reasons = {f.suppressed.reason for f in report.findings if f.suppressed}
    assert "break-glass role, approved in SEC-123" in reasons
