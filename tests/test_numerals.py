"""Numbers as Chinese policy texts write them: a table of spellings, and every form rendered and read back."""
import warnings
from decimal import Decimal

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.numerals import (
    NotANumber,
    parse_approximate_range,
    parse_chinese_integer,
    parse_number,
    render_chinese_integer,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # digits, full-width, separators, a decimal point lost to a space
        ("5", 5), ("4.2", 4.2), ("０．５", 0.5), ("1,276", 1276), ("0 5", 0.5),
        # digits times unit words
        ("1647亿", 164_700_000_000), ("1 万", 10_000), ("1.5万", 15_000), ("1.1万", 11_000), ("3千", 3000),
        ("2 千万", 20_000_000), ("5百万", 5_000_000),
        # standard numerals
        ("两", 2), ("十", 10), ("十五", 15), ("二十", 20), ("一十五", 15), ("一百零八", 108), ("三百五十", 350),
        ("三千", 3000), ("两万", 20_000), ("一万二千", 12_000), ("一万五千", 15_000), ("十万八千", 108_000),
        ("一亿二千万", 120_000_000), ("一万亿", 10**12),
        # shortened multiples: the last digit is one place below the unit before it
        ("三百五", 350), ("一百一", 110), ("两千五", 2500), ("一万二", 12_000), ("一万五", 15_000),
        ("十三万五", 135_000), ("一万二千五", 12_500), ("三百五十万", 3_500_000), ("三百五万", 3_500_000),
        ("一亿二", 120_000_000),
        # 两 before 百, 千, 万, 亿
        ("两百", 200), ("两千两百", 2200), ("两亿", 200_000_000),
        # 零 (or 〇) for skipped places
        ("一千零五", 1005), ("一千〇五", 1005), ("一千零五十", 1050), ("一万零五百", 10_500), ("三十万零五百", 300_500),
        ("十万零一十", 100_010), ("一亿零五千", 100_005_000), ("十亿零一", 1_000_000_001),
        # decimals
        ("零点五", 0.5), ("〇点五", 0.5), ("一点五", 1.5), ("三点二五", 3.25), ("十二点五", 12.5), ("一点五万", 15_000),
        ("三点二亿", 320_000_000),
        # fractions and percentages, which are fractions of a hundred
        ("半", 0.5), ("二分之一", 0.5), ("三分之二", 2 / 3), ("4分之1", 0.25), ("百分之三十", 0.3),
        ("百分之九十五", 0.95), ("百分之零点五", 0.005), ("百分之百", 1), ("百分之30", 0.3),
        # digit by digit, as years are written
        ("二〇二一", 2021),
    ],
)
def test_parse_number_reads_policy_spellings(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "", "天", "十四五x", "零分之一", "a5",
        "三五", "两三",  # side by side, two digits are a rough range, not 35 or 23
        "五五百", "十百", "二十零", "零五", "十零五",  # digits and units out of order
        "一千零五百", "一万零五千",  # a 零 that skips no place
        "点五", "一点", "一点二十",  # decimals without a whole part, digits, or with a unit after 点
    ],
)
def test_parse_number_refuses_what_is_not_a_number(text):
    with pytest.raises(NotANumber):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("一两", (1, 2)), ("两三", (2, 3)), ("三五", (3, 5)), ("七八", (7, 8)), ("八九", (8, 9)),
     ("三四五", None), ("二三", None), ("五", None), ("十五", None)],
)
def test_rough_ranges_are_two_neighbouring_digits(text, expected):
    assert parse_approximate_range(text) == expected


@pytest.mark.parametrize(
    ("value", "standard", "with_liang", "shortened"),
    [
        (350, "三百五十", "三百五十", "三百五"),
        (2500, "二千五百", "两千五百", "两千五"),
        (12_000, "一万二千", "一万两千", "一万二"),
        (1005, "一千零五", "一千零五", "一千零五"),
        (20_000, "二万", "两万", "两万"),
        (305_000, "三十万五千", "三十万五千", "三十万五千"),  # zeros closing a group are not said; no shortening
        (10_005_000, "一千万五千", "一千万五千", "一千万五千"),
        (100_005_000, "一亿零五千", "一亿零五千", "一亿零五千"),
        (120_000_000, "一亿二千万", "一亿两千万", "一亿二"),
    ],
)
def test_numerals_are_rendered_in_each_style(value, standard, with_liang, shortened):
    assert render_chinese_integer(value) == standard
    assert render_chinese_integer(value, liang=True) == with_liang
    assert render_chinese_integer(value, liang=True, shortened=True) == shortened


# --- Every form rendered, then read back -------------------------------------------------------

DIGIT_NAMES = "零一二三四五六七八九"
# Floats hold integers exactly only below 2**53; policy numbers stay far below 10**15.
LARGEST = 10**15 - 1

# Numbers with few non-zero digits, so that gaps (一千零五) and shortened forms (一万二) come up often.
sparse_integers = st.dictionaries(st.integers(0, 14), st.integers(1, 9), max_size=5).map(
    lambda digits: sum(digit * 10**place for place, digit in digits.items())
)
integers = st.one_of(sparse_integers, st.integers(0, LARGEST))
styles = st.sampled_from([{}, {"liang": True}, {"shortened": True}, {"liang": True, "shortened": True}])
decimal_digits = st.text(alphabet="0123456789", min_size=1, max_size=4)


def spell_digits(digits: str) -> str:
    return "".join(DIGIT_NAMES[int(digit)] for digit in digits)


# cn2an (a dev-only dependency) is the oracle where it is right. Where it is not: it cannot read a digit shortened
# after 亿 (一亿二, see shortened_after_yi), 百分之百, 三百五万 or 一亿五千; it reads the rough ranges 三五 and 两三 as
# 35 and 23; and it renders 100 005 000 as 一亿五千, without the 零 an empty 万 group needs (we write 一亿零五千).
def cn2an_reads(text: str):
    """cn2an's reading of a numeral, or None where it cannot read one."""
    try:
        return cn2an.cn2an(text, "normal")
    except (ValueError, KeyError):
        return None


def cn2an_transforms(text: str) -> str:
    """cn2an's rewriting of a phrase (百分之三十 → 30%, 三分之二 → 2/3); it warns on what it cannot read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cn2an.transform(text, "cn2an")


def shortened_after_yi(text: str) -> bool:
    """一亿二 (120 000 000): cn2an 0.5.24 raises KeyError on a digit shortened after 亿."""
    return len(text) >= 2 and text[-2] == "亿" and text[-1] in DIGIT_NAMES[1:]


@given(integers, styles)
def test_integers_in_every_style_read_back(value, style):
    text = render_chinese_integer(value, **style)
    assert parse_chinese_integer(text) == value
    assert parse_number(text) == value
    if not shortened_after_yi(text):
        assert cn2an_reads(text) == value, text


@given(st.integers(0, 10**6), styles, decimal_digits)
def test_decimals_read_back(whole, style, digits):
    text = render_chinese_integer(whole, **style) + "点" + spell_digits(digits)
    expected = Decimal(f"{whole}.{digits}")
    assert Decimal(str(parse_number(text))) == expected
    assert Decimal(str(cn2an_reads(text))) == expected, text


@given(st.one_of(st.integers(0, 10**6).map(str), st.builds("{}.{}".format, st.integers(0, 100), decimal_digits)), styles)
def test_percentages_read_back_as_fractions_of_a_hundred(number, style):
    whole, _, digits = number.partition(".")
    spelled = render_chinese_integer(int(whole), **style) + ("点" + spell_digits(digits) if digits else "")
    text = "百分之" + spelled
    assert parse_number(text) == pytest.approx(float(Decimal(number) / 100), rel=1e-12)
    assert Decimal(cn2an_transforms(text).removesuffix("%")) == Decimal(number), text


@given(st.integers(1, 10**4), st.integers(0, 10**4), styles)
def test_fractions_read_back(denominator, numerator, style):
    text = render_chinese_integer(denominator, **style) + "分之" + render_chinese_integer(numerator, **style)
    assert parse_number(text) == pytest.approx(numerator / denominator, rel=1e-12)
    assert cn2an_transforms(text) == f"{numerator}/{denominator}", text


@given(st.integers(1, 10**4), decimal_digits, st.sampled_from([("万", 10**4), ("亿", 10**8)]))
def test_digits_and_decimals_times_a_unit_word_read_back(whole, digits, unit):
    name, size = unit
    expected = float(Decimal(f"{whole}.{digits}") * size)
    assert parse_number(f"{whole}.{digits}{name}") == expected
    assert parse_number(render_chinese_integer(whole) + "点" + spell_digits(digits) + name) == expected

