"""Deterministic benchmark corpus for mwaa-lint and its peers.

    python bench/make_corpus.py [OUT]               # the whole benchmark suite (default OUT: /tmp/mwaa-lint-bench/corpus)
    python bench/make_corpus.py --files 20 OUT      # one mixed corpus of 20 files, written straight into OUT

Every file is generated from a random generator seeded with (seed, corpus, index), so the same command always
writes the same bytes, and mixed-100 is the first 100 files of mixed-1000, which is the first 1,000 of mixed-10000.

Kinds: raw IAM JSON (plain documents, a few AWS CLI wrappers, account-authorization-details for large files),
CloudFormation YAML (short-form tags) and JSON, Terraform modules (a folder of 1-4 .tf files: jsonencode, heredoc and
aws_iam_policy_document policies) and Terraform plan JSON. Sizes are log-uniform between 1 and 30 KB; one item in
500 is a ~1 MB file. About a third of the files carry an MWAA finding (wildcard roles, airflow:*, typos, unknown
environments); the rest are clean MWAA execution roles, web-login/REST grants and unrelated IAM/S3/logs/SQS/KMS.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil

KIB = 1024
BIG_SIZE = 1024 * KIB
SMALL_SIZE = 4 * KIB  # the "one small file" of start-up targets
BIG_EVERY, BIG_OFFSET = 500, 37  # item 37, 537, 1037, ... is a ~1 MB file: 1 in mixed-100, 2 in 1,000, 20 in 10,000

MIX = [("iam-json", 30), ("cfn-yaml", 25), ("cfn-json", 10), ("tf", 25), ("plan", 10)]
ENVIRONMENTS = ["analytics", "etl-prod", "ml-pipelines", "reporting", "data-platform", "ingest", "finance-dags",
                "marketing-etl", "ops-airflow", "risk-models"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
ROLES = ["Viewer", "User", "Op", "Admin", "Public"]
VERSIONS = ["2.10.3", "2.9.2", "2.8.1", "2.7.2", "2.10.1"]
SERVICES = ["s3", "logs", "sqs", "kms", "cloudwatch", "ec2", "lambda", "dynamodb", "sns", "glue", "athena"]


# ---------------------------------------------------------------------------------------------------------------
# IAM statements: plain dicts; the IaC writers below turn symbolic values into their own syntax.

class Ctx:
    """What one generated item is about: an environment, an account, a region, and whether it has findings."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.env = rng.choice(ENVIRONMENTS) + rng.choice(["", "-dev", "-prod", "-staging"])
        self.account = "".join(rng.choice("0123456789") for _ in range(12))
        self.region = rng.choice(REGIONS)
        self.version = rng.choice(VERSIONS)
        self.bad = rng.random() < 0.33
        self.bucket = f"{self.env}-dags-{self.account[-4:]}"
        self.counter = 0

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def sid(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


def airflow_statement(ctx: Ctx) -> dict:
    rng = ctx.rng
    role = rng.choice(ROLES[:4])
    kind = rng.choice(["web", "web", "rest", "cli", "describe", "env"])
    if kind == "web":
        action, resource = "airflow:CreateWebLoginToken", ctx.arn("airflow", f"role/{ctx.env}/{role}")
    elif kind == "rest":
        action, resource = "airflow:InvokeRestApi", ctx.arn("airflow", f"role/{ctx.env}/{role}")
    elif kind == "cli":
        action, resource = "airflow:CreateCliToken", ctx.arn("airflow", f"environment/{ctx.env}")
    elif kind == "describe":
        action, resource = ["airflow:ListEnvironments"], "*"
    else:
        action = ["airflow:GetEnvironment", "airflow:ListTagsForResource"]
        resource = ctx.arn("airflow", f"environment/{ctx.env}")
    statement = {"Sid": ctx.sid("Airflow"), "Effect": "Allow", "Action": action, "Resource": resource}
    if kind in ("web", "rest", "cli") and rng.random() < 0.6:
        statement["Condition"] = {"StringEquals": {"aws:SourceVpc": f"vpc-{ctx.account[:8]}"}}
    return statement


def bad_statement(ctx: Ctx) -> dict:
    """A statement an MWAA linter should flag."""
    rng = ctx.rng
    choice = rng.randrange(6)
    if choice == 0:
        return {"Effect": "Allow", "Action": "airflow:*", "Resource": "*"}
    if choice == 1:
        return {"Effect": "Allow", "Action": "airflow:CreateWebLoginToken",
                "Resource": ctx.arn("airflow", f"role/{ctx.env}/*")}
    if choice == 2:
        return {"Effect": "Allow", "Action": ["airflow:CreateWebLoginTokn"],
                "Resource": ctx.arn("airflow", f"role/{ctx.env}/Viewer")}
    if choice == 3:
        return {"Effect": "Allow", "Action": "airflow:InvokeRestApi", "Resource": "*"}
    if choice == 4:
        return {"Effect": "Allow", "Action": "airflow:CreateWebLoginToken",
                "Resource": ctx.arn("airflow", f"role/{ctx.env}/viewer")}
    return {"Effect": "Allow", "Action": "airflow:Create*",
            "Resource": ctx.arn("airflow", f"environment/{ctx.env}")}


def other_statement(ctx: Ctx) -> dict:
    """An unrelated (non-airflow) statement of the kind that fills real policies."""
    rng = ctx.rng
    service = rng.choice(SERVICES)
    if service == "s3":
        actions = rng.sample(["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:PutObject", "s3:DeleteObject",
                              "s3:GetAccountPublicAccessBlock"], rng.randint(1, 4))
        resources = [f"arn:aws:s3:::{ctx.bucket}", f"arn:aws:s3:::{ctx.bucket}/*"]
    elif service == "logs":
        actions = ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents", "logs:GetLogEvents",
                   "logs:GetLogRecord", "logs:GetLogGroupFields", "logs:GetQueryResults"]
        resources = [ctx.arn("logs", f"log-group:airflow-{ctx.env}-*")]
    elif service == "sqs":
        actions = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                   "sqs:ReceiveMessage", "sqs:SendMessage"]
        resources = f"arn:aws:sqs:{ctx.region}:*:airflow-celery-*"
    elif service == "kms":
        statement = {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*",
                                                   "kms:Encrypt"],
                     "NotResource": f"arn:aws:kms:*:{ctx.account}:key/*",
                     "Condition": {"StringLike": {"kms:ViaService": [f"sqs.{ctx.region}.amazonaws.com"]}}}
        return statement
    elif service == "cloudwatch":
        actions, resources = "cloudwatch:PutMetricData", "*"
    else:
        verbs = ["Describe*", "Get*", "List*", "Put" + rng.choice(["Item", "Object", "Record"])]
        actions = [f"{service}:{v}" for v in rng.sample(verbs, rng.randint(1, 3))]
        resources = ctx.arn(service, f"{rng.choice(['table', 'function', 'topic', 'job'])}/{ctx.env}-"
                                     f"{rng.randrange(1000):03d}")
    statement = {"Sid": ctx.sid(service.capitalize()), "Effect": rng.choice(["Allow"] * 9 + ["Deny"]),
                 "Action": actions, "Resource": resources}
    if rng.random() < 0.15:
        statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": ctx.region}}
    return statement


def statements(ctx: Ctx, count: int) -> list:
    out = []
    for i in range(count):
        r = ctx.rng.random()
        out.append(airflow_statement(ctx) if r < 0.3 else other_statement(ctx))
    if ctx.bad:
        out.insert(ctx.rng.randrange(len(out) + 1), bad_statement(ctx))
    return out


def policy(ctx: Ctx, count: int) -> dict:
    return {"Version": "2012-10-17", "Statement": statements(ctx, count)}


def execution_policy(ctx: Ctx) -> dict:
    """The MWAA execution role policy from the AWS documentation, for this environment."""
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "airflow:PublishMetrics",
         "Resource": ctx.arn("airflow", f"environment/{ctx.env}")},
        {"Effect": "Allow", "Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"],
         "Resource": [f"arn:aws:s3:::{ctx.bucket}", f"arn:aws:s3:::{ctx.bucket}/*"]},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents",
                                       "logs:GetLogEvents", "logs:GetLogRecord", "logs:GetLogGroupFields",
                                       "logs:GetQueryResults"],
         "Resource": [ctx.arn("logs", f"log-group:airflow-{ctx.env}-*")]},
        {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
    ]}


TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": ["airflow.amazonaws.com",
                                                                           "airflow-env.amazonaws.com"]}}]}


# ---------------------------------------------------------------------------------------------------------------
# Raw IAM JSON

def iam_json(ctx: Ctx, target: int, plain: bool = False) -> str:
    rng = ctx.rng
    indent = rng.choice([2, 4, 4])
    if not plain and target > 12 * KIB and rng.random() < 0.5:
        return auth_details(ctx, target, indent)
    count = 2
    while True:
        document = policy(ctx, count)
        if not plain and rng.random() < 0.1:
            document = {"PolicyDocument": document}
        text = json.dumps(document, indent=indent) + "\n"
        if len(text) >= target:
            return text
        count = max(count + 1, int(count * target / len(text)))


def auth_details(ctx: Ctx, target: int, indent: int) -> str:
    """`aws iam get-account-authorization-details` output: many roles, each with inline policies."""
    rng = ctx.rng
    roles, size, n = [], 200, 0
    while size < target:
        n += 1
        name = f"{ctx.env}-{rng.choice(['reader', 'writer', 'analyst', 'ops', 'ci'])}-{n:04d}"
        role = {"Path": "/", "RoleName": name, "RoleId": f"AROA{n:016d}",
                "Arn": f"arn:aws:iam::{ctx.account}:role/{name}",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ctx.account}:root"},
                     "Action": "sts:AssumeRole"}]},
                "RolePolicyList": [{"PolicyName": f"inline-{k}", "PolicyDocument": policy(ctx, rng.randint(2, 6))}
                                   for k in range(rng.randint(1, 3))],
                "AttachedManagedPolicies": []}
        ctx.bad = ctx.bad and rng.random() < 0.5
        roles.append(role)
        size += len(json.dumps(role, indent=indent))
    return json.dumps({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles, "Policies": []},
                      indent=indent) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# CloudFormation: templates are built as dicts with Tag(...) values for intrinsics, then written as YAML or JSON.

class Tag:
    def __init__(self, name: str, value):
        self.name, self.value = name, value  # name without "!" or "Fn::", e.g. "Sub", "Ref", "GetAtt"


def cfn_arn(ctx: Ctx, service: str, resource: str):
    """An ARN written the way templates do: !Sub with pseudo parameters."""
    return Tag("Sub", f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


def cfn_statements(ctx: Ctx, count: int) -> list:
    out = []
    for statement in statements(ctx, count):
        resource = statement.get("Resource")
        if isinstance(resource, str) and resource.startswith("arn:aws:airflow:") and ctx.rng.random() < 0.6:
            tail = resource.split(":", 5)[5].replace(f"/{ctx.env}/", "/${MwaaEnvironment}/")
            tail = tail.replace(f"environment/{ctx.env}", "environment/${MwaaEnvironment}")
            statement = dict(statement, Resource=cfn_arn(ctx, "airflow", tail))
        out.append(statement)
    return out


def cfn_filler(ctx: Ctx, n: int) -> tuple:
    rng = ctx.rng
    kind = rng.choice(["bucket", "queue", "function", "sg", "loggroup", "topic"])
    if kind == "bucket":
        return f"DataBucket{n}", {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": Tag("Sub", f"${{AWS::StackName}}-data-{n}"),
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "LifecycleConfiguration": {"Rules": [{"Id": "expire", "Status": "Enabled",
                                                  "ExpirationInDays": rng.choice([30, 90, 365])}]},
            "Tags": [{"Key": "team", "Value": ctx.env}, {"Key": "cost-center", "Value": str(rng.randrange(9999))}]}}
    if kind == "queue":
        return f"WorkQueue{n}", {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": Tag("Sub", f"${{AWS::StackName}}-work-{n}"), "VisibilityTimeout": 300,
            "MessageRetentionPeriod": 1209600, "KmsMasterKeyId": "alias/aws/sqs"}}
    if kind == "function":
        code = "\n".join(["import json, os", "", "def handler(event, context):",
                          "    print(json.dumps(event))"] +
                         [f"    # step {i}: {rng.choice(['load', 'transform', 'validate', 'publish'])} batch"
                          for i in range(rng.randint(3, 30))] + ["    return {'statusCode': 200}", ""])
        return f"Handler{n}", {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Timeout": 60, "MemorySize": 256,
            "Role": Tag("GetAtt", "LambdaRole.Arn"), "Code": {"ZipFile": code},
            "Environment": {"Variables": {"ENV_NAME": Tag("Ref", "MwaaEnvironment"), "STAGE": "prod"}}}}
    if kind == "sg":
        return f"SecurityGroup{n}", {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": f"Security group {n} for {ctx.env}", "VpcId": Tag("Ref", "VpcId"),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "CidrIp": "10.0.0.0/16"}
                                     for p in rng.sample([22, 80, 443, 5432, 6379, 8080], 3)]}}
    if kind == "loggroup":
        return f"LogGroup{n}", {"Type": "AWS::Logs::LogGroup", "Properties": {
            "LogGroupName": Tag("Sub", f"/aws/{ctx.env}/component-{n}"), "RetentionInDays": 30}}
    return f"Topic{n}", {"Type": "AWS::SNS::Topic", "Properties": {
        "TopicName": Tag("Sub", f"${{AWS::StackName}}-alerts-{n}"),
        "Subscription": [{"Protocol": "email", "Endpoint": f"team-{n}@example.com"}]}}


def cfn_template(ctx: Ctx, target: int, writer) -> str:
    rng = ctx.rng
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"MWAA environment {ctx.env} and the IAM roles that use it",
        "Parameters": {
            "EnvironmentName": {"Type": "String", "Default": ctx.env},
            "AirflowVersion": {"Type": "String", "Default": ctx.version},
            "VpcId": {"Type": "AWS::EC2::VPC::Id"},
            "SubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>"},
        },
        "Resources": {
            "MwaaEnvironment": {"Type": "AWS::MWAA::Environment", "Properties": {
                "Name": Tag("Ref", "EnvironmentName"), "AirflowVersion": Tag("Ref", "AirflowVersion"),
                "WebserverAccessMode": rng.choice(["PRIVATE_ONLY", "PUBLIC_ONLY"]),
                "SourceBucketArn": f"arn:aws:s3:::{ctx.bucket}", "DagS3Path": "dags",
                "ExecutionRoleArn": Tag("GetAtt", "ExecutionRole.Arn"),
                "NetworkConfiguration": {"SecurityGroupIds": [Tag("Ref", "SecurityGroup0")],
                                         "SubnetIds": Tag("Ref", "SubnetIds")}}},
            "ExecutionRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": TRUST,
                "Policies": [{"PolicyName": "mwaa-execution", "PolicyDocument": execution_policy(ctx)}]}},
            "LambdaRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                     "Action": "sts:AssumeRole"}]},
                "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]}},
            "SecurityGroup0": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "MWAA", "VpcId": Tag("Ref", "VpcId")}},
        },
        "Outputs": {"EnvironmentArn": {"Value": Tag("GetAtt", "MwaaEnvironment.Arn")}},
    }
    resources = template["Resources"]
    n = 0
    text = writer(template)
    while len(text) < target:
        n += 1
        if rng.random() < 0.35:
            name = f"AnalystRole{n}"
            role = {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": Tag("Sub", "arn:${AWS::Partition}:iam::"
                                                                       "${AWS::AccountId}:root")},
                     "Action": "sts:AssumeRole"}]},
                "Policies": [{"PolicyName": f"airflow-{n}", "PolicyDocument": {
                    "Version": "2012-10-17", "Statement": cfn_statements(ctx, rng.randint(1, 5))}}]}}
            if rng.random() < 0.2:
                role["Metadata"] = {"mwaa-lint": {"calls": ["GET /dags", "GET /dags/{dag_id}/dagRuns"]}}
            resources[name] = role
            if rng.random() < 0.3:
                resources[f"ManagedPolicy{n}"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
                    "Roles": [Tag("Ref", name)], "PolicyDocument": {
                        "Version": "2012-10-17", "Statement": cfn_statements(ctx, rng.randint(1, 4))}}}
            ctx.bad = ctx.bad and rng.random() < 0.5
        else:
            name, resource = cfn_filler(ctx, n)
            resources[name] = resource
        if n % 8 == 0 or len(text) > target - 4 * KIB:
            text = writer(template)
    return text


def yaml_scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    plain_ok = (text and not text[0] in "!&*-?{}[]|>'\"%@`#,:" and ": " not in text and " #" not in text
                and not text.endswith(":") and text.strip() == text and text not in ("true", "false", "null", "yes", "no")
                and not text[0].isdigit() and "\n" not in text)
    return text if plain_ok else json.dumps(text)


def yaml_lines(value, indent: int, out: list) -> None:
    """Block-style YAML with CloudFormation short-form tags."""
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{yaml_scalar(key)}:"
            if isinstance(item, Tag):
                out.append(f"{head} {yaml_tag(item)}")
            elif isinstance(item, (dict, list)) and item:
                out.append(head)
                yaml_lines(item, indent + 2, out)
            elif isinstance(item, str) and "\n" in item:
                out.append(f"{head} |")
                out.extend(f"{pad}  {line}" if line else "" for line in item.rstrip("\n").split("\n"))
            else:
                out.append(f"{head} {yaml_scalar(item) if not isinstance(item, (dict, list)) else json.dumps(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                sub: list = []
                yaml_lines(item, indent + 2, sub)
                out.append(f"{pad}- {sub[0].lstrip()}")
                out.extend(sub[1:])
            elif isinstance(item, Tag):
                out.append(f"{pad}- {yaml_tag(item)}")
            else:
                out.append(f"{pad}- {yaml_scalar(item)}")


def yaml_tag(tag: Tag) -> str:
    if isinstance(tag.value, str):
        return f"!{tag.name} {yaml_scalar(tag.value)}"
    return f"!{tag.name} {json.dumps(tag.value)}"


def cfn_yaml(template: dict) -> str:
    out: list = []
    yaml_lines(template, 0, out)
    return "\n".join(out) + "\n"


def to_json_intrinsics(value):
    if isinstance(value, Tag):
        if value.name == "Ref":
            return {"Ref": value.value}
        if value.name == "GetAtt":
            return {"Fn::GetAtt": value.value.split(".", 1)}
        return {f"Fn::{value.name}": value.value}
    if isinstance(value, dict):
        return {k: to_json_intrinsics(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_intrinsics(v) for v in value]
    return value


def cfn_json(template: dict) -> str:
    return json.dumps(to_json_intrinsics(template), indent=2) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# Terraform HCL modules

def hcl(value, indent: int = 0) -> str:
    """An HCL expression for a JSON-like value (jsonencode bodies, locals)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        keys = {k: (k if k.replace("_", "").isalnum() else json.dumps(k)) for k in value}
        width = max(len(k) for k in keys.values())
        lines = [f"{pad}  {keys[k].ljust(width)} = {hcl(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value) and sum(len(v) for v in value) < 90:
            return "[" + ", ".join(json.dumps(v) for v in value) + "]"
        return "[\n" + ",\n".join(f"{pad}  {hcl(v, indent + 2)}" for v in value) + f",\n{pad}]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def tf_policy_resource(ctx: Ctx, n: int) -> str:
    rng = ctx.rng
    document = policy(ctx, rng.randint(1, 5))
    style = rng.choice(["jsonencode", "jsonencode", "heredoc", "document"])
    attach = rng.choice([("aws_iam_role_policy", "role", "aws_iam_role.analyst.id"),
                         ("aws_iam_policy", None, None)])
    for statement in document["Statement"]:
        resource = statement.get("Resource")
        if isinstance(resource, str) and f"/{ctx.env}/" in resource and rng.random() < 0.5:
            statement["Resource"] = resource.replace(f"/{ctx.env}/", "/${aws_mwaa_environment.this.name}/")
    if style == "document":
        blocks = []
        for statement in document["Statement"]:
            actions = statement.get("Action")
            actions = [actions] if isinstance(actions, str) else actions
            lines = [f'    effect    = "{statement["Effect"]}"', f"    actions   = {hcl(actions, 4)}"]
            if "Resource" in statement:
                res = statement["Resource"]
                lines.append(f"    resources = {hcl([res] if isinstance(res, str) else res, 4)}")
            else:
                lines.append(f"    not_resources = {hcl([statement['NotResource']])}")
            for test, pairs in statement.get("Condition", {}).items():
                for variable, values in pairs.items():
                    values = [values] if isinstance(values, str) else values
                    lines.append(f'    condition {{\n      test     = "{test}"\n      variable = "{variable}"\n'
                                 f"      values   = {hcl(values)}\n    }}")
            blocks.append("  statement {\n" + "\n".join(lines) + "\n  }")
        body = f'data "aws_iam_policy_document" "doc{n}" {{\n' + "\n".join(blocks) + "\n}\n\n"
        value = f"data.aws_iam_policy_document.doc{n}.json"
    elif style == "heredoc":
        body = ""
        value = "<<-EOF\n" + "\n".join("    " + line for line in json.dumps(document, indent=2).split("\n")) \
                + "\n  EOF"
    else:
        body = ""
        value = "jsonencode(" + hcl(document, 2) + ")"
    kind, key, ref = attach
    lines = [f'resource "{kind}" "p{n}" {{', f'  name   = "{ctx.env}-policy-{n}"']
    if key:
        lines.append(f"  {key}   = {ref}")
    lines.append(f"  policy = {value}")
    return body + "\n".join(lines) + "\n}\n"


def tf_filler(ctx: Ctx, n: int) -> str:
    rng = ctx.rng
    kind = rng.choice(["bucket", "sg", "loggroup", "queue", "lambda"])
    if kind == "bucket":
        return (f'resource "aws_s3_bucket" "data{n}" {{\n  bucket = "${{var.name}}-data-{n}"\n  tags = {{\n'
                f'    team        = "{ctx.env}"\n    cost_center = "{rng.randrange(9999)}"\n  }}\n}}\n\n'
                f'resource "aws_s3_bucket_versioning" "data{n}" {{\n  bucket = aws_s3_bucket.data{n}.id\n'
                f'  versioning_configuration {{\n    status = "Enabled"\n  }}\n}}\n')
    if kind == "sg":
        rules = "".join(f'  ingress {{\n    from_port   = {p}\n    to_port     = {p}\n    protocol    = "tcp"\n'
                        f'    cidr_blocks = ["10.0.0.0/16"]\n  }}\n' for p in rng.sample([22, 80, 443, 5432, 8080], 3))
        return (f'resource "aws_security_group" "sg{n}" {{\n  name   = "${{var.name}}-sg-{n}"\n'
                f"  vpc_id = var.vpc_id\n{rules}}}\n")
    if kind == "loggroup":
        return (f'resource "aws_cloudwatch_log_group" "lg{n}" {{\n  name              = "/aws/{ctx.env}/c{n}"\n'
                f"  retention_in_days = 30\n}}\n")
    if kind == "queue":
        return (f'resource "aws_sqs_queue" "q{n}" {{\n  name                       = "${{var.name}}-q{n}"\n'
                f"  visibility_timeout_seconds = 300\n  kms_master_key_id          = \"alias/aws/sqs\"\n}}\n")
    return (f'resource "aws_lambda_function" "fn{n}" {{\n  function_name = "${{var.name}}-fn{n}"\n'
            f'  role          = aws_iam_role.analyst.arn\n  handler       = "index.handler"\n'
            f'  runtime       = "python3.12"\n  filename      = "lambda.zip"\n  environment {{\n'
            f"    variables = {{\n      ENV_NAME = aws_mwaa_environment.this.name\n    }}\n  }}\n}}\n")


def tf_main(ctx: Ctx) -> str:
    return f'''resource "aws_mwaa_environment" "this" {{
  name                  = var.name
  airflow_version       = "{ctx.version}"
  webserver_access_mode = "{ctx.rng.choice(["PRIVATE_ONLY", "PUBLIC_ONLY"])}"
  execution_role_arn    = aws_iam_role.execution.arn
  source_bucket_arn     = "arn:aws:s3:::{ctx.bucket}"
  dag_s3_path           = "dags/"
  network_configuration {{
    security_group_ids = [aws_security_group.mwaa.id]
    subnet_ids         = var.subnet_ids
  }}
}}

resource "aws_security_group" "mwaa" {{
  name   = "${{var.name}}-mwaa"
  vpc_id = var.vpc_id
}}

resource "aws_iam_role" "execution" {{
  name               = "${{var.name}}-execution"
  assume_role_policy = jsonencode({hcl(TRUST, 2)})
}}

resource "aws_iam_role_policy" "execution" {{
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = jsonencode({hcl(execution_policy(ctx), 2)})
}}

resource "aws_iam_role" "analyst" {{
  name = "${{var.name}}-analyst"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ AWS = "arn:aws:iam::{ctx.account}:root" }} }}]
  }})
}}
'''


def tf_variables(ctx: Ctx) -> str:
    return (f'variable "name" {{\n  type    = string\n  default = "{ctx.env}"\n}}\n\n'
            f'variable "vpc_id" {{\n  type = string\n}}\n\nvariable "subnet_ids" {{\n  type = list(string)\n}}\n')


def tf_module(ctx: Ctx, targets: list) -> dict:
    """A Terraform module: {file name: text}, one file per target size (main.tf first)."""
    names = ["main.tf", "iam.tf", "storage.tf", "variables.tf"][:len(targets)]
    files = {}
    n = 0
    for name, target in zip(names, targets):
        parts = [tf_main(ctx)] if name == "main.tf" else []
        if name == "variables.tf":
            parts.append(tf_variables(ctx))
        if "variables.tf" not in names and name == "main.tf":
            parts.append(tf_variables(ctx))
        size = sum(len(p) for p in parts)
        while size < target:
            n += 1
            part = tf_policy_resource(ctx, n) if (name != "storage.tf" and ctx.rng.random() < 0.5) \
                else tf_filler(ctx, n)
            ctx.bad = ctx.bad and ctx.rng.random() < 0.6
            parts.append(part)
            size += len(part) + 1
        files[name] = "\n".join(parts)
    return files


# ---------------------------------------------------------------------------------------------------------------
# Terraform plan JSON (`terraform show -json`)

def plan_resource(ctx: Ctx, n: int, module: str = "") -> dict:
    rng = ctx.rng
    prefix = f"{module}." if module else ""
    r = rng.random()
    if r < 0.45:
        kind = rng.choice(["aws_iam_policy", "aws_iam_role_policy"])
        values = {"name": f"{ctx.env}-p{n}", "policy": json.dumps(policy(ctx, rng.randint(1, 5)),
                                                                     separators=(",", ":"))}
        if kind == "aws_iam_role_policy":
            values["role"] = f"{ctx.env}-analyst"
        else:
            values.update({"description": "", "path": "/", "tags": None})
        ctx.bad = ctx.bad and rng.random() < 0.5
    elif r < 0.6:
        kind = "aws_iam_role"
        values = {"name": f"{ctx.env}-role{n}", "assume_role_policy": json.dumps(TRUST, separators=(",", ":")),
                  "inline_policy": [], "max_session_duration": 3600, "path": "/", "tags": None}
    else:
        kind = rng.choice(["aws_s3_bucket", "aws_sqs_queue", "aws_cloudwatch_log_group"])
        values = {"bucket" if kind == "aws_s3_bucket" else "name": f"{ctx.env}-{kind[4:]}-{n}",
                  "force_destroy": False, "tags": {"team": ctx.env}, "tags_all": {"team": ctx.env},
                  "timeouts": None}
    name = f"r{n}"
    return {"address": f"{prefix}{kind}.{name}", "mode": "managed", "type": kind, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": values,
            "sensitive_values": {"tags_all": {}}}


def plan_json(ctx: Ctx, target: int) -> str:
    rng = ctx.rng
    env = {"address": "aws_mwaa_environment.this", "mode": "managed", "type": "aws_mwaa_environment",
           "name": "this", "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
           "values": {"name": ctx.env, "airflow_version": ctx.version,
                      "webserver_access_mode": rng.choice(["PRIVATE_ONLY", "PUBLIC_ONLY"]),
                      "source_bucket_arn": f"arn:aws:s3:::{ctx.bucket}", "dag_s3_path": "dags/"},
           "sensitive_values": {}}
    root, children = [env], []
    n, size = 0, 600
    while size * 2 < target:  # resource_changes repeats every resource
        n += 1
        if rng.random() < 0.2 or not children:
            if rng.random() < 0.3 or not children:
                children.append({"address": f"module.m{len(children)}", "resources": []})
            resource = plan_resource(ctx, n, children[-1]["address"])
            children[-1]["resources"].append(resource)
        else:
            resource = plan_resource(ctx, n)
            root.append(resource)
        size += len(json.dumps(resource))
    changes = []
    for resource in root + [r for c in children for r in c["resources"]]:
        changes.append({"address": resource["address"], "mode": "managed", "type": resource["type"],
                        "name": resource["name"], "provider_name": resource["provider_name"],
                        "change": {"actions": ["create"], "before": None, "after": resource["values"],
                                   "after_unknown": {"arn": True, "id": True}, "before_sensitive": False,
                                   "after_sensitive": {}}})
    plan = {"format_version": "1.2", "terraform_version": "1.9.5",
            "planned_values": {"root_module": {"resources": root, "child_modules": children}},
            "resource_changes": changes, "configuration": {"root_module": {}}}
    return json.dumps(plan, indent=rng.choice([None, 2])) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# Corpora

def size_for(rng: random.Random) -> int:
    return int(KIB * 30 ** rng.random())  # log-uniform 1-30 KB


def item(seed: int, corpus: str, index: int, kind: str, big: bool = False, size: int = 0) -> dict:
    """One generated item: {relative path: text}; a Terraform module is several files in one folder."""
    rng = random.Random(f"{seed}:{corpus}:{index}")
    ctx = Ctx(rng)
    target = size or (BIG_SIZE if big else size_for(rng))
    stem = f"{ctx.env}-{index:05d}"
    if kind == "iam-json":
        return {f"{stem}-policy.json": iam_json(ctx, target)}
    if kind == "iam-json-plain":
        return {f"{stem}-policy.json": iam_json(ctx, target, plain=True)}
    if kind == "cfn-yaml":
        return {f"{stem}-stack.yaml": cfn_template(ctx, target, cfn_yaml)}
    if kind == "cfn-json":
        return {f"{stem}-stack.template.json": cfn_template(ctx, target, cfn_json)}
    if kind == "tf":
        count = 1 if big or size else rng.choice([1, 2, 2, 3, 4])
        targets = [target] + [size_for(rng) for _ in range(count - 1)]
        return {f"{stem}-tf/{name}": text for name, text in tf_module(ctx, targets).items()}
    if kind == "plan":
        return {f"{stem}-plan.json": plan_json(ctx, target)}
    raise ValueError(kind)


def write_corpus(out: str, seed: int, corpus: str, files: int, mix: list, big: bool = True,
                 group: int = 50) -> int:
    """Write `files` files of the given kind mix into `out`; returns the number of bytes written."""
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    kinds = [k for k, w in mix for _ in range(w)]
    written = total = index = 0
    while written < files:
        chooser = random.Random(f"{seed}:{corpus}:kind:{index}")
        kind = chooser.choice(kinds)
        is_big = big and index % BIG_EVERY == BIG_OFFSET
        members = item(seed, corpus, index, kind, is_big)
        for rel, text in list(members.items())[:files - written]:
            path = os.path.join(out, f"g{index // group:03d}", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            written += 1
            total += len(text.encode())
        index += 1
    return total


def write_single(out: str, seed: int, name: str, kind: str, size: int) -> list:
    """One file (a one-file module for .tf) in its own folder; returns its path."""
    if os.path.isdir(out):
        shutil.rmtree(out)
    paths = []
    for rel, text in item(seed, name, 0, kind, size=size).items():
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        paths.append(path)
    return paths


def write_irrelevant(out: str) -> None:
    """Files a pre-commit hook passes that are none of the linter's kinds."""
    os.makedirs(os.path.join(out, ".github", "workflows"), exist_ok=True)
    files = {
        "package.json": json.dumps({"name": "dags", "version": "1.0.0", "scripts": {"test": "jest"},
                                    "devDependencies": {"jest": "^29.0.0"}}, indent=2) + "\n",
        ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                                    "    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
        "docker-compose.yaml": "services:\n  airflow:\n    image: apache/airflow:2.10.3\n    ports: ['8080:8080']\n",
        "tsconfig.json": json.dumps({"compilerOptions": {"strict": True, "target": "es2020"}}, indent=2) + "\n",
        "README.md": "# DAGs\n\nNothing to lint here.\n",
    }
    for rel, text in files.items():
        with open(os.path.join(out, rel), "w", encoding="utf-8") as stream:
            stream.write(text)


SINGLE_KINDS = ["iam-json", "cfn-yaml", "cfn-json", "tf", "plan"]


def write_suite(out: str, seed: int, sizes: list) -> None:
    os.makedirs(out, exist_ok=True)
    report = []
    for n in sizes:
        total = write_corpus(os.path.join(out, f"mixed-{n}"), seed, "mixed", n, MIX)
        report.append((f"mixed-{n}", n, total))
    # Each peer's own corpus (no 1 MB files), and its first 200 files for peers too slow for 1,000.
    own = {"parliament": [("iam-json-plain", 1)],
           "cfn-lint": [("cfn-yaml", 3), ("cfn-json", 1)],
           "checkov": [("tf", 1), ("cfn-yaml", 1)]}
    for peer, mix in own.items():
        for n in (1000, 200):
            total = write_corpus(os.path.join(out, f"own-{peer}-{n}"), seed, f"own-{peer}", n, mix, big=False)
            report.append((f"own-{peer}-{n}", n, total))
    # Per kind: 200 small files (T3) and one small and one ~1 MB file (T1, T8).
    for kind in SINGLE_KINDS:
        total = write_corpus(os.path.join(out, f"kind-{kind}-200"), seed, f"kind-{kind}", 200, [(kind, 1)],
                             big=False)
        report.append((f"kind-{kind}-200", 200, total))
        write_single(os.path.join(out, f"small-{kind}"), seed, f"small-{kind}", kind, SMALL_SIZE)
        write_single(os.path.join(out, f"big-{kind}"), seed, f"big-{kind}", kind, BIG_SIZE)
    # Pre-commit style: 20 files (mixed kinds plus files that are none of them), and a folder with nothing to lint.
    write_corpus(os.path.join(out, "precommit-20"), seed, "precommit", 15, MIX, big=False)
    write_irrelevant(os.path.join(out, "precommit-20"))
    none = os.path.join(out, "none")
    if os.path.isdir(none):
        shutil.rmtree(none)
    os.makedirs(none)
    write_irrelevant(none)
    for name, n, total in report:
        print(f"{name:28} {n:6} files {total / 1e6:8.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", default="/tmp/mwaa-lint-bench/corpus")
    parser.add_argument("--files", type=int, help="write one mixed corpus of this many files into OUT")
    parser.add_argument("--sizes", default="100,1000,10000", help="mixed corpus sizes of the full suite")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    if args.files:
        total = write_corpus(args.out, args.seed, "mixed", args.files, MIX)
        print(f"{args.out}: {args.files} files, {total / 1e6:.1f} MB")
    else:
        write_suite(args.out, args.seed, [int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
