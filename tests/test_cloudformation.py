"""CloudFormation templates: fixtures (rule, line, col), the same policy in three formats, positions of tagged and
embedded elements, intrinsic resolution, principals, environments, declarations, and hostile input."""
import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES
from fixture_support import actual_findings, compare, expected_findings, fixture_cases
from linter.config import Config
from linter.model import Symbolic
from linter.positions import locate
from linter.run import RunOptions, lint
from linter.sources import parse_file

CASES = fixture_cases(FIXTURES / "cloudformation")


def test_enough_cloudformation_fixtures():
    assert len(CASES) >= 25
    clean = [c for c in CASES if not expected_findings(c)]
    assert len(clean) * 3 >= len(CASES), "a third of the fixtures must be clean (false-positive traps)"
    assert any(c.suffix == ".json" for c in CASES) and any(c.suffix == ".yaml" for c in CASES)
    assert sum("AWS::Serverless" in c.read_text(encoding="utf-8") for c in CASES) >= 3


def test_every_policy_rule_fires_on_some_template():
    raw = [yaml.safe_load(Path(str(c) + ".expected.yaml").read_text(encoding="utf-8")) or [] for c in CASES]
    fired = {item["rule"] for items in raw for item in items}
    assert fired >= {f"MWAA{n:03d}" for n in range(13)}


@pytest.mark.parametrize("case", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(case):
    problem = compare(case)
    assert not problem, problem


# -- one policy, three formats ---------------------------------------------------------------------------------------

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "airflow:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["airflow:InvokeRestApi", "airflow:GetEnvironmnet"],
            "Resource": [
                "arn:aws:airflow:us-east-1:111122223333:role/prod/admin",
                "arn:aws:airflow:us-east-1:111122223333:environment/prod",
                "arn:aws:mwaa:us-east-1:111122223333:environment/prod",
            ],
        },
        {"Effect": "Deny", "Action": "airflow:CreateWebToken", "Resource": "*"},
        {"Effect": "Allow", "Action": "airflow:CreateCliToken", "Resource": "arn:aws:airflow:*:*:environment/*"},
    ],
}


def _template(policy) -> dict:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": policy}}},
    }


def _rule_ids(path: Path) -> Counter:
    report = lint(Config(), RunOptions(paths=(str(path),)))
    return Counter(f.rule_id for f in report.active)


def test_same_policy_same_rules_in_raw_json_cfn_yaml_and_cfn_json(tmp_path):
    raw = tmp_path / "policy.json"
    raw.write_text(json.dumps(POLICY, indent=2))
    cfn_json = tmp_path / "template.json"
    cfn_json.write_text(json.dumps(_template(POLICY), indent=2))
    cfn_yaml = tmp_path / "template.yaml"
    cfn_yaml.write_text(yaml.safe_dump(_template(POLICY), sort_keys=False))
    expected = _rule_ids(raw)
    assert expected, "the policy must have findings for the comparison to mean something"
    assert _rule_ids(cfn_json) == expected
    assert _rule_ids(cfn_yaml) == expected


# -- helpers ---------------------------------------------------------------------------------------------------------


def _source(tmp_path, text: str, name: str = "template.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(str(path)).source


def _span(source, origin):
    return locate(source.spans, origin)


def _resources(source):
    return [v for d in source.documents for s in d.statements for v in s.resources]


HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\n'


def _policy_template(resource_yaml: str, extra: str = "") -> str:
    return (
        HEAD
        + extra
        + "Resources:\n  Env:\n    Type: AWS::MWAA::Environment\n    Properties:\n      Name: prod\n"
        + "  Policy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        + "        Version: 2012-10-17\n        Statement:\n          - Effect: Allow\n"
        + "            Action: airflow:InvokeRestApi\n            Resource: "
        + resource_yaml
        + "\n"
    )


# -- positions -------------------------------------------------------------------------------------------------------


def test_tagged_scalar_span_starts_at_the_tag(tmp_path):
    source = _source(tmp_path, _policy_template('!Sub "arn:aws:airflow:us-east-1:1:role/${Env}/Viewer"'))
    (value,) = _resources(source)
    span = _span(source, value.origin)
    assert (span.start_line, span.start_col) == (15, 23)
    assert span.end_col == 23 + len('!Sub "arn:aws:airflow:us-east-1:1:role/${Env}/Viewer"')


def test_list_items_and_fn_if_branches_have_their_own_spans(tmp_path):
    text = _policy_template("\n              - arn:a\n              - !If [C, arn:b, arn:c]")
    source = _source(tmp_path, text)
    spans = [(_span(source, v.origin).start_line, _span(source, v.origin).start_col) for v in _resources(source)]
    assert spans == [(16, 17), (17, 25), (17, 32)]
    assert [v.known for v in _resources(source)] == ["arn:a", "arn:b", "arn:c"]


def test_json_string_policy_positions_point_into_the_string(tmp_path):
    text = (
        HEAD
        + "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: |\n"
        + '        {"Statement": [\n'
        + '          {"Effect": "Allow", "Action": "airflow:*", "Resource": "*"}]}\n'
    )
    source = _source(tmp_path, text)
    statement = source.documents[0].statements[0]
    action = _span(source, statement.actions[0].origin)
    assert (action.start_line, action.start_col) == (8, 41)
    resource = _span(source, statement.resources[0].origin)
    assert (resource.start_line, resource.start_col) == (8, 66)


def test_single_quoted_json_string_maps_into_the_string(tmp_path):
    line = """      PolicyDocument: '{"Statement": {"Effect": "Allow", "Action": "airflow:*", "Resource": "*"}}'"""
    source = _source(tmp_path, HEAD + "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n" + line + "\n")
    action = _span(source, source.documents[0].statements[0].actions[0].origin)
    assert (action.start_line, action.start_col, action.end_col) == (6, line.index('"airflow:*"') + 1, line.index('"airflow:*"') + 12)


def test_quoted_json_string_with_escapes_falls_back_to_the_scalar(tmp_path):
    text = HEAD + "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: " + json.dumps(
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "airflow:*", "Resource": "*"}]})
    ) + "\n"
    source = _source(tmp_path, text)
    action = _span(source, source.documents[0].statements[0].actions[0].origin)
    assert (action.start_line, action.start_col) == (6, 23)


def test_version_date_stays_a_string_and_crlf_positions(tmp_path):
    text = _policy_template("'*'").replace("\n", "\r\n")
    source = _source(tmp_path, text)
    assert not [d for d in source.diagnostics if d.rule_id == "MWAA000"]
    span = _span(source, _resources(source)[0].origin)
    assert (span.start_line, span.start_col) == (15, 23)


# -- intrinsic resolution ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression, parts",
    [
        ('!Sub "arn:aws:airflow:us-east-1:1:role/${Env}/Viewer"', ("arn:aws:airflow:us-east-1:1:role/prod/Viewer",)),
        ("!Sub arn:${AWS::Partition}:airflow", ("arn:", Symbolic("${AWS::Partition}"), ":airflow")),
        ('!Sub "${!Literal}/${!aws:username}"', ("${Literal}/${aws:username}",)),
        ("!Sub [\"${Env}-${X}\", {X: !Ref Name}]", ("prod-analytics",)),
        ("!Join [\":\", [a, !Ref Env, !Ref AWS::Region]]", ("a:prod:", Symbolic("${AWS::Region}"))),
        ("!Select [1, !Split [\",\", \"a,b,c\"]]", ("b",)),
        ("!Select [1, [x, !Ref Name]]", ("analytics",)),
        ("!FindInMap [Stages, prod, Role]", ("Viewer",)),
        ("!FindInMap [Stages, !Ref AWS::Region, Same]", ("same",)),
        ("!FindInMap [Stages, !Ref AWS::Region, Role]", (Symbolic('!FindInMap ["Stages", {"Ref": "AWS::Region"}, "Role"]'),)),
        ("!ImportValue shared", (Symbolic("!ImportValue shared"),)),
        ("!Ref NoDefault", (Symbolic("${NoDefault}"),)),
        ("!GetAtt Env.Arn", ("arn:", Symbolic("${AWS::Partition}"), ":airflow:", Symbolic("${AWS::Region}"), ":",
                             Symbolic("${AWS::AccountId}"), ":environment/prod")),
        ('!Sub "${Env.Arn}/Admin"', ("arn:", Symbolic("${AWS::Partition}"), ":airflow:", Symbolic("${AWS::Region}"), ":",
                                    Symbolic("${AWS::AccountId}"), ":environment/prod/Admin")),
        ("!GetAtt Env.WebserverUrl", (Symbolic("${Env.WebserverUrl}"),)),
        ("!Base64 x", (Symbolic("!Base64 x"),)),
    ],
)
def test_resolution(tmp_path, expression, parts):
    extra = (
        "Parameters:\n  Name: {Type: String, Default: analytics}\n  NoDefault: {Type: String}\n"
        "Mappings:\n  Stages:\n    prod: {Role: Viewer, Same: same}\n    test: {Role: Op, Same: same}\n"
    )
    source = _source(tmp_path, _policy_template(expression, extra))
    (value,) = _resources(source)
    assert value.parts == parts


def test_parameter_default_is_noted(tmp_path):
    extra = "Parameters:\n  EnvName: {Type: String, Default: analytics-prod}\n"
    text = _policy_template('!Sub "arn:aws:airflow:us-east-1:1:role/${EnvName}/Viewer"', extra).replace(
        "Name: prod", "Name: !Ref EnvName"
    )
    source = _source(tmp_path, text)
    (value,) = _resources(source)
    assert value.note == "from the default of parameter EnvName"
    (env,) = source.environments
    assert env.name == "analytics-prod" and env.note == "name from the default of parameter EnvName"


def test_join_picks_one_branch_per_item(tmp_path):
    extra = "Parameters:\n  L: {Type: CommaDelimitedList, Default: 'a,b'}\n"
    expression = '\n              - !Join ["", [!If [C, "arn:1", "arn:2"], "/x"]]\n              - !Join ["-", [p, !Ref L, !Ref AWS::NoValue, q]]'
    source = _source(tmp_path, _policy_template(expression, extra))
    assert [v.known for v in _resources(source)] == ["arn:1/x", "arn:2/x", "p-a-b-q"]


def test_comma_delimited_list_parameter(tmp_path):
    extra = "Parameters:\n  Arns: {Type: CommaDelimitedList, Default: 'arn:a, arn:b'}\n"
    source = _source(tmp_path, _policy_template("!Ref Arns", extra))
    assert [v.known for v in _resources(source)] == ["arn:a", "arn:b"]


def test_self_referencing_name_terminates(tmp_path):
    text = _policy_template("!GetAtt Env.Arn").replace("Name: prod", 'Name: !Sub "${Env}-x"')
    source = _source(tmp_path, text)
    assert _resources(source)[0].is_symbolic


def test_environment_without_name_is_symbolic(tmp_path):
    text = _policy_template("!GetAtt Env.Arn").replace("      Name: prod\n", "      AirflowVersion: '2.10.3'\n")
    source = _source(tmp_path, text)
    (env,) = source.environments
    assert env.name is None and env.webserver_access_mode == "PRIVATE_ONLY" and env.airflow_version == "2.10.3"
    assert Symbolic("${Env}") in _resources(source)[0].parts


# -- not analysable --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document, expression",
    [
        ("!Ref PolicyParam", "!Ref PolicyParam"),
        ("{Version: 2012-10-17, Statement: !ImportValue shared}", "!ImportValue"),
        ("{Version: 2012-10-17, Statement: [!GetAtt X.Statements]}", "!GetAtt"),
        ("{Version: 2012-10-17, Statement: [{Effect: !Ref Eff, Action: 'airflow:*', Resource: '*'}]}", "!Ref Eff"),
    ],
)
def test_unresolvable_policy_is_reported_at_the_expression(tmp_path, document, expression):
    text = (
        HEAD
        + "Parameters: {PolicyParam: {Type: String}, Eff: {Type: String}}\n"
        + "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: "
        + document
        + "\n"
    )
    source = _source(tmp_path, text)
    (diagnostic,) = [d for d in source.diagnostics if d.rule_id == "MWAA012"]
    span = _span(source, diagnostic.origin)
    assert (span.start_line, span.start_col) == (7, text.splitlines()[6].index(expression) + 1)
    assert diagnostic.logical == "P"


def test_policy_from_parameter_default_json(tmp_path):
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Action": "airflow:*", "Resource": "*"}]})
    text = (
        HEAD
        + f"Parameters:\n  Doc:\n    Type: String\n    Default: '{policy}'\n"
        + "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: !Ref Doc\n"
    )
    source = _source(tmp_path, text)
    assert [v.known for s in source.documents[0].statements for v in s.actions] == ["airflow:*"]


def test_fn_sub_json_text_policy(tmp_path):
    text = (
        HEAD
        + "Resources:\n  Env:\n    Type: AWS::MWAA::Environment\n    Properties: {Name: prod}\n"
        + "  P:\n    Type: AWS::SSO::PermissionSet\n    Properties:\n      InlinePolicy: !Sub |\n"
        + '        {"Statement": [{"Effect": "Allow", "Action": "airflow:InvokeRestApi",\n'
        + '          "Resource": "arn:${AWS::Partition}:airflow:us-east-1:1:role/${Env}/Op"}]}\n'
    )
    source = _source(tmp_path, text)
    (value,) = _resources(source)
    assert value.parts == ("arn:", Symbolic("${AWS::Partition}"), ":airflow:us-east-1:1:role/prod/Op")
    span = _span(source, value.origin)
    assert (span.start_line, span.start_col) == (11, 23)


# -- principals, environments, declarations ------------------------------------------------------------------------------


def test_principals_collect_attached_and_managed_policies(tmp_path):
    text = (
        HEAD
        + "Resources:\n"
        + "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        + "      RoleName: reporting\n"
        + "      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: airflow.amazonaws.com}, Action: sts:AssumeRole}]}\n"
        + "      ManagedPolicyArns: [!Ref Managed, arn:aws:iam::aws:policy/ReadOnlyAccess]\n"
        + "      Policies: [{PolicyName: inline, PolicyDocument: {Statement: [{Effect: Allow, Action: 'a:a', Resource: '*'}]}}]\n"
        + "  Managed:\n    Type: AWS::IAM::ManagedPolicy\n"
        + "    Properties: {PolicyDocument: {Statement: [{Effect: Allow, Action: 'b:b', Resource: '*'}]}}\n"
        + "  ByName:\n    Type: AWS::IAM::Policy\n"
        + "    Properties: {PolicyName: n, Roles: [reporting], PolicyDocument: {Statement: [{Effect: Allow, Action: 'c:c', Resource: '*'}]}}\n"
        + "  RolePolicy:\n    Type: AWS::IAM::RolePolicy\n"
        + "    Properties: {PolicyName: r, RoleName: !Ref Role, PolicyDocument: {Statement: [{Effect: Allow, Action: 'd:d', Resource: '*'}]}}\n"
        + "  Loose:\n    Type: AWS::IAM::Policy\n"
        + "    Properties: {PolicyName: l, Roles: [elsewhere], PolicyDocument: {Statement: [{Effect: Allow, Action: 'e:e', Resource: '*'}]}}\n"
    )
    source = _source(tmp_path, text)
    principals = {p.name: p for p in source.principals}
    assert set(principals) == {"Role", "Loose"}
    role = principals["Role"]
    assert sorted(d.statements[0].actions[0].known for d in role.documents) == ["a:a", "b:b", "c:c", "d:d"]
    assert role.is_execution_role and role.logical == "Role" and role.scope == source.path
    assert all(d.kind == "identity" for d in role.documents)
    trust = [d for d in source.documents if d.kind == "trust"]
    assert len(trust) == 1 and trust[0].logical == "Role"
    assert {d.logical: d.principals for d in source.documents if d.kind == "identity"}["Managed"] == ("Role",)


def test_environment_facts(tmp_path):
    text = (
        HEAD
        + "Resources:\n  Env:\n    Type: AWS::MWAA::Environment\n    Properties:\n"
        + "      Name: prod\n      AirflowVersion: '2.10.3'\n      WebserverAccessMode: PUBLIC_ONLY\n"
        + "      ExecutionRoleArn: !GetAtt Exec.Arn\n"
        + "  Exec:\n    Type: AWS::IAM::Role\n    Properties: {AssumeRolePolicyDocument: {Statement: []}}\n"
    )
    source = _source(tmp_path, text)
    (env,) = source.environments
    assert (env.name, env.airflow_version, env.webserver_access_mode, env.execution_role, env.logical, env.scope) == (
        "prod", "2.10.3", "PUBLIC_ONLY", "Exec", "Env", source.path
    )
    assert _span(source, env.version_origin).start_line == 7
    assert {p.name: p.is_execution_role for p in source.principals} == {"Exec": True}


def test_metadata_declarations_and_suppressions(tmp_path):
    text = (
        HEAD
        + "Resources:\n"
        + "  # mwaa-lint: calls GET /dags, POST /dags/{dag_id}/dagRuns\n"
        + "  Role:\n    Type: AWS::IAM::Role\n"
        + "    Metadata:\n      mwaa-lint:\n        calls: [GET /eventLogs]\n"
        + "        ignore: [MWAA001 reviewed, {rule: MWAA002, reason: console}, bogus]\n"
        + "    Properties:\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n"
        + "              # mwaa-lint: calls GET /variables\n"
        + "              - {Effect: Allow, Action: 'airflow:*', Resource: '*'}\n"
    )
    source = _source(tmp_path, text)
    (principal,) = source.principals
    assert [c.text for c in principal.calls] == ["GET /eventLogs", "GET /dags", "POST /dags/{dag_id}/dagRuns", "GET /variables"]
    comment_call = principal.calls[1]
    assert (comment_call.origin.span.start_line, comment_call.origin.span.start_col) == (3, 22)
    assert [c.text for c in source.documents[0].calls] == ["GET /eventLogs", "GET /dags", "POST /dags/{dag_id}/dagRuns", "GET /variables"]
    assert [(s.rule_ids, s.start_line, s.end_line, s.reason) for s in source.suppressions] == [
        (("MWAA001",), 4, 16, "reviewed"),
        (("MWAA002",), 4, 16, "console"),
    ]
    (bad,) = [d for d in source.diagnostics if d.rule_id == "MWAA000"]
    assert _span(source, bad.origin).start_line == 9


def test_sam_function_policies(tmp_path):
    text = (
        HEAD
        + "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        + "      Policies:\n        - AWSLambdaBasicExecutionRole\n        - S3ReadPolicy: {BucketName: b}\n"
        + "        - MwaaAdminPolicy: {}\n"
        + "        - Statement: [{Effect: Allow, Action: 'airflow:GetEnvironment', Resource: '*'}]\n"
    )
    source = _source(tmp_path, text)
    assert len(source.documents) == 1 and source.principals[0].name == "Fn"
    (note,) = source.diagnostics
    assert note.rule_id == "MWAA012" and "MwaaAdminPolicy" in note.message


# -- hostile and odd input ---------------------------------------------------------------------------------------------


def test_alias_bomb_is_mwaa000(tmp_path):
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(9)
    ]
    text = HEAD + "Resources: {R: {Type: AWS::IAM::Policy}}\nMetadata:\n  " + "\n  ".join(levels) + "\n"
    source = _source(tmp_path, text)
    assert [d.rule_id for d in source.diagnostics] == ["MWAA000"]


def test_recursive_anchor_is_mwaa000(tmp_path):
    source = _source(tmp_path, HEAD + "Resources: {R: {Type: AWS::IAM::Policy}}\nMetadata: &a [*a]\n")
    assert [d.rule_id for d in source.diagnostics] == ["MWAA000"]


def test_deep_block_nesting_is_mwaa000(tmp_path):
    text = HEAD + "Resources:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(400)) + " " * 401 + "v\n"
    source = _source(tmp_path, text)
    assert [d.rule_id for d in source.diagnostics] == ["MWAA000"]


def test_yaml_without_template_is_skipped(tmp_path):
    path = tmp_path / "workflow.yaml"
    path.write_text("steps:\n  - run: echo AWS::IAM::Role\n")
    assert parse_file(str(path)).skipped


def test_multi_document_stream_analyses_the_template(tmp_path):
    text = "kind: Config\nnote: AWS::x\n---\n" + _policy_template("'*'")
    source = _source(tmp_path, text)
    assert len(source.documents) == 1
    assert _span(source, _resources(source)[0].origin).start_line == 18


def test_duplicate_keys_are_mwaa000(tmp_path):
    source = _source(tmp_path, _policy_template("'*'").replace("      Name: prod\n", "      Name: prod\n      Name: test\n"))
    (problem,) = source.diagnostics
    assert problem.rule_id == "MWAA000" and problem.origin.span.start_line == 7


def test_fn_foreach_with_iam_is_reported(tmp_path):
    text = (
        HEAD
        + "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Roles:\n    - Name\n    - [a, b]\n"
        + "    - Role${Name}:\n        Type: AWS::IAM::Role\n        Properties: {AssumeRolePolicyDocument: {Statement: []}}\n"
    )
    source = _source(tmp_path, text)
    assert [d.rule_id for d in source.diagnostics] == ["MWAA012"]


@pytest.mark.parametrize(
    "junk",
    [
        "Resources: {P: {Type: AWS::IAM::Policy, Properties: [1, 2]}}",
        "Resources: {P: {Type: AWS::IAM::Policy, Properties: {PolicyDocument: {Statement: [!If [C]]}}}}",
        "Resources: {P: {Type: AWS::IAM::Policy, Properties: {PolicyDocument: {Statement: {Effect: Allow, Action: !Sub [1, 2], Resource: !Join [1]}}}}}",
        "Resources: {P: {Type: AWS::IAM::Role, Properties: {Policies: [x, {PolicyName: a}], ManagedPolicyArns: !Ref X}}}",
        "Resources: {E: {Type: AWS::MWAA::Environment, Properties: {Name: [a], AirflowVersion: {x: y}}}}",
        "Resources: {P: {Type: AWS::IAM::Policy, Properties: {PolicyDocument: {Statement: [{Effect: Allow, Action: '*', Resource: !Select [9, [a]], Condition: !If [C, {}, x]}]}}}}",
        "Resources: {P: {Type: AWS::IAM::Policy, Properties: {PolicyDocument: '{\"Statement\": '}}}",
    ],
)
def test_odd_templates_never_raise(tmp_path, junk):
    source = _source(tmp_path, HEAD + junk + "\n")
    assert source is not None
    actual_findings(tmp_path / "template.yaml")


# -- property: mutated templates never raise -----------------------------------------------------------------------------

TEMPLATE_TEXTS = [c.read_text(encoding="utf-8") for c in CASES if c.suffix == ".yaml"]


def test_mutated_templates_never_raise():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from linter.sources.cloudformation import parse_yaml

    tokens = st.sampled_from(["!If", "!Ref", "!Sub", "!GetAtt", "&a", "*a", "[", "]", "{", "}", ":", "- ", "\n", "  ", "${", "'", '"', "\t", "|"])

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(TEMPLATE_TEXTS), st.integers(0, 4000), st.integers(0, 40), tokens)
    def check(text, at, cut, token):
        at = min(at, len(text))
        mutated = text[:at] + token + text[at + cut :]
        parse_yaml("fuzz.yaml", mutated)

    check()
