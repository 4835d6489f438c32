"""Positions: 1-based, character columns, span from the opening quote, end exclusive."""
import pytest

from linter.model import Span
from linter.positions import KEY, DecodeError, LineIndex, decode, json_duplicate_keys, json_spans, locate
from linter.model import Origin


def test_list_items_and_keys():
    text = '{\n  "Statement": [\n    {"Action": ["a:b", "c:d"]}\n  ]\n}'
    spans = json_spans(text)
    assert spans.span(("Statement", 0, "Action", 0)) == Span(3, 17, 3, 22)
    assert spans.span(("Statement", 0, "Action", 1)) == Span(3, 24, 3, 29)
    assert spans.span(("Statement", 0, "Action", KEY)) == Span(3, 6, 3, 14)
    assert spans.span(("Statement",)) == Span(2, 16, 4, 4)


def test_tabs_count_as_one_column_and_crlf_is_one_break():
    text = '{\r\n\t"Version":\t"2012-10-17"\r\n}'
    assert json_spans(text).span(("Version",)) == Span(2, 13, 2, 25)


def test_unicode_columns_are_characters():
    text = '{"Sid": "\u00e9\u00e9\u00e9", "Effect": "Allow"}'
    assert json_spans(text).span(("Effect",)) == Span(1, 26, 1, 33)


def test_bom_is_dropped_and_not_counted():
    text = decode(b'\xef\xbb\xbf{"Statement": []}')
    assert json_spans(text).span(("Statement",)) == Span(1, 15, 1, 17)


def test_duplicate_keys_point_at_the_later_key():
    text = '{"Effect": "Allow",\n "Effect": "Deny"}'
    assert json_duplicate_keys(text) == [(("Effect",), Span(2, 2, 2, 10))]


def test_escaped_strings_and_nested_empty_containers():
    text = '{"a": "x\\"y", "b": [[], {}], "c": -1.5e3}'
    spans = json_spans(text)
    assert spans.span(("a",)) == Span(1, 7, 1, 13)
    assert spans.span(("b", 1)) == Span(1, 25, 1, 27)
    assert spans.span(("c",)) == Span(1, 35, 1, 41)


def test_locate_falls_back_to_the_nearest_ancestor():
    spans = json_spans('{"Statement": {"Action": "x"}}')
    assert locate(spans, Origin("f", ("Statement", "Action", 3))) == Span(1, 26, 1, 29)


def test_invalid_utf8_is_located():
    with pytest.raises(DecodeError) as caught:
        decode(b'{\n  "a": "\xff"}')
    assert caught.value.span.start_line == 2


def test_utf16_is_refused():
    with pytest.raises(DecodeError):
        decode("{}".encode("utf-16"))


def test_tree_sitter_byte_columns_become_character_columns():
    index = LineIndex('x = "\u00e9\u00e9"\ny = 1\n')
    assert index.point_span((0, 4), (0, 10)) == Span(1, 5, 1, 9)
    assert index.point_span((1, 4), (1, 5)) == Span(2, 5, 2, 6)
