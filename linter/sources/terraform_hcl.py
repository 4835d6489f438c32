"""Terraform HCL: a folder of `.tf` files is one module; policies, principals and MWAA environments from it.

Every tree-sitter call of the project lives in this module (tree-sitter-hcl, imported lazily). Expressions are
evaluated into a small set of abstract values (`Str`, `Lst`, `Obj`, `Lit`, `Unknown`, `Choice`, `DocRef`,
`FileRef`, `Encoded`); whatever the module does not determine stays `Unknown` and becomes a `Symbolic` part.

Pointers (positions live in one `StaticSpans` per file, keyed by these tuples):
- a block: ("resource", TYPE, NAME), ("data", TYPE, NAME), ("variable", NAME), ("module", NAME), ("output", NAME);
  a local: ("locals", NAME); an attribute: block pointer + (ATTRIBUTE,); a list item: + (index,); an object
  element: + (key,), its key: + (key, KEY); conditional branches: + ("then",) / + ("else",); a function argument:
  + (FUNCTION, index); a nested block: + (BLOCK TYPE, index).
- a policy written with jsonencode or heredoc JSON: the attribute pointer + the IAM JSON path, e.g.
  ("resource", "aws_iam_policy", "x", "policy", "Statement", 0, "Action", 1).
- a policy built by `data "aws_iam_policy_document"`: the data pointer + the IAM JSON path of the document it
  renders, e.g. ("data", "aws_iam_policy_document", "d", "Statement", 0, "Action", 1) is the second item of
  `actions` in the first statement block; ("...", "Statement", 0) is the statement block itself.
Elements also carry their span in their origin, so a file read through two module calls resolves the same way.
"""
from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass, field, replace

from ..model import (
    DeclaredCall,
    Diagnostic,
    Environment,
    Origin,
    ParsedSource,
    PolicyDocument,
    Principal,
    Symbolic,
    Value,
)
from ..positions import KEY, DecodeError, FileSpans, LineIndex, StaticSpans, decode, json_offsets
from .iam_json import DocumentReader, trusts_airflow

MAX_STEPS = 48  # nested reference hops (var -> local -> ...) before a value is left symbolic: cycles cannot hang
MAX_MODULE_DEPTH = 6  # nested local module calls followed
MAX_SYNTAX_ERRORS = 5  # MWAA000 findings per file
MAX_NESTING = 100  # deeper bracket nesting is MWAA000 before the evaluator (which recurses) sees it
MAX_POLICY_FILE_BYTES = 2 * 1024 * 1024
MAX_HCL_BYTES = 2_000_000  # a .tf file; with sources.MAX_SYNTAX_NODES it bounds the parse tree (~300 MB at most)
MAX_TEXT = 200_000  # longer computed strings (doubling interpolations) are left symbolic
MAX_ITEMS = 10_000  # longer computed lists likewise

POLICY_RESOURCES = {  # resource type -> attribute naming the principal it attaches to
    "aws_iam_policy": None,
    "aws_iam_role_policy": "role",
    "aws_iam_user_policy": "user",
    "aws_iam_group_policy": "group",
}
PRINCIPAL_TYPES = {"role": "aws_iam_role", "user": "aws_iam_user", "group": "aws_iam_group"}
ATTACHMENTS = {
    "aws_iam_role_policy_attachment": "role",
    "aws_iam_user_policy_attachment": "user",
    "aws_iam_group_policy_attachment": "group",
}
SYMBOLIC_DATA = ("aws_region", "aws_caller_identity", "aws_partition")
DOC_DATA = "aws_iam_policy_document"
MARK = "\ue001"  # stands for a symbolic part while JSON text with interpolations is decoded
CALLS = re.compile(r"^(?:#|//)\s*mwaa-lint:\s*calls\b\s*(.*)$")
STATEMENT_ATTRIBUTES = ("sid", "effect", "actions", "not_actions", "resources", "not_resources")
JSON_KEYS = {  # aws_iam_policy_document statement attributes -> IAM JSON keys
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


# -- abstract values ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Str:
    parts: tuple  # str | Symbolic
    origin: Origin
    note: str = ""
    heredoc: tuple | None = None  # (HclFile, start offset, base pointer) when the text can be positioned as JSON
    directive: bool = False  # holds a %{...} template directive


@dataclass(frozen=True)
class Lit:
    value: object  # int, float, bool or None
    origin: Origin


@dataclass(frozen=True)
class Lst:
    items: tuple
    origin: Origin


@dataclass(frozen=True)
class Obj:
    items: tuple  # ((key, value, key origin), ...)
    origin: Origin

    def get(self, key):
        found = None
        for k, v, _ in self.items:
            if k == key:
                found = v
        return found


@dataclass(frozen=True)
class Unknown:
    text: str  # the expression as written
    origin: Origin
    why: str = ""


@dataclass(frozen=True)
class Choice:
    options: tuple  # both sides of a conditional
    origin: Origin


@dataclass(frozen=True)
class DocRef:
    """data.aws_iam_policy_document.NAME.json"""

    module: object
    name: str
    origin: Origin


@dataclass(frozen=True)
class FileRef:
    path: str
    origin: Origin
    variables: object = None  # Obj for templatefile()
    template: bool = False


@dataclass(frozen=True)
class Encoded:
    """jsonencode(value)"""

    value: object
    origin: Origin


@dataclass(frozen=True)
class Leaf:
    """A string handed to DocumentReader: becomes a Value with its own origin."""

    parts: tuple
    origin: Origin | None
    note: str = ""


def _symbolic(value) -> tuple:
    return (Symbolic("${" + value.text + "}"),)


def _join_notes(*notes) -> str:
    out = []
    for note in notes:
        for piece in (note or "").split("; "):
            if piece and piece not in out:
                out.append(piece)
    return "; ".join(out)


# -- files and syntax ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class HclFile:
    path: str
    text: str
    data: bytes
    root: object  # tree-sitter node, or None when the file could not be read
    index: LineIndex
    spans: dict  # pointer -> Span, filled while evaluating
    comments: dict  # 0-based row -> the comment node that row holds alone, or None (filled as asked)
    blocks: dict = field(default_factory=dict)  # block node id -> _block_parts of it
    may_comment: bool = True  # False when no comment marker (#, //, */) is anywhere in the text

    def node_text(self, node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def span(self, node):
        return self.index.point_span(node.start_point, node.end_point)

    def origin(self, pointer: tuple, node) -> Origin:
        pointer = tuple(pointer)
        span = self.index.point_span(node.start_point, node.end_point)
        self.spans.setdefault(pointer, span)
        return Origin(self.path, pointer, span)

    def offset(self, node) -> int:
        row, col = node.start_point
        return self.index.offset(row + 1, self.index.char_column(row, col))


def _make_parser():
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def _named(node, file: HclFile | None = None) -> list:
    """The named children of a node but comments (tree-sitter puts a comment wherever whitespace may be)."""
    if file is not None and not file.may_comment:
        return node.named_children
    return [c for c in node.named_children if c.type != "comment"]


def _body_items(body):
    """(kind, name, node) for the attributes and blocks of a body node."""
    if body is None:
        return
    for child in body.children:
        if child.type == "attribute":
            kids = _named(child)
            if len(kids) >= 2:
                yield "attribute", kids[0].text.decode("utf-8", "replace"), kids[-1]
        elif child.type == "block":
            yield "block", None, child


def _block_parts(file: HclFile, block):
    """(type, labels, body node) of a block."""
    found = file.blocks.get(block.id)
    if found is None:
        found = file.blocks[block.id] = _read_block(file, block)
    return found


def _read_block(file: HclFile, block):
    kids = _named(block, file)
    kind = file.node_text(kids[0]) if kids and kids[0].type == "identifier" else ""
    labels = []
    body = None
    for child in kids[1:]:
        if child.type == "string_lit":
            labels.append("".join(file.node_text(c) for c in child.children if c.type == "template_literal"))
        elif child.type == "identifier":
            labels.append(file.node_text(child))
        elif child.type == "body":
            body = child
    return kind, labels, body


def _attributes(body) -> dict:
    return {name: node for kind, name, node in _body_items(body) if kind == "attribute"}


def _blocks(file: HclFile, body, kind: str) -> list:
    return [node for k, _, node in _body_items(body) if k == "block" and _block_parts(file, node)[0] == kind]


def _syntax_problems(file: HclFile) -> list[Diagnostic]:
    out = []
    todo = [file.root]
    while todo and len(out) < MAX_SYNTAX_ERRORS:
        node = todo.pop()
        if node.is_missing:
            out.append(_syntax_problem(file, node, f'invalid HCL: missing "{node.type}"'))
            continue
        if node.type == "ERROR":
            snippet = file.node_text(node).strip().split("\n")[0][:40]
            out.append(_syntax_problem(file, node, f"invalid HCL: cannot parse {snippet!r}; expected an attribute, a block or an expression"))
            continue
        if node.has_error:
            todo.extend(reversed(node.children))
    return out


def _syntax_problem(file: HclFile, node, message: str) -> Diagnostic:
    span = file.span(node)
    if (span.end_line, span.end_col) == (span.start_line, span.start_col):
        span = replace(span, end_col=span.start_col + 1)
    return Diagnostic("MWAA000", message, Origin(file.path, (), span))


def _comment_at(file: HclFile, row: int):
    """The comment node that starts row (0-based) after blanks only, outside strings and heredocs; else None.

    Only a row whose text starts with a comment marker is looked up: the cursor steps down to the point where the
    marker is, so a marker inside a heredoc or a block comment finds no comment node starting there."""
    if row in file.comments:
        return file.comments[row]
    found = None
    starts = file.index.starts
    if 0 <= row < len(starts):
        line = file.text[starts[row] : starts[row + 1] if row + 1 < len(starts) else len(file.text)]
        rest = line.lstrip()
        if rest.startswith(("#", "//", "/*")):
            point = (row, len(line[: len(line) - len(rest)].encode("utf-8")))
            cursor = file.root.walk()
            while cursor.goto_first_child_for_point(point) is not None:
                node = cursor.node
                if node.start_point > point:
                    break
                if node.type == "comment":
                    found = node if node.start_point == point else None
                    break
                if node.type in ("template_literal", "string_lit", "heredoc_template"):
                    break
    file.comments[row] = found
    return found


def _declared_calls(file: HclFile, node, pointer: tuple) -> tuple:
    """`# mwaa-lint: calls A, B` on the comment lines right above a block: DeclaredCalls spanning each call."""
    calls = []
    row = node.start_point[0] - 1
    while (comment := _comment_at(file, row)) is not None:
        text = file.node_text(comment)
        match = CALLS.match(text)
        if match:
            found = []
            for piece in re.finditer(r"[^,]+", match.group(1)):
                stripped = piece.group().strip()
                if not stripped:
                    continue
                begin = match.start(1) + piece.start() + piece.group().index(stripped)
                start = comment.start_point[1] + len(text[:begin].encode("utf-8"))
                end = start + len(stripped.encode("utf-8"))
                span = file.index.point_span((row, start), (row, end))
                found.append(DeclaredCall(stripped, Origin(file.path, pointer + ("mwaa-lint", row, len(found)), span)))
            calls[:0] = found
        row -= 1
    return tuple(calls)


# -- modules ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Module:
    directory: str
    files: tuple
    prefix: str  # address prefix: "" or "module.NAME." (nested: "module.a.module.b.")
    parent: "Module | None"
    inputs: dict  # variable name -> (HclFile, expression node) in the parent
    index: dict  # (kind, name...) -> (HclFile, node, pointer)
    depth: int
    call: tuple | None = None  # (HclFile, module block node) in the parent


def _index(files) -> dict:
    index = {}
    for file in files:
        if file.root is None:
            continue
        body = next((c for c in file.root.children if c.type == "body"), None)
        for kind, _, node in _body_items(body):
            if kind != "block":
                continue
            block_type, labels, inner = _block_parts(file, node)
            if block_type in ("resource", "data") and len(labels) == 2:
                index.setdefault((block_type, labels[0], labels[1]), (file, node, (block_type, labels[0], labels[1])))
            elif block_type in ("variable", "module", "output") and len(labels) == 1:
                index.setdefault((block_type, labels[0]), (file, node, (block_type, labels[0])))
            elif block_type == "locals":
                for name, expr in _attributes(inner).items():
                    index.setdefault(("local", name), (file, expr, ("locals", name)))
    return index


def _read_file(path: str, parser, problems: list) -> HclFile:
    from . import read_bytes

    origin = Origin(path, (), None)
    try:
        data = read_bytes(path)
        text = decode(data)
    except DecodeError as exc:
        problems.append(Diagnostic("MWAA000", exc.message, Origin(path, (), exc.span)))
        return HclFile(path, "", b"", None, LineIndex(""), {}, {})
    except OverflowError as exc:
        problems.append(Diagnostic("MWAA012", str(exc), replace(origin, span=_file_start())))
        return HclFile(path, "", b"", None, LineIndex(""), {}, {})
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        problems.append(Diagnostic("MWAA000", f"cannot read file: {reason}", replace(origin, span=_file_start())))
        return HclFile(path, "", b"", None, LineIndex(""), {}, {})
    index = LineIndex(text)
    if _too_deep(text):
        problems.append(Diagnostic("MWAA000", f"HCL nested deeper than {MAX_NESTING} levels; not parsed", replace(origin, span=_file_start())))
        return HclFile(path, text, b"", None, index, {}, {})
    data = text.encode("utf-8")
    from . import MAX_SYNTAX_NODES

    if len(data) > MAX_HCL_BYTES:  # tree-sitter keeps up to a node per byte, ~160 bytes each: not parsed at all
        problems.append(Diagnostic(
            "MWAA012", f"an HCL file of {len(data):,} bytes, more than the {MAX_HCL_BYTES:,} one file may have", replace(origin, span=_file_start()),
        ))
        return HclFile(path, text, b"", None, index, {}, {})
    tree = _parse(parser, data, MAX_SYNTAX_NODES)
    if tree.root_node.descendant_count > MAX_SYNTAX_NODES:
        problems.append(Diagnostic(
            "MWAA012", f"an HCL file of {tree.root_node.descendant_count:,} syntax nodes, more than the {MAX_SYNTAX_NODES:,} one "
            "file may have", replace(origin, span=_file_start()),
        ))
        return HclFile(path, text, b"", None, index, {}, {})
    may_comment = b"#" in data or b"//" in data or b"*/" in data
    file = HclFile(path, text, data, tree.root_node, index, {}, {}, may_comment=may_comment)
    if tree.root_node.has_error:
        problems.extend(_syntax_problems(file))
    return file


# Top-level blocks nothing reads: resources of other types and data sources other than aws_iam_policy_document (the
# module index keeps them, but no lookup or walk uses them). Written in the plain subset of HCL below, which tree-sitter
# parses without error, they are left out of the parse (tree-sitter's included ranges keep the positions of the rest):
# its cost is the largest part of reading a .tf file, and such blocks are a third of a typical one.
READ_RESOURCES = frozenset(POLICY_RESOURCES) | frozenset(PRINCIPAL_TYPES.values()) | frozenset(ATTACHMENTS) | {
    "aws_iam_policy_attachment", "aws_mwaa_environment"}
PLAIN_NODES_PER_BYTE = 4  # an upper bound of tree-sitter's nodes per byte of the plain subset (about 2 at most)
_KEYWORD = rb"(?!(?:for|in|if|else|endif|endfor|true|false|null)(?![A-Za-z0-9_-]))"
_IDENT = _KEYWORD + rb"[A-Za-z_][A-Za-z0-9_-]*"
_REF = _IDENT + rb"(?:\." + _IDENT + rb"|\[[0-9]+\])*"
_STR = rb'"(?:[\x20\x21\x23\x26-\x5b\x5d-\x7e]|\$\{' + _REF + rb'\})*"'  # printable ASCII; no escapes, %, lone $
_SCALAR = rb"(?:" + _STR + rb"|[0-9]+(?:\.[0-9]+)?|true|false|null|" + _REF + rb")"
_VALUE = rb"(?:" + _SCALAR + rb"|\[[ \t]*(?:" + _SCALAR + rb"(?:[ \t]*,[ \t]*" + _SCALAR + rb")*[ \t]*,?[ \t]*)?\])"
_END = rb"[ \t]*(?:\n|\Z)"
_PLAIN_HEAD = re.compile(rb'^(resource|data)[ \t]+"([A-Za-z0-9_-]+)"[ \t]+"[A-Za-z0-9_-]+"[ \t]*\{' + _END, re.M)
_PLAIN_BODY_LINE = re.compile(
    rb"[ \t]*(?:(?P<close>\})|(?P<block>" + _IDENT + rb"[ \t]*\{)|" + _IDENT + rb"[ \t]*=[ \t]*(?:(?P<object>\{)|" + _VALUE + rb"))?" + _END
)
_PLAIN_OBJECT_LINE = re.compile(
    rb"[ \t]*(?:(?P<close>\})|(?:" + _IDENT + rb"|" + _STR + rb")[ \t]*[=:][ \t]*(?:(?P<object>\{)|" + _VALUE + rb"[ \t]*,?))?" + _END
)


def _parse(parser, data: bytes, max_nodes: int):
    """The tree of a file, without the plain top-level blocks nothing reads when that gives the same tree for the
    rest: no syntax error, each left-out block between two top-level items, and the node count known to stay under
    the limit. Otherwise (and for files too big for that bound) the tree of the whole file."""
    skipped = _plain_unread_blocks(data) if len(data) * PLAIN_NODES_PER_BYTE <= max_nodes else []
    broken = False
    if skipped:
        parser.included_ranges = _kept_ranges(data, skipped)
        try:
            tree = _parse_blanked(parser, data, skipped)
        finally:
            parser.included_ranges = None
        root = tree.root_node
        broken = root.has_error
        left_out = sum(end - start for start, end in skipped)
        if not broken and root.descendant_count + PLAIN_NODES_PER_BYTE * left_out <= max_nodes and _between_items(root, skipped):
            return tree
    return parser.parse(data) if broken else _parse_blanked(parser, data, [])


def _parse_blanked(parser, data: bytes, skipped: list):
    """tree-sitter's tree of data, parsed with the inside of plain runs of quoted strings blanked (tree-sitter-hcl
    reads a string one token per character, blanks in one) when the tree shows that each blanked run is inside the
    literal of a quoted string or heredoc, where any such characters give the same tree; else parsed as it is."""
    blanked, runs = _blank_strings(data, skipped)
    if runs:
        tree = parser.parse(blanked)
        if not tree.root_node.has_error and _inside_strings(tree.root_node, runs):
            return tree
    return parser.parse(data)


# Quoted strings, scanned for _blank_strings: in code, what starts a string, a comment or a heredoc, and inside an
# interpolation also a brace; in a string, the rest of a plain one at once, else a run that may be blanked (printable
# ASCII but " $ % \), an escape, an interpolation or directive start, another character, its end.
_TOP_MARK = re.compile(rb'"|#|//|/\*|<<')
_CODE_MARK = re.compile(rb'"|#|//|/\*|<<|\{|\}')
_PLAIN_REST = re.compile(rb'([\x20\x21\x23\x26-\x5b\x5d-\x7e]*)"')
MIN_BLANKED_RUN = 8  # a shorter run saves tree-sitter less than checking it costs
MAX_BLANKED_HEREDOCS = 256
_HEREDOC_HEAD = re.compile(rb"-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\n")
_QUOTED_RUN = re.compile(rb'"([\x20\x21\x23\x26-\x5b\x5d-\x7e]+)"')
_STRING_PART = re.compile(rb'([\x20\x21\x23\x26-\x5b\x5d-\x7e]+)|(\\.)|\$\$\{|%%\{|([$%]\{)|([^"\\\n])|(")|\n|\\\Z', re.S)


def _blank_strings(data: bytes, skipped: list) -> tuple:
    """(data with each run of MIN_BLANKED_RUN or more plain characters inside a quoted string, or inside quotes in a heredoc without
    interpolations, blanked but its first and last, the (start, end) of each blanked run). Nothing is blanked in a
    string part with an escape, inside a left-out block, after a heredoc the scan cannot follow, or at all when the
    scan meets something else it does not follow (a newline in a string)."""
    runs: list = []
    depths = [0]  # brace depth of each open code level: the file, then each interpolation inside a string
    heredocs = 0
    pos = 0
    size = len(data)
    while True:
        mark = (_TOP_MARK if len(depths) == 1 else _CODE_MARK).search(data, pos)
        if mark is None:
            break
        token = mark.group()
        pos = mark.end()
        if token == b"{":
            depths[-1] += 1
            continue
        if token == b"}":
            if depths[-1]:
                depths[-1] -= 1
                continue
            depths.pop()  # the end of an interpolation: back in its string
        elif token == b"#" or token == b"//":
            end = data.find(b"\n", pos)
            pos = size if end < 0 else end
            continue
        elif token == b"/*":
            end = data.find(b"*/", pos)
            if end < 0:
                return data, []
            pos = end + 2
            continue
        elif token == b"<<":
            # a heredoc: its JSON strings are blanked too when it has no interpolation or directive
            heredocs += 1  # each has a pattern of its own: a few hundred are enough for any real file
            head = _HEREDOC_HEAD.match(data, pos) if len(depths) == 1 and heredocs <= MAX_BLANKED_HEREDOCS else None
            last = head and re.compile(rb"^[ \t]*" + re.escape(head.group(1)) + rb"[ \t]*$", re.M).search(data, head.end())
            if not last:
                break
            if data.find(b"${", head.end(), last.start()) < 0 and data.find(b"%{", head.end(), last.start()) < 0:
                for quoted in _QUOTED_RUN.finditer(data, head.end(), last.start()):
                    _add_run(runs, quoted.group(1), quoted.start(1), quoted.end(1))
            pos = last.end()
            continue
        rest = _PLAIN_REST.match(data, pos)
        if rest is not None:
            if rest.end(1) - pos >= MIN_BLANKED_RUN:
                _add_run(runs, rest.group(1), pos, rest.end(1))
            pos = rest.end()
            continue
        found: list = []  # a string part: up to its end, or to an interpolation
        plain = True
        while True:
            part = _STRING_PART.match(data, pos) if pos < size else None
            if part is None:
                return data, []
            pos = part.end()
            if part.group(1) is not None:
                _add_run(found, part.group(1), part.start(), pos)
            elif part.group(2) is not None:
                plain = False
            elif part.group(3) is not None:
                depths.append(0)
                break
            elif part.group(5) is not None:
                break
            elif part.group(4) is None and part.group() not in (b"$${", b"%%{"):
                return data, []  # a newline in a string
        if plain:
            runs.extend(found)
    if skipped:
        runs = _outside(runs, skipped)
    out = bytearray(data)
    for start, end in runs:
        out[start + 1 : end - 1] = b" " * (end - start - 2)
    return bytes(out), runs


def _add_run(runs: list, run: bytes, start: int, end: int) -> None:
    """A run to blank, without its leading and trailing blanks: blanks between two other characters are read with
    the first one (blanks at an end are read apart)."""
    start += len(run) - len(run.lstrip(b" "))
    end -= len(run) - len(run.rstrip(b" "))
    if end - start >= MIN_BLANKED_RUN:
        runs.append((start, end))


def _outside(runs: list, skipped: list) -> list:
    """The runs that are not inside a left-out block (both lists in file order)."""
    out = []
    k = 0
    for run in runs:
        while k < len(skipped) and skipped[k][1] <= run[0]:
            k += 1
        if k == len(skipped) or run[1] <= skipped[k][0]:
            out.append(run)
    return out


def _inside_strings(root, runs: list) -> bool:
    """Each run lies inside a template literal of the tree (the text of a quoted string or heredoc)."""
    for start, end in runs:
        node = root.descendant_for_byte_range(start, end)
        if node is None or node.type != "template_literal" or node.start_byte > start or node.end_byte < end:
            return False
    return True


def _plain_unread_blocks(data: bytes) -> list:
    """(start, end) byte offsets of the top-level-looking blocks nothing reads that are written in the plain subset:
    each from its first byte to its closing brace."""
    out = []
    at = 0
    for head in _PLAIN_HEAD.finditer(data):
        if head.start() < at:
            continue
        kind, rtype = head.group(1), head.group(2).decode("ascii")
        if (rtype in READ_RESOURCES) if kind == b"resource" else (rtype == DOC_DATA):
            continue
        end = _plain_block_end(data, head.end())
        if end is not None:
            out.append((head.start(), end))
            at = end
    return out


def _plain_block_end(data: bytes, pos: int) -> int | None:
    """The offset after the closing brace of a block whose body starts at pos, if every line of it is plain."""
    stack = [_PLAIN_BODY_LINE]
    size = len(data)
    while pos < size:
        line = stack[-1].match(data, pos)
        if line is None:
            return None
        if line.group("close"):
            stack.pop()
            if not stack:
                return line.start("close") + 1
        elif line.group("object"):
            stack.append(_PLAIN_OBJECT_LINE)
        elif stack[-1] is _PLAIN_BODY_LINE and line.group("block"):
            stack.append(_PLAIN_BODY_LINE)
        if line.end() == pos:
            return None
        pos = line.end()
    return None


def _kept_ranges(data: bytes, skipped: list) -> list:
    """tree-sitter Ranges of the bytes around the left-out blocks (each of which starts a line)."""
    from tree_sitter import Point, Range

    row = 0
    seen = 0  # rows are counted up to here

    def point(offset: int):
        nonlocal row, seen
        row += data.count(b"\n", seen, offset)
        seen = offset
        return Point(row, offset - (data.rfind(b"\n", 0, offset) + 1))

    out = []
    start = 0
    for begin, end in skipped + [(len(data), len(data))]:
        if begin > start:
            out.append(Range(point(start), point(begin), start, begin))
        start = end
    return out


def _between_items(root, skipped: list) -> bool:
    """No top-level node (an item of the body, or a comment) spans a left-out block: each lies between two of them,
    where a whole block can stand without changing the rest."""
    from bisect import bisect_right

    starts = [start for start, _ in skipped]
    items = [c for c in root.children if c.type != "body"] + [c for b in root.children if b.type == "body" for c in b.children]
    for item in items:
        k = bisect_right(starts, item.start_byte)
        if k and skipped[k - 1][1] > item.start_byte:
            return False
        if k < len(skipped) and item.end_byte > skipped[k][0]:
            return False
    return True


def _too_deep(text: str) -> bool:
    """Bracket and parenthesis nesting beyond MAX_NESTING (strings ignored: an upper bound is enough)."""
    from . import too_deep_at

    return too_deep_at(text, MAX_NESTING, "([{", ")]}") is not None


def _file_start():
    from ..positions import FILE_START

    return FILE_START


# -- evaluation -------------------------------------------------------------------------------------------------------
class Evaluator:
    """Evaluates expressions of the modules of one parse, with a memo per (module, reference)."""

    def __init__(self, root_dir: str, parser):
        self.root_dir = root_dir
        self.parser = parser
        self.memo: dict = {}
        self.problems: list[Diagnostic] = []
        self.files: dict = {}  # path -> HclFile (child module files)
        self.children: dict = {}  # (id(module), call name) -> Module | None

    def note(self, rule: str, message: str, origin: Origin, logical: str | None = None) -> None:
        diagnostic = Diagnostic(rule, message, origin, logical)
        if diagnostic not in self.problems:
            self.problems.append(diagnostic)

    # expressions -------------------------------------------------------------------------------------------------
    def ev(self, mod: Module, file: HclFile, node, ptr: tuple, scope: dict, steps: int = 0):
        if steps > MAX_STEPS:
            return Unknown(file.node_text(node), file.origin(ptr, node), "reference chain too long (a cycle?)")
        while True:  # through wrappers and one-part expressions without a call per level
            kind = node.type
            if kind == "expression":
                kids = _named(node, file)
                if node.children and node.children[0].type == "(":
                    if not kids:
                        return Unknown("", file.origin(ptr, node))
                elif not kids:
                    return Unknown(file.node_text(node), file.origin(ptr, node))
                elif kids[0].type == "variable_expr":
                    return self.reference(mod, file, node, kids, ptr, scope, steps)
                elif len(kids) > 1:
                    value = self.ev(mod, file, kids[0], ptr, scope, steps)
                    for post in kids[1:]:
                        value = self.traverse(value, file, post, mod, scope, steps, node, ptr)
                    if isinstance(value, (Str, Lit, Unknown)):
                        value = _moved(value, file.origin(ptr, node))
                    return value
                node = kids[0]
            elif kind in ("literal_value", "collection_value", "template_expr"):
                kids = _named(node, file)
                if not kids:
                    return Unknown(file.node_text(node), file.origin(ptr, node))
                node = kids[0]
            else:
                break
        if kind == "string_lit" or kind == "quoted_template":
            return self.template(mod, file, node, ptr, scope, steps, heredoc=False)
        if kind == "heredoc_template":
            return self.template(mod, file, node, ptr, scope, steps, heredoc=True)
        if kind == "numeric_lit":
            text = file.node_text(node)
            try:
                number = int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    number = text
            return Lit(number, file.origin(ptr, node))
        if kind == "bool_lit":
            return Lit(file.node_text(node) == "true", file.origin(ptr, node))
        if kind == "null_lit":
            return Lit(None, file.origin(ptr, node))
        if kind == "tuple":
            items = [c for c in _named(node, file) if c.type not in ("tuple_start", "tuple_end")]
            return Lst(tuple([self.ev(mod, file, item, ptr + (i,), scope, steps) for i, item in enumerate(items)]), file.origin(ptr, node))
        if kind == "object":
            return self.object(mod, file, node, ptr, scope, steps)
        if kind == "function_call":
            return self.function(mod, file, node, ptr, scope, steps)
        if kind == "conditional":
            kids = _named(node)
            origin = file.origin(ptr, node)
            if len(kids) != 3:
                return Unknown(file.node_text(node), origin)
            options = (
                self.ev(mod, file, kids[1], ptr + ("then",), scope, steps),
                self.ev(mod, file, kids[2], ptr + ("else",), scope, steps),
            )
            return Choice(options, origin)
        if kind == "variable_expr":
            return self.reference(mod, file, node, [node], ptr, scope, steps)
        return Unknown(file.node_text(node), file.origin(ptr, node))

    def object(self, mod, file, node, ptr, scope, steps) -> Obj:
        items = []
        for elem in _named(node, file):
            if elem.type != "object_elem":
                continue
            kids = _named(elem, file)
            if len(kids) < 2:
                continue
            key_node, value_node = kids[0], kids[-1]
            inner = _named(key_node, file)
            if inner and inner[0].type == "variable_expr" and len(inner) == 1:
                key = file.node_text(key_node)  # a bare identifier is the key itself
            else:
                key_value = self.ev(mod, file, key_node, ptr + ("(key)",), scope, steps)
                if isinstance(key_value, Str) and not any(isinstance(p, Symbolic) for p in key_value.parts):
                    key = "".join(key_value.parts)
                else:
                    key = file.node_text(key_node)
            key_origin = file.origin(ptr + (key, KEY), key_node)
            items.append((key, self.ev(mod, file, value_node, ptr + (key,), scope, steps), key_origin))
        return Obj(tuple(items), file.origin(ptr, node))

    def template(self, mod, file, node, ptr, scope, steps, heredoc: bool) -> Str:
        kids = node.children
        if len(kids) == 3 and kids[1].type == "template_literal" and kids[0].type == "quoted_template_start":
            text = _unescape(file.node_text(kids[1]), False)  # a plain quoted string
            if len(text) <= MAX_TEXT:
                return Str((text,) if text else ("",), file.origin(ptr, node))
        parts: list = []
        notes = []
        directive = False
        for child in node.children:
            if child.type == "template_literal":
                raw = file.node_text(child)
                parts.append(_unescape(raw, heredoc))
            elif child.type == "template_interpolation":
                inner = _named(child, file)
                inner = [c for c in inner if c.type == "expression"]
                if not inner:
                    continue
                value = self.ev(mod, file, inner[0], ptr + ("${}",), scope, steps)
                found, note = _as_parts(value)
                parts.extend(found)
                notes.append(note)
            elif child.type == "template_directive":
                directive = True
                parts.append(Symbolic(file.node_text(child)))
        origin = file.origin(ptr, node)
        merged = _merge_parts(parts)
        if sum(len(p) if isinstance(p, str) else len(p.text) for p in merged) > MAX_TEXT:
            return Unknown(file.node_text(node)[:200], origin, f"the string would be longer than {MAX_TEXT:,} characters")
        info = None
        if heredoc:
            body = [c for c in node.children if c.type in ("template_literal", "template_interpolation", "template_directive")]
            if body:
                info = (file, file.offset(body[0]), tuple(ptr))
        return Str(merged, origin, _join_notes(*notes), info, directive)

    def traverse(self, value, file, post, mod, scope, steps, whole, ptr):
        """Apply one get_attr/index/splat to a value."""
        if isinstance(value, Unknown):
            return value
        if post.type == "get_attr":
            name = file.node_text(post).lstrip(".").strip()
            if isinstance(value, Obj):
                found = value.get(name)
                if found is not None:
                    return found
            return Unknown(file.node_text(whole), file.origin(ptr, whole))
        if post.type == "index":
            inner = [c for c in _named(post) for c in ([c] if c.type == "expression" else _named(c)) if c.type == "expression"]
            if inner:
                key = self.ev(mod, file, inner[0], ptr + ("[]",), scope, steps)
                if isinstance(value, Lst) and isinstance(key, Lit) and isinstance(key.value, int):
                    if 0 <= key.value < len(value.items):
                        return value.items[key.value]
                if isinstance(value, Obj) and isinstance(key, Str) and all(isinstance(p, str) for p in key.parts):
                    found = value.get("".join(key.parts))
                    if found is not None:
                        return found
            text = file.node_text(post)
            if isinstance(value, Lst) and re.fullmatch(r"\.\d+", text.strip()):
                i = int(text.strip()[1:])
                if i < len(value.items):
                    return value.items[i]
        return Unknown(file.node_text(whole), file.origin(ptr, whole))

    def reference(self, mod, file, node, kids, ptr, scope, steps):
        """var.x, local.x, data.T.N.attr, module.M.out, path.module, T.N.attr, iterator values; then traversals."""
        origin = file.origin(ptr, node)
        text = file.node_text(node)
        path = _steps(file, kids)
        head = path[0][1]
        instance = {"data": 3}.get(head, 2)  # data.T.N[0].json, T.N[*].arn: skip the instance key after the name
        names = []
        splat = False
        rest = []
        for i, (kind, name, post) in enumerate(path):
            if rest or (kind != "attr" and not (i == instance and head != "var" and head != "local")):
                rest.append(post)
            elif kind == "attr":
                names.append(name)
            else:
                splat = splat or kind == "splat"
        value, used = self.resolve(mod, file, names, ptr, origin, text, scope, steps)
        if value is None:
            return Unknown(text, origin)
        for name in names[used:]:
            if isinstance(value, Obj) and value.get(name) is not None:
                value = value.get(name)
            else:
                return Unknown(text, origin)
        for post in rest:
            value = self.traverse(value, file, post, mod, scope, steps, node, ptr)
        if splat and isinstance(value, DocRef):
            return Lst((value,), origin)
        if isinstance(value, (Str, Lit, Unknown)) and (head not in scope or rest or used < len(names)):
            value = _moved(value, origin)
        return value

    def resolve(self, mod, file, names, ptr, origin, text, scope, steps):
        """(value, how many names it consumed), or (None, 0) when unknown."""
        head = names[0]
        if head in scope:
            return scope[head], 1
        if head == "var" and len(names) >= 2:
            return self.variable(mod, names[1], origin, steps), 2
        if head == "local" and len(names) >= 2:
            found = mod.index.get(("local", names[1]))
            if found is None:
                return None, 0
            return self.memoized(mod, ("local", names[1]), found, steps), 2
        if head == "path" and len(names) >= 2:
            # relative to the root module, where Terraform runs and where file() paths start
            module_path = os.path.relpath(mod.directory, self.root_dir) if mod.directory != self.root_dir else "."
            where = {"module": module_path, "root": ".", "cwd": "."}.get(names[1])
            return (Str((where,), origin), 2) if where is not None else (None, 0)
        if head == "data" and len(names) >= 4:
            if names[1] == DOC_DATA and names[3] in ("json", "minified_json") and (("data", DOC_DATA, names[2]) in mod.index):
                return DocRef(mod, names[2], origin), 4
            return None, 0
        if head == "module" and len(names) >= 3:
            child = self.child(mod, names[1])
            if child is None:
                return None, 0
            found = child.index.get(("output", names[2]))
            if found is None:
                return None, 0
            out_file, block, out_ptr = found
            attr = _attributes(_block_parts(out_file, block)[2]).get("value")
            if attr is None:
                return None, 0
            return self.memoized(child, ("output", names[2]), (out_file, attr, out_ptr + ("value",)), steps), 3
        if head == "aws_mwaa_environment" and len(names) >= 3:
            return self.environment_attribute(mod, names[1], names[2], origin, steps), 3
        return None, 0

    def memoized(self, mod, key, found, steps):
        memo_key = (id(mod), key)
        if memo_key in self.memo:
            value = self.memo[memo_key]
            return value if value is not None else Unknown(" ".join(key), found[0].origin(found[2], found[1]), "cyclic reference")
        self.memo[memo_key] = None  # in progress: a cycle resolves to Unknown
        file, node, pointer = found
        value = self.ev(mod, file, node, pointer, {}, steps + 1)
        self.memo[memo_key] = value
        return value

    def variable(self, mod: Module, name: str, origin: Origin, steps: int):
        if name in mod.inputs and mod.parent is not None:
            parent_file, expr, pointer = mod.inputs[name]
            return self.memoized(mod.parent, ("module-input", mod.prefix, name), (parent_file, expr, pointer), steps)
        found = mod.index.get(("variable", name))
        if found is None:
            return Unknown(f"var.{name}", origin, f"variable {name} is not declared")
        file, block, pointer = found
        default = _attributes(_block_parts(file, block)[2]).get("default")
        if default is None:
            return Unknown(f"var.{name}", origin, f"variable {name} has no default")
        value = self.memoized(mod, ("variable", name), (file, default, pointer + ("default",)), steps)
        return _with_note(value, f"from the default of variable {name}")

    def environment_attribute(self, mod, name, attribute, origin, steps):
        found = mod.index.get(("resource", "aws_mwaa_environment", name))
        if found is None:
            return None
        file, block, pointer = found
        attr = _attributes(_block_parts(file, block)[2]).get("name")
        if attr is None or attribute not in ("name", "id", "arn"):
            return None
        env_name = self.memoized(mod, ("resource-name", name), (file, attr, pointer + ("name",)), steps)
        if not isinstance(env_name, Str):
            return None
        if attribute in ("name", "id"):
            return env_name
        address = f"{mod.prefix}aws_mwaa_environment.{name}.arn"
        parts = (
            "arn:",
            Symbolic("${" + address + ":partition}"),
            ":airflow:",
            Symbolic("${" + address + ":region}"),
            ":",
            Symbolic("${" + address + ":account}"),
            ":environment/",
        ) + env_name.parts
        return Str(_merge_parts(parts), origin, env_name.note)

    def function(self, mod, file, node, ptr, scope, steps):
        kids = _named(node)
        name = file.node_text(kids[0]) if kids else ""
        origin = file.origin(ptr, node)
        arg_nodes = []
        for kid in kids[1:]:
            if kid.type == "function_arguments":
                arg_nodes = [c for c in _named(kid) if c.type == "expression"]
        short = name.split("::")[-1]

        def arg(i):
            return self.ev(mod, file, arg_nodes[i], ptr if short == "jsonencode" else ptr + (short, i), scope, steps)

        unknown = Unknown(file.node_text(node), origin)
        if short == "jsonencode" and len(arg_nodes) == 1:
            return Encoded(arg(0), origin)
        if short in ("file", "templatefile") and arg_nodes:
            target = arg(0)
            if not isinstance(target, Str) or any(isinstance(p, Symbolic) for p in target.parts):
                return Unknown(file.node_text(node), origin, f"the file name {file.node_text(arg_nodes[0])} is not known")
            path = _join_path(self.root_dir, "".join(target.parts))
            variables = arg(1) if short == "templatefile" and len(arg_nodes) > 1 else None
            return FileRef(path, origin, variables, short == "templatefile")
        args = [arg(i) for i in range(len(arg_nodes))]
        if short in ("concat", "flatten", "tolist", "toset", "distinct", "compact", "sort") and args:
            items = []
            for value in args:
                items.extend(_list_items(value, flat=short == "flatten"))
            if short == "compact":
                items = [v for v in items if not (isinstance(v, Str) and v.parts == ("",))]
            if len(items) > MAX_ITEMS:
                return Unknown(file.node_text(node)[:200], origin, f"the list would have more than {MAX_ITEMS:,} items")
            return Lst(tuple(items), origin)
        if short in ("lower", "upper", "trimspace", "tostring") and len(args) == 1:
            value = args[0]
            if isinstance(value, Str) and all(isinstance(p, str) for p in value.parts):
                text = "".join(value.parts)
                text = {"lower": text.lower(), "upper": text.upper(), "trimspace": text.strip()}.get(short, text)
                return Str((text,), origin, value.note)
            if isinstance(value, Lit) and short == "tostring" and value.value is not None:
                return Str((_literal_text(value.value),), origin)
            return unknown
        if short in ("join", "one") and args and isinstance(args[-1], Lst) and len(args[-1].items) == 1 and isinstance(args[-1].items[0], DocRef):
            return args[-1].items[0]  # join("", data.aws_iam_policy_document.x.*.json)
        if short == "join" and len(args) == 2 and isinstance(args[0], Str) and isinstance(args[1], Lst):
            parts: list = []
            for i, item in enumerate(args[1].items):
                if i:
                    parts.extend(args[0].parts)
                found, _ = _as_parts(item)
                parts.extend(found)
            return Str(_merge_parts(parts), origin)
        if short == "format" and args and isinstance(args[0], Str) and all(isinstance(p, str) for p in args[0].parts):
            return _format(args[0], args[1:], origin) or unknown
        if short == "merge" and args and all(isinstance(a, Obj) for a in args):
            return Obj(tuple(i for a in args for i in a.items), origin)
        if short in ("coalesce", "try") and args:
            for value in args:
                if not isinstance(value, Unknown) and not (isinstance(value, Lit) and value.value is None):
                    return value
            return unknown
        if short == "lookup" and len(args) >= 2 and isinstance(args[0], Obj) and isinstance(args[1], Str):
            key = "".join(p for p in args[1].parts if isinstance(p, str))
            found = args[0].get(key)
            return found if found is not None else (args[2] if len(args) > 2 else unknown)
        if short == "element" and len(args) == 2 and isinstance(args[0], Lst) and isinstance(args[1], Lit):
            if isinstance(args[1].value, int) and args[0].items:
                return args[0].items[args[1].value % len(args[0].items)]
        return unknown

    # modules -------------------------------------------------------------------------------------------------------
    def child(self, mod: Module, name: str) -> Module | None:
        key = (id(mod), name)
        if key in self.children:
            return self.children[key]
        self.children[key] = None
        found = mod.index.get(("module", name))
        if found is None:
            return None
        file, block, pointer = found
        attrs = _attributes(_block_parts(file, block)[2])
        source_node = attrs.get("source")
        logical = f"{mod.prefix}module.{name}"
        if source_node is None:
            return None
        source = self.ev(mod, file, source_node, pointer + ("source",), {})
        text = "".join(p for p in source.parts if isinstance(p, str)) if isinstance(source, Str) else ""
        where = file.origin(pointer + ("source",), source_node)
        if not text.startswith(("./", "../")):
            self.note("MWAA012", f"remote module {text or file.node_text(source_node)!r} not analysed: its policies are not checked", where, logical)
            return None
        directory = os.path.normpath(os.path.join(mod.directory, text))
        if mod.depth + 1 > MAX_MODULE_DEPTH or _is_ancestor(mod, directory):
            self.note("MWAA012", f"module {text!r} not analysed: nested deeper than {MAX_MODULE_DEPTH} modules or calls itself", where, logical)
            return None
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(".tf"))
        except OSError:
            names = []
        if not names:
            self.note("MWAA012", f"module {text!r} not analysed: no .tf files in {directory}", where, logical)
            return None
        files = []
        for n in names:
            path = os.path.join(directory, n)
            if path not in self.files:
                self.files[path] = _read_file(path, self.parser, self.problems)
            files.append(self.files[path])
        inputs = {
            attr: (file, expr, pointer + (attr,))
            for attr, expr in attrs.items()
            if attr not in ("source", "version", "providers", "count", "for_each", "depends_on")
        }
        child = Module(directory, tuple(files), f"{logical}.", mod, inputs, _index(files), mod.depth + 1, (file, block))
        self.children[key] = child
        return child


def _steps(file: HclFile, kids) -> list:
    """A traversal as (kind, name, node) steps: ("attr", name), ("index", None), ("splat", None); the attributes
    and indexes inside a splat follow it as their own steps."""
    out = []
    for kid in kids:
        if kid.type == "variable_expr":
            out.append(("attr", file.node_text(kid), kid))
        elif kid.type == "get_attr":
            out.append(("attr", file.node_text(kid).lstrip(".").strip(), kid))
        elif kid.type == "splat":
            out.append(("splat", None, kid))
            inner = _named(kid)[0] if _named(kid) else kid
            out.extend(_steps(file, [c for c in _named(inner)]))
        else:
            out.append(("index", None, kid))
    return out


def _is_ancestor(mod: Module, directory: str) -> bool:
    while mod is not None:
        if os.path.normpath(mod.directory) == directory:
            return True
        mod = mod.parent
    return False


def _join_path(root: str, text: str) -> str:
    """A file() path (relative to the root module) as a path the scan can open, written like the scan's paths."""
    if os.path.isabs(text):
        return os.path.normpath(text)
    text = os.path.normpath(text)
    return root if text == "." else os.path.join(root, text) if not text.startswith("..") else os.path.normpath(os.path.join(root, text))


def _moved(value, origin: Origin):
    """A string, literal or unknown value at another place (dataclasses.replace, without its cost)."""
    if type(value) is Str:
        return Str(value.parts, origin, value.note, value.heredoc, value.directive)
    if type(value) is Lit:
        return Lit(value.value, origin)
    return Unknown(value.text, origin, value.why)


def _with_note(value, note: str):
    if isinstance(value, Str):
        return replace(value, note=_join_notes(value.note, note))
    if isinstance(value, Lst):
        return replace(value, items=tuple(_with_note(v, note) for v in value.items))
    return value


def _literal_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_parts(value) -> tuple:
    """A value interpolated into a string: its parts and note."""
    if isinstance(value, Str):
        return value.parts, value.note
    if isinstance(value, Lit) and value.value is not None:
        return (_literal_text(value.value),), ""
    if isinstance(value, Choice):
        found = [_as_parts(o) for o in value.options]
        if all(f[0] == found[0][0] for f in found) and not any(isinstance(p, Symbolic) for p in found[0][0]):
            return found[0]
    if isinstance(value, Unknown):
        return _symbolic(value), ""
    text = getattr(value, "text", None) or "…"
    return (Symbolic("${" + text + "}"),), ""


def _merge_parts(parts) -> tuple:
    out: list = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += part
                continue
        out.append(part)
    return tuple(out) if out else ("",)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(raw: str, heredoc: bool) -> str:
    raw = raw.replace("$${", "${").replace("%%{", "%{")
    if heredoc or "\\" not in raw:
        return raw

    def one(match):
        text = match.group(0)
        if text[1] in _ESCAPES:
            return _ESCAPES[text[1]]
        try:
            return chr(int(text[2:], 16))
        except ValueError:
            return text

    return re.sub(r'\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt"\\])', one, raw)


def _format(spec: Str, args, origin):
    pattern = "".join(spec.parts)
    parts: list = []
    i = 0
    pieces = re.split(r"(%%|%[-+ #0-9.]*[sdvqf])", pattern)
    for piece in pieces:
        if piece == "%%":
            parts.append("%")
        elif piece.startswith("%") and len(piece) > 1:
            if i >= len(args):
                return None
            found, _ = _as_parts(args[i])
            parts.extend(found)
            i += 1
        else:
            parts.append(piece)
    return Str(_merge_parts(parts), origin)


def _list_items(value, flat: bool = False, depth: int = 0) -> list:
    """Items of a list-valued expression: both sides of conditionals; an unknown list is one symbolic item."""
    if depth > 16:
        return [Unknown("…", getattr(value, "origin", None), "nested too deeply")]
    if isinstance(value, Lst):
        items = []
        for item in value.items:
            if isinstance(item, Choice) or (flat and isinstance(item, Lst)):
                items.extend(_list_items(item, flat, depth + 1))
            else:
                items.append(item)
            if len(items) > MAX_ITEMS:
                break
        return items
    if isinstance(value, Choice):
        return [i for option in value.options for i in _list_items(option, flat, depth + 1)]
    return [value]


# -- policies -----------------------------------------------------------------------------------------------------------
class Builder:
    """Builds PolicyDocuments from evaluated values, and the principals and environments of a module tree."""

    def __init__(self, ev: Evaluator, scope: str):
        self.ev = ev
        self.scope = scope
        self.data_docs: dict = {}  # (id(module), name) -> PolicyDocument | None
        self.used_data: set = set()
        self.extra_sources: dict = {}  # JSON file path -> True

    def problem(self, rule, message, origin, logical):
        self.ev.note(rule, message, origin, logical)

    # a document from any value ----------------------------------------------------------------------------------
    def documents(self, value, logical: str, name: str, kind: str = "identity", depth: int = 0) -> tuple:
        """PolicyDocuments for a policy attribute's value (several for a conditional)."""
        if depth > 8:
            return ()
        if isinstance(value, Choice):  # both sides; an empty side ("" or null) means "no policy" there
            options = [o for o in value.options if not _empty(o)]
            return tuple(d for o in options for d in self.documents(o, logical, name, kind, depth + 1))
        if isinstance(value, DocRef):
            doc = self.data_document(value.module, value.name)
            self.used_data.add((id(value.module), value.name))
            return (doc,) if doc is not None else ()
        if isinstance(value, Encoded):
            return self.from_raw(value.value, value.value.origin, logical, name, kind)
        if isinstance(value, Str):
            return self.from_text(value, logical, name, kind)
        if isinstance(value, FileRef):
            return self.from_file(value, logical, name, kind)
        if isinstance(value, Unknown):
            why = f" ({value.why})" if value.why else ""
            self.problem("MWAA012", f"policy {value.text} is not determined by the module{why}; not analysed", value.origin, logical)
            return ()
        origin = getattr(value, "origin", None)
        if origin is not None:
            self.problem("MWAA000", "a policy is a JSON string (jsonencode(...), heredoc JSON or a policy document's .json), not an HCL value", origin, logical)
        return ()

    def reader(self, logical):
        return DocumentReader("", logical, _make_value)

    def finish(self, reader, raw, origin, logical, name, kind) -> tuple:
        doc = reader.document(raw, origin, name, kind if kind == "trust" else None)
        for problem in reader.problems:
            self.problem(problem.rule_id, problem.message, problem.origin, logical)
        if doc is None:
            return ()
        return (replace(doc, logical=logical, name=name, scope=self.scope),)

    def from_raw(self, value, origin, logical, name, kind) -> tuple:
        skipped: list = []
        raw = _to_raw(value, skipped)
        raw = self.prepare(raw, origin, logical, skipped)
        if raw is None:
            return ()
        return self.finish(self.reader(logical), raw, origin, logical, name, kind)

    def prepare(self, raw, origin, logical, skipped):
        """Leaves where the document needs structure become MWAA012 notes instead of MWAA000 errors."""
        for leaf in skipped:
            self.problem("MWAA012", f"{_leaf_text(leaf)} is not determined by the module; not analysed", leaf.origin or origin, logical)
        if isinstance(raw, Leaf):
            self.problem("MWAA012", f"policy {_leaf_text(raw)} is not determined by the module; not analysed", raw.origin or origin, logical)
            return None
        if not isinstance(raw, dict):
            return raw
        raw = dict(raw)
        for key in ("Version", "Id"):
            if isinstance(raw.get(key), Leaf):
                raw[key] = _leaf_text(raw[key])
        body = raw.get("Statement")
        if isinstance(body, Leaf):
            self.problem("MWAA012", f"statements {_leaf_text(body)} are not determined by the module; not analysed", body.origin or origin, logical)
            return None
        if isinstance(body, dict):
            body = [body]
        if isinstance(body, list):
            kept = []
            for item in body:
                statement = self.prepare_statement(item, origin, logical)
                if statement is not None:
                    kept.append(statement)
            if not kept and body:
                return None
            raw["Statement"] = kept
        return raw

    def prepare_statement(self, item, origin, logical):
        if isinstance(item, Leaf):
            self.problem("MWAA012", f"statement {_leaf_text(item)} is not determined by the module; not analysed", item.origin or origin, logical)
            return None
        if not isinstance(item, dict):
            return item
        item = dict(item)
        for key in ("Effect", "Sid"):
            value = item.get(key)
            if isinstance(value, Leaf):
                if any(isinstance(p, Symbolic) for p in value.parts):
                    if key == "Sid":
                        item[key] = _leaf_text(value)
                        continue
                    self.problem("MWAA012", f"statement effect {_leaf_text(value)} is not determined by the module; not analysed", value.origin or origin, logical)
                    return None
                item[key] = "".join(value.parts)
        condition = item.get("Condition")
        if condition is not None:
            unknown = [condition] if isinstance(condition, Leaf) else [v for v in condition.values() if isinstance(v, Leaf)] if isinstance(condition, dict) else []
            if unknown:
                self.problem("MWAA012", f"condition {_leaf_text(unknown[0])} is not determined by the module; statement not analysed", unknown[0].origin or origin, logical)
                return None
        principal = item.get("Principal")
        if isinstance(principal, Leaf) and principal.parts == ("*",):
            item["Principal"] = "*"
        return item

    def from_text(self, value: Str, logical, name, kind) -> tuple:
        if value.directive:
            self.problem("MWAA012", "policy text uses template directives (%{...}); not analysed", value.origin, logical)
            return ()
        text, symbols = _marked(value.parts)
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            if symbols:
                self.problem("MWAA012", f"policy JSON with interpolations outside strings cannot be checked ({exc.msg})", value.origin, logical)
                return ()
            where = value.origin
            if value.heredoc is not None:
                file, start, _ = value.heredoc
                if file.text[start : start + len(text)] == text:
                    where = Origin(where.path, where.pointer, file.index.span(start + exc.pos, start + exc.pos + 1))
            message = "policy is an empty string" if not text.strip() else f"policy is not valid JSON: {exc.msg}"
            self.problem("MWAA000", message, where, logical)
            return ()
        origin = value.origin
        if value.heredoc is not None:
            file, start, base = value.heredoc
            values, keys, _ = json_offsets(file.text, start)
            for pointer, offsets in values.items():
                file.spans.setdefault(base + pointer, file.index.span(*offsets))
            for pointer, offsets in keys.items():
                file.spans.setdefault(base + pointer + (KEY,), file.index.span(*offsets))
            origin = Origin(file.path, base, file.spans.get(base))
        skipped: list = []
        raw = _from_json(parsed, Origin(origin.path, origin.pointer), symbols, value.note, skipped)
        raw = self.prepare(raw, origin, logical, skipped)
        if raw is None:
            return ()
        return self.finish(self.reader(logical), raw, Origin(origin.path, origin.pointer, origin.span), logical, name, kind)

    def from_file(self, value: FileRef, logical, name, kind) -> tuple:
        from . import read_bytes

        try:
            data = read_bytes(value.path)
            if len(data) > MAX_POLICY_FILE_BYTES:
                raise OverflowError(f"{value.path} is over {MAX_POLICY_FILE_BYTES:,} bytes")
            text = decode(data)
        except (OSError, ValueError, OverflowError, DecodeError) as exc:
            reason = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
            self.problem("MWAA012", f"policy file {value.path} cannot be read ({reason}); not analysed", value.origin, logical)
            return ()
        from . import MAX_NESTING, too_deep_at

        if too_deep_at(text) is not None:  # the file itself gets MWAA000 when the scan reads it as JSON
            self.problem("MWAA012", f"policy file {value.path}, nested deeper than {MAX_NESTING} levels", value.origin, logical)
            return ()
        parts: tuple = (text,)
        if value.template:
            rendered = _render_template(text, value.variables)
            if rendered is None:
                self.problem("MWAA012", f"template {value.path} uses directives (%{{...}}) that are not rendered; not analysed", value.origin, logical)
                return ()
            parts = rendered
        marked, symbols = _marked(parts)
        try:
            parsed = json.loads(marked)
        except ValueError as exc:
            if symbols:
                self.problem("MWAA012", f"template {value.path} interpolates outside JSON strings ({exc.msg}); not analysed", value.origin, logical)
            else:
                from ..positions import json_error

                error = json_error(text, exc)
                self.problem("MWAA000", f"{error.message} (policy file read by {logical})", Origin(value.path, (), error.span), logical)
            return ()
        origin = Origin(value.path, ())
        self.extra_sources[value.path] = True
        skipped: list = []
        raw = _from_json(parsed, origin, symbols, "", skipped)
        raw = self.prepare(raw, origin, logical, skipped)
        if raw is None:
            return ()
        return self.finish(self.reader(logical), raw, origin, logical, name, kind)

    # aws_iam_policy_document ------------------------------------------------------------------------------------------
    def data_document(self, mod: Module, name: str):
        key = (id(mod), name)
        if key in self.data_docs:
            return self.data_docs[key]
        self.data_docs[key] = None  # a document that includes itself resolves to nothing
        found = mod.index.get(("data", DOC_DATA, name))
        if found is None:
            return None
        file, block, pointer = found
        logical = f"{mod.prefix}data.{DOC_DATA}.{name}"
        body = _block_parts(file, block)[2]
        attrs = _attributes(body)
        calls = list(_declared_calls(file, block, pointer))
        top = Part(mod, file, block, attrs, {})
        raws = []
        for part in self.parts(top, "statement", pointer, logical, strict=False):
            ptr = pointer + ("Statement", len(raws))
            if part.node is not None:
                part.file.origin(ptr, part.node)
                if part.node.type == "block" and _block_parts(part.file, part.node)[0] == "statement":
                    calls.extend(c for c in _declared_calls(part.file, part.node, ptr) if c not in calls)
            raw = self.statement_raw(part, ptr, logical)
            if raw is not None:
                raws.append((raw, Origin(part.file.path, ptr)))
        is_trust = any("Principal" in raw for raw, _ in raws)
        reader = self.reader(logical)
        statements = [s for s in (reader.statement(raw, origin, is_trust) for raw, origin in raws) if s is not None]
        for problem in reader.problems:
            self.problem(problem.rule_id, problem.message, problem.origin, logical)
        merged: list = []
        for attr in ("source_policy_documents", "source_json"):
            if attr in attrs:
                merged = _merge_statements(merged, self.included(mod, file, attrs[attr], pointer + (attr,), logical))
        merged = _merge_statements(merged, statements)
        for attr in ("override_policy_documents", "override_json"):
            if attr in attrs:
                merged = _merge_statements(merged, self.included(mod, file, attrs[attr], pointer + (attr,), logical))
        doc = PolicyDocument(
            file.origin(pointer, block),
            tuple(merged),
            logical,
            logical,
            "trust" if any(s.principals for s in merged) else "identity",
            scope=self.scope,
            calls=tuple(calls),
        )
        self.data_docs[key] = doc
        return doc

    def included(self, mod, file, node, ptr, logical) -> list:
        """Statements of source_policy_documents / override_policy_documents (or source_json / override_json)."""
        value = self.ev.ev(mod, file, node, ptr, {})
        statements = []
        for item in _list_items(value):
            if _empty(item) or _statementless(item):
                continue
            for doc in self.documents(item, logical, logical):
                statements.extend(doc.statements)
        return statements

    def parts(self, part: "Part", kind: str, ptr: tuple, logical: str, strict: bool = True) -> list:
        """The `kind` blocks inside a part (dynamic blocks expanded, `kind = [{...}]` objects read), in order.
        A dynamic block over a collection the module does not determine raises Unresolved (strict), or is skipped
        with an MWAA012 note."""
        out = []
        try:
            self._parts(part, kind, ptr, logical, strict, out)
        except Unresolved as exc:
            if strict:
                raise
            self.problem("MWAA012", f"{exc.what}: {exc.why}; not analysed", exc.origin or part.file.origin(ptr, part.node), logical)
        return out

    def _parts(self, part, kind, ptr, logical, strict, out) -> None:
        if part.obj is not None:
            value = part.obj.get(kind)
            for item in _list_items(value) if value is not None else []:
                if isinstance(item, Obj):
                    out.append(Part(part.mod, part.file, None, {}, part.scope, item))
                else:
                    raise Unresolved(f"{kind} {_value_text(item)}", getattr(item, "origin", None))
            return
        body = _block_parts(part.file, part.node)[2]
        for item_kind, name, node in _body_items(body):
            if item_kind == "block":
                block_type, labels, inner = _block_parts(part.file, node)
                if block_type == kind:
                    out.append(Part(part.mod, part.file, node, _attributes(inner), part.scope))
                elif block_type == "dynamic" and labels == [kind]:
                    try:
                        out.extend(self.dynamic(part, node, ptr, logical))
                    except Unresolved as exc:
                        if strict:
                            raise
                        self.problem("MWAA012", f"{exc.what}: {exc.why}; its statements are not analysed", exc.origin, logical)
            elif name == kind:
                value = self.ev.ev(part.mod, part.file, node, ptr + (kind,), part.scope)
                for item in _list_items(value):
                    if not isinstance(item, Obj):
                        raise Unresolved(f"{kind} = {part.file.node_text(node)[:60]}", part.file.origin(ptr + (kind,), node))
                    out.append(Part(part.mod, part.file, None, {}, part.scope, item))

    def dynamic(self, part: "Part", node, ptr: tuple, logical: str) -> list:
        """The expansions of a dynamic block, each a Part whose scope binds the iterator."""
        file = part.file
        _, labels, inner = _block_parts(file, node)
        attrs = _attributes(inner)
        iterator = file.node_text(attrs["iterator"]).strip() if "iterator" in attrs else labels[0]
        content = next(iter(_blocks(file, inner, "content")), None)
        for_each = attrs.get("for_each")
        if content is None or for_each is None:
            return []
        where = file.origin(ptr + ("dynamic", labels[0]), node)
        collection = self.ev.ev(part.mod, file, for_each, ptr + ("dynamic", labels[0], "for_each"), part.scope)
        if isinstance(collection, Lst):
            items = _list_items(collection)
            as_set = all(isinstance(i, Str) for i in items)  # for_each over a set: key == value
            entries = [(item if as_set else Lit(i, where), item) for i, item in enumerate(items)]
        elif isinstance(collection, Obj):
            entries = [(Str((k,), origin), v) for k, v, origin in collection.items]
        else:
            raise Unresolved(f'dynamic "{labels[0]}" over {file.node_text(for_each)}', where, "the module does not determine the collection")
        content_attrs = _attributes(_block_parts(file, content)[2])
        out = []
        for key, item in entries:
            bound = dict(part.scope)
            bound[iterator] = Obj((("key", key, key.origin), ("value", item, getattr(item, "origin", where))), where)
            out.append(Part(part.mod, file, content, content_attrs, bound))
        return out

    def statement_raw(self, part: "Part", ptr: tuple, logical: str):
        """The IAM JSON of one statement, strings as Leafs positioned at their HCL tokens; None when it cannot be
        read (an MWAA012 note says why)."""
        try:
            return self._statement_raw(part, ptr, logical)
        except Unresolved as exc:
            where = exc.origin or (part.file.origin(ptr, part.node) if part.node is not None else Origin(part.file.path, ptr))
            self.problem("MWAA012", f"{exc.what}: {exc.why}; statement not analysed", where, logical)
            return None

    def _statement_raw(self, part, ptr, logical):
        raw: dict = {}
        for name, expr in part.attrs.items():
            if name not in STATEMENT_ATTRIBUTES:
                close = difflib.get_close_matches(name, STATEMENT_ATTRIBUTES, n=1)
                hint = f'; did you mean "{close[0]}"?' if close else ""
                where = part.file.origin(ptr + (name, KEY), expr.prev_named_sibling or expr)
                self.problem("MWAA000", f'a statement block has no argument "{name}" (Terraform rejects it){hint}', where, logical)
        sid = part.value(self.ev, "sid", ptr + ("Sid",))
        if isinstance(sid, Str):
            raw["Sid"] = value_text(sid)
        effect = part.value(self.ev, "effect", ptr + ("Effect",))
        if effect is None:
            raw["Effect"] = "Allow"
        elif isinstance(effect, Str) and all(isinstance(p, str) for p in effect.parts):
            raw["Effect"] = "".join(effect.parts)
        else:
            raise Unresolved(f"effect {_value_text(effect)}", getattr(effect, "origin", None))
        optional: dict = {}  # keys whose list is empty on one side of a conditional: present or not, as it goes
        for attr, key in JSON_KEYS.items():
            value = part.value(self.ev, attr, ptr + (key,))
            items = [_leaf(v) for v in _list_items(value)] if value is not None else []
            if items:  # the provider leaves an empty list out of the JSON, as if the argument were not set
                raw[key] = items
                if isinstance(value, Choice) and any(isinstance(o, Lst) and not o.items for o in value.options):
                    optional[key] = value.origin
        for first, second in (("Action", "NotAction"), ("Resource", "NotResource")):
            if first in raw and second in raw and (first in optional or second in optional):
                raise Unresolved(f"whether the statement has {first} or {second}", optional.get(second) or optional.get(first), "a conditional the module does not determine chooses")
        conditions: dict = {}
        for sub in self.parts(part, "condition", ptr, logical):
            test = _plain(sub.value(self.ev, "test", ptr + ("Condition",)))
            variable = _plain(sub.value(self.ev, "variable", ptr + ("Condition", test)))
            if test is None or variable is None:
                raise Unresolved("a condition's test or variable", sub.file.origin(ptr + ("Condition",), sub.node) if sub.node is not None else None)
            values = sub.value(self.ev, "values", ptr + ("Condition", test, variable))
            found = conditions.setdefault(test, {}).setdefault(variable, [])
            found.extend(_leaf(v) for v in (_list_items(values) if values is not None else []))
        if conditions:
            raw["Condition"] = conditions
        for kind, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            for sub in self.parts(part, kind, ptr, logical):
                ptype = _plain(sub.value(self.ev, "type", ptr + (key,))) or "AWS"
                ids = sub.value(self.ev, "identifiers", ptr + (key, ptype))
                raw.setdefault(key, {}).setdefault(ptype, []).extend(_leaf(v) for v in (_list_items(ids) if ids is not None else []))
        return raw


class Unresolved(Exception):
    def __init__(self, what: str, origin: Origin | None, why: str = "not determined by the module"):
        super().__init__(what)
        self.what = what
        self.origin = origin
        self.why = why


@dataclass(frozen=True)
class Part:
    """A statement/condition/principals block, a dynamic block's content, or an object written in their place."""

    mod: Module
    file: HclFile
    node: object  # the block or content node; None for an object
    attrs: dict  # attribute name -> expression node
    scope: dict
    obj: Obj | None = None

    def value(self, ev: Evaluator, name: str, ptr: tuple):
        if self.obj is not None:
            return self.obj.get(name)
        expr = self.attrs.get(name)
        return None if expr is None else ev.ev(self.mod, self.file, expr, ptr, self.scope)


def _empty(value) -> bool:
    return (isinstance(value, Str) and value.parts == ("",)) or (isinstance(value, Lit) and value.value is None)


def _statementless(value) -> bool:
    """A known JSON object without "Statement" (e.g. a variable defaulting to "{}"): the provider merges it as no
    statements, so as a source or override document it adds nothing and is not an error."""
    text = _plain(value)
    if text is None or not text.lstrip().startswith("{"):
        return False
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    return isinstance(parsed, dict) and "Statement" not in parsed


def _plain(value) -> str | None:
    if isinstance(value, Str) and all(isinstance(p, str) for p in value.parts):
        return "".join(value.parts)
    return None


def _merge_statements(base: list, extra: list) -> list:
    """Terraform's merge: a statement with a Sid replaces the earlier one with the same Sid; others are appended."""
    out = list(base)
    for statement in extra:
        if statement.sid:
            at = next((i for i, s in enumerate(out) if s.sid == statement.sid), None)
            if at is not None:
                out[at] = statement
                continue
        out.append(statement)
    return out


def value_text(value: Str) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in value.parts)


def _value_text(value) -> str:
    if isinstance(value, Str):
        return value_text(value)
    return getattr(value, "text", None) or "the value"


def _leaf(value) -> Leaf:
    if isinstance(value, Str):
        return Leaf(value.parts, value.origin, value.note)
    if isinstance(value, Lit):
        return Leaf((_literal_text(value.value) if value.value is not None else "null",), value.origin)
    if isinstance(value, Unknown):
        return Leaf(_symbolic(value), value.origin)
    return Leaf((Symbolic("${…}"),), getattr(value, "origin", None))  # a list, an object or a policy reference


def _leaf_text(leaf: Leaf) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in leaf.parts)


def _to_raw(value, skipped: list, budget: list | None = None):
    """An evaluated HCL value as the JSON-like data DocumentReader reads; strings become Leafs. A budget of nodes
    keeps shared sub-values (local.a = [local.b, local.b], ...) from expanding without bound."""
    budget = budget if budget is not None else [MAX_ITEMS * 10]
    budget[0] -= 1
    if budget[0] < 0:
        return Leaf((Symbolic("${…}"),), getattr(value, "origin", None))
    if isinstance(value, Obj):
        return {key: _to_raw(item, skipped, budget) for key, item, _ in value.items}
    if isinstance(value, (Lst, Choice)) and not (isinstance(value, Choice) and all(isinstance(o, Str) for o in value.options)):
        items = _list_items(value)[:MAX_ITEMS]
        return [_to_raw(item, skipped, budget) for item in items]
    if isinstance(value, Lit):
        return value.value
    if isinstance(value, Choice):  # a string that differs by branch: every branch is an element
        leaves = [_leaf(o) for o in value.options]
        return leaves[0] if len({leaf.parts for leaf in leaves}) == 1 else leaves
    return _leaf(value)


def _marked(parts) -> tuple:
    """Text with each symbolic part replaced by a marker, and the symbolic parts in order."""
    symbols = []
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
        else:
            pieces.append(f"{MARK}{len(symbols)}{MARK}")
            symbols.append(part)
    return "".join(pieces), symbols


def _unmarked(text: str, symbols) -> tuple:
    pieces = text.split(MARK)
    parts = []
    for i, piece in enumerate(pieces):
        if i % 2 == 1 and piece.isdigit() and int(piece) < len(symbols):
            parts.append(symbols[int(piece)])
        elif piece:
            parts.append(piece)
    return tuple(parts) if parts else ("",)


def _from_json(value, origin: Origin, symbols, note: str, skipped: list, pointer: tuple = ()):
    """Parsed JSON text as DocumentReader input; strings holding symbolic markers become Leafs."""
    if isinstance(value, dict):
        return {k: _from_json(v, origin, symbols, note, skipped, pointer + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v, origin, symbols, note, skipped, pointer + (i,)) for i, v in enumerate(value)]
    if isinstance(value, str) and (MARK in value or note):
        return Leaf(_unmarked(value, symbols), Origin(origin.path, origin.pointer + pointer), note)
    return value


def _render_template(text: str, variables) -> tuple | None:
    """templatefile(): `${name}` from the variables (unknown ones symbolic); None when %{...} directives are used."""
    if re.search(r"(?<!%)%\{", text):
        return None
    parts: list = []
    pos = 0
    for match in re.finditer(r"(?<!\$)\$\{([^}]*)\}", text):
        parts.append(text[pos : match.start()].replace("$${", "${"))
        name = match.group(1).strip().strip("~").strip()
        found = variables.get(name) if isinstance(variables, Obj) and re.fullmatch(r"[A-Za-z_][\w-]*", name) else None
        if isinstance(found, Str):
            parts.extend(found.parts)
        elif isinstance(found, Lit) and found.value is not None:
            parts.append(_literal_text(found.value))
        else:
            parts.append(Symbolic(match.group(0)))
        pos = match.end()
    parts.append(text[pos:].replace("$${", "${"))
    return _merge_parts(parts)


def _make_value(raw, origin: Origin):
    if isinstance(raw, Leaf):
        return Value(raw.parts, raw.origin or origin, raw.note)
    if isinstance(raw, str):
        return Value.literal(raw, origin)
    return None


# -- the module tree -----------------------------------------------------------------------------------------------------
@dataclass
class Collected:
    """Everything found in a module tree, before principals are linked (mutable while collecting)."""

    documents: list = field(default_factory=list)
    document_ids: set = field(default_factory=set)  # id() of each of documents (they are kept alive by the list)
    own: dict = field(default_factory=dict)  # policy address -> (documents, target address or None, calls, origin)
    principals: dict = field(default_factory=dict)  # principal address -> dict(info)
    attachments: list = field(default_factory=list)  # (principal address, policy address)
    environments: list = field(default_factory=list)


def _reference_address(mod: Module, file: HclFile, node, types) -> str | None:
    """`aws_iam_role.X.name` (or `"${...}"`, `aws_iam_role.X[0].arn`) -> prefixed address, if of one of the types."""
    text = file.node_text(node).strip()
    match = re.fullmatch(r'(?:"\$\{)?\s*([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.(name|id|arn|unique_id)\s*(?:\}")?', text)
    if match and match.group(1) in types:
        return f"{mod.prefix}{match.group(1)}.{match.group(2)}"
    return None


def _walk_module(ev: Evaluator, builder: Builder, mod: Module, out: Collected) -> None:
    for key, (file, node, pointer) in sorted(mod.index.items(), key=lambda item: (item[1][0].path, item[1][1].start_byte)):
        if key[0] == "resource":
            _resource(ev, builder, mod, file, node, pointer, key[1], key[2], out)
        elif key[0] == "module":
            child = ev.child(mod, key[1])
            if child is not None:
                _walk_module(ev, builder, child, out)
    for key, (file, node, pointer) in sorted(mod.index.items(), key=lambda item: (item[1][0].path, item[1][1].start_byte)):
        if key[0] == "data" and key[1] == DOC_DATA and (id(mod), key[2]) not in builder.used_data:
            doc = builder.data_document(mod, key[2])
            if doc is not None and id(doc) not in out.document_ids:
                _add_documents(out, (doc,))
                address = f"{mod.prefix}data.{DOC_DATA}.{key[2]}"
                out.own[address] = ((doc,), None, (), doc.origin)


def _resource(ev, builder, mod, file, node, pointer, rtype, name, out: Collected) -> None:
    address = f"{mod.prefix}{rtype}.{name}"
    body = _block_parts(file, node)[2]
    attrs = _attributes(body)
    calls = _declared_calls(file, node, pointer)

    def docs_of(attr, kind="identity", base=pointer, in_file=file, in_attrs=attrs):
        expr = in_attrs.get(attr)
        if expr is None or expr.parent.has_error:  # a syntax error there is already MWAA000
            return ()
        value = ev.ev(mod, in_file, expr, base + (attr,), {})
        return builder.documents(value, address, address, kind)

    if rtype in POLICY_RESOURCES:
        docs = docs_of("policy")
        docs = tuple(replace(d, calls=d.calls + tuple(c for c in calls if c not in d.calls)) if d.logical == address else d for d in docs)
        _add_documents(out, docs)
        target = None
        target_attr = POLICY_RESOURCES[rtype]
        if target_attr and target_attr in attrs:
            ptype = PRINCIPAL_TYPES[target_attr]
            target = _reference_address(mod, file, attrs[target_attr], (ptype,)) or _named_principal(ev, mod, file, attrs[target_attr], pointer + (target_attr,), ptype)
        out.own[address] = (docs, target, calls, file.origin(pointer, node))
        if "policy" not in attrs:
            ev.note("MWAA000", f"{rtype} has no policy", file.origin(pointer, node), address)
    elif rtype in PRINCIPAL_TYPES.values():
        inline = []
        for i, block in enumerate(_blocks(file, body, "inline_policy")):
            inner_attrs = _attributes(_block_parts(file, block)[2])
            inline.extend(docs_of("policy", base=pointer + ("inline_policy", i), in_attrs=inner_attrs))
        _add_documents(out, inline)
        trust = docs_of("assume_role_policy", "trust") if rtype == "aws_iam_role" else ()
        trust = tuple(replace(d, kind="trust") for d in trust)
        _add_documents(out, trust)
        out.principals[address] = {
            "documents": list(inline),
            "trust": trust,
            "calls": calls,
            "origin": file.origin(pointer, node),
            "execution": any(trusts_airflow(d) for d in trust),
        }
        managed = attrs.get("managed_policy_arns")
        if managed is not None:
            for item in _list_nodes(managed):
                policy = _reference_address(mod, file, item, ("aws_iam_policy",))
                if policy:
                    out.attachments.append((address, policy))
    elif rtype in ATTACHMENTS or rtype == "aws_iam_policy_attachment":
        policy_node = attrs.get("policy_arn")
        policy = _reference_address(mod, file, policy_node, ("aws_iam_policy",)) if policy_node is not None else None
        if policy is None:
            return
        if rtype in ATTACHMENTS:
            kind = ATTACHMENTS[rtype]
            target_nodes = [attrs[kind]] if kind in attrs else []
            targets = [(kind, n) for n in target_nodes]
        else:
            targets = [(kind, n) for kind in ("role", "user", "group") for n in _list_nodes(attrs.get(kind + "s"))]
        for kind, target_node in targets:
            ptype = PRINCIPAL_TYPES[kind]
            target = _reference_address(mod, file, target_node, (ptype,)) or _named_principal(ev, mod, file, target_node, pointer + (kind,), ptype)
            if target:
                out.attachments.append((target, policy))
    elif rtype == "aws_mwaa_environment":
        out.environments.append(_environment(ev, mod, file, node, pointer, name, attrs, builder.scope))


def _list_nodes(node) -> list:
    """The item expressions of a tuple literal (or the node itself)."""
    if node is None:
        return []
    current = node
    while current.type in ("expression", "collection_value") and len(_named(current)) == 1:
        current = _named(current)[0]
    if current.type == "tuple":
        return [c for c in _named(current) if c.type == "expression"]
    return [node]


def _named_principal(ev, mod, file, node, ptr, ptype) -> str | None:
    """A principal named by a literal: the role/user/group resource of the module with that name."""
    value = ev.ev(mod, file, node, ptr, {})
    if not isinstance(value, Str) or any(isinstance(p, Symbolic) for p in value.parts):
        return None
    wanted = "".join(value.parts)
    for key, (pfile, pnode, pptr) in mod.index.items():
        if key[0] == "resource" and key[1] == ptype:
            attr = _attributes(_block_parts(pfile, pnode)[2]).get("name")
            if attr is not None:
                name = ev.memoized(mod, ("resource-name-" + ptype, key[2]), (pfile, attr, pptr + ("name",)), 0)
                if isinstance(name, Str) and name.parts == (wanted,):
                    return f"{mod.prefix}{ptype}.{key[2]}"
    return None


def _add_documents(out: Collected, docs) -> None:
    for doc in docs:
        if id(doc) not in out.document_ids:
            out.document_ids.add(id(doc))
            out.documents.append(doc)


def _environment(ev, mod, file, node, pointer, name, attrs, scope) -> Environment:
    address = f"{mod.prefix}aws_mwaa_environment.{name}"

    def value_of(attr):
        expr = attrs.get(attr)
        if expr is None:
            return None
        if attr == "name":
            return ev.memoized(mod, ("resource-name", name), (file, expr, pointer + (attr,)), 0)
        return ev.ev(mod, file, expr, pointer + (attr,), {})

    env_name = value_of("name")
    version = value_of("airflow_version")
    mode = value_of("webserver_access_mode")
    known = lambda v: "".join(v.parts) if isinstance(v, Str) and all(isinstance(p, str) for p in v.parts) else None  # noqa: E731
    mode_text = "PRIVATE_ONLY" if mode is None else (known(mode) or value_text(mode) if isinstance(mode, Str) else "${unknown}")
    execution = None
    role_node = attrs.get("execution_role_arn")
    if role_node is not None:
        execution = _reference_address(mod, file, role_node, ("aws_iam_role",)) or known(value_of("execution_role_arn"))
    notes = []
    if isinstance(env_name, Str) and env_name.note:
        notes.append(f"name {env_name.note}")
    if isinstance(version, Str) and version.note:
        notes.append(f"airflow_version {version.note}")
    return Environment(
        name=known(env_name),
        origin=env_name.origin if isinstance(env_name, Str) else file.origin(pointer, node),
        airflow_version=known(version),
        version_origin=version.origin if isinstance(version, (Str, Lit)) else None,
        webserver_access_mode=mode_text,
        execution_role=execution,
        note="; ".join(notes),
        scope=scope,
        logical=address,
    )


def _link(out: Collected, scope: str) -> tuple[list, list]:
    """Principals with their documents; documents with the names of their principals."""
    attached: dict = {}  # policy address -> principal addresses
    for principal, policy in out.attachments:
        attached.setdefault(policy, []).append(principal)
    members: dict = {address: list(info["documents"]) for address, info in out.principals.items()}
    calls: dict = {address: list(info["calls"]) for address, info in out.principals.items()}
    standalone = []
    for policy, (docs, target, policy_calls, origin) in out.own.items():
        targets = [t for t in ([target] if target else []) + attached.get(policy, []) if t in members]
        if not targets:
            standalone.append((policy, docs, policy_calls, origin))
        for t in targets:
            members[t].extend(d for d in docs if not any(d is m for m in members[t]))
            calls[t].extend(c for c in policy_calls if c not in calls[t])
    execution_roles = {e.execution_role for e in out.environments if e.execution_role}
    principals = []
    owners: dict = {}
    for address, info in out.principals.items():
        principals.append(
            Principal(
                address,
                tuple(members[address]),
                info["origin"],
                address,
                calls=tuple(calls[address]),
                is_execution_role=info["execution"] or address in execution_roles,
                scope=scope,
            )
        )
        for d in members[address] + list(info["trust"]):
            owners.setdefault(id(d), []).append(address)
    for policy, docs, policy_calls, origin in standalone:
        if not docs:
            continue
        principals.append(Principal(policy, tuple(docs), origin, policy, calls=tuple(policy_calls), scope=scope))
        for d in docs:
            owners.setdefault(id(d), []).append(policy)
    final = {id(d): replace(d, principals=tuple(dict.fromkeys(owners.get(id(d), ())))) for d in out.documents}
    documents = [final[id(d)] for d in out.documents]
    principals = [replace(p, documents=tuple(final.get(id(d), d) for d in p.documents)) for p in principals]
    return documents, principals


def parse_module(directory: str, files: list[str]) -> list[ParsedSource]:
    """All `.tf` files of one folder as one root module; one ParsedSource per file read (child module files and
    policy JSON files read through file()/templatefile() included).

    The cyclic garbage collector is paused meanwhile: reading makes many objects and few cycles (reference counting
    frees the rest), and its collections cost a tenth of the time of a large module."""
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        return _parse_module(directory, files)
    finally:
        if paused:
            gc.enable()


def _parse_module(directory: str, files: list[str]) -> list[ParsedSource]:
    problems: list[Diagnostic] = []
    try:
        parser = _make_parser()
    except ImportError as exc:
        return [
            ParsedSource(path, "terraform", diagnostics=(Diagnostic("MWAA012", f"Terraform HCL not analysed: {exc} (install tree-sitter-hcl)", Origin(path, (), _file_start())),))
            for path in files
        ]
    hcl_files = [_read_file(path, parser, problems) for path in sorted(files)]
    ev = Evaluator(directory, parser)
    ev.problems = problems
    root = Module(directory, tuple(hcl_files), "", None, {}, _index(hcl_files), 0)
    builder = Builder(ev, directory)
    out = Collected()
    try:
        _walk_module(ev, builder, root, out)
    except RecursionError:  # a bound above should prevent it; never a traceback
        ev.note("MWAA000", "expressions nested too deeply to analyse", Origin(hcl_files[0].path, (), _file_start()) if hcl_files else Origin(directory))
        out = Collected()
    documents, principals = _link(out, directory)
    all_files = {f.path: f for f in hcl_files}
    all_files.update(ev.files)
    paths = list(all_files) + [p for p in builder.extra_sources if p not in all_files]
    by_path = {p: {"documents": [], "environments": [], "principals": [], "diagnostics": []} for p in paths}

    def put(path, kind, item):
        by_path.setdefault(path, {"documents": [], "environments": [], "principals": [], "diagnostics": []})[kind].append(item)

    for doc in documents:
        put(doc.origin.path, "documents", doc)
    for env in out.environments:
        put(env.origin.path if env.origin else directory, "environments", env)
    for principal in principals:
        put(principal.origin.path if principal.origin else directory, "principals", principal)
    for diagnostic in ev.problems:
        put(diagnostic.origin.path, "diagnostics", diagnostic)
    sources = []
    for path, found in by_path.items():
        spans = StaticSpans(all_files[path].spans) if path in all_files else FileSpans(path, "json")
        sources.append(
            ParsedSource(
                path,
                "terraform",
                documents=tuple(found["documents"]),
                environments=tuple(found["environments"]),
                principals=tuple(found["principals"]),
                diagnostics=tuple(found["diagnostics"]),
                spans=spans,
            )
        )
    return sources
