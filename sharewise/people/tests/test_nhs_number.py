from hypothesis import given
from hypothesis import strategies as st

from sharewise.people import nhs_number

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def valid(first_nine):
    digit = nhs_number.check_digit(first_nine)
    return None if digit is None else first_nine + str(digit)


def test_a_published_example_is_valid():
    assert nhs_number.problem("943 476 5919") is None
    assert nhs_number.problem("943-476-5919") is None


def test_the_wrong_length_or_letters_say_what_to_enter():
    for value in ("94347659", "94347659190", "943476591X", ""):
        assert "10 digits" in nhs_number.problem(value)


@given(nine_digits)
def test_every_number_built_with_its_check_digit_is_valid(first):
    number = valid(first)
    if number is not None:
        assert nhs_number.problem(number) is None


@given(nine_digits, st.integers(0, 9), st.integers(1, 9))
def test_any_single_mistyped_digit_is_caught(first, where, shift):
    number = valid(first)
    if number is None:
        return
    wrong = number[:where] + str((int(number[where]) + shift) % 10) + number[where + 1 :]
    assert "not a valid NHS number" in nhs_number.problem(wrong)


@given(nine_digits, st.integers(0, 8))
def test_swapping_two_neighbouring_digits_is_caught(first, where):
    number = valid(first)
    if number is None or number[where] == number[where + 1]:
        return
    swapped = number[:where] + number[where + 1] + number[where] + number[where + 2 :]
    assert nhs_number.problem(swapped) is not None


def test_numbers_whose_check_digit_would_be_ten_are_never_valid():
    first = next(f"{n:09d}" for n in range(10**6) if nhs_number.check_digit(f"{n:09d}") is None)
    for last in "0123456789":
        assert nhs_number.problem(first + last) is not None
