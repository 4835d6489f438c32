"""Command line (typer). The only module that prints and decides exit codes.

No `from __future__ import annotations` here: typer reads the parameters' annotations, and string annotations
would make it evaluate each of them on every run."""

import os
import sys
from enum import Enum
from typing import List, Optional

import typer

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="mwaa-lint",
    help="Static linter for AWS IAM policies that grant access to Amazon MWAA.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    markdown = "markdown"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    note = "note"
    never = "never"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _version(value: bool):
    if value:
        typer.echo(f"mwaa-lint {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
):
    """Static linter for AWS IAM policies that grant access to Amazon MWAA."""


def _ids(values: Optional[List[str]]) -> tuple:
    return tuple(i.strip() for v in values or () for i in v.split(",") if i.strip())


def _fail(message: str) -> None:
    typer.echo(f"mwaa-lint: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


@app.command()
def check(
    paths: List[str] = typer.Argument(None, help="Files or folders to lint (default: the current folder)."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="Report format."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the report to FILE (the summary still goes to the terminal)."),
    rules: Optional[List[str]] = typer.Option(None, "--rules", help="Folder of extra rule files (repeatable)."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these rule ids (comma-separated, repeatable)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these rule ids (comma-separated, repeatable)."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", help="Lowest level that fails the run [default: warning]."),
    config_path: Optional[str] = typer.Option(None, "--config", help="Configuration file (default: .mwaa-lint.yaml or [tool.mwaa-lint] in pyproject.toml, searched upward)."),
    airflow_version: Optional[str] = typer.Option(None, "--airflow-version", help="Airflow version of environments whose version the scan cannot tell."),
    color: Color = typer.Option(Color.auto, "--color", help="Colour in text output."),
    show_source: Optional[bool] = typer.Option(None, "--show-source/--no-show-source", help="Print the offending line under each finding [default: on a terminal]."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="Findings recorded in this baseline file are suppressed (matched by fingerprint)."),
    write_baseline: Optional[str] = typer.Option(None, "--write-baseline", help="Record the current unsuppressed findings in this baseline file."),
    sarif_root: Optional[str] = typer.Option(None, "--sarif-root", help="Folder SARIF paths and fingerprints are relative to [default: the git repository root]."),
    sarif_category: Optional[str] = typer.Option(None, "--sarif-category", help="SARIF automationDetails.id (one per upload category) [default: mwaa-lint/]."),
    sarif_suppressed: bool = typer.Option(False, "--sarif-suppressed", help="Include suppressed findings in SARIF (GitHub shows them as open alerts)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Processes that check files (parse and rules), used when there are enough files to pay for them [default: the usable CPUs]."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
):
    """Lint IAM policies, CloudFormation templates and Terraform for MWAA access mistakes."""
    from .config import ConfigError, load_config
    from .run import RunOptions, default_jobs, exit_code, lint, repository_root

    _check_limits_environment()
    try:
        config = with_airflow_version(load_config(config_path), airflow_version)
    except ConfigError as exc:
        _fail(str(exc))
    stream_is_tty = output is None and sys.stdout.isatty()
    use_color = color == Color.always or (color == Color.auto and stream_is_tty and not os.environ.get("NO_COLOR"))
    options = RunOptions(
        paths=tuple(paths or (".",)),
        select=_ids(select),
        ignore=_ids(ignore),
        rules_dirs=tuple(rules or ()),
        report_options={
            "color": use_color,
            "show_source": stream_is_tty if show_source is None else show_source,
            "sarif_suppressed": sarif_suppressed,
            "category": sarif_category or "mwaa-lint/",
        },
        root=sarif_root or repository_root(),
        baseline=baseline,
        jobs=jobs or default_jobs(),
        debug=debug,
    )
    try:
        report = lint(config, options)
    except ConfigError as exc:
        _fail(str(exc))
    except FileNotFoundError as exc:
        _fail(f"no such file or folder: {exc.args[0] if exc.args else exc}")
    except Exception as exc:  # an internal error: say so plainly, traceback only with --debug
        if debug:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
    from .reporters import get_reporter

    if write_baseline:
        from .suppress import baseline_text

        _write_atomically(write_baseline, baseline_text(report.findings))
    rendered = get_reporter(format.value)(report)
    if output:
        _write_atomically(output, rendered)
        if format != Format.text:
            from .reporters.report import summary_line

            typer.echo(summary_line(report), err=True)
    else:
        sys.stdout.write(rendered)
    raise typer.Exit(exit_code(report, (fail_on.value if fail_on else config.fail_on)))


def _check_limits_environment() -> None:
    """A malformed MWAA_LINT_MAX_FILE_BYTES is a usage error, not a silent fallback to the default."""
    from .sources import MAX_FILE_BYTES_ENV, parse_byte_count

    given = os.environ.get(MAX_FILE_BYTES_ENV, "").strip()
    if given and parse_byte_count(given) is None:
        _fail(f"{MAX_FILE_BYTES_ENV}={given!r} is not a positive number of bytes (e.g. 33554432, 32M)")


def with_airflow_version(config, version: Optional[str]):
    """The configuration with the command line's --airflow-version; an unknown version is a usage error."""
    from dataclasses import replace

    from .config import ConfigError

    version = version or config.airflow_version
    if version is None:
        return config
    from .airflow.tables import known_versions

    if version not in known_versions():
        raise ConfigError(f"unknown Airflow version {version!r}; known: {', '.join(known_versions())}")
    return replace(config, airflow_version=version)


def _write_atomically(path: str, text: str) -> None:
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".mwaa-lint-", dir=directory)
    try:
        # mkstemp creates the file readable by its owner only; give it the mode a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


@app.command("rules")
def rules_command(
    rule_id: Optional[str] = typer.Argument(None, help="Explain one rule."),
    rules: Optional[List[str]] = typer.Option(None, "--rules", help="Folder of extra rule files (repeatable)."),
):
    """List the rules, or explain one (description, examples, fix)."""
    from .config import Config, ConfigError
    from .run import RunOptions, load_rules

    try:
        known = load_rules(Config(), RunOptions(rules_dirs=tuple(rules or ())))
    except ConfigError as exc:
        _fail(str(exc))
    if rule_id is None:
        for rule in sorted(known, key=lambda r: r.id):
            typer.echo(f"{rule.id}  {rule.name:<30} {rule.level.value:<8} {rule.summary}")
        return
    found = [r for r in known if r.id == rule_id.upper()]
    if not found:
        _fail(f"unknown rule id {rule_id!r}; run `mwaa-lint rules` for the list")
    rule = found[0]
    typer.echo(f"{rule.id} {rule.name} ({rule.level.value}, precision {rule.precision})\n")
    typer.echo(rule.summary + "\n")
    typer.echo(rule.description)


class ReportFormat(str, Enum):
    text = "text"
    json = "json"


def _airflow_version_or_fail(version: str) -> str:
    from .airflow.tables import known_versions

    if version not in known_versions():
        _fail(f"unknown Airflow version {version!r}; known: {', '.join(known_versions())}")
    return version


@app.command()
def endpoints(
    airflow_version: str = typer.Option(..., "--airflow-version", help="Airflow version, e.g. 2.10.3."),
    role: Optional[str] = typer.Option(None, "--role", help="Only the endpoints this default role can call."),
    format: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f"),
):
    """The REST endpoints of an Airflow version, the permissions each needs and the least default role."""
    from .airflow.tables import ROLE_ORDER, endpoints_report

    version = _airflow_version_or_fail(airflow_version)
    if role is not None and role not in ROLE_ORDER:
        _fail(f"unknown role {role!r}; default roles: {', '.join(ROLE_ORDER)}")
    typer.echo(endpoints_report(version, role, format.value), nl=False)


@app.command("least-role")
def least_role_command(
    calls: List[str] = typer.Argument(..., help='Calls such as "GET /eventLogs" "POST /dags/{dag_id}/dagRuns".'),
    airflow_version: str = typer.Option(..., "--airflow-version", help="Airflow version, e.g. 2.10.3."),
    format: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f"),
):
    """The least default Airflow role for a set of REST calls, and what each weaker role is missing."""
    from .airflow.tables import least_role_report

    version = _airflow_version_or_fail(airflow_version)
    try:
        typer.echo(least_role_report(version, calls, format.value), nl=False)
    except ValueError as exc:
        _fail(str(exc))


def main() -> None:
    try:
        app(prog_name="mwaa-lint")
    except KeyboardInterrupt:
        sys.exit(130)
