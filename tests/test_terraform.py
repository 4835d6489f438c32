"""Terraform input: HCL modules (each fixture case is a folder, linted as one module with its local modules and policy
files) and plan JSON; the same policy written four ways gives the same rule ids; HCL positions."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES
from fixture_support import compare, expected_findings, fixture_cases, implemented_rules
from linter.config import Config
from linter.run import RunOptions, lint

pytest.importorskip("tree_sitter_hcl")

HCL_CASES = sorted(p for p in (FIXTURES / "terraform").iterdir() if p.is_dir())
PLAN_CASES = fixture_cases(FIXTURES / "terraform-plan")


def expected_by_file(case: Path) -> dict:
    """Every `<file>.expected.yaml` under a case folder: relative file -> {(rule, line, col)} of implemented rules."""
    known = implemented_rules()
    out = {}
    for expected in sorted(case.rglob("*.expected.yaml")):
        target = expected.with_name(expected.name[: -len(".expected.yaml")])
        raw = yaml.safe_load(expected.read_text(encoding="utf-8")) or []
        out[str(target.relative_to(case))] = {
            (item["rule"], int(item["line"]), int(item["col"])) for item in raw if item["rule"] in known
        }
    return out


def actual_by_file(case: Path) -> dict:
    report = lint(Config(), RunOptions(paths=(str(case),)))
    out: dict = {}
    for finding in report.active:
        relative = str(Path(finding.path).resolve().relative_to(case.resolve()))
        out.setdefault(relative, set()).add((finding.rule_id, finding.span.start_line, finding.span.start_col))
    return out


def test_enough_terraform_fixtures():
    assert len(HCL_CASES) >= 25
    clean = [c for c in HCL_CASES if not any(raw for raw in _raw_expectations(c))]
    assert len(clean) * 3 >= len(HCL_CASES), "a third of the Terraform cases must be clean"
    assert len(PLAN_CASES) >= 6
    assert len([c for c in PLAN_CASES if not _raw_expectations_file(c)]) * 3 >= len(PLAN_CASES)


def _raw_expectations(case: Path):
    return [_raw_expectations_file(Path(str(p)[: -len(".expected.yaml")])) for p in case.rglob("*.expected.yaml")]


def _raw_expectations_file(target: Path) -> list:
    return yaml.safe_load(Path(str(target) + ".expected.yaml").read_text(encoding="utf-8")) or []


@pytest.mark.parametrize("case", HCL_CASES, ids=lambda p: p.name)
def test_terraform_module(case):
    expected = expected_by_file(case)
    actual = actual_by_file(case)
    problems = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name, set()), actual.get(name, set())
        if want != got:
            problems.append(f"{name}:\n  missing:    {sorted(want - got)}\n  unexpected: {sorted(got - want)}")
    assert not problems, f"{case.name}\n" + "\n".join(problems)


@pytest.mark.parametrize("case", PLAN_CASES, ids=lambda p: p.name)
def test_terraform_plan(case):
    problem = compare(case)
    assert not problem, problem


def test_every_policy_rule_fires_somewhere():
    """Every rule that applies to policies (and MWAA011 for environments) fires on some Terraform fixture."""
    fired = set()
    for case in HCL_CASES:
        for found in expected_by_file(case).values():
            fired |= {rule for rule, _, _ in found}
    for case in PLAN_CASES:
        fired |= {rule for rule, _, _ in expected_findings(case)}
    wanted = {f"MWAA{n:03d}" for n in range(0, 13)} & implemented_rules()
    assert wanted <= fired, f"never expected: {sorted(wanted - fired)}"


# -- the same policy, four ways ---------------------------------------------------------------------------------------
POLICY_JSON = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["airflow:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": "airflow:InvokeRestApi", "Resource": "arn:aws:airflow:us-east-1:111122223333:role/analytics/admin"},
    {"Effect": "Allow", "Action": "airflow:CreateWebLoginTokens", "Resource": "arn:aws:airflow:us-east-1:111122223333:role/analytics/*"}
  ]
}
"""

JSONENCODE = """resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["airflow:*"], Resource = "*" },
      { Effect = "Allow", Action = "airflow:InvokeRestApi", Resource = "arn:aws:airflow:us-east-1:111122223333:role/analytics/admin" },
      { Effect = "Allow", Action = "airflow:CreateWebLoginTokens", Resource = "arn:aws:airflow:us-east-1:111122223333:role/analytics/*" },
    ]
  })
}
"""

HEREDOC = 'resource "aws_iam_policy" "p" {\n  policy = <<-EOT\n' + "".join("    " + line + "\n" for line in POLICY_JSON.splitlines()) + "  EOT\n}\n"

POLICY_DOCUMENT = """data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["airflow:*"]
    resources = ["*"]
  }
  statement {
    actions   = ["airflow:InvokeRestApi"]
    resources = ["arn:aws:airflow:us-east-1:111122223333:role/analytics/admin"]
  }
  statement {
    actions   = ["airflow:CreateWebLoginTokens"]
    resources = ["arn:aws:airflow:us-east-1:111122223333:role/analytics/*"]
  }
}

resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.p.json
}
"""


def _rule_ids(path: Path) -> list:
    report = lint(Config(), RunOptions(paths=(str(path),)))
    return sorted(f.rule_id for f in report.active)


def test_same_policy_four_ways(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "policy.json").write_text(POLICY_JSON)
    results = {"raw": _rule_ids(raw / "policy.json")}
    for name, text in (("jsonencode", JSONENCODE), ("heredoc", HEREDOC), ("document", POLICY_DOCUMENT)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "main.tf").write_text(text)
        results[name] = _rule_ids(folder)
    assert results["raw"], "the policy must have findings for the comparison to mean something"
    assert {"MWAA001", "MWAA002", "MWAA003", "MWAA009"} <= set(results["raw"])
    assert results["jsonencode"] == results["raw"], results
    assert results["heredoc"] == results["raw"], results
    assert results["document"] == results["raw"], results


def test_heredoc_positions_point_into_the_heredoc(tmp_path):
    (tmp_path / "main.tf").write_text(HEREDOC)
    report = lint(Config(), RunOptions(paths=(str(tmp_path),)))
    lines = HEREDOC.splitlines()
    for finding in report.active:
        line = lines[finding.span.start_line - 1]
        assert line[finding.span.start_col - 1] == '"', (finding.rule_id, line)
        assert finding.logical == "aws_iam_policy.p"


def test_parse_module_never_raises_on_garbage(tmp_path):
    from linter.sources.terraform_hcl import parse_module

    samples = [
        b"resource \"aws_iam_policy\" \"x\" {\n  policy = jsonencode({\n",
        b"\xff\xfe\x00garbage",
        b"locals { a = local.b\n b = local.a }\nresource \"aws_iam_policy\" \"x\" { policy = local.a }\n",
        b"resource \"aws_iam_policy\" \"x\" { policy = <<EOF\n{\"Statement\": ${var.s}}\nEOF\n}\n",
        b"[" * 5000,
        b"locals { x = " + b"(" * 5000 + b"1" + b")" * 5000 + b" }\n",
        b"locals { x = " + b"lower(" * 250 + b"local.x" + b")" * 250 + b" }\nresource \"aws_iam_policy\" \"p\" { policy = local.x }\n",
        b"module \"m\" { source = \"./\" }\n",
        b"locals {\n" + b"".join(b"  n%d = [local.n%d, local.n%d]\n" % (i, i + 1, i + 1) for i in range(40)) + b"  n40 = \"airflow:*\"\n}\nresource \"aws_iam_policy\" \"p\" { policy = jsonencode({Statement = [{Effect = \"Allow\", Action = local.n0, Resource = \"*\"}]}) }\n",
        b"locals {\n" + b"".join(b"  s%d = \"${local.s%d}${local.s%d}\"\n  l%d = concat(local.l%d, local.l%d)\n" % (i, i + 1, i + 1, i, i + 1, i + 1) for i in range(40)) + b"  s40 = \"abcdefgh\"\n  l40 = [\"a\", \"b\"]\n}\nresource \"aws_iam_policy\" \"p\" { policy = jsonencode({Statement = [{Effect = \"Allow\", Action = local.l0, Resource = local.s0}]}) }\n",
    ]
    for i, data in enumerate(samples):
        folder = tmp_path / f"m{i}"
        folder.mkdir()
        (folder / "main.tf").write_bytes(data)
        sources = parse_module(str(folder), [str(folder / "main.tf")])
        assert sources and all(s.path for s in sources)


def _parse(tmp_path, text: str):
    from linter.sources.terraform_hcl import parse_module

    (tmp_path / "main.tf").write_text(text)
    return parse_module(str(tmp_path), [str(tmp_path / "main.tf")])


def test_variable_default_note_environment_and_declared_calls(tmp_path):
    text = """variable "env" {
  default = "analytics"
}

resource "aws_mwaa_environment" "this" {
  name = var.env
}

# mwaa-lint: calls GET /eventLogs, POST /dags/{dag_id}/dagRuns
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "airflow:InvokeRestApi", Resource = "arn:aws:airflow:${var.env}:1:role/${aws_mwaa_environment.this.name}/User" }]
  })
}
"""
    (source,) = _parse(tmp_path, text)
    (env,) = source.environments
    assert (env.name, env.webserver_access_mode, env.logical) == ("analytics", "PRIVATE_ONLY", "aws_mwaa_environment.this")
    assert "from the default of variable env" in env.note
    (doc,) = source.documents
    (value,) = doc.statements[0].resources
    assert value.known == "arn:aws:airflow:analytics:1:role/analytics/User"
    assert "from the default of variable env" in value.note
    assert (value.origin.span.start_line, value.origin.span.start_col) == (13, 83)
    calls = [(c.text, c.origin.span.start_line, c.origin.span.start_col, c.origin.span.end_col) for c in doc.calls]
    assert calls == [("GET /eventLogs", 9, 20, 34), ("POST /dags/{dag_id}/dagRuns", 9, 36, 63)]
    (principal,) = source.principals
    assert principal.name == "aws_iam_policy.p" and principal.documents == (doc,)


def test_unknowns_stay_symbolic_and_cycles_end(tmp_path):
    text = """locals {
  a = local.b
  b = "${local.a}-x"
}

resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "airflow:GetEnvironment", Resource = "arn:${data.aws_partition.current.partition}:airflow:us-east-1:1:environment/${local.a}" }]
  })
}
"""
    (source,) = _parse(tmp_path, text)
    (value,) = source.documents[0].statements[0].resources
    assert value.is_symbolic and value.parts[0] == "arn:"
    assert value.parts[1].text == "${data.aws_partition.current.partition}"


def test_empty_resources_list_counts_as_unset(tmp_path):
    """`resources = cond ? [x] : []` next to `not_resources = cond ? [] : [y]` (idealo/terraform-aws-mwaa): the
    provider drops an empty list from the JSON, so each side of the conditional has one of the two, not both: a note
    that the module does not determine which (conditions are not evaluated), not a false MWAA000."""
    text = """variable "kms_key_arn" {
  default = null
}

data "aws_iam_policy_document" "d" {
  statement {
    actions       = ["kms:Decrypt"]
    resources     = var.kms_key_arn != null ? [var.kms_key_arn] : []
    not_resources = var.kms_key_arn == null ? ["arn:aws:kms:*:111122223333:key/*"] : []
  }
}
"""
    (source,) = _parse(tmp_path, text)
    assert [(d.rule_id, d.message) for d in source.diagnostics] == [
        ("MWAA012", "whether the statement has Resource or NotResource: a conditional the module does not determine chooses; statement not analysed")
    ]
    assert source.diagnostics[0].origin.pointer[-1] == "NotResource"
    text = text.replace('resources     = var.kms_key_arn != null ? [var.kms_key_arn] : []', "resources     = []")
    text = text.replace('var.kms_key_arn == null ? ["arn:aws:kms:*:111122223333:key/*"] : []', '["arn:aws:kms:*:111122223333:key/*"]')
    (source,) = _parse(tmp_path, text)  # an empty list is no Resource at all
    assert not source.diagnostics
    (statement,) = source.documents[0].statements
    assert statement.has_not_resource and [v.known for v in statement.not_resources] == ["arn:aws:kms:*:111122223333:key/*"]


def test_statementless_source_policy_document_adds_nothing(tmp_path):
    """`source_policy_documents = [..., var.extra]` with `default = "{}"` (idealo/terraform-aws-mwaa): the provider
    merges "{}" as no statements; not "policy document has no Statement"."""
    text = """variable "extra" {
  default = "{}"
}

data "aws_iam_policy_document" "base" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "this" {
  source_policy_documents = [data.aws_iam_policy_document.base.json, var.extra]
}
"""
    (source,) = _parse(tmp_path, text)
    assert not source.diagnostics
    assert [len(d.statements) for d in source.documents] == [1, 1]
