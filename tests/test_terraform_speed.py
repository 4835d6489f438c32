"""The shortcuts of the HCL reader give what the plain ways give: comment lines found by looking only at the rows
above blocks equal those of a walk over every node; blocks nothing reads left out of the parse, and the inside of
strings blanked for it, change no finding, position or syntax error."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES

pytest.importorskip("tree_sitter_hcl")

from linter.sources import terraform_hcl as hcl  # noqa: E402
from linter.sources import terraform_tree as hcl_tree  # noqa: E402

TRICKY = [
    "# a\nresource \"x\" \"y\" {\n  # b\n  a = 1 # c\n}\n",
    "a = <<EOF\n# not a comment\n${\n# inside\nx}\nEOF\n/* one\n# two */\n  // three\n",
    "a = \"# no\"\nb = \"${ # c\n x}\"\n\t\u00a0# nbsp\r\n# crlf\r\n",
    "a = [\n# in list\n1,\n]\n/* x */ # y\nresource \"z\" {\n",
    "é = \"ü\" # ä\n  # ö\n",
]


def walked_comment_rows(file) -> dict:
    """Rows holding only a comment, by a walk over every node outside strings (the reference)."""
    rows = {}
    todo = [file.root]
    while todo:
        node = todo.pop()
        if node.type == "comment":
            row = node.start_point[0]
            line_start = file.index.starts[row] if row < len(file.index.starts) else 0
            before = file.text[line_start : line_start + file.index.char_column(row, node.start_point[1]) - 1]
            if not before.strip():
                rows[row] = node
        elif node.child_count and node.type not in ("template_literal", "string_lit", "heredoc_template"):
            todo.extend(node.children)
    return rows


def check_comment_rows(tmp_path, text: str) -> None:
    path = tmp_path / "main.tf"
    path.write_bytes(text.encode("utf-8"))
    problems: list = []
    file = hcl_tree._read_file(str(path), hcl_tree._make_parser(), problems)
    if file.root is None:
        return
    expected = {row: (n.start_byte, n.end_byte) for row, n in walked_comment_rows(file).items()}
    found = {}
    for row in range(len(file.index.starts) + 1):
        node = hcl_tree._comment_at(file, row)
        if node is not None:
            found[row] = (node.start_byte, node.end_byte)
    assert found == expected


@pytest.mark.parametrize("text", TRICKY)
def test_comment_rows_tricky(tmp_path, text):
    check_comment_rows(tmp_path, text)


def test_comment_rows_fixtures(tmp_path):
    for path in sorted((FIXTURES / "terraform").rglob("*.tf")):
        check_comment_rows(tmp_path, path.read_text(encoding="utf-8"))


PIECES = st.sampled_from(["#", "//", "/*", "*/", "\n", " ", "\t", "\"", "${", "}", "{", "a = ", "<<EOF\n", "EOF\n",
                          "x", "é", "resource \"r\" \"n\" ", "[", "]", ",", "\r\n", "%{", "\\"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, max_size=40))
def test_comment_rows_random(tmp_path, pieces):
    check_comment_rows(tmp_path, "".join(pieces))


# -- top-level blocks nothing reads are left out of the parse -----------------------------------------------------------
POLICY = '''resource "aws_iam_policy" "p{n}" {{
  name   = "p{n}"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["airflow:*"], Resource = "arn:aws:airflow:us-east-1:111122223333:role/env/Admin" }}]
  }})
}}
'''
ROLE = '''# mwaa-lint: calls GET /dags
resource "aws_iam_role" "r{n}" {{
  name               = "r{n}"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "airflow-env.amazonaws.com" }} }}] }})
}}
'''
ENV = '''resource "aws_mwaa_environment" "e{n}" {{
  name               = "env"
  airflow_version    = "2.4.3"
  execution_role_arn = aws_iam_role.r{n}.arn
}}
'''
BUCKET = '''resource "aws_s3_bucket" "b{n}" {{
  bucket = "${{var.name}}-data-{n}"
  tags = {{
    team        = "x"
    "cost-center" = 12
  }}
}}
'''
GROUP = '''resource "aws_security_group" "g{n}" {{
  name   = "g{n}"
  vpc_id = var.vpc_id
  ingress {{
    from_port   = 443
    cidr_blocks = ["10.0.0.0/16", var.cidr]
  }}
}}
'''
DATA = '''data "aws_region" "d{n}" {{
}}
'''
BROKEN = '''resource "aws_s3_bucket" "x{n}" {{
  bucket = = "x"
}}
'''
HEREDOC = '''resource "aws_iam_user_policy" "h{n}" {{
  user   = "u"
  policy = <<EOT
resource "aws_s3_bucket" "in_heredoc" {{
  bucket = "x"
}}
EOT
}}
'''
NESTED = '''resource "aws_iam_role" "n{n}" {{
name = "n"
resource "aws_s3_bucket" "nested" {{
}}
}}
'''
UNCLOSED = '''resource "aws_iam_policy" "u{n}" {{
  policy = jsonencode({{ Statement = [] }})
'''
COMMENTED = '''/*
resource "aws_sqs_queue" "c{n}" {{
  name = "q"
}}
*/
'''
PIECES_TF = [POLICY, ROLE, ENV, BUCKET, GROUP, DATA, BROKEN, HEREDOC, NESTED, UNCLOSED, COMMENTED,
             'variable "cidr" {{\n  default = "10.0.0.0/8"\n}}\n', "\n", "# note\n"]


def module_dump(tmp_path, text: str, shortcut: bool, monkeypatch) -> str:
    from linter.model import Origin
    from linter.positions import locate

    folder = tmp_path / ("with" if shortcut else "without")
    folder.mkdir(exist_ok=True)
    (folder / "main.tf").write_bytes(text.encode("utf-8"))
    with monkeypatch.context() as patch:
        if not shortcut:
            patch.setattr(hcl_tree, "_plain_unread_blocks", lambda data: [])
            patch.setattr(hcl_tree, "_blank_strings", lambda data, skipped: (data, []))
        sources = hcl.parse_module(str(folder), [str(folder / "main.tf")])

    def origins(value, out):
        if isinstance(value, Origin):
            out.append((value.pointer, value.span))
        elif isinstance(value, (list, tuple)):
            for item in value:
                origins(item, out)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                origins(getattr(value, name), out)
        return out

    lines = []
    for source in sources:
        found = origins([source.documents, source.environments, source.principals, source.diagnostics], [])
        located = [locate(source.spans, Origin("", pointer, span)) for pointer, span in found]
        lines.append(repr((source.documents, source.environments, source.principals, source.diagnostics, located)))
    return "\n".join(lines).replace(str(folder), "FOLDER")


def check_same(tmp_path, monkeypatch, text: str) -> None:
    assert module_dump(tmp_path, text, True, monkeypatch) == module_dump(tmp_path, text, False, monkeypatch)


@pytest.mark.parametrize("pieces", [
    [BUCKET, ROLE, GROUP, POLICY, ENV, DATA],
    [BROKEN, ROLE, BUCKET],
    [BUCKET, HEREDOC, GROUP],
    [NESTED, BUCKET],
    [BUCKET, UNCLOSED],
    [COMMENTED, BUCKET, ROLE],
    [GROUP],
])
def test_left_out_blocks_change_nothing(tmp_path, monkeypatch, pieces):
    text = "".join(piece.format(n=i) for i, piece in enumerate(pieces))
    check_same(tmp_path, monkeypatch, text)
    check_same(tmp_path, monkeypatch, text.rstrip("\n"))  # no newline at the end


def test_blocks_are_left_out():
    text = "".join(piece.format(n=i) for i, piece in enumerate([BUCKET, ROLE, GROUP, POLICY, DATA, BROKEN]))
    data = text.encode()
    left_out = [data[a:b].split(b"\n")[0] for a, b in hcl_tree._plain_unread_blocks(data)]
    assert left_out == [b'resource "aws_s3_bucket" "b0" {', b'resource "aws_security_group" "g2" {', b'data "aws_region" "d4" {']
    parser = hcl_tree._make_parser()
    tree = hcl_tree._parse(parser, data, 500_000)
    assert tree.root_node.has_error  # BROKEN is not plain: it is parsed, and so is everything (the tree has an error)
    clean = text[: text.index('resource "aws_s3_bucket" "x5"')].encode()
    tree = hcl_tree._parse(parser, clean, 500_000)
    body = next(c for c in tree.root_node.children if c.type == "body")
    blocks = [c.start_byte for c in body.children if c.type == "block"]
    assert blocks == [clean.index(b'resource "aws_iam_role"'), clean.index(b'resource "aws_iam_policy"')]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES_TF), max_size=8))
def test_left_out_blocks_change_nothing_random(tmp_path, monkeypatch, pieces):
    check_same(tmp_path, monkeypatch, "".join(piece.format(n=i) for i, piece in enumerate(pieces)))


PLAIN_LINES = st.sampled_from([
    '  a = "x"\n', '  a = "${var.b}-c"\n', '  a = 12\n', '  a = 1.5\n', "  a = true\n", "  a = null\n", "  a = var.x[0].y\n",
    '  a = ["x", 1, var.y]\n', "  a = []\n", "  a = {\n", '    k = "v"\n', '    "k-2" = 3,\n', "    k: 1\n", "  b {\n",
    "  }\n", "}\n", "\n", '  a = "%{x}"\n', "  a = f(1)\n", "  a = 1 + 2\n", "  for = 1\n", '  a = "\\n"\n', "  # c\n",
    "  a = <<EOT\n", "EOT\n", "  a =\n", "  a = [\n", '  b "l" {\n', "  a = -1\n", '  a = "$"\n', "  ü = 1\n", "\t\n",
    "  a = b\n", "  in = 2\n", "  a = true.x\n", '  a = "${for}"\n', "  a = [,]\n", "  a = [1,,2]\n", "  a = 1.\n",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(PLAIN_LINES, max_size=12))
def test_plain_blocks_parse_without_error(lines):
    """Whatever the plain-subset check accepts, tree-sitter parses without error, in at most PLAIN_NODES_PER_BYTE
    nodes per byte."""
    data = ('resource "aws_s3_bucket" "b" {\n' + "".join(lines) + "}\n").encode("utf-8")
    found = hcl_tree._plain_unread_blocks(data)
    if not found:
        return
    start, end = found[0]
    tree = hcl_tree._make_parser().parse(data[start:end])
    assert not tree.root_node.has_error, data
    assert tree.root_node.descendant_count <= hcl_tree.PLAIN_NODES_PER_BYTE * (end - start)


# -- the inside of strings is blanked for tree-sitter ------------------------------------------------------------------
def tree_signature(root) -> list:
    out = []
    cursor = root.walk()
    while True:
        node = cursor.node
        out.append((node.type, node.start_byte, node.end_byte, tuple(node.start_point), tuple(node.end_point),
                    node.is_named, node.is_missing, node.has_error, node.child_count, cursor.field_name))
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return out


def check_blanked_tree(data: bytes) -> bool:
    """When the blanked parse is used, its tree is the tree of the file itself, node for node."""
    parser = hcl_tree._make_parser()
    blanked, runs = hcl_tree._blank_strings(data, [])
    if not runs:
        return False
    tree = parser.parse(blanked)
    if tree.root_node.has_error or not hcl_tree._inside_strings(tree.root_node, runs):
        return False
    original = parser.parse(data).root_node
    assert tree_signature(tree.root_node) == tree_signature(original)
    assert tree.root_node.descendant_count == original.descendant_count
    return True


BLANKING = [
    'a = "arn:aws:s3:::bucket/*"\nb = ["x y z", " lead", "trail ", "${var.a}-abc-${var.b}def", "a\\"bcd\\u00e9xyz"]\n',
    'p = <<EOF\n{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}\nEOF\nq = "after heredoc"\n',
    'p = <<-EOT\n  {"Sid": "${var.x}", "Effect": "Allow"}\n  EOT\nq = "after"\n',
    'a = "${join(",", ["abc", "def"])} tail" # "comment"\n/* "block" */ b = "%{ if true }yes%{ endif }"\n',
    'a = "$${literal} %%{x} $5 100%"\nb = "unterminated\n',
    'x = jsonencode({ Statement = [{ Action = "airflow:CreateWebLoginToken", Resource = "arn:aws:airflow:*:*:role/e/Admin" }] })\n',
]


@pytest.mark.parametrize("text", BLANKING)
def test_blanked_strings_give_the_same_tree(text):
    check_blanked_tree(text.encode("utf-8"))


def test_blanked_strings_fixtures():
    used = sum(check_blanked_tree(path.read_bytes()) for path in sorted((FIXTURES / "terraform").rglob("*.tf")))
    assert used > 30


LITERAL = st.sampled_from(["abc", " ", "  x  ", "arn:aws:s3:::b/*", "${var.a}", "${ \"q\" }", "$${x}", "%%{y}", "$5", "100%",
                           "\\n", "\\\"", "\\u00e9z", "é", "{", "}", "#", "//", "/*", "EOF", ":", ",", "'"])
STRING = st.lists(LITERAL, max_size=6).map(lambda parts: '"' + "".join(parts) + '"')
HEREDOC_LINE = st.lists(st.one_of(STRING, st.sampled_from([" ", "{", "}", ": ", ", ", "${var.b}", "EOF", "x"])), max_size=5)
HEREDOC = st.lists(HEREDOC_LINE.map("".join), max_size=4).map(lambda lines: "<<EOF\n" + "".join(line + "\n" for line in lines) + "EOF")
VALUE = st.one_of(STRING, HEREDOC, st.lists(STRING, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"))
ATTRIBUTE = st.tuples(st.sampled_from(["a", "b", "policy"]), VALUE).map(lambda kv: f"{kv[0]} = {kv[1]}\n")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(ATTRIBUTE, st.sampled_from(["# c\n", "\n", 'x = "broken\n', "y = {\n", "}\n"])), max_size=8))
def test_blanked_strings_random(lines):
    check_blanked_tree("".join(lines).encode("utf-8"))
