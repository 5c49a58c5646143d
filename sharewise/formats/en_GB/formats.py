# One way of writing dates on every page, the NHS.UK style: "7 December 2026" and
# "7 December 2026 at 14:05" (|date with no argument, or "DATETIME_FORMAT").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = r"j F Y \a\t H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = r"j F Y \a\t H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
