"""Property tests (hypothesis): no input makes a parser raise, and every finding points inside its file.

Inputs: arbitrary bytes under each extension, arbitrary JSON values in the shapes of each JSON input kind, arbitrary
text after a CloudFormation or Terraform opening, and mutations of every fixture (drop or duplicate a character, swap
quotes, insert a tab, NUL or carriage return, truncate). Runs go through `linter.run.lint` with `debug=True`, so a
parser exception surfaces here instead of becoming an "internal error" MWAA000, and some through the CLI.

Seeded (`derandomize=True`): CI is reproducible. 50 examples per test by default; set MWAA_LINT_HYPOTHESIS_EXAMPLES
for a larger budget.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES

from linter.config import Config
from linter.run import RunOptions, lint

EXAMPLES = int(os.environ.get("MWAA_LINT_HYPOTHESIS_EXAMPLES", "50"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

INPUT_SUFFIXES = (".json", ".yaml", ".yml", ".template", ".tf")


# --- the property ------------------------------------------------------------------------------------------------


def lines_of(path: Path) -> list[str]:
    """The file's lines as positions count them: split at "\\n" only, characters after UTF-8 decoding."""
    return path.read_bytes().decode("utf-8-sig", errors="replace").split("\n")


def assert_findings_inside(report, root: Path) -> None:
    for finding in report.findings:
        path = Path(finding.path)
        assert path.is_file(), finding
        assert str(path.resolve()).startswith(str(root.resolve())), finding
        lines = lines_of(path)
        span = finding.span
        assert 1 <= span.start_line <= len(lines), (finding, len(lines))
        assert 1 <= span.end_line <= len(lines) and span.end_line >= span.start_line, (finding, len(lines))
        assert 1 <= span.start_col <= len(lines[span.start_line - 1]) + 1, (finding, lines[span.start_line - 1][:200])
        # the end is inside the line or just after it; an error at the end of a line or of the file marks the one
        # (virtual) character after the last, so its end column may be one further
        end_of_line = span.start_line == span.end_line and span.start_col == len(lines[span.start_line - 1]) + 1
        limit = len(lines[span.end_line - 1]) + (2 if end_of_line else 1)
        assert 1 <= span.end_col <= limit, (finding, lines[span.end_line - 1][:200])
        if span.end_line == span.start_line:
            assert span.end_col >= span.start_col, finding
        assert "internal error" not in finding.message, finding


def lint_folder(root: Path):
    """Lint a folder in one process with exceptions let through (debug), and check the property."""
    report = lint(Config(), RunOptions(paths=(str(root),), root=str(root), jobs=1, debug=True))
    assert_findings_inside(report, root)
    return report


def lint_bytes(name: str, data: bytes):
    with tempfile.TemporaryDirectory(prefix="mwaa-lint-prop-") as folder:
        root = Path(folder)
        (root / name).write_bytes(data)
        return lint_folder(root)


# --- arbitrary bytes and text ------------------------------------------------------------------------------------

# bytes that look like our inputs often enough to get past the sniff
MARKERS = [
    b'"Statement"', b'"Effect"', b'"Allow"', b'"Action"', b'"Resource"', b'"airflow:*"', b'"*"', b"{", b"}", b"[", b"]",
    b":", b",", b'"', b"\n", b"AWSTemplateFormatVersion", b"AWS::IAM::Policy", b"Resources:", b"!Sub ", b"!Ref ", b"&a ",
    b"*a", b"- ", b"  ", b'resource "aws_iam_policy" "p" {', b"policy = ", b"jsonencode(", b"<<EOF\n", b"EOF\n", b"${",
    b'"planned_values"', b'"format_version"', b"\x00", b"\xff", b"\xef\xbb\xbf", b"\r\n", b"\t", b"\xe2\x82\xac",
]
noisy_bytes = st.lists(st.one_of(st.binary(max_size=12), st.sampled_from(MARKERS)), max_size=60).map(b"".join)


@SETTINGS
@given(st.sampled_from(["policy.json", "template.yaml", "stack.template", "main.tf", "plan.json"]), noisy_bytes)
def test_arbitrary_bytes_under_each_extension(name, data):
    lint_bytes(name, data)


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_as_json_candidate(data):
    lint_bytes("policy.json", b'{"Statement": ' + data)


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text_after_a_template_opening(text):
    lint_bytes("template.yaml", ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + text).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text_after_a_terraform_opening(text):
    lint_bytes("main.tf", ('resource "aws_iam_policy" "p" {\n  policy = ' + text).encode("utf-8", "surrogatepass"))


# --- arbitrary JSON values in the shapes of each input kind ------------------------------------------------------

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["Allow", "Deny", "airflow:*", "airflow:CreateWebLoginToken", "*", "arn:aws:airflow:us-east-1:1:role/e/Admin",
                     "2012-10-17", "StringEquals", "aws:SourceVpc", "vpc-1", "Ref", "Fn::Sub", "${AWS::Region}", ""]),
    st.text(max_size=8),
)
KEYS = st.sampled_from(["Version", "Statement", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Sid",
                        "Principal", "Type", "Properties", "PolicyDocument", "Ref", "Fn::Sub", "Fn::If", "Fn::Join", "values",
                        "policy", "address", "type", "resources", "child_modules", "root_module", "name"]) | st.text(max_size=6)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=25)


def iam_shape(statements):
    return {"Version": "2012-10-17", "Statement": statements}


def cloudformation_shape(document, kind):
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"P": {"Type": kind, "Properties": {"PolicyDocument": document, "Roles": [document]}}}}


def plan_shape(values):
    return {
        "format_version": "1.2",
        "terraform_version": "1.6.0",
        "planned_values": {"root_module": {"resources": [{"address": "aws_iam_policy.p", "type": "aws_iam_policy", "name": "p", "values": values}]}},
    }


SHAPED = st.one_of(
    JSON_VALUES.map(iam_shape),
    st.lists(st.dictionaries(KEYS, JSON_VALUES, max_size=5), max_size=3).map(iam_shape),
    st.tuples(JSON_VALUES, st.sampled_from(["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::MWAA::Environment", "AWS::Serverless::Function"]))
    .map(lambda pair: cloudformation_shape(*pair)),
    st.dictionaries(st.sampled_from(["policy", "name", "role", "inline_policy", "arn", "webserver_access_mode"]), JSON_VALUES, max_size=4).map(plan_shape),
    st.dictionaries(st.sampled_from(["policy", "name"]), JSON_VALUES.map(json.dumps), max_size=2).map(plan_shape),
)


@SETTINGS
@given(SHAPED, st.booleans())
def test_arbitrary_json_in_the_shape_of_each_kind(value, as_yaml):
    if as_yaml and "AWSTemplateFormatVersion" in value:
        import yaml

        lint_bytes("template.yaml", yaml.safe_dump(value, sort_keys=False).encode())
    else:
        lint_bytes("input.json", json.dumps(value, indent=1).encode())


# --- mutations of every fixture ----------------------------------------------------------------------------------


def fixture_inputs() -> list[Path]:
    return sorted(
        p
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.suffix in INPUT_SUFFIXES and not p.name.endswith(".expected.yaml") and not p.name.startswith(".")
    )


FIXTURE_INPUTS = fixture_inputs()
QUOTES = {'"': "'", "'": '"'}


def mutate(text: str, edits) -> str:
    for kind, at in edits:
        i = at % (len(text) + 1)
        if kind == "drop":
            text = text[:i] + text[i + 1:]
        elif kind == "duplicate":
            text = text[:i] + text[i:i + 1] + text[i:]
        elif kind == "swap-quote":
            j = next((k for k in range(i, len(text)) if text[k] in QUOTES), None)
            if j is not None:
                text = text[:j] + QUOTES[text[j]] + text[j + 1:]
        elif kind == "truncate":
            text = text[:i]
        else:
            text = text[:i] + {"tab": "\t", "nul": "\x00", "cr": "\r", "newline": "\n", "brace": "{", "bracket": "]"}[kind] + text[i:]
    return text


EDITS = st.lists(
    st.tuples(st.sampled_from(["drop", "duplicate", "swap-quote", "truncate", "tab", "nul", "cr", "newline", "brace", "bracket"]), st.integers(0, 10**6)),
    min_size=1,
    max_size=3,
)


def lint_mutated(fixture: Path, edits) -> None:
    """Copy the fixture's folder (a Terraform module is the whole folder; templates may read sibling files), mutate
    the one file, and lint the copy."""
    with tempfile.TemporaryDirectory(prefix="mwaa-lint-mut-") as folder:
        root = Path(folder) / "case"
        source = fixture.parent
        if fixture.suffix == ".tf" or fixture.parent.parent.name in ("role-analysis", "suppression", "terraform"):
            shutil.copytree(source, root, ignore=shutil.ignore_patterns("*.expected.yaml"))
        else:
            root.mkdir()
            shutil.copy(fixture, root / fixture.name)
        target = root / fixture.name
        text = fixture.read_bytes().decode("utf-8", errors="surrogateescape")
        target.write_bytes(mutate(text, edits).encode("utf-8", errors="surrogateescape"))
        lint_folder(root)


@SETTINGS
@given(st.sampled_from(FIXTURE_INPUTS), EDITS)
def test_mutated_fixtures(fixture, edits):
    lint_mutated(fixture, edits)


def test_every_fixture_survives_each_kind_of_edit():
    """Deterministic sweep: every fixture, each edit at one position (a third of the way in), outside hypothesis."""
    kinds = ["drop", "duplicate", "swap-quote", "truncate", "tab", "nul", "cr", "brace"]
    for index, fixture in enumerate(FIXTURE_INPUTS):
        size = fixture.stat().st_size
        lint_mutated(fixture, [(kinds[index % len(kinds)], size // 3 + index)])


# --- through the command line ------------------------------------------------------------------------------------


@settings(SETTINGS, max_examples=max(10, EXAMPLES // 3))
@given(st.sampled_from(FIXTURE_INPUTS), EDITS, st.sampled_from(["text", "json", "sarif", "github", "markdown"]))
def test_cli_on_mutated_fixtures(fixture, edits, format):
    from typer.testing import CliRunner

    from linter.cli import app

    with tempfile.TemporaryDirectory(prefix="mwaa-lint-cli-") as folder:
        target = Path(folder) / fixture.name
        target.write_bytes(mutate(fixture.read_bytes().decode("utf-8", errors="surrogateescape"), edits).encode("utf-8", errors="surrogateescape"))
        result = CliRunner().invoke(app, ["check", str(target), "--format", format, "--jobs", "1", "--sarif-root", folder])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "internal error" not in result.output
        if format in ("json", "sarif"):
            json.loads(result.output)


@settings(SETTINGS, max_examples=max(10, EXAMPLES // 3))
@given(st.sampled_from([".json", ".yaml", ".tf"]), noisy_bytes)
def test_cli_on_arbitrary_bytes(suffix, data):
    from typer.testing import CliRunner

    from linter.cli import app

    with tempfile.TemporaryDirectory(prefix="mwaa-lint-cli-") as folder:
        target = Path(folder) / f"input{suffix}"
        target.write_bytes(data)
        result = CliRunner().invoke(app, ["check", str(target), "--format", "sarif", "--jobs", "1", "--sarif-root", folder])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        json.loads(result.output)
