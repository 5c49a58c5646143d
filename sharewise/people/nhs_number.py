"""NHS number: ten digits, the last a modulus-11 check digit."""

import re

_SEPARATORS = re.compile(r"[\s-]")


def normalise(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid NHS number can end them."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def problem(value: str) -> str | None:
    """What is wrong with an NHS number, in words a user can act on, or None."""
    number = normalise(value)
    if not number.isdigit() or len(number) != 10:
        return "Enter the NHS number as 10 digits, for example 943 476 5919"
    if check_digit(number[:9]) != int(number[9]):
        return "This is not a valid NHS number: check the digits and try again"
    return None


def formatted(value: str) -> str:
    n = normalise(value)
    return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else value
