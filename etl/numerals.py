"""Numbers as Chinese documents write them → floats: 两, 十五, 三百五, 一万二, 零点五, 1.5万, 二分之一, 百分之三十, 半, "0 5"."""
from __future__ import annotations

import re
from decimal import Decimal

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ZEROS = "零〇"
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
MULTIPLIERS = {**SMALL_UNITS, **LARGE_UNITS}
DECIMAL_POINT = "点"
CHINESE_NUMERAL_CHARS = "".join(DIGITS) + "".join(MULTIPLIERS)
FULLWIDTH_TO_ASCII = str.maketrans("０１２３４５６７８９．", "0123456789.")

FRACTION = re.compile(r"^(?P<den>[^分]+)分之(?P<num>.+)$")
# 零点五, 三点二五, 十二点五: the whole part is a numeral, the digits after 点 are read one by one.
CHINESE_DECIMAL = re.compile(rf"^(?P<whole>[{CHINESE_NUMERAL_CHARS}]+){DECIMAL_POINT}(?P<fraction>[{ZEROS}一二三四五六七八九]+)$")
# 1.5万, 2千万, 一点五万: a number in digits, or a Chinese decimal, then unit words that multiply it.
MULTIPLIED = (
    re.compile(rf"^(?P<number>\d+(?:\.\d+)?)(?P<units>[{''.join(MULTIPLIERS)}]+)$"),
    re.compile(rf"^(?P<number>[{CHINESE_NUMERAL_CHARS}]+{DECIMAL_POINT}[{ZEROS}一二三四五六七八九]+)(?P<units>[{''.join(LARGE_UNITS)}]+)$"),
)
# Digit-by-digit spellings are years and codes (二〇二一); two digits side by side (三五天, 两三个月) say
# "a few", not 35 or 23.
DIGIT_BY_DIGIT_MIN_LENGTH = 3


class NotANumber(ValueError):
    """Text that does not spell a number."""


def parse_chinese_integer(text: str) -> int:
    """十五 → 15, 一百零八 → 108, 三百五 → 350, 一万二 → 12000, 两万 → 20000, 二〇二一 → 2021 (digit by digit).

    A digit written right after 百, 千, 万 or 亿 with nothing following is one place below it, as people
    shorten 三百五十 to 三百五 and 一万二千 to 一万二; 零 marks skipped places (一千零五).
    """
    if not text or any(ch not in CHINESE_NUMERAL_CHARS for ch in text):
        raise NotANumber(text)
    if text in ZEROS:
        return 0
    if all(ch in DIGITS for ch in text):
        if len(text) >= DIGIT_BY_DIGIT_MIN_LENGTH:
            return int("".join(str(DIGITS[ch]) for ch in text))
        if len(text) > 1:
            raise NotANumber(text)
    return read_grouped(text, text)


def read_grouped(text: str, whole: str) -> int:
    """A numeral with 亿 and 万 groups: the part before the last group unit counts that many of it."""
    for unit_char, scale in (("亿", LARGE_UNITS["亿"]), ("万", LARGE_UNITS["万"])):
        head, found, tail = text.rpartition(unit_char)
        if found:
            count = read_grouped(head, whole) if head else 1
            if count == 0:
                raise NotANumber(whole)
            return count * scale + read_group_tail(tail, scale, whole)
    return read_section(text, whole)


def read_group_tail(tail: str, scale: int, whole: str) -> int:
    """What follows 万 or 亿: nothing, one digit (一万二 → 2000), 零 and a smaller number, or a number below the unit."""
    if not tail:
        return 0
    if len(tail) == 1 and tail in DIGITS and tail not in ZEROS:
        return DIGITS[tail] * scale // 10
    if tail[0] in ZEROS:
        rest = read_grouped(tail[1:], whole) if len(tail) > 1 else 0
        if not 0 < rest < scale // 10:
            raise NotANumber(whole)
        return rest
    value = read_grouped(tail, whole)
    if value >= scale:
        raise NotANumber(whole)
    return value


def read_section(text: str, whole: str) -> int:
    """A numeral below 10000 (一千零五十, 三百五, 十五), with units in falling order."""
    value = 0
    last_unit: int | None = None
    digit: int | None = None
    after_zero = False
    for ch in text:
        if ch in ZEROS:
            # 零 stands for empty places between two digits, so it needs a place to skip after the last unit.
            if digit is not None or last_unit is None or last_unit < 100 or after_zero:
                raise NotANumber(whole)
            after_zero = True
        elif ch in DIGITS:
            if digit is not None:
                raise NotANumber(whole)  # two digits in a row
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if last_unit is not None and (unit >= last_unit or after_zero and unit * 10 >= last_unit):
                raise NotANumber(whole)  # 十百, or 一千零五百 whose 零 skips nothing
            if digit is None:
                if last_unit is not None:
                    raise NotANumber(whole)
                digit = 1  # 十五, 百分之百: a leading unit counts one
            value += digit * unit
            last_unit, digit, after_zero = unit, None, False
        else:
            raise NotANumber(whole)
    if digit is not None:
        shortened = last_unit is not None and not after_zero
        value += digit * last_unit // 10 if shortened else digit
    elif after_zero:
        raise NotANumber(whole)  # a trailing 零
    return value


# 三五天, 两三个月, 七八个: two digits side by side give a rough range.
ROUGH_RANGES = {"三五": (3, 5), **{
    first + second: (DIGITS[first], DIGITS[second])
    for first, second in zip("一两三四五六七八", "两三四五六七八九")
}}


def parse_approximate_range(text: str) -> tuple[float, float] | None:
    """两三 → (2, 3), 三五 → (3, 5); None for anything else."""
    bounds = ROUGH_RANGES.get(text.strip())
    return (float(bounds[0]), float(bounds[1])) if bounds else None


def parse_chinese_decimal(text: str) -> Decimal:
    """零点五 → 0.5, 三点二五 → 3.25, 十二点五 → 12.5."""
    found = CHINESE_DECIMAL.match(text)
    if not found:
        raise NotANumber(text)
    whole = parse_chinese_integer(found.group("whole"))
    fraction = "".join(str(DIGITS[ch]) for ch in found.group("fraction"))
    return Decimal(f"{whole}.{fraction}")


def parse_number(text: str) -> float:
    """Any number as written in a policy text; raises NotANumber otherwise.

    Handles Arabic digits (full-width too, thousands separators), a decimal point lost to a space
    ("0 5" → 0.5, as extraction from PDF often leaves it), Chinese numerals in full and shortened
    (三百五 → 350), Chinese decimals (零点五), mixed forms (1.5万, 2千万, 一点五万), fractions and
    percentages as fractions (二分之一 → 0.5, 百分之三十 → 0.3) and 半 (0.5).
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
    if re.fullmatch(r"\d+ \d+", cleaned) and cleaned.startswith("0 "):
        # "0 5天": the decimal point of 0.5 was lost; only a leading zero makes this safe to read.
        cleaned = cleaned.replace(" ", ".")
    cleaned = re.sub(r"(?<=\d)[ ,，](?=\d{3}\b)", "", cleaned)
    cleaned = cleaned.replace(" ", "")
    multiplier = 1
    for pattern in MULTIPLIED:
        if multiplied := pattern.match(cleaned):
            cleaned = multiplied.group("number")
            for unit in multiplied.group("units"):
                multiplier *= MULTIPLIERS[unit]
    if re.fullmatch(r"\d+(\.\d+)?", cleaned):
        return float(Decimal(cleaned) * multiplier)
    if DECIMAL_POINT in cleaned:
        return float(parse_chinese_decimal(cleaned) * multiplier)
    if multiplier == 1 and all(ch in CHINESE_NUMERAL_CHARS for ch in cleaned):
        return float(parse_chinese_integer(cleaned))
    raise NotANumber(text)


CHINESE_DIGIT_NAMES = "零一二三四五六七八九"


def render_chinese_integer(value: int, *, liang: bool = False, shortened: bool = False) -> str:
    """15 → 十五, 108 → 一百零八, 100005000 → 一亿零五千: the inverse of parse_chinese_integer for 0 ≤ value < 10^16.

    `liang` writes 两 for a 2 before 百 and 千 and for a count of exactly 2 before 万 and 亿 (两千, 两万);
    `shortened` drops the unit after the last digit where people do (三百五, 两千五, 一万二, 一亿二).
    """
    if value == 0:
        return "零"
    if shortened:
        for place, unit_value in ((1, 100), (2, 1000), (3, 10_000), (7, 100_000_000)):
            step = 10 ** place
            last_digit = value // step % 10
            if value % step == 0 and last_digit and value // unit_value % 10:
                return render_chinese_integer(value - last_digit * step, liang=liang) + CHINESE_DIGIT_NAMES[last_digit]
    return render_grouped(value, liang, leading=True)


def render_grouped(value: int, liang: bool, leading: bool) -> str:
    for unit_char, scale in (("亿", LARGE_UNITS["亿"]), ("万", LARGE_UNITS["万"])):
        if value >= scale:
            count, rest = divmod(value, scale)
            text = ("两" if liang and count == 2 else render_grouped(count, liang, leading)) + unit_char
            if rest == 0:
                return text
            if rest < scale // 10:
                return text + "零" + render_grouped(rest, liang, leading=False)  # 一万零五, 一亿零五千
            return text + render_grouped(rest, liang, leading=False)
    return render_section(value, liang, leading)


def render_section(value: int, liang: bool, leading: bool) -> str:
    """1 ≤ value < 10000: 一千零五十, 两百, and 十五 at the head of a numeral but 一十五 inside one (一万零一十五)."""
    out = ""
    zero_pending = False
    for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // unit_value % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out += "零"
            zero_pending = False
        if unit_value == 10 and digit == 1 and not out and leading:
            out += "十"
        elif liang and digit == 2 and unit_value in (100, 1000):
            out += "两" + unit_name
        else:
            out += CHINESE_DIGIT_NAMES[digit] + unit_name
    return out
