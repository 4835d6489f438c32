"""`--format github` (workflow-command annotations) and `--format markdown` (step summary / PR comment)."""
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, ROOT
from linter.cli import app
from linter.config import Config
from linter.engine import load_builtin_rules
from linter.model import Finding, Level, Span, Suppression
from linter.reporters import get_reporter
from linter.reporters.github import escape_property
from linter.reporters.report import Report, summary_line
from linter.run import RunOptions, lint

SNAPSHOT = ROOT / "tests" / "data" / "markdown-snapshot.md"
SNAPSHOT_FIXTURES = (
    "iam-json/mwaa001-mwaa002-airflow-star-on-star.json",
    "iam-json/mwaa002-mwaa003-star-item-and-environment-arn.json",
    "iam-json/mwaa009-typo-in-allow.json",
)
RULES = tuple(load_builtin_rules())


def finding(rule_id="MWAA002", level=Level.ERROR, message="m", path="p.json", span=Span(7, 19, 7, 22), **kw):
    return Finding(rule_id, level, message, path, span, **kw)


def report(findings, root, **kw):
    return Report(findings=tuple(findings), rules=RULES, files=1, policies=1, root=str(root), **kw)


def github(rep):
    return get_reporter("github")(rep)


def markdown(rep):
    return get_reporter("markdown")(rep)


# ---- github ---------------------------------------------------------------------------------------------------


def runner_unescape_property(text):
    """What the runner does with a property value (actions/runner ActionCommand.cs UnescapeProperty)."""
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def runner_unescape_data(text):
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def test_github_escapes_message_and_path_like_the_toolkit(tmp_path):
    odd_dir = "team:a,b"
    odd_name = "50%\r\nx.json"
    path = os.path.join(str(tmp_path), odd_dir, odd_name)
    message = "100% of calls: Forbidden,\r\nrole not named"
    out = github(report([finding(message=message, path=path)], tmp_path))
    lines = out.split("\n")
    assert lines[0] == (
        "::error file=team%3Aa%2Cb/50%25%0D%0Ax.json,line=7,col=19,endLine=7,endColumn=22,"
        "title=MWAA002 airflow-role-wildcard::100%25 of calls: Forbidden,%0D%0Arole not named"
    )
    # one physical line per annotation, and the runner reads back exactly what we meant
    assert lines[1] == summary_line(report([finding(message=message, path=path)], tmp_path))
    assert out.endswith("\n") and len(lines) == 3 and lines[2] == ""
    head, _, data = lines[0][2:].partition("::")
    command, _, props = head.partition(" ")
    assert command == "error"
    parsed = dict(p.split("=", 1) for p in props.split(","))
    assert runner_unescape_property(parsed["file"]) == f"{odd_dir}/{odd_name}"
    assert runner_unescape_property(parsed["title"]) == "MWAA002 airflow-role-wildcard"
    assert runner_unescape_data(data) == message


def test_github_levels_and_multiline_spans(tmp_path):
    findings = [
        finding("MWAA001", Level.WARNING, "w", str(tmp_path / "a.json")),
        finding("MWAA012", Level.NOTE, "n", str(tmp_path / "a.json"), Span(2, 1, 4, 2)),
        finding("ORG999", Level.ERROR, "e", str(tmp_path / "sub" / "b.json"), Span(3, 5, 3, 9)),
    ]
    lines = github(report(findings, tmp_path)).splitlines()
    assert lines[0].startswith("::warning file=a.json,line=7,col=19,")
    # the runner drops col/endColumn when line and endLine differ: we do not send them
    assert lines[1] == "::notice file=a.json,line=2,endLine=4,title=MWAA012 not-analysed::n"
    # a rule the report does not know: the title is the id alone
    assert lines[2] == "::error file=sub/b.json,line=3,col=5,endLine=3,endColumn=9,title=ORG999::e"


def test_github_file_outside_the_root_keeps_its_absolute_path(tmp_path):
    root, outside = tmp_path / "repo", tmp_path / "elsewhere" / "p.json"
    line = github(report([finding(path=str(outside))], root)).splitlines()[0]
    assert line.startswith(f"::error file={escape_property(str(outside))},line=7,")


def test_github_leaves_out_suppressed_findings(tmp_path):
    findings = [
        finding(message="kept", path=str(tmp_path / "a.json")),
        finding(message="hidden", path=str(tmp_path / "a.json"), span=Span(9, 1, 9, 2), suppressed=Suppression("inSource", "ok")),
    ]
    out = github(report(findings, tmp_path))
    assert "kept" in out and "hidden" not in out
    assert "1 suppressed" in out.splitlines()[-1]


def _many(level, count, tmp_path):
    return [finding("MWAA002", level, f"m{i}", str(tmp_path / "a.json"), Span(i + 1, 1, i + 1, 2)) for i in range(count)]


def test_github_ten_per_level_needs_no_notice(tmp_path):
    out = github(report(_many(Level.ERROR, 10, tmp_path) + _many(Level.WARNING, 10, tmp_path), tmp_path))
    assert "::notice" not in out
    assert len(out.splitlines()) == 21


def test_github_more_than_ten_of_a_level_ends_with_a_notice(tmp_path):
    rep = report(_many(Level.ERROR, 11, tmp_path) + _many(Level.WARNING, 3, tmp_path), tmp_path)
    lines = github(rep).splitlines()
    assert len(lines) == 11 + 3 + 2
    assert sum(1 for line in lines if line.startswith("::error ")) == 11
    notice, summary = lines[-2], lines[-1]
    assert notice.startswith("::notice title=mwaa-lint::mwaa-lint emitted 11 errors;")
    assert "only the first 10" in notice and "--format markdown" in notice and "--format sarif" in notice
    assert "3 warnings" not in notice  # only the levels over the limit
    assert summary == summary_line(rep)


def test_github_more_than_ten_notes_says_so_first(tmp_path):
    # GitHub keeps only ten notices per step: the overflow notice must come before the note annotations
    lines = github(report(_many(Level.NOTE, 12, tmp_path), tmp_path)).splitlines()
    assert lines[0].startswith("::notice title=mwaa-lint::mwaa-lint emitted 12 notes;")
    assert sum(1 for line in lines if line.startswith("::notice file=")) == 12


# ---- markdown -------------------------------------------------------------------------------------------------


def snapshot_report():
    paths = tuple(str(FIXTURES / p) for p in SNAPSHOT_FIXTURES)
    rep = lint(Config(), RunOptions(paths=paths))
    findings = list(rep.findings)
    # one finding suppressed by hand, so the snapshot shows the collapsed section
    last = max(range(len(findings)), key=lambda i: findings[i].sort_key)
    findings[last] = replace(findings[last], suppressed=Suppression("external", "accepted | tracked in TICKET-1", via="configuration"))
    return replace(rep, findings=tuple(findings), root=str(ROOT))


def test_markdown_snapshot():
    rendered = markdown(snapshot_report())
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(rendered, encoding="utf-8", newline="\n")
    expected = SNAPSHOT.read_text(encoding="utf-8")
    assert rendered == expected, "markdown output changed; UPDATE_SNAPSHOTS=1 rewrites tests/data/markdown-snapshot.md"
    assert str(ROOT) not in rendered  # paths are relative: the snapshot is machine-independent


def test_markdown_is_a_table_per_file():
    rendered = markdown(snapshot_report())
    headings = re.findall(r"^### `(.+)`$", rendered, flags=re.M)
    assert headings == ["fixtures/" + p for p in SNAPSHOT_FIXTURES]
    assert rendered.count("| Line | Rule | Level | Message |") == 3
    for line in rendered.splitlines():
        if line.startswith("| ") and not line.startswith("| Rule |"):
            # every row has exactly the cells of its header: no unescaped pipe in a message
            assert len(re.split(r"(?<!\\)\|", line)) in (5, 6, 7)
    assert "<details>" in rendered and "1 suppressed finding" in rendered
    assert "accepted \\| tracked in TICKET-1" in rendered


def test_markdown_escapes_cells(tmp_path):
    message = "a | b\nline two\r\nthree <script> *x* `y`"
    path = str(tmp_path / "we|ird`name.json")
    rendered = markdown(report([finding(message=message, path=path)], tmp_path))
    assert "### ``we|ird`name.json``" in rendered
    row = [line for line in rendered.splitlines() if line.startswith("| 7 |")][0]
    assert row == (
        "| 7 | MWAA002 airflow-role-wildcard | error | "
        "a \\| b<br>line two<br>three \\<script\\> \\*x\\* \\`y\\` |"
    )


def test_markdown_without_findings(tmp_path):
    rendered = markdown(report([], tmp_path))
    assert rendered == "## mwaa-lint\n\n0 findings; 1 file, 1 policy checked\n\nNo findings.\n"


def test_markdown_is_deterministic():
    assert markdown(snapshot_report()) == markdown(snapshot_report())


# ---- the command line -----------------------------------------------------------------------------------------


BAD_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "airflow:InvokeRestApi", "Resource": "*"}]}


@pytest.mark.parametrize("fmt", ["github", "markdown"])
def test_cli_formats(fmt, tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps(BAD_POLICY, indent=2))
    result = CliRunner().invoke(app, ["check", "--format", fmt, str(tmp_path / "bad.json")], catch_exceptions=False)
    assert result.exit_code == 1
    assert "MWAA002" in result.output
    if fmt == "github":
        assert result.output.startswith("::error file=")
    else:
        assert result.output.startswith("## mwaa-lint\n")
