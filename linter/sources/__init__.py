"""Input discovery and detection: which files are inputs, of which kind, and reading them safely."""
from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from functools import lru_cache

from ..model import Diagnostic, Origin, ParsedSource
from ..positions import FILE_START, DecodeError, decode, json_error

# Limits. Each keeps a hostile file from costing unbounded time or memory; what a file over a limit gets is said
# next to it. Others live with the code they bound: cloudformation.MAX_RESOLUTION_STEPS and friends, the YAML alias
# budget in cloudformation.parse_yaml, terraform_hcl.MAX_STEPS/MAX_TEXT, terraform_values.MAX_ITEMS,
# terraform_plan.MAX_MODULE_DEPTH.
MAX_FILE_BYTES = 16 * 1024 * 1024  # larger files are reported as not analysed (MWAA012); see file_size_limit()
MAX_FILE_BYTES_ENV = "MWAA_LINT_MAX_FILE_BYTES"  # environment variable that overrides MAX_FILE_BYTES
MAX_NESTING = 500  # deeper JSON/YAML nesting is reported as MWAA000 before any parser sees it
# Statements analysed per policy document; the rest are counted in one MWAA012 note. IAM accepts a few hundred at most
# (a policy is 6,144 or 10,240 characters); some checks compare each Allow with each Deny of a document, so 2,500 of
# each with wildcards cost about 8 s. (The benchmark's ~1 MB policies have about 3,000.)
MAX_STATEMENTS = 5_000
# Syntax nodes a YAML or HCL file may have: their parsers take about 300 bytes and a few microseconds per node. A 1 MB
# CloudFormation template (the most CloudFormation accepts) has about 100,000; more is MWAA012. YAML's count is an
# upper bound from its indicators (counted before parsing), HCL's is tree-sitter's.
MAX_SYNTAX_NODES = 500_000
MAX_PROBLEMS = 1_000  # MWAA000 (and MWAA012) findings per file; past it one note says how many more there are
SKIP_DIRS = frozenset((".git", ".terraform", "node_modules", ".hg", ".svn", "__pycache__", ".venv", ".tox"))
EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".tf")

# A cheap look at the bytes: does this file claim to be one of our input kinds?
SNIFF_JSON = (b'"Statement"', b'"AWSTemplateFormatVersion"', b'"planned_values"', b'"format_version"', b'"Resources"')


@dataclass(frozen=True)
class Outcome:
    """What reading one file gave: a parsed source, or a note that it was skipped (not an input)."""

    path: str
    source: ParsedSource | None = None
    skipped: bool = False


def discover(paths, exclude=()) -> list[str]:
    """Expand command-line paths into candidate files, in a stable order. Missing paths raise FileNotFoundError."""
    from fnmatch import fnmatch

    def excluded(path: str) -> bool:
        rel = os.path.normpath(path)
        return any(fnmatch(rel, pattern) or fnmatch(rel, pattern.rstrip("/") + "/*") for pattern in exclude)

    files: list[str] = []
    seen: set = set()
    for given in paths:
        if not os.path.lexists(given):
            raise FileNotFoundError(given)
        if os.path.isdir(given):
            for root, dirs, names in os.walk(given, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not excluded(os.path.join(root, d)))
                for name in sorted(names):
                    path = os.path.join(root, name)
                    if name.endswith(EXTENSIONS) and not excluded(path) and path not in seen:
                        seen.add(path)
                        files.append(path)
        elif given.endswith(".tf") and os.path.isfile(given):
            # Terraform reads a folder as one module: a named .tf file brings its siblings (pre-commit passes
            # only the changed files).
            folder = os.path.dirname(given) or "."
            for name in sorted(os.listdir(folder)):
                path = given if name == os.path.basename(given) else os.path.join(os.path.dirname(given), name)
                if name.endswith(".tf") and path not in seen and not excluded(path):
                    seen.add(path)
                    files.append(path)
        elif given not in seen and not excluded(given):
            seen.add(given)
            files.append(given)
    return files


def file_size_limit() -> int:
    """MAX_FILE_BYTES, or the positive byte count in the MWAA_LINT_MAX_FILE_BYTES environment variable."""
    given = os.environ.get(MAX_FILE_BYTES_ENV, "").strip()
    if given:
        limit = parse_byte_count(given)
        if limit is not None:
            return limit
    return MAX_FILE_BYTES


def parse_byte_count(text: str) -> int | None:
    """A positive number of bytes, optionally with a K/M/G suffix (powers of 1024); None when it is not one."""
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:], 1)
    digits = text[:-1] if scale > 1 else text
    if not digits.isdigit() or int(digits) <= 0:
        return None
    return int(digits) * scale


def read_bytes(path: str) -> bytes:
    """Read a regular file with a size bound; raise OSError/ValueError with a clear message otherwise.

    The file is opened without blocking and checked again on the open descriptor, so a FIFO or device that replaces
    the file between the two looks (or is reached through a symlink) is refused instead of blocking the run.
    """
    limit = file_size_limit()
    _refuse_special(os.stat(path), limit)
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with open(descriptor, "rb", closefd=True) as handle:
        _refuse_special(os.fstat(descriptor), limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OverflowError(f"file grew over the {limit:,}-byte limit ({MAX_FILE_BYTES_ENV}) while being read")
    return data


def source_text(path: str) -> str | None:
    """A source file's text for comments, source lines and the like, read with read_bytes's checks (a regular file
    within the size limit: a FIFO never blocks, a huge file is not read), undecodable bytes replaced; None when it
    cannot be read."""
    try:
        data = read_bytes(path)
    except (OSError, ValueError, OverflowError):
        return None
    return data.decode("utf-8-sig", errors="replace")


def _refuse_special(info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ValueError("is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("is not a regular file (FIFO, socket or device)")
    if info.st_size > limit:
        raise OverflowError(f"file of {info.st_size:,} bytes is over the {limit:,}-byte limit ({MAX_FILE_BYTES_ENV})")


def nesting_depth_exceeds(text: str, limit: int = MAX_NESTING) -> bool:
    """Cheap upper bound of bracket nesting, ignoring strings: parsers never see deeper documents."""
    return too_deep_at(text, limit) is not None


def too_deep_at(text: str, limit: int = MAX_NESTING, openers: str = "[{", closers: str = "]}") -> int | None:
    """The offset of the first bracket nested deeper than `limit` (strings not skipped: an upper bound), or None.

    The brackets are walked in C (a 15 MB file in a fraction of a second): the depth after each is its running sum
    minus the lowest sum so far, or 0 (a closer never takes it below 0). Only a file already known too deep is
    walked in Python, to find where."""
    if sum(text.count(c) for c in openers) <= limit:
        return None
    from array import array
    from itertools import accumulate
    from operator import sub

    brackets = text.encode("utf-8", "surrogatepass").translate(None, _other_bytes(openers + closers))
    sums = list(accumulate(array("b", brackets.translate(_steps(openers)))))  # +1 per opener, -1 per closer
    if min(sums, default=0) >= 0:  # no closer without an opener before it: the depths are the sums themselves
        deepest = max(sums, default=0)
    else:
        lows = accumulate(sums, min, initial=0)
        next(lows)
        deepest = max(map(sub, sums, lows), default=0)
    if deepest <= limit:
        return None
    depth = 0
    for offset, char in enumerate(text):
        if char in openers:
            depth += 1
            if depth > limit:
                return offset
        elif char in closers:
            depth = max(0, depth - 1)
    return None


@lru_cache(maxsize=None)
def _steps(openers: str) -> bytes:
    """A bytes.translate table: an opener becomes 1, anything else (a closer) 0xFF, which is -1 as a signed byte."""
    return bytes(1 if chr(b) in openers else 0xFF for b in range(256))


@lru_cache(maxsize=None)
def _other_bytes(kept: str) -> bytes:
    """The bytes.translate deletions that keep only these ASCII characters (never part of a longer UTF-8 one)."""
    return bytes(b for b in range(256) if chr(b) not in kept)


# A block (indentation-based) YAML node can be no deeper than the width of the blanks and "- "/"? "/": "
# indicators in front of it: flow brackets are not the only way to nest (a line of 100,000 "- " is 100,000
# sequences deep). Some libyaml builds overflow the C stack on such input; this finds it first.
_YAML_BLOCK_DEEP = re.compile(r"^(?:[ \t]|[-?:](?=[ \t]))" + "{%d}" % MAX_NESTING, re.M)
_YAML_BLOCK_RUN = re.compile(r"^[ \t?:-]{%d}" % MAX_NESTING, re.M)  # what _YAML_BLOCK_DEEP needs; found faster


def yaml_node_estimate(text: str) -> int:
    """An upper bound of the nodes of a YAML text: each one after the first needs a line, a "- ", a ":", a ","
    or a bracket of its own (all counted in C: no parse)."""
    return 1 + sum(text.count(indicator) for indicator in ("\n", "-", ":", ",", "[", "{"))


def yaml_too_deep_at(text: str) -> int | None:
    """The offset where a YAML text nests deeper than MAX_NESTING (flow brackets or block indentation), or None."""
    flow = too_deep_at(text)
    block = _YAML_BLOCK_DEEP.search(text) if _YAML_BLOCK_RUN.search(text) else None
    found = [at for at in (flow, block.end() if block else None) if at is not None]
    return min(found) if found else None


# Parsers by input kind, imported only when a file of that kind turns up: kind -> "module:function".
# JSON kinds take (path, text, raw JSON); YAML takes (path, text); Terraform takes (directory, [files]).
PARSERS = {
    "iam-json": "iam_json:parse_json",
    "cloudformation-json": "cloudformation:parse_json",
    "cloudformation-yaml": "cloudformation:parse_yaml",
    "terraform-plan": "terraform_plan:parse_json",
    "terraform-hcl": "terraform_hcl:parse_module",
}


def parser(kind: str):
    from importlib import import_module

    module, _, function = PARSERS[kind].partition(":")
    try:
        loaded = import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{module}":
            return None  # input kind not built yet
        raise
    return getattr(loaded, function)


def json_kind(raw) -> str | None:
    """Which JSON input kind parsed content is, by its shape."""
    if not isinstance(raw, dict):
        return None
    from .iam_json import looks_like

    if looks_like(raw):
        return "iam-json"
    resources = raw.get("Resources")
    if "AWSTemplateFormatVersion" in raw or (
        isinstance(resources, dict)
        and any(isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::")) for r in resources.values())
    ):
        return "cloudformation-json"
    if "format_version" in raw and ("planned_values" in raw or "configuration" in raw or "terraform_version" in raw):
        return "terraform-plan"
    return None


YAML_SNIFF = ("AWSTemplateFormatVersion", "AWS::")


def parse_file(path: str) -> Outcome:
    """Read, detect and parse one file (not .tf: see parse_terraform_module). Never raises for bad input."""
    origin = Origin(path, (), FILE_START)
    try:
        data = read_bytes(path)
    except OverflowError as exc:
        return _problem(path, "MWAA012", str(exc), origin)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return _problem(path, "MWAA000", f"cannot read file: {reason}", origin)
    probe = sniffable(data)
    if path.endswith(".json") or probe.lstrip()[:1] in (b"{", b"["):
        return _parse_json_kind(path, data, origin, probe)
    if path.endswith((".yaml", ".yml", ".template")):
        return _parse_yaml_kind(path, data, origin, probe)
    return Outcome(path, skipped=True)


def sniffable(data: bytes) -> bytes:
    """The bytes the sniff looks at: a UTF-16 file (with a byte-order mark) as UTF-8, so a policy saved as UTF-16
    (PowerShell's default) is reported as such rather than skipped."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    return data


def parse_terraform_module(directory: str, files: list[str]) -> list[Outcome]:
    """All .tf files of one folder form a module; the parser returns one ParsedSource per file it read."""
    parse = parser("terraform-hcl")
    if parse is None:
        return [Outcome(path, skipped=True) for path in files]
    sources = bounded(parse(directory, files))
    return [Outcome(source.path, source) for source in sources]


def bounded(sources: list) -> list:
    """The sources with every document cut to its first MAX_STATEMENTS statements, and an MWAA012 note where one was
    cut. Principals (possibly in another source of the same module) get the cut documents too."""
    from dataclasses import replace

    sources = [_few_problems(source) for source in sources]
    cut = {}
    for source in sources:
        for doc in source.documents:
            if len(doc.statements) > MAX_STATEMENTS and id(doc) not in cut:
                cut[id(doc)] = replace(doc, statements=doc.statements[:MAX_STATEMENTS])
    if not cut:
        return sources
    out = []
    for source in sources:
        notes = tuple(
            statements_cut(len(doc.statements), doc.statements[MAX_STATEMENTS].origin, doc.logical)
            for doc in source.documents
            if id(doc) in cut
        )
        principals = tuple(
            replace(p, documents=tuple(cut.get(id(d), d) for d in p.documents)) if any(id(d) in cut for d in p.documents) else p
            for p in source.principals
        )
        documents = tuple(cut.get(id(d), d) for d in source.documents)
        out.append(replace(source, documents=documents, principals=principals, diagnostics=source.diagnostics + notes))
    return out


def _parse_yaml_kind(path: str, data: bytes, origin: Origin, probe: bytes) -> Outcome:
    if not any(marker.encode() in probe for marker in YAML_SNIFF):
        return Outcome(path, skipped=True)
    parse = parser("cloudformation-yaml")
    if parse is None:
        return Outcome(path, skipped=True)
    text = _decoded(path, data, origin, "YAML")
    if isinstance(text, Outcome):
        return text
    source = parse(path, text)
    return Outcome(path, skipped=True) if source is None else Outcome(path, bounded([source])[0])  # None: no template


def statements_cut(count: int, origin: Origin, logical: str | None = None) -> Diagnostic:
    """The MWAA012 note of a policy with more than MAX_STATEMENTS statements, at the first one left out. Readers cut
    the statements before analysing them (a 15 MB policy is then read in a second); `bounded` catches the rest."""
    return Diagnostic(
        "MWAA012",
        f"the statements of this policy after the first {MAX_STATEMENTS:,} (it has {count:,}; IAM accepts a few "
        "hundred at most in one policy)",
        origin,
        logical,
    )


def _few_problems(source: ParsedSource) -> ParsedSource:
    """The source with at most MAX_PROBLEMS MWAA000 and MAX_PROBLEMS MWAA012 findings, and a note counting the others
    (one broken construct repeated 100,000 times is one problem to fix, not 100,000 lines of report)."""
    counts: dict = {}
    for diagnostic in source.diagnostics:
        counts[diagnostic.rule_id] = counts.get(diagnostic.rule_id, 0) + 1
    if all(count <= MAX_PROBLEMS for count in counts.values()):
        return source
    from dataclasses import replace

    seen: dict = {}
    kept = []
    for diagnostic in source.diagnostics:
        seen[diagnostic.rule_id] = seen.get(diagnostic.rule_id, 0) + 1
        if seen[diagnostic.rule_id] <= MAX_PROBLEMS:
            kept.append(diagnostic)
    for rule_id, count in sorted(counts.items()):
        if count > MAX_PROBLEMS:
            rest = count - MAX_PROBLEMS
            kept.append(Diagnostic(
                "MWAA012", f"{rest:,} more {rule_id} finding{'s' if rest > 1 else ''} in this file after the first "
                f"{MAX_PROBLEMS:,} (not reported one by one)", Origin(source.path, (), FILE_START),
            ))
    return replace(source, diagnostics=tuple(kept))


def _decoded(path: str, data: bytes, origin: Origin, syntax: str):
    """The file's text, or an Outcome with MWAA000 when it is not UTF-8 text or is nested too deeply."""
    try:
        text = decode(data)
    except DecodeError as exc:
        return _problem(path, "MWAA000", exc.message, Origin(path, (), exc.span))
    if syntax == "YAML" and yaml_node_estimate(text) > MAX_SYNTAX_NODES:
        return _problem(
            path, "MWAA012", f"a YAML file of about {yaml_node_estimate(text):,} values, more than the {MAX_SYNTAX_NODES:,} one "
            "file may have (CloudFormation accepts templates of up to 1 MB)", origin,
        )
    deep = yaml_too_deep_at(text) if syntax == "YAML" else too_deep_at(text)
    if deep is not None:
        from ..positions import LineIndex

        span = LineIndex(text).span(deep, deep + 1)
        return _problem(path, "MWAA000", f"{syntax} nested deeper than {MAX_NESTING} levels; not parsed", Origin(path, (), span))
    return text


def _problem(path: str, rule_id: str, message: str, origin: Origin) -> Outcome:
    return Outcome(path, ParsedSource(path, "unknown", diagnostics=(Diagnostic(rule_id, message, origin),)))


def _parse_json_kind(path: str, data: bytes, origin: Origin, probe: bytes) -> Outcome:
    if not any(marker in probe for marker in SNIFF_JSON):
        return Outcome(path, skipped=True)
    text = _decoded(path, data, origin, "JSON")
    if isinstance(text, Outcome):
        return text
    duplicates = []

    def pairs(items):
        result = dict(items)
        if len(result) != len(items):
            duplicates.append(True)
        return result

    try:
        raw = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        error = json_error(text, exc)
        return _problem(path, "MWAA000", error.message, Origin(path, (), error.span))
    except RecursionError:
        return _problem(path, "MWAA000", "JSON nested too deeply to parse", origin)
    kind = json_kind(raw)
    parse = parser(kind) if kind else None
    if parse is None:
        return Outcome(path, skipped=True)
    source = parse(path, text, raw)
    if duplicates:
        source = with_duplicate_key_problems(source, text)
    return Outcome(path, bounded([source])[0])


def with_duplicate_key_problems(source: ParsedSource, text: str) -> ParsedSource:
    """MWAA000 at every duplicate key of a JSON file (IAM and CloudFormation keep the last one); its spans then read
    every object to its end (a key's last occurrence counts)."""
    from dataclasses import replace

    from ..positions import FileSpans, json_duplicate_keys

    problems = tuple(
        Diagnostic("MWAA000", f'duplicate key "{pointer[-1]}": only the last one counts', Origin(source.path, pointer, span))
        for pointer, span in json_duplicate_keys(text)
    )
    spans = FileSpans(source.path, "json", repeated_keys=True, text=text) if isinstance(source.spans, FileSpans) else source.spans
    return replace(source, diagnostics=problems + source.diagnostics, spans=spans)
