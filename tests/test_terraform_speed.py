"""The shortcuts of the HCL reader give what the plain ways give: comment lines found by looking only at the rows
above blocks equal those of a walk over every node."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES

pytest.importorskip("tree_sitter_hcl")

from linter.sources import terraform_hcl as hcl  # noqa: E402

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
    file = hcl._read_file(str(path), hcl._make_parser(), problems)
    if file.root is None:
        return
    expected = {row: (n.start_byte, n.end_byte) for row, n in walked_comment_rows(file).items()}
    found = {}
    for row in range(len(file.index.starts) + 1):
        node = hcl._comment_at(file, row)
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
