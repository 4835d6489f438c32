"""Distribution: the pre-commit hook for real (`pre-commit try-repo`), the example workflow and the action."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT

# What try-repo needs to install the project: the package, its rules, and what the build reads.
PROJECT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "linter", "rules")

BAD_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "airflow:InvokeRestApi", "Resource": "*"}]}
GOOD_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "airflow:InvokeRestApi",
            "Resource": "arn:aws:airflow:us-east-1:111122223333:role/prod/User",
        }
    ],
}


def hooks():
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_hook_definition():
    (hook,) = hooks()
    assert hook["id"] == "mwaa-lint"
    assert hook["entry"] == "mwaa-lint check"
    assert hook["language"] == "python"
    assert hook["require_serial"] is True and hook["pass_filenames"] is True
    # no `types` filter: pre-commit has no file type for CloudFormation's .template extension
    assert "types" not in hook and "types_or" not in hook
    files = re.compile(hook["files"])
    for name in ("iam/ci.json", "cfn/stack.yaml", "cfn/stack.yml", "tf/main.tf", "cfn/stack.template"):
        assert files.search(name), name
    for name in ("main.py", "notes.txt", "stack.template.bak", "x.tfvars"):
        assert not files.search(name), name


def _git(*args, cwd):
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=cwd, env=env,
                   check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def precommit(tmp_path_factory):
    """A committed copy of the working tree (try-repo installs from the HEAD commit) and an isolated cache.

    try-repo installs the hook's environment into a temporary store on each call (~5-30 s with PyPI reachable);
    PRE_COMMIT_HOME points anything else pre-commit writes at a temporary folder."""
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (pip install '.[test]' installs it)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("precommit")
    project = base / "project"
    project.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=ignore)
        else:
            shutil.copy2(source, project / name)
    _git("init", "-q", cwd=project)
    _git("add", ".", cwd=project)
    _git("commit", "-q", "-m", "snapshot of the working tree", cwd=project)
    return project, base / "cache"


def _try_repo(project, cache, cwd):
    env = dict(os.environ, PRE_COMMIT_HOME=str(cache), PRE_COMMIT_COLOR="never", NO_COLOR="1",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(project), "mwaa-lint", "--all-files", "--color", "never"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )


def test_pre_commit_try_repo_fails_then_passes(precommit, tmp_path):
    project, cache = precommit
    work = tmp_path / "repo"
    (work / "iam").mkdir(parents=True)
    policy = work / "iam" / "ci.json"
    policy.write_text(json.dumps(BAD_POLICY, indent=2) + "\n")
    (work / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')  # matches `files`, not a policy
    (work / "README.md").write_text("not linted\n")
    _git("init", "-q", cwd=work)
    _git("add", ".", cwd=work)

    failed = _try_repo(project, cache, work)
    output = failed.stdout + failed.stderr
    if failed.returncode != 0 and "MWAA002" not in output and "An unexpected error has occurred" in output:
        pytest.fail(f"pre-commit could not run the hook:\n{output}")
    assert failed.returncode == 1, output
    assert "mwaa-lint" in output and "Failed" in output
    assert re.search(r"iam/ci\.json:\d+:\d+: error MWAA002 ", output), output

    policy.write_text(json.dumps(GOOD_POLICY, indent=2) + "\n")
    _git("add", ".", cwd=work)
    passed = _try_repo(project, cache, work)
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "Passed" in output and "MWAA" not in output


# ---- the GitHub Actions example and the composite action ------------------------------------------------------


def _load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def _steps(job):
    return job["steps"]


def test_code_scanning_workflow_uploads_sarif():
    workflow = _load("docs/github-code-scanning.yml")
    jobs = workflow["jobs"]
    scan = jobs["mwaa-lint"]
    assert scan["permissions"] == {"contents": "read", "security-events": "write"}
    steps = _steps(scan)
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    lint = next(s for s in steps if "--format sarif" in s.get("run", ""))
    assert "--output mwaa-lint.sarif" in lint["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@v3"))
    assert upload["with"]["sarif_file"] == "mwaa-lint.sarif"
    assert upload["with"]["category"] == "mwaa-lint"
    # the upload runs even though the lint step failed the job because of findings
    assert "always()" in str(upload.get("if", ""))
    assert steps.index(upload) > steps.index(lint)


def test_annotations_workflow_job_for_repositories_without_code_scanning():
    jobs = _load("docs/github-code-scanning.yml")["jobs"]
    annotate = jobs["mwaa-lint-annotations"]
    assert "security-events" not in annotate.get("permissions", {})
    runs = "\n".join(s.get("run", "") for s in _steps(annotate))
    assert "--format github" in runs
    assert "--format markdown" in runs and "$GITHUB_STEP_SUMMARY" in runs


def test_composite_action():
    action = _load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"paths", "format", "args"}
    runs = "\n".join(s.get("run", "") for s in action["runs"]["steps"])
    assert '"${{ github.action_path }}"' in runs  # installs the action's own folder
    assert '"$MWAA_LINT" check --format "$MWAA_LINT_FORMAT"' in runs
    # inputs reach the shell through the environment, never spliced into the script
    assert "${{ inputs." not in runs
