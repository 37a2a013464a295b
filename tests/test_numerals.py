"""Numbers as Chinese policy texts write them."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.numerals import NotANumber, parse_chinese_integer, parse_number, render_chinese_integer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5), ("4.2", 4.2), ("０．５", 0.5), ("1,276", 1276), ("1647亿", 164_700_000_000), ("1 万", 10_000),
        ("1.5万", 15_000), ("0 5", 0.5), ("两", 2), ("十", 10), ("十五", 15), ("二十", 20), ("一百零八", 108),
        ("三千", 3000), ("两万", 20_000), ("一万二千", 12_000), ("半", 0.5), ("二分之一", 0.5),
        ("三分之二", 2 / 3), ("4分之1", 0.25), ("二〇二一", 2021),
    ],
)
def test_parse_number_reads_policy_spellings(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "天", "十四五x", "零分之一", "a5"])
def test_parse_number_refuses_what_is_not_a_number(text):
    with pytest.raises(NotANumber):
        parse_number(text)


@given(st.integers(min_value=0, max_value=999_999_999_999))
def test_chinese_integers_round_trip(value):
    assert parse_chinese_integer(render_chinese_integer(value)) == value
