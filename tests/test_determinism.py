"""Same input, same bytes: across runs, across PYTHONHASHSEED values, and across --jobs 1 / --jobs 2 (SPEC §11);
and no network at run time."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT

FORMATS = ("text", "json", "sarif", "github", "markdown")
TIMEOUT = 300

# (PYTHONHASHSEED, --jobs): the same run twice, two other seeds (one random), one process and a pool of two
VARIANTS = (("0", "1"), ("0", "1"), ("12345", "2"), ("random", "1"), ("random", "2"))
FEWER_VARIANTS = (("0", "1"), ("random", "2"))  # for the formats built from the same findings as json


def run_check(format: str, seed: str, jobs: str, extra_env=None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*(extra_env or {}).get("PYTHONPATH", "").split(os.pathsep), str(ROOT)]).strip(os.pathsep)}
    env.update({k: v for k, v in (extra_env or {}).items() if k != "PYTHONPATH"})
    env["PYTHONHASHSEED"] = seed
    env.pop("NO_COLOR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "linter", "check", "fixtures", "--format", format, "--jobs", jobs, "--no-show-source", "--color", "never"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen) -> bytes:
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode in (0, 1), err.decode()
    assert b"Traceback" not in err, err.decode()
    return out


def test_all_fixtures_use_the_pool_with_two_jobs():
    """Otherwise the --jobs comparison below would compare one process with itself."""
    from linter.run import worth_parallel
    from linter.sources import discover

    files = discover([str(ROOT / "fixtures")])
    assert worth_parallel(files)


@pytest.mark.parametrize("format", FORMATS)
def test_byte_identical_across_runs_seeds_and_jobs(format):
    variants = VARIANTS if format in ("text", "json", "sarif") else FEWER_VARIANTS
    processes = [run_check(format, seed, jobs) for seed, jobs in variants]
    outputs = [finish(p) for p in processes]
    assert outputs[0], "no output"
    for (seed, jobs), output in zip(variants[1:], outputs[1:]):
        assert output == outputs[0], f"{format}: PYTHONHASHSEED={seed} --jobs {jobs} differs from PYTHONHASHSEED=0 --jobs 1"


NO_NETWORK = """
import os
import socket

LOG = os.environ["MWAA_LINT_TEST_NETWORK_LOG"]


def refuse(name):
    def refused(*args, **kwargs):
        with open(LOG, "a") as log:
            log.write(f"{os.getpid()} {name} {args[1:] if name.startswith('socket.') else args}\\n")
        raise OSError(f"network disabled by the test ({name})")

    return refused


socket.socket.connect = refuse("socket.connect")
socket.socket.connect_ex = refuse("socket.connect_ex")
socket.socket.sendto = refuse("socket.sendto")
socket.create_connection = refuse("create_connection")
socket.getaddrinfo = refuse("getaddrinfo")
"""


def test_no_network(tmp_path):
    """A full check of every fixture in every format, with and without worker processes, while every process
    (workers included: the patch is a sitecustomize) has its sockets disabled and logs any attempt."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_NETWORK)
    log = tmp_path / "network.log"
    env = {"PYTHONPATH": str(site), "MWAA_LINT_TEST_NETWORK_LOG": str(log)}
    reference = {format: finish(run_check(format, "0", "1")) for format in ("json", "sarif")}
    runs = [(format, "1") for format in FORMATS] + [("json", "2"), ("sarif", "2")]
    processes = {(format, jobs): run_check(format, "0", jobs, env) for format, jobs in runs}
    outputs = {key: finish(process) for key, process in processes.items()}
    assert not log.exists(), log.read_text()
    for format in ("json", "sarif"):  # the same report as with the network available
        assert outputs[(format, "1")] == reference[format]
        assert outputs[(format, "2")] == reference[format]
    # the patch was active: a process that tries gets refused and logged
    probe = subprocess.run(
        [sys.executable, "-c", "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\nexcept OSError as e:\n    print(e)"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )
    assert "network disabled by the test" in probe.stdout and log.exists()


def test_jobs_must_be_positive():
    from typer.testing import CliRunner

    from linter.cli import app

    result = CliRunner().invoke(app, ["check", str(ROOT / "fixtures" / "iam-json"), "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.output


def test_workers_send_back_findings_not_models():
    """What a worker sends back for each item: its findings (with spans) and suppressions, which survive pickling;
    the parsed model stays in the worker."""
    import pickle

    from linter.config import Config
    from linter.engine import load_builtin_rules
    from linter.model import Finding, SourceSuppression
    from linter.run import Checker, work_items
    from linter.sources import discover

    checker = Checker(tuple(load_builtin_rules()), Config())
    results = [checker.lint_item(item) for item in work_items(discover([str(ROOT / "fixtures")]))]
    assert sum(len(r.findings) for r in results) > 100 and any(r.suppressions for r in results)
    for result in results:
        assert all(isinstance(f, Finding) and f.span is not None for f in result.findings)
        assert all(isinstance(s, SourceSuppression) for s in result.suppressions)
        assert repr(pickle.loads(pickle.dumps(result))) == repr(result)


def test_output_file_is_written_atomically(tmp_path, monkeypatch):
    """--output: a failed write leaves the previous report whole and no temporary file; the file gets the mode a
    plain open() would give it (not mkstemp's 0600)."""
    import stat

    from typer.testing import CliRunner

    from linter.cli import app

    out = tmp_path / "report.sarif"
    fixture = str(ROOT / "fixtures" / "iam-json")
    result = CliRunner().invoke(app, ["check", fixture, "--format", "sarif", "--output", str(out)])
    assert result.exit_code in (0, 1)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    before = out.read_bytes()

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    CliRunner().invoke(app, ["check", fixture, "--format", "json", "--output", str(out)])
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.sarif"]
