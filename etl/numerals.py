"""Numbers as Chinese documents write them → floats: 两, 十五, 一万二, 1.5万, 二分之一, 半个月, "0 5"."""
from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(LARGE_UNITS)
FULLWIDTH_TO_ASCII = str.maketrans("０１２３４５６７８９．", "0123456789.")

FRACTION = re.compile(r"^(?P<den>[^分]+)分之(?P<num>.+)$")


class NotANumber(ValueError):
    """Text that does not spell a number."""


def parse_chinese_integer(text: str) -> int:
    """十五 → 15, 一百零八 → 108, 两万 → 20000, 一二三 → 123 (digit by digit)."""
    if not text:
        raise NotANumber(text)
    if all(ch in DIGITS for ch in text) and len(text) > 1:
        # Digit-by-digit spelling, as in years or codes: 二〇二〇 → 2020.
        return int("".join(str(DIGITS[ch]) for ch in text))
    total = 0
    section = 0
    digit: int | None = None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            section += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        elif ch in LARGE_UNITS:
            section += digit or 0
            total = (total + section) * LARGE_UNITS[ch] if LARGE_UNITS[ch] > 10_000 else total + section * LARGE_UNITS[ch]
            section = 0
            digit = None
        else:
            raise NotANumber(text)
    return total + section + (digit or 0)


def parse_number(text: str) -> float:
    """Any number as written in a policy text; raises NotANumber otherwise.

    Handles Arabic digits (full-width too, thousands separators), a decimal point lost to a
    space ("0 5" → 0.5, as extraction from PDF often leaves it), Chinese numerals, mixed forms
    (1.5万, 3千), fractions (二分之一 → 0.5) and 半 (0.5).
    """
    cleaned = text.translate(FULLWIDTH_TO_ASCII).strip()
    if not cleaned:
        raise NotANumber(text)
    if cleaned == "半":
        return 0.5
    fraction = FRACTION.match(cleaned)
    if fraction:
        denominator = parse_number(fraction.group("den"))
        numerator = parse_number(fraction.group("num"))
        if denominator == 0:
            raise NotANumber(text)
        return numerator / denominator
    multiplier = 1
    while cleaned and cleaned[-1] in LARGE_UNITS and re.search(r"\d", cleaned):
        multiplier *= LARGE_UNITS[cleaned[-1]]
        cleaned = cleaned[:-1].strip()
    if re.fullmatch(r"\d+ \d+", cleaned) and cleaned.startswith("0 "):
        # "0 5天": the decimal point of 0.5 was lost; only a leading zero makes this safe to read.
        cleaned = cleaned.replace(" ", ".")
    cleaned = re.sub(r"(?<=\d)[ ,，](?=\d{3}\b)", "", cleaned)
    cleaned = cleaned.replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", cleaned):
        return float(cleaned) * multiplier
    if all(ch in CHINESE_NUMERAL_CHARS for ch in cleaned):
        return float(parse_chinese_integer(cleaned)) * multiplier
    raise NotANumber(text)


def render_chinese_integer(value: int) -> str:
    """15 → 十五, 108 → 一百零八: the inverse of parse_chinese_integer for 0 ≤ value < 10^12."""
    if value == 0:
        return "零"
    names = "零一二三四五六七八九"

    def below_10000(number: int, leading: bool) -> str:
        out = ""
        zero_pending = False
        for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = number // unit_value % 10
            if digit == 0:
                if out:
                    zero_pending = True
                continue
            if zero_pending:
                out += "零"
                zero_pending = False
            if unit_value == 10 and digit == 1 and not out and leading:
                out += "十"
            else:
                out += names[digit] + unit_name
        return out

    parts = []
    for group_value, group_name in ((100_000_000, "亿"), (10_000, "万"), (1, "")):
        group = value // group_value % 10_000
        if group == 0:
            continue
        text = below_10000(group, leading=not parts)
        if parts and group < 1000:
            text = "零" + text
        parts.append(text + group_name)
    return "".join(parts)
