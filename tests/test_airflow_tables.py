"""Airflow endpoint/role tables: known facts, the loading API, and the generator (no network)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from linter.airflow import (
    ROLE_ORDER,
    UnknownAirflowVersion,
    closest_endpoints,
    effective_permissions,
    endpoints_report,
    known_versions,
    least_role,
    least_role_report,
    load_table,
    match_call,
    missing_permissions,
    parse_call,
    resolve_call,
    version_info,
    version_status,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "linter" / "airflow" / "data"
TEST_SOURCE = Path(__file__).resolve().parent / "data" / "airflow_tables" / "airflow-2.10.3"
sys.path.insert(0, str(ROOT / "tools"))

from airflow_tables import authmgr_fab_v1, authmgr_fab_v2, authmgr_fab_v3, authmgr_legacy  # noqa: E402
from airflow_tables.checks import Check  # noqa: E402
from airflow_tables.fab_source import FabData  # noqa: E402
from airflow_tables.pysource import SourceTree, Sym, Unresolvable  # noqa: E402

MWAA_VERSIONS = ("2.4.3", "2.5.1", "2.6.3", "2.7.2", "2.8.1", "2.9.2", "2.10.1", "2.10.3", "2.11.0", "3.0.6")
NEWER = ("2.11.2", "3.2.1", "3.3.1")
AUDIT_LOG_READ = ("can_read", "Audit Logs")


def role_of(version: str, call: str) -> str | None:
    table = load_table(version)
    endpoint = match_call(table, call)
    assert endpoint is not None, resolve_call(table, call).explanation
    return least_role(table, endpoint.permissions)


# -- known facts -------------------------------------------------------------------------------------------------
def test_every_mwaa_version_has_a_table():
    assert set(MWAA_VERSIONS + NEWER) <= set(known_versions())


@pytest.mark.parametrize("version", MWAA_VERSIONS + NEWER)
def test_event_logs_need_audit_log_read(version):
    table = load_table(version)
    endpoint = match_call(table, "GET /eventLogs")
    assert endpoint.path == "/eventLogs"
    assert AUDIT_LOG_READ in endpoint.permissions
    expected = "Viewer" if version in ("2.4.3", "2.5.1", "2.6.3", "2.7.2", "2.8.1") else "Admin"
    assert least_role(table, endpoint.permissions) == expected  # Admin-only since 2.9.2 (CVE-2024-26280)


def test_event_logs_on_airflow_3_is_served_under_api_v2():
    table = load_table("3.0.6")
    assert table.api_prefix == "/api/v2"
    endpoint = match_call(table, "GET /api/v2/eventLogs")
    assert endpoint.path == "/eventLogs" and endpoint.api_prefix == "/api/v2"
    assert endpoint.permissions == (AUDIT_LOG_READ,)


@pytest.mark.parametrize("version", MWAA_VERSIONS + NEWER)
def test_trigger_dag_run_needs_dag_edit_and_run_create(version):
    endpoint = match_call(load_table(version), "POST /dags/{dag_id}/dagRuns")
    assert {("can_edit", "DAGs"), ("can_create", "DAG Runs")} <= set(endpoint.permissions)
    assert role_of(version, "POST /dags/{dag_id}/dagRuns") == "User"


@pytest.mark.parametrize("version", MWAA_VERSIONS + NEWER)
@pytest.mark.parametrize(
    "call",
    ["GET /variables", "POST /variables", "DELETE /variables/{variable_key}", "GET /connections",
     "POST /connections", "PATCH /connections/{connection_id}"],
)
def test_variables_and_connections_need_op(version, call):
    assert role_of(version, call) == "Op"


@pytest.mark.parametrize("version", [v for v in MWAA_VERSIONS + NEWER if v.startswith("2.")])
@pytest.mark.parametrize("call", ["GET /roles", "POST /roles", "GET /users", "DELETE /users/{username}",
                                  "GET /permissions"])
def test_roles_and_users_need_admin_on_airflow_2(version, call):
    assert role_of(version, call) == "Admin"


@pytest.mark.parametrize("version", ["3.0.6", "3.2.1", "3.3.1"])
def test_airflow_3_has_no_roles_or_users_endpoints_under_api_v2(version):
    # Airflow 3 serves them from the FAB provider's own API (/auth/fab/v1), which InvokeRestApi does not reach.
    table = load_table(version)
    for call in ("GET /roles", "GET /users"):
        assert resolve_call(table, call).reason == "unknown-path"


@pytest.mark.parametrize("version", MWAA_VERSIONS + NEWER)
def test_health_and_version_are_public(version):
    health = "GET /health" if version.startswith("2.") else "GET /monitor/health"
    assert role_of(version, health) == "Public"
    assert role_of(version, "GET /version") == "Public"


@pytest.mark.parametrize("version", MWAA_VERSIONS + NEWER)
def test_default_roles_nest(version):
    table = load_table(version)
    for weaker, stronger in zip(ROLE_ORDER, ROLE_ORDER[1:]):
        assert table.roles[weaker] <= table.roles[stronger], (weaker, stronger)
    assert table.roles["Public"] == frozenset()


def test_airflow_3_0_xcom_writes_are_held_by_no_default_role():
    # FAB provider 2.x never creates XComs.can_create/can_edit (apache/airflow#60315 added them later).
    table = load_table("3.0.6")
    assert role_of("3.0.6", "POST /dags/d/dagRuns/r/taskInstances/t/xcomEntries") is None
    assert ("can_create", "XComs") not in table.roles["Admin"]


def test_airflow_2_8_counts_menu_access_as_read():
    table = load_table("2.8.1")
    assert table.menu_access_counts_as_read
    assert effective_permissions(table, [("menu_access", "Variables")]) == {("can_read", "Variables")}
    assert effective_permissions(load_table("2.10.3"), [("menu_access", "Variables")]) == {
        ("menu_access", "Variables")
    }


# -- data files --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", MWAA_VERSIONS + NEWER)
def test_data_files_are_canonical(version):
    path = DATA / f"airflow-{version}.json"
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    keys = [(e["path"], e["method"]) for e in doc["endpoints"]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert doc["airflow_version"] == version
    assert doc["generated_from"]["apache-airflow"] == version


def test_versions_status():
    assert version_status("2.10.3") == "supported"
    assert version_status("3.0.6") == "supported"
    assert version_status("2.6.3") == "end-of-support"
    assert version_info("2.4.3").end_of_support == "2025-12-30"
    assert version_status("2.2.2") == "end-of-support"
    assert version_status("1.10.0") == "end-of-support"  # older than anything listed
    assert version_status("3.3.1") == "newer"
    assert version_status("2.9.0") == "unknown"
    assert "docs.aws.amazon.com" in version_info("2.10.3").source


@pytest.mark.parametrize("version", ["2.9.0", "2.10.2", "4.0.0", "latest"])
def test_unknown_version_has_no_table(version):
    with pytest.raises(UnknownAirflowVersion) as err:
        load_table(version)
    assert isinstance(err.value, ValueError)
    assert "2.10.3" in str(err.value)


# -- declared calls ----------------------------------------------------------------------------------------------
def test_match_template_and_concrete_paths():
    table = load_table("2.10.3")
    assert match_call(table, "POST /dags/{dag_id}/dagRuns").path == "/dags/{dag_id}/dagRuns"
    assert match_call(table, "GET /dags/my_dag/dagRuns/manual__2026-01-01").path == "/dags/{dag_id}/dagRuns/{dag_run_id}"
    assert match_call(table, "GET /api/v1/dags/my_dag/dagRuns").path == "/dags/{dag_id}/dagRuns"
    assert match_call(table, "get /dags/my_dag/dagRuns").method == "GET"
    assert match_call(table, "GET /dags/~/dagRuns?limit=10").path == "/dags/{dag_id}/dagRuns"
    assert match_call(table, "GET /eventLogs/").path == "/eventLogs"


def test_literal_segments_win_over_templates():
    table = load_table("2.10.3")
    assert match_call(table, "POST /dags/~/dagRuns/list").operation_id == "get_dag_runs_batch"
    assert match_call(table, "GET /dags/d/dagRuns/r/taskInstances/t/xcomEntries").operation_id == "get_xcom_entries"


def test_file_token_and_slash_parameters():
    table2 = load_table("2.10.3")
    assert match_call(table2, "GET /dagSources/Ii9maWxlcy9kYWdzL2V4YW1wbGUucHki.abc-_~").path == "/dagSources/{file_token}"
    table3 = load_table("3.0.6")
    # /variables/{variable_key:path}: a key may contain slashes in Airflow 3
    assert match_call(table3, "GET /api/v2/variables/team/a/key").path == "/variables/{variable_key}"
    assert match_call(table3, "DELETE /pools/my/pool").path == "/pools/{pool_name}"


def test_wrong_prefix_is_explained():
    table = load_table("3.0.6")
    resolution = resolve_call(table, "GET /api/v1/eventLogs")
    assert resolution.endpoint is None and match_call(table, "GET /api/v1/eventLogs") is None
    assert resolution.reason == "wrong-prefix" and resolution.expected_prefix == "/api/v2"
    assert "/api/v2" in resolution.explanation
    assert resolution.suggestions[0].path == "/eventLogs"


def test_unknown_path_suggests_the_closest_endpoint():
    table = load_table("2.10.3")
    resolution = resolve_call(table, "GET /eventLog")
    assert resolution.reason == "unknown-path"
    assert resolution.suggestions[0].call == "GET /eventLogs"
    assert "did you mean GET /eventLogs" in resolution.explanation
    assert closest_endpoints(table, "GET", "/variable")[0].path in ("/variables", "/variables/{variable_key}")


def test_method_not_allowed():
    resolution = resolve_call(load_table("2.10.3"), "PUT /eventLogs")
    assert resolution.reason == "method-not-allowed" and resolution.allowed_methods == ("GET",)


def test_long_concrete_path_is_flagged():
    resolution = resolve_call(load_table("2.10.3"), "GET /dags/" + "d" * 60 + "/dagRuns")
    assert resolution.endpoint is not None and resolution.path_too_long


@pytest.mark.parametrize("text", ["", "GET", "FETCH /eventLogs", "GET eventLogs", "GET /a /b", None])
def test_parse_call_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_call(text)


def test_parse_call():
    assert parse_call(" get /api/v2/dags/x ") == ("GET", "/dags/x", "/api/v2")
    assert parse_call("DELETE /variables/k") == ("DELETE", "/variables/k", None)


def test_missing_permissions():
    table = load_table("2.10.3")
    perms = match_call(table, "GET /eventLogs").permissions
    assert missing_permissions(table, "Op", perms) == [AUDIT_LOG_READ]
    assert missing_permissions(table, "Admin", perms) == []
    with pytest.raises(ValueError):
        missing_permissions(table, "admin", perms)


# -- reports (SPEC §9) -------------------------------------------------------------------------------------------
def test_endpoints_report_json_shape():
    doc = json.loads(endpoints_report("2.10.3", fmt="json"))
    assert list(doc) == ["airflow_version", "endpoints"]
    entry = next(e for e in doc["endpoints"] if e["path"] == "/eventLogs")
    assert list(entry) == ["method", "api_prefix", "path", "permissions", "least_role"]
    assert entry == {"method": "GET", "api_prefix": "/api/v1", "path": "/eventLogs",
                     "permissions": [["can_read", "Audit Logs"]], "least_role": "Admin"}


def test_endpoints_report_role_filter_and_text():
    doc = json.loads(endpoints_report("2.10.3", role="Viewer", fmt="json"))
    assert {e["least_role"] for e in doc["endpoints"]} <= {"Public", "Viewer"}
    assert not any(e["path"] == "/eventLogs" for e in doc["endpoints"])
    text = endpoints_report("2.10.3", role="Op")
    assert "GET     /variables" in text and "Audit Logs" not in text
    with pytest.raises(ValueError):
        endpoints_report("2.10.3", role="Ops")


def test_least_role_report_json_shape():
    doc = json.loads(least_role_report("2.10.3", ["GET /eventLogs", "POST /dags/{dag_id}/dagRuns"], fmt="json"))
    assert list(doc) == ["airflow_version", "calls", "least_role", "missing"]
    assert doc["calls"][0] == {"call": "GET /eventLogs", "method": "GET", "path": "/eventLogs",
                               "permissions": [["can_read", "Audit Logs"]]}
    assert doc["least_role"] == "Admin"
    assert list(doc["missing"]) == ["Op", "User", "Viewer", "Public"]
    assert doc["missing"]["Op"] == [["can_read", "Audit Logs"]]
    assert ["can_create", "DAG Runs"] in doc["missing"]["Viewer"]


def test_least_role_report_text_and_errors():
    text = least_role_report("3.0.6", ["GET /api/v2/dags/my_dag/dagRuns/manual__2026-01-01"])
    assert "Least default role: Viewer" in text
    with pytest.raises(ValueError, match="did you mean GET /eventLogs"):
        least_role_report("2.10.3", ["GET /eventLog"])
    with pytest.raises(ValueError, match="/api/v2"):
        least_role_report("3.0.6", ["GET /api/v1/eventLogs"])


# -- generator ---------------------------------------------------------------------------------------------------
def test_generator_reproduces_committed_entries_from_cached_source():
    pytest.importorskip("yaml")
    from airflow_tables import connexion_v1, generate

    tree = SourceTree([TEST_SOURCE], "2.10.3")
    raw = connexion_v1.extract(tree)
    translator, data = generate.pick_translator(tree, raw)
    assert translator is authmgr_fab_v1
    committed = {(e["method"], e["path"]): e for e in json.loads((DATA / "airflow-2.10.3.json").read_text())["endpoints"]}
    assert len(raw) == 4
    for endpoint in raw:
        perms = sorted({p for c in endpoint.checks for p in generate.translate(translator, data, c, tree)})
        entry = committed[(endpoint.method, endpoint.path)]
        assert [list(p) for p in perms] == entry["permissions"]
        assert endpoint.operation_id == entry["operation_id"]


def _fab(**kw) -> FabData:
    base = dict(
        module="m",
        method_to_action={"GET": "can_read", "POST": "can_create", "PUT": "can_edit", "DELETE": "can_delete",
                          "MENU": "menu_access"},
        entity_to_resources={"RUN": ("DAG Runs",), "AUDIT_LOG": ("Audit Logs",),
                             "TASK_INSTANCE": ("DAG Runs", "Task Instances")},
        view_to_resource={"DOCS": "Documentation", "PLUGINS": "Plugins"},
        simple_targets={"variable": "Variables"},
        resource_dag="DAGs",
        menu_access_is_read=False,
        source_notes=(),
    )
    base.update(kw)
    return FabData(**base)


@pytest.mark.parametrize("translator", [authmgr_fab_v1, authmgr_fab_v2])
def test_fab_v1_v2_dag_rules(translator):
    data = _fab()
    trigger = Check("dag", methods=("POST",), entity="RUN", dag_known=True)
    assert sorted(translator.translate(trigger, data)) == [("can_create", "DAG Runs"), ("can_edit", "DAGs")]
    # no DAG id (``GET /eventLogs``, ``/dags/~/...``): only the entity is checked
    assert translator.translate(Check("dag", methods=("GET",), entity="AUDIT_LOG"), data) == [AUDIT_LOG_READ]
    assert translator.translate(Check("dag", methods=("DELETE",)), data) == [("can_delete", "DAGs")]
    ti = Check("dag", methods=("PUT",), entity="TASK_INSTANCE", dag_known=True)
    assert sorted(translator.translate(ti, data)) == [
        ("can_edit", "DAG Runs"), ("can_edit", "DAGs"), ("can_edit", "Task Instances")]
    assert translator.translate(Check("variable", methods=("GET",)), data) == [("can_read", "Variables")]
    assert translator.translate(Check("custom_view", methods=("GET",), resource="Roles"), data) == [
        ("can_read", "Roles")]
    assert translator.translate(Check("custom_view", methods=("can_read",), resource="Roles"), data) == [
        ("can_read", "Roles")]
    assert translator.translate(Check("authenticated"), data) == []
    with pytest.raises(Unresolvable):
        translator.translate(Check("dag", methods=("GET",), entity="NOPE"), data)


def test_fab_v2_docs_view_menu():
    data = _fab()
    assert authmgr_fab_v2.translate(Check("view", view="DOCS"), data, docs_menu=True) == [
        ("menu_access", "Documentation")]
    assert authmgr_fab_v1.translate(Check("view", view="DOCS"), data) == [("can_read", "Documentation")]


def test_fab_v3_lists_dags_for_get_without_dag_id():
    data = _fab()
    assert sorted(authmgr_fab_v3.translate(Check("dag", methods=("GET",), entity="AUDIT_LOG"), data)) == [
        AUDIT_LOG_READ, ("can_read", "DAGs")]
    trigger = Check("dag", methods=("POST",), entity="RUN", dag_known=True)
    assert sorted(authmgr_fab_v3.translate(trigger, data)) == [("can_create", "DAG Runs"), ("can_edit", "DAGs")]
    assert authmgr_fab_v3.translate(Check("dag", methods=("POST",), entity="RUN"), data) == [
        ("can_create", "DAG Runs")]
    assert authmgr_fab_v3.translate(Check("dag", methods=("PUT",)), data) == [("can_edit", "DAGs")]


def test_legacy_translator_passes_declared_pairs():
    check = Check("legacy", perms=(("can_edit", "DAGs"), ("can_create", "DAG Runs")))
    assert authmgr_legacy.translate(check) == [("can_edit", "DAGs"), ("can_create", "DAG Runs")]


def test_fingerprint_guard_rejects_changed_auth_manager(tmp_path):
    src = (TEST_SOURCE / "airflow/providers/fab/auth_manager/fab_auth_manager.py").read_text()
    changed = src.replace('dag_method: ResourceMethod = "GET" if method == "GET" else "PUT"',
                          'dag_method: ResourceMethod = method')
    assert changed != src
    root = tmp_path / "src"
    for path in TEST_SOURCE.rglob("*"):
        if path.is_file():
            target = root / path.relative_to(TEST_SOURCE)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text())
    (root / "airflow/providers/fab/auth_manager/fab_auth_manager.py").write_text(changed)
    with pytest.raises(Unresolvable, match="is_authorized_dag"):
        authmgr_fab_v1.load(SourceTree([root], "2.10.3"))


def test_resolver_follows_imports_and_selects_runtime_branches(tmp_path):
    pkg = tmp_path / "airflow"
    (pkg / "security").mkdir(parents=True)
    (pkg / "security" / "permissions.py").write_text('RESOURCE_DATASET = "Datasets"\nRESOURCE_DAG = "DAGs"\n')
    (pkg / "compat.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from airflow.security.permissions import RESOURCE_ASSET\n"
        "else:\n    try:\n        from airflow.security.permissions import RESOURCE_ASSET\n"
        "    except ImportError:\n        from airflow.security.permissions import RESOURCE_DATASET as RESOURCE_ASSET\n"
    )
    (pkg / "mod.py").write_text(
        "import enum\nfrom airflow.security import permissions\nfrom airflow.compat import RESOURCE_ASSET\n"
        "class E(enum.Enum):\n    RUN = 'RUN'\n"
        "M = {E.RUN: (permissions.RESOURCE_DAG, RESOURCE_ASSET)}\n"
        "if AIRFLOW_V_3_1_PLUS:\n    NEW = 'yes'\nelse:\n    NEW = 'no'\n"
        "L = [('a', permissions.RESOURCE_DAG)] + [('b', f'{permissions.RESOURCE_DAG}!')]\n"
        "G = getattr(permissions, 'MISSING', 'fallback')\n"
    )
    old = SourceTree([tmp_path], "3.0.6")
    assert old.module_constant("airflow.mod", "M") == {Sym("E.RUN"): ("DAGs", "Datasets")}
    assert old.module_constant("airflow.mod", "NEW") == "no"
    assert SourceTree([tmp_path], "3.1.0").module_constant("airflow.mod", "NEW") == "yes"
    assert old.module_constant("airflow.mod", "L") == [("a", "DAGs"), ("b", "DAGs!")]
    assert old.module_constant("airflow.mod", "G") == "fallback"
    with pytest.raises(Unresolvable):
        old.module_constant("airflow.mod", "NOT_THERE")
