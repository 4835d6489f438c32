"""Hostile input never breaks a run (SPEC §11, issue 8).

Each case writes its hostile file(s) next to a good policy, runs `mwaa-lint check --format json` in a subprocess
with a time limit and an address-space cap, and pins what the hostile file gets (rule, line, column, a piece of the
message) and that the good policy is still linted. The CLI never prints a traceback and exits 0 or 1.
"""
from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

TIMEOUT = 120  # seconds per run: generous (the slowest case takes a few seconds on the 2-core machine)
MEMORY_CAP = 3 * 1024**3  # address space of the linter process (bytes); a leak or blow-up fails the case

GOOD_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "airflow:*", "Resource": "*"}]}, indent=2
)
GOOD_FINDINGS = {("MWAA001", 6, 17), ("MWAA002", 7, 19), ("MWAA010", 7, 19)}  # of GOOD_POLICY, wherever it is


def _cap_memory():  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def lint(*paths, options=(), env=None, cwd=None, timeout=TIMEOUT):
    """Run the CLI; return (report, seconds, completed process)."""
    command = [sys.executable, "-m", "linter", "check", *map(str, paths), "--format", "json", *options]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=environment, cwd=cwd or ROOT, preexec_fn=_cap_memory
    )
    seconds = time.perf_counter() - started
    if os.environ.get("MWAA_LINT_HOSTILE_TIMES"):  # a file to append "test: seconds" to, for reporting
        with open(os.environ["MWAA_LINT_HOSTILE_TIMES"], "a") as log:
            log.write(f"{os.environ.get('PYTEST_CURRENT_TEST', '?').split(' ')[0]}: {seconds:.2f} s\n")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), (done.returncode, done.stderr)
    return json.loads(done.stdout), seconds, done


def findings_of(report, path) -> set:
    return {(f["rule"], f["line"], f["column"]) for f in report["findings"] if f["path"] == str(path)}


def messages_of(report, path) -> list:
    return [f["message"] for f in report["findings"] if f["path"] == str(path)]


def write_good(folder: Path) -> Path:
    good = folder / "good" / "policy.json"
    good.parent.mkdir(parents=True, exist_ok=True)
    good.write_text(GOOD_POLICY)
    return good


def check_case(tmp_path, hostile: Path, expected: set, fragment: str, paths=None, options=(), env=None):
    """Lint the hostile file with a good policy; both outcomes pinned. Returns the report."""
    good = write_good(tmp_path)
    report, seconds, _ = lint(*(paths or [hostile]), good, options=options, env=env)
    assert findings_of(report, hostile) == expected, report["findings"]
    if fragment:
        assert all(fragment in m for m in messages_of(report, hostile)), messages_of(report, hostile)
    assert findings_of(report, good) == GOOD_FINDINGS
    return report


# --- parsers pushed to their limits ------------------------------------------------------------------------------


def billion_laughs(levels: int = 9, fan_out: int = 9) -> str:
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Resources:",
        "  Bomb:",
        "    Type: AWS::IAM::ManagedPolicy",
        "    Metadata:",
        '      l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    for level in range(1, levels):
        lines.append(f"      l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * fan_out) + "]")
    lines += [
        "    Properties:",
        "      PolicyDocument:",
        '        Version: "2012-10-17"',
        "        Statement: [{Effect: Allow, Action: airflow:GetEnvironment, Resource: '*'}]",
    ]
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs())  # 9^9 = 387 million strings once expanded
    check_case(tmp_path, bomb, {("MWAA000", 1, 1)}, "YAML aliases expand to more than")


def test_yaml_recursive_anchor(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n'
        "    Metadata: &m\n      self: *m\n    Properties: {PolicyDocument: {Statement: []}}\n"
    )
    check_case(tmp_path, loop, {("MWAA000", 5, 15)}, "YAML alias inside the node its anchor names (a recursive anchor)")


def test_json_nested_100000_deep(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"Statement": ' + "[" * 100_000 + "]" * 100_000 + "}")
    # the 501st bracket: "{" at column 1, then "[" from column 15
    check_case(tmp_path, deep, {("MWAA000", 1, 514)}, "JSON nested deeper than 500 levels")


def test_yaml_flow_nested_100000_deep(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("AWSTemplateFormatVersion: x\nResources:\n  A: " + "[" * 100_000 + "]" * 100_000 + "\n")
    check_case(tmp_path, deep, {("MWAA000", 3, 506)}, "YAML nested deeper than 500 levels")


def test_yaml_block_nested_100000_deep(tmp_path):
    # no bracket at all: 100,000 block sequences on one line (a libyaml without a depth limit overflows its stack)
    deep = tmp_path / "deep.yaml"
    deep.write_text("AWSTemplateFormatVersion: x\nResources:\n  A:\n    " + "- " * 100_000 + "x\n")
    check_case(tmp_path, deep, {("MWAA000", 4, 501)}, "YAML nested deeper than 500 levels")


def test_yaml_mappings_indented_3000_deep(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("AWSTemplateFormatVersion: x\nResources:\n" + "".join(" " * (i + 2) + f"k{i}:\n" for i in range(3000)))
    check_case(tmp_path, deep, {("MWAA000", 501, 501)}, "YAML nested deeper than 500 levels")


def test_nesting_under_the_limits_is_parsed(tmp_path):
    """Deep but under each limit: parsed and analysed, no RecursionError anywhere (450 levels of JSON; 150 of YAML,
    under the 200 a CloudFormation template converts; 90 of HCL, under Terraform's 100)."""
    policy = tmp_path / "policy.json"
    policy.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "airflow:*", "Resource": "*",\n'
        f' "Condition": {{"StringEquals": {{"aws:x": {"[" * 450}"x"{"]" * 450}}}}}}}]}}\n'
    )
    template = tmp_path / "template.yaml"
    template.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n'
        f"      Description: {'[' * 150}x{']' * 150}\n      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Action: 'airflow:*', Resource: '*'}\n"
    )
    too_deep = tmp_path / "too-deep.yaml"
    too_deep.write_text(template.read_text().replace("[" * 150 + "x" + "]" * 150, "[" * 450 + "x" + "]" * 450))
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text(
        f'locals {{\n  x = {"[" * 90}"a"{"]" * 90}\n}}\n'
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "airflow:*", '
        'Resource = "*", Condition = { StringEquals = { "aws:x" = local.x } } }] })\n}\n'
    )
    good = write_good(tmp_path)
    report, _, _ = lint(policy, template, too_deep, module, good)
    assert not any("internal error" in f["message"] for f in report["findings"]), report["findings"]
    wildcard = {"MWAA001", "MWAA002", "MWAA010"}
    assert findings_of(report, policy) == {("MWAA001", 1, 71), ("MWAA002", 1, 96), ("MWAA010", 1, 96), ("MWAA000", 2, 43)}
    assert {rule for rule, _, _ in findings_of(report, template)} == wildcard
    assert findings_of(report, too_deep) == {("MWAA000", 6, 217)}
    assert messages_of(report, too_deep) == ["YAML nested deeper than 200 levels; not parsed"]
    assert {rule for rule, _, _ in findings_of(report, module / "main.tf")} == wildcard | {"MWAA000"}
    assert findings_of(report, good) == GOOD_FINDINGS


def test_terraform_file_nested_100000_deep(tmp_path):
    """A policy file read with file() is pre-scanned like any JSON: the module's other policies are still analysed."""
    module = tmp_path / "module"
    module.mkdir()
    (module / "deep.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "airflow:*", "Resource": ' + "[" * 100_000 + "]" * 100_000 + "}]}")
    (module / "main.tf").write_text(
        'resource "aws_iam_policy" "deep" {\n  policy = file("${path.module}/deep.json")\n}\n'
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "airflow:*", Resource = "*" }] })\n}\n'
    )
    report, _, _ = lint(module)
    assert findings_of(report, module / "deep.json") == {("MWAA000", 1, 568)}
    main = findings_of(report, module / "main.tf")
    assert ("MWAA012", 2, 12) in main and {"MWAA001", "MWAA002", "MWAA010"} <= {rule for rule, _, _ in main}


# --- size -------------------------------------------------------------------------------------------------------


def sparse_file(path: Path, size: int, head: bytes) -> Path:
    with open(path, "wb") as handle:
        handle.write(head)
        handle.truncate(size)  # sparse: no 50 MB written to disk
    return path


def test_50_mb_file_is_a_size_note(tmp_path):
    big = sparse_file(tmp_path / "big.json", 50 * 1024 * 1024, b'{"Statement": [')
    check_case(tmp_path, big, {("MWAA012", 1, 1)}, "file of 52,428,800 bytes is over the 16,777,216-byte limit")


def test_50_mb_terraform_file_is_a_size_note_and_its_module_goes_on(tmp_path):
    module = tmp_path / "module"
    module.mkdir()
    big = sparse_file(module / "big.tf", 50 * 1024 * 1024, b'resource "aws_iam_policy" "p" {\n')
    (module / "main.tf").write_text(
        'resource "aws_iam_policy" "q" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Action = "airflow:*", Resource = "*" }]\n  })\n}\n'
    )
    report = check_case(tmp_path, big, {("MWAA012", 1, 1)}, "over the 16,777,216-byte limit", paths=[module])
    assert ("MWAA001", 4, 47) in findings_of(report, module / "main.tf")


def test_size_limit_is_overridable(tmp_path):
    good = write_good(tmp_path)
    report, _, _ = lint(good, env={"MWAA_LINT_MAX_FILE_BYTES": "100"})
    assert findings_of(report, good) == {("MWAA012", 1, 1)}
    assert "over the 100-byte limit (MWAA_LINT_MAX_FILE_BYTES)" in messages_of(report, good)[0]
    report, _, _ = lint(good, env={"MWAA_LINT_MAX_FILE_BYTES": "1M"})
    assert findings_of(report, good) == GOOD_FINDINGS


def test_malformed_size_limit_is_a_usage_error(tmp_path):
    good = write_good(tmp_path)
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "MWAA_LINT_MAX_FILE_BYTES": "lots"}
    done = subprocess.run([sys.executable, "-m", "linter", "check", str(good)], capture_output=True, text=True, env=environment, timeout=TIMEOUT)
    assert done.returncode == 2 and "MWAA_LINT_MAX_FILE_BYTES='lots' is not a positive number of bytes" in done.stderr


def test_policy_with_100000_statements(tmp_path):
    """Bounded time: IAM accepts a few hundred statements per policy; the first 5,000 are analysed, the rest noted."""
    statements = []
    for i in range(100_000):
        if i % 2:
            statements.append({"Effect": "Allow", "Action": "airflow:CreateWebLoginToken", "Resource": f"arn:aws:airflow:us-east-1:111122223333:role/env{i}/*"})
        else:
            statements.append({"Effect": "Deny", "Action": "airflow:CreateWebLoginToken", "Resource": f"arn:aws:airflow:us-east-1:111122223333:role/env{i + 1}/Admin"})
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=1))
    good = write_good(tmp_path)
    report, seconds, _ = lint(big, good)
    found = findings_of(report, big)
    # statement 5,001 (index 5000) starts on line 25004; the 2,500 Allow statements analysed name no role: MWAA002 each
    assert ("MWAA012", 25004, 3) in found
    assert sorted(r for r, _, _ in found).count("MWAA002") == 2_500 and len(found) == 2_501
    assert "after the first 5,000 (it has 100,000" in " ".join(messages_of(report, big))
    assert findings_of(report, good) == GOOD_FINDINGS
    assert seconds < 60


def test_yaml_with_millions_of_values(tmp_path):
    """15 MB of one-character list items would be millions of parser nodes (gigabytes): refused before parsing."""
    big = tmp_path / "big.yaml"
    big.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Metadata:\n'
        "      list:\n" + "        - 1\n" * 1_300_000
    )
    check_case(tmp_path, big, {("MWAA012", 1, 1)}, "a YAML file of about 2,600,019 values, more than the 500,000")


def test_terraform_file_of_10_mb(tmp_path):
    module = tmp_path / "module"
    module.mkdir()
    statement = '{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }'
    big = module / "big.tf"
    big.write_text('resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [' + ", ".join([statement] * 160_000) + "] })\n}\n")
    check_case(tmp_path, big, {("MWAA012", 1, 1)}, "an HCL file of 10,080,074 bytes, more than the 2,000,000", paths=[module])


def test_terraform_policy_of_10000_statements_on_one_line(tmp_path):
    """Positions on a 600 KB line are found without rescanning the line for each (was quadratic: minutes)."""
    module = tmp_path / "module"
    module.mkdir()
    statement = '{ Effect = "Allow", Action = "airflow:CreateWebLoginToken", Resource = "arn:aws:airflow:us-east-1:1:role/env/*" }'
    main = module / "main.tf"  # the comment makes the line non-ASCII: byte and character columns differ
    main.write_text('resource "aws_iam_policy" "p" {\n  policy = /* é */ jsonencode({ Statement = [' + ", ".join([statement] * 10_000) + "] })\n}\n")
    good = write_good(tmp_path)
    report, seconds, _ = lint(module, good)
    found = findings_of(report, main)
    assert ("MWAA012", 2, 575_046) in found and len(found) == 5_001  # statement 5,001 at character 46 + 5,000 x 115
    assert ("MWAA002", 2, 117) in found  # one for each of the 5,000 analysed
    assert {rule for rule, _, _ in found} == {"MWAA002", "MWAA012"}
    assert findings_of(report, good) == GOOD_FINDINGS
    assert seconds < 60


def test_broken_statements_past_the_limit_are_not_read(tmp_path):
    """20,000 broken statements: the first 5,000 are read (an MWAA000 each, 1,000 of them reported), the rest only
    counted."""
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Action": "airflow:*", "Resource": "*"}] * 20_000}, indent=1))
    good = write_good(tmp_path)
    report, _, _ = lint(broken, good)
    found = [(f["rule"], f["line"], f["message"]) for f in report["findings"] if f["path"] == str(broken)]
    assert len(found) == 1_002 and found.count(("MWAA000", 4, 'statement has no "Effect"')) == 1
    assert ("MWAA012", 20004, "not analysed: the statements of this policy after the first 5,000 (it has 20,000; IAM accepts a few hundred at most in one policy)") in found
    assert ("MWAA012", 1, "not analysed: 4,000 more MWAA000 findings in this file after the first 1,000 (not reported one by one)") in found
    assert findings_of(report, good) == GOOD_FINDINGS


@pytest.mark.parametrize("kind", ["iam", "cloudformation"])
def test_15_mb_of_tiny_statements(tmp_path, kind):
    """1.9 million `{"a":1}` statements: counted, not read (was 20 s and 2 GB: a model object and two MWAA000 for each,
    and positions for the whole file)."""
    statements = ",".join(['{"a":1}'] * 1_900_000)
    document = '{"Statement":[' + statements + "]}"
    big = tmp_path / "big.json"
    if kind == "iam":
        big.write_text(document)
        cut = ("MWAA012", 1, 40015)  # statement 5,001: 14 characters of opening, then 8 per statement
    else:
        big.write_text('{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"P":{"Type":"AWS::IAM::ManagedPolicy",'
                       '"Properties":{"PolicyDocument":' + document + "}}}}")
        cut = ("MWAA012", 1, 40138)
    good = write_good(tmp_path)
    report, seconds, _ = lint(big, good)
    messages = messages_of(report, big)
    assert cut in findings_of(report, big)
    assert "not analysed: the statements of this policy after the first 5,000 (it has 1,900,000; IAM accepts a few hundred at most in one policy)" in messages
    assert "not analysed: 9,000 more MWAA000 findings in this file after the first 1,000 (not reported one by one)" in messages
    assert len(messages) == 1_002
    assert findings_of(report, good) == GOOD_FINDINGS
    assert seconds < 60


def test_a_problem_repeated_3000_times_is_reported_1000_times(tmp_path):
    repeated = tmp_path / "repeated.json"
    repeated.write_text('{"Version": "2012-10-17", "Statement": [],\n' + '"Sid": 1,\n' * 3_000 + '"Sid": 2}\n')
    good = write_good(tmp_path)
    report, _, _ = lint(repeated, good)
    found = [(f["rule"], f["line"], f["message"]) for f in report["findings"] if f["path"] == str(repeated)]
    assert found.count(("MWAA000", 3, 'duplicate key "Sid": only the last one counts')) == 1
    assert sum(1 for rule, _, _ in found if rule == "MWAA000") == 1_000
    assert ("MWAA012", 1, "not analysed: 2,000 more MWAA000 findings in this file after the first 1,000 (not reported one by one)") in found
    assert findings_of(report, good) == GOOD_FINDINGS


# --- bytes that are not UTF-8 text --------------------------------------------------------------------------------

PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def test_binary_file_named_json_with_statement_inside(tmp_path):
    binary = tmp_path / "image.json"
    binary.write_bytes(PNG_HEAD + bytes(range(256)) * 4 + b'"Statement"' + bytes(range(256)))
    check_case(tmp_path, binary, {("MWAA000", 1, 1)}, "invalid UTF-8 byte 0x89 at byte offset 0")


def test_binary_file_named_json_without_markers_is_skipped(tmp_path):
    binary = tmp_path / "image.json"
    binary.write_bytes(PNG_HEAD + bytes(range(256)) * 4)
    good = write_good(tmp_path)
    report, _, _ = lint(binary, good)
    assert findings_of(report, binary) == set() and report["summary"]["skipped"] == 1
    assert findings_of(report, good) == GOOD_FINDINGS


def test_invalid_utf8(tmp_path):
    bad = tmp_path / "latin1.json"
    bad.write_bytes(GOOD_POLICY.replace('"Effect"', '"Sid": "caf\xe9", "Effect"').encode("latin-1"))
    # line 5 is `      "Sid": "café", "Effect": "Allow",`: the é is the 18th character
    check_case(tmp_path, bad, {("MWAA000", 5, 18)}, "invalid UTF-8 byte 0xe9 at byte offset")


def test_utf16_with_bom_is_reported_not_skipped(tmp_path):
    wide = tmp_path / "wide.json"
    wide.write_bytes(GOOD_POLICY.encode("utf-16"))  # BOM + UTF-16LE, as PowerShell 5 writes files
    template = tmp_path / "wide.yaml"
    template.write_bytes(b"\xfe\xff" + "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n".encode("utf-16-be"))
    good = write_good(tmp_path)
    report, _, _ = lint(wide, template, good)
    for path in (wide, template):
        assert findings_of(report, path) == {("MWAA000", 1, 1)}
        assert "UTF-16" in messages_of(report, path)[0]
    assert findings_of(report, good) == GOOD_FINDINGS


def test_nul_in_the_middle(tmp_path):
    nul = tmp_path / "nul.json"
    nul.write_text(GOOD_POLICY.replace('"Allow"', '"Al\x00low"'))
    check_case(tmp_path, nul, {("MWAA000", 5, 20)}, "NUL character")


# --- things that are not regular files ------------------------------------------------------------------------------


def test_symlink_loop(tmp_path):
    folder = tmp_path / "links"
    folder.mkdir()
    os.symlink("b.json", folder / "a.json")
    os.symlink("a.json", folder / "b.json")
    os.symlink("..", folder / "up")  # a folder loop: the walk does not follow folder links
    good = write_good(tmp_path)
    report, _, _ = lint(folder, good)
    for name in ("a.json", "b.json"):
        assert findings_of(report, folder / name) == {("MWAA000", 1, 1)}
        assert messages_of(report, folder / name) == ["cannot read file: Too many levels of symbolic links"]
    assert findings_of(report, good) == GOOD_FINDINGS
    assert report["summary"]["files"] == 3


def test_broken_symlink_named_on_the_command_line(tmp_path):
    broken = tmp_path / "gone.json"
    os.symlink(tmp_path / "nowhere.json", broken)
    check_case(tmp_path, broken, {("MWAA000", 1, 1)}, "cannot read file: No such file or directory")


def test_directory_named_policy_json_is_walked(tmp_path):
    folder = tmp_path / "policy.json"
    folder.mkdir()
    inner = folder / "inner.json"
    inner.write_text(GOOD_POLICY)
    report, _, _ = lint(folder)
    assert findings_of(report, inner) == GOOD_FINDINGS and report["summary"]["files"] == 1
    report, _, _ = lint(tmp_path)
    assert findings_of(report, inner) == GOOD_FINDINGS


@pytest.mark.parametrize("name", ["x.json", "x.yaml", "x.tf"])
def test_fifo_does_not_block(tmp_path, name):
    fifo = tmp_path / "pipes" / name
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    # nobody ever writes to the FIFO: opening it for reading would block forever
    for paths in ([fifo], [fifo.parent]):
        report, seconds, _ = lint(*paths, write_good(tmp_path), timeout=60)
        assert findings_of(report, fifo) == {("MWAA000", 1, 1)}
        assert messages_of(report, fifo) == ["cannot read file: is not a regular file (FIFO, socket or device)"]
        assert findings_of(report, tmp_path / "good" / "policy.json") == GOOD_FINDINGS


def test_device_reached_through_a_symlink(tmp_path):
    zero = tmp_path / "zero.json"
    os.symlink("/dev/zero", zero)  # endless bytes
    check_case(tmp_path, zero, {("MWAA000", 1, 1)}, "is not a regular file")


UNREADABLE_AS_NOBODY = """
import os, sys
from linter.cli import app
# As root every file is readable: run once to import everything the run needs, then drop to nobody and run again.
for step in ("warm", "real"):
    if step == "real":
        os.chmod(sys.argv[1], 0)
        os.setgid(65534)
        os.setuid(65534)
    try:
        app(["check", *sys.argv[1:-1], "--format", "json", "--output", sys.argv[-1] + f".{step}.json"], prog_name="mwaa-lint")
    except SystemExit:
        pass
"""


def test_unreadable_file(tmp_path):
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="mwaa-lint-unreadable-"))  # outside pytest's root-only folder
    try:
        os.chmod(folder, 0o777)
        secret = folder / "secret.json"
        secret.write_text(GOOD_POLICY)
        good = write_good(folder)
        os.chmod(good.parent, 0o755)
        if os.geteuid() != 0:
            secret.chmod(0)
            report, _, _ = lint(secret, good)
        else:
            # root reads anything: the linter runs as nobody (uid 65534) after a warm-up run as root
            out = folder / "report"
            environment = {**os.environ, "PYTHONPATH": str(ROOT)}
            done = subprocess.run(
                [sys.executable, "-c", UNREADABLE_AS_NOBODY, str(secret), str(good), str(out)],
                capture_output=True, text=True, env=environment, cwd=folder, timeout=TIMEOUT,
            )
            assert "Traceback" not in done.stderr, done.stderr
            report = json.loads(Path(f"{out}.real.json").read_text())
        assert findings_of(report, secret) == {("MWAA000", 1, 1)}
        assert messages_of(report, secret) == ["cannot read file: Permission denied"]
        assert findings_of(report, good) == GOOD_FINDINGS
    finally:
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), stat.S_IRWXU, follow_symlinks=False) if not os.path.islink(os.path.join(root, name)) else None
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


# --- reference cycles and multiplying references -----------------------------------------------------------------

CFN_CYCLES = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  EnvName:
    Type: String
    Default: !Sub "${Other}-x"
  Other:
    Type: String
    Default: !Ref EnvName
Resources:
  EnvA:
    Type: AWS::MWAA::Environment
    Properties:
      Name: !Sub "${EnvB}-a"
  EnvB:
    Type: AWS::MWAA::Environment
    Properties:
      Name: !Sub "${EnvA}-b"
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: airflow:CreateWebLoginToken
            Resource: !Sub "arn:aws:airflow:us-east-1:111122223333:role/${EnvName}/Admin"
          - Effect: Allow
            Action: airflow:CreateWebLoginToken
            Resource: !Join ["", ["arn:aws:airflow:us-east-1:111122223333:role/", !Ref EnvA, "/Admin"]]
          - Effect: Allow
            Action: airflow:CreateWebLoginToken
            Resource: "*"
"""


def test_cloudformation_sub_and_ref_cycles(tmp_path):
    """Cycles end: the cyclic names stay symbolic (no guess, no finding on them); the rest is analysed."""
    template = tmp_path / "cycles.yaml"
    template.write_text(CFN_CYCLES)
    check_case(tmp_path, template, {("MWAA002", 32, 23)}, "CreateWebLoginToken allowed on *")


def test_cloudformation_names_that_double_59_times(tmp_path):
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Resources:", "  Env0:", "    Type: AWS::MWAA::Environment", "    Properties:", "      Name: ab"]
    for i in range(1, 60):
        lines += [f"  Env{i}:", "    Type: AWS::MWAA::Environment", "    Properties:", f'      Name: !Sub "${{Env{i - 1}}}${{Env{i - 1}}}"']
    lines += [
        "  Policy:", "    Type: AWS::IAM::ManagedPolicy", "    Properties:", "      PolicyDocument:", '        Version: "2012-10-17"',
        "        Statement:", "          - Effect: Allow", "            Action: airflow:CreateWebLoginToken",
        '            Resource: !Sub "arn:aws:airflow:us-east-1:111122223333:role/${Env59}/Admin"',
        "          - Effect: Allow", "            Action: airflow:CreateWebLoginToken", '            Resource: "*"',
    ]
    template = tmp_path / "double.yaml"
    template.write_text("\n".join(lines) + "\n")
    good = write_good(tmp_path)
    report, seconds, _ = lint(template, good)
    # 2^59 characters are never built: the resolution budget runs out, the name stays symbolic and the run says so;
    # literal values after that point stay known (the "*" statement is still judged)
    assert findings_of(report, template) == {("MWAA012", 1, 1), ("MWAA002", 254, 23), ("MWAA005", 254, 23)}
    assert "past 50,000 evaluation steps" in " ".join(messages_of(report, template))
    assert findings_of(report, good) == GOOD_FINDINGS


TF_CYCLES = """locals {
  a = local.b
  b = "${local.a}-x"
  l = concat(local.l, ["airflow:CreateWebLoginToken"])
  doubled = "${local.doubled}${local.doubled}"
}

variable "v" {
  default = "${var.v}"
}

data "aws_iam_policy_document" "d" {
  source_policy_documents = [data.aws_iam_policy_document.d.json]
  statement {
    actions   = concat(local.l, local.l)
    resources = ["arn:aws:airflow:us-east-1:111122223333:role/${var.v}${local.doubled}/Admin"]
  }
}

resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = local.l
        Resource = "arn:aws:airflow:us-east-1:111122223333:role/${local.a}/Admin"
      },
      {
        Effect   = "Allow"
        Action   = ["airflow:CreateWebLoginToken"]
        Resource = "*"
      }
    ]
  })
}

resource "aws_iam_policy" "q" {
  policy = data.aws_iam_policy_document.d.json
}
"""


def test_terraform_local_and_concat_cycles(tmp_path):
    module = tmp_path / "module"
    module.mkdir()
    main = module / "main.tf"
    main.write_text(TF_CYCLES)
    check_case(tmp_path, main, {("MWAA002", 32, 20)}, "CreateWebLoginToken allowed on *", paths=[module])


def test_terraform_strings_that_double_60_times(tmp_path):
    lines = ["locals {", '  l0 = "ab"'] + [f'  l{i} = "${{local.l{i - 1}}}${{local.l{i - 1}}}"' for i in range(1, 61)] + ["}"]
    lines.append(
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Action = "airflow:CreateWebLoginToken", Resource = "arn:aws:airflow:us-east-1:1:role/${local.l60}/Admin" }]\n'
        "  })\n}"
    )
    module = tmp_path / "module"
    module.mkdir()
    main = module / "main.tf"
    main.write_text("\n".join(lines) + "\n")
    # the name would be 2^61 characters: it stays symbolic (MAX_TEXT), so nothing is claimed about it
    check_case(tmp_path, main, set(), "", paths=[module])


# --- a parser process that dies ----------------------------------------------------------------------------------

CRASHING_PARSER = """
import os, signal
import linter.sources as sources

_parse_file = sources.parse_file
_parse_terraform_module = sources.parse_terraform_module


def parse_file(path):
    if "crash-me" in path:
        os.kill(os.getpid(), signal.SIGSEGV)  # what a C parser overflowing its stack does
    return _parse_file(path)


def parse_terraform_module(directory, files):
    if "crash-me" in directory:
        os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does
    return _parse_terraform_module(directory, files)


sources.parse_file = parse_file
sources.parse_terraform_module = parse_terraform_module
"""


def test_a_worker_that_dies_is_mwaa000_for_its_file_only(tmp_path):
    """With --jobs 2 over enough files, a file whose parser kills its process gets MWAA000; the others are linted."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(CRASHING_PARSER)  # loaded by every process, workers included
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(60):
        (corpus / f"p{i:02}.json").write_text(GOOD_POLICY)
    crashes = [corpus / "a-crash-me.json", corpus / "z-crash-me.json"]  # the first item and a late one
    for crash in crashes:
        crash.write_text(GOOD_POLICY)
    module = corpus / "crash-me-module"
    module.mkdir()
    for name in ("a.tf", "b.tf"):
        (module / name).write_text('resource "aws_iam_policy" "p" {\n  policy = "{}"\n}\n'.replace('"p"', f'"{name[0]}"'))
    env = {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}"}
    report, _, _ = lint(corpus, options=("--jobs", "2"), env=env)
    for crash in crashes:
        assert findings_of(report, crash) == {("MWAA000", 1, 1)}
        assert messages_of(report, crash) == ["parser crashed: the process reading this file died (signal 11, SIGSEGV); not analysed"]
    for name in ("a.tf", "b.tf"):  # a Terraform module is one work item: all its files
        assert findings_of(report, module / name) == {("MWAA000", 1, 1)}
        assert messages_of(report, module / name) == [
            "parser crashed: the process reading this file died (signal 9, SIGKILL, e.g. the out-of-memory killer); not analysed"
        ]
    for i in range(60):
        assert findings_of(report, corpus / f"p{i:02}.json") == GOOD_FINDINGS
    assert report["summary"]["files"] == 64


def test_a_parser_exception_is_mwaa000_for_its_file_only(tmp_path, monkeypatch):
    """A bug in a parser (an exception) costs its file, not the run; --debug lets it through."""
    from typer.testing import CliRunner

    import linter.sources.iam_json as iam_json
    from linter.cli import app

    bad = tmp_path / "bad.json"
    bad.write_text(GOOD_POLICY.replace("airflow:*", "airflow:boom"))
    good = write_good(tmp_path)
    original = iam_json.parse_json

    def parse_json(path, text, raw):
        if path.endswith("bad.json"):
            raise KeyError("boom")
        return original(path, text, raw)

    monkeypatch.setattr(iam_json, "parse_json", parse_json)
    result = CliRunner().invoke(app, ["check", str(bad), str(good), "--format", "json", "--jobs", "1"])
    report = json.loads(result.output)
    assert findings_of(report, bad) == {("MWAA000", 1, 1)}
    assert messages_of(report, bad)[0].startswith("internal error while reading this file (KeyError: 'boom'); not analysed.")
    assert findings_of(report, good) == GOOD_FINDINGS
    result = CliRunner().invoke(app, ["check", str(bad), str(good), "--jobs", "1", "--debug"])
    assert isinstance(result.exception, KeyError)


def test_no_process_pool_on_this_system_checks_in_process(tmp_path, monkeypatch):
    """Where a process pool cannot start (no working sem_open, as on AWS Lambda), --jobs N checks in one process."""
    import concurrent.futures

    from linter.config import Config
    from linter.run import RunOptions, lint

    def unavailable(*args, **kwargs):
        raise NotImplementedError("This platform lacks a functioning sem_open implementation")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", unavailable)
    for i in range(60):
        (tmp_path / f"p{i:02}.json").write_text(GOOD_POLICY)
    report = lint(Config(), RunOptions(paths=(str(tmp_path),), root=str(tmp_path), jobs=2))
    assert report.files == 60 and report.policies == 60
    assert {f.path for f in report.findings} == {str(tmp_path / f"p{i:02}.json") for i in range(60)}


@pytest.mark.parametrize(
    "text, message",
    [
        ("\n".join(billion_laughs().splitlines()[5:14]).replace("      ", "") + "\nexclude: *l8\n", "YAML aliases expand to more than 100,000 values"),
        ("exclude: &e [*e]\n", "YAML aliases expand to more than 100,000 values"),
        ("exclude: " + "[" * 100_000 + "]" * 100_000 + "\n", "YAML nested deeper than 500 levels"),
    ],
    ids=["alias-bomb", "recursive-anchor", "nested-100000-deep"],
)
def test_hostile_configuration_is_a_usage_error(tmp_path, text, message):
    """The configuration is found upward from the working folder, so a pull request can bring one: a usage error
    (exit 2) with the reason, in bounded time, never a hang or a crash."""
    (tmp_path / ".mwaa-lint.yaml").write_text(text)
    good = write_good(tmp_path)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "linter", "check", str(good)], capture_output=True, text=True, env=environment, cwd=tmp_path,
        timeout=60, preexec_fn=_cap_memory,
    )
    assert done.returncode == 2 and message in done.stderr, done.stderr
