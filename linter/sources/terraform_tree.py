"""Terraform HCL files: reading `.tf` files with tree-sitter (tree-sitter-hcl, imported lazily) into `HclFile`s.

Every tree-sitter import of the project lives in this module: the parser, the shortcuts of the parse (blocks nothing
reads left out of it, the inside of strings blanked for it, with included ranges keeping positions), the node helpers
(`_named`, `_body_items`, `_block_parts`, `_attributes`, `_blocks`), syntax problems (MWAA000), comments and their
`mwaa-lint: calls` declarations, and `Module` with its index of blocks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..model import DeclaredCall, Diagnostic, Origin
from ..model import new_origin
from ..positions import DecodeError, LineIndex, decode
from .terraform_values import ATTACHMENTS, DOC_DATA, POLICY_RESOURCES, PRINCIPAL_TYPES

MAX_SYNTAX_ERRORS = 5  # MWAA000 findings per file
MAX_NESTING = 100  # deeper bracket nesting is MWAA000 before the evaluator (which recurses) sees it
MAX_HCL_BYTES = 2_000_000  # a .tf file; with sources.MAX_SYNTAX_NODES it bounds the parse tree (~300 MB at most)
CALLS = re.compile(r"^(?:#|//)\s*mwaa-lint:\s*calls\b\s*(.*)$")


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
    json_texts: dict = field(default_factory=dict)  # (base pointer, start offset) of each JSON text read -> None (TreeSpans)

    def node_text(self, node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def span(self, node):
        return self.index.node_span(node)

    def origin(self, pointer: tuple, node) -> Origin:
        if type(pointer) is not tuple:
            pointer = tuple(pointer)
        span = self.index.node_span(node)
        self.spans.setdefault(pointer, span)
        return new_origin(self.path, pointer, span)

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
            kids = _named(child) if child.named_child_count != 2 else child.named_children  # 2: name and value
            if len(kids) == 2 and (kids[0].type == "comment" or kids[1].type == "comment"):
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
# A whole plain string is found with its mark, its run (blanks at both ends left out, as _add_run does) as group 1.
_PLAIN_STRING = rb'" *((?:[\x20\x21\x23\x26-\x5b\x5d-\x7e]*[\x21\x23\x26-\x5b\x5d-\x7e])?) *"|'
_TOP_MARK = re.compile(_PLAIN_STRING + rb'"|#|//|/\*|<<')
_CODE_MARK = re.compile(_PLAIN_STRING + rb'"|#|//|/\*|<<|\{|\}')
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
        pos = mark.end()
        if mark.lastindex:  # a plain string
            if mark.end(1) - mark.start(1) >= MIN_BLANKED_RUN:
                runs.append(mark.span(1))
            continue
        token = mark.group()
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
    """Each run lies inside a template literal of the tree (the text of a quoted string or heredoc). A literal has
    no children: a run inside the one the run before was found in is found there again (the runs of a heredoc)."""
    node_start = node_end = -1
    for start, end in runs:
        if node_start <= start and end <= node_end:
            continue
        node = root.descendant_for_byte_range(start, end)
        if node is None or node.type != "template_literal" or node.start_byte > start or node.end_byte < end:
            return False
        node_start, node_end = node.start_byte, node.end_byte
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
