"""api/conditional.py: If-Match parsed by RFC 9110 and compared strongly; If-None-Match compared weakly."""

import pytest

from api.conditional import EntityTag, IfMatch, if_match_precondition, parse_if_match, parse_if_none_match
from api.exceptions import ParseError, PreconditionFailed

CURRENT = '"12-3"'

# value -> the tags parsed, or "*"
PARSED = {
    '"12-3"': [EntityTag('"12-3"')],
    'W/"12-3"': [EntityTag('"12-3"', weak=True)],
    '"12-2", "12-3"': [EntityTag('"12-2"'), EntityTag('"12-3"')],
    '"12-2",W/"12-3"': [EntityTag('"12-2"'), EntityTag('"12-3"', weak=True)],
    ' \t"12-3" \t': [EntityTag('"12-3"')],
    ', "12-3" ,, "12-4",': [EntityTag('"12-3"'), EntityTag('"12-4"')],  # empty list elements are allowed
    '"a,b", "c"': [EntityTag('"a,b"'), EntityTag('"c"')],  # a comma inside a tag does not split it
    '""': [EntityTag('""')],
    '"caf\xe9"': [EntityTag('"caf\xe9"')],  # obs-text, as a WSGI server decodes it (latin-1)
    "*": "*",
    " * ": "*",
}

MALFORMED = {
    "unquoted": "12-3",
    "unquoted-weak": "W/12-3",
    "lowercase-weak": 'w/"12-3"',
    "weak-alone": "W/",
    "unterminated": '"12-3',
    "trailing-garbage": '"12-3"x',
    "no-comma": '"12-2" "12-3"',
    "space-in-tag": '"12 3"',
    "control-in-tag": '"12\x013"',
    "beyond-latin-1": '"12\u20ac3"',
    "star-in-a-list": '*, "12-3"',
    "two-stars": "*, *",
    "empty": "",
    "only-commas": " , ,",
}


@pytest.mark.parametrize(("value", "expected"), PARSED.items(), ids=PARSED.keys())
def test_well_formed_values_parse(value, expected):
    parsed = parse_if_match(value)
    if expected == "*":
        assert parsed == IfMatch(any_version=True)
    else:
        assert parsed.tags == tuple(expected)


@pytest.mark.parametrize("value", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_values_are_a_parse_error_showing_the_expected_form(value):
    with pytest.raises(ParseError) as caught:
        parse_if_match(value)
    assert 'If-Match: "12-3"' in str(caught.value.detail)
    assert "*" in str(caught.value.detail)


def test_no_header_is_no_precondition():
    assert parse_if_match(None) is None


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ('"12-3"', True),
        ('"12-2"', False),
        ('"12-2", "12-3"', True),
        ('W/"12-3", "12-2"', False),  # strong comparison: the weak tag never matches
        ('W/"12-2", "12-3"', True),
        ("*", True),
        ('"12-30"', False),
    ],
)
def test_matching_is_strong_comparison(value, matches):
    assert parse_if_match(value).matches(CURRENT) is matches


@pytest.mark.parametrize("value", ['W/"12-3"', 'W/"12-2", W/"12-3"'])
def test_only_weak_tags_fail_at_once_saying_why(value):
    assert not parse_if_match(value).can_match
    with pytest.raises(PreconditionFailed, match="weak"):
        if_match_precondition(value)


@pytest.mark.parametrize("value", [None, "*", '"12-3"', 'W/"12-3", "12-2"'])
def test_a_precondition_that_can_match_is_returned_as_parsed(value):
    assert if_match_precondition(value) == parse_if_match(value)


# ---------------------------------------------------------------------------- If-None-Match (weak comparison)
@pytest.mark.parametrize(
    ("value", "etag", "matches"),
    [
        ('"12-3"', '"12-3"', True),
        ('W/"12-3"', '"12-3"', True),  # weak comparison: W/ on either side does not matter
        ('"12-3"', 'W/"12-3"', True),
        ('W/"abc"', 'W/"abc"', True),
        ('"12-2", W/"12-3"', '"12-3"', True),
        ('"12-2"', '"12-3"', False),
        ('"12-30"', '"12-3"', False),
        ("*", '"12-3"', True),
        (" * ", 'W/"abc"', True),
    ],
)
def test_if_none_match_compares_weakly(value, etag, matches):
    assert parse_if_none_match(value).matches(etag) is matches


def test_no_if_none_match_header_is_no_condition():
    assert parse_if_none_match(None) is None


@pytest.mark.parametrize("value", ["12-3", 'w/"12-3"', '"12-3', '"12-3" "12-4"', '*, "12-3"', "", " , "])
def test_malformed_if_none_match_is_a_parse_error_showing_the_expected_form(value):
    with pytest.raises(ParseError) as caught:
        parse_if_none_match(value)
    assert 'If-None-Match: "12-3"' in str(caught.value.detail)
