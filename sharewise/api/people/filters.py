"""Query parameters the people lists share."""

from ninja import Query

# A range of days, the last one included; `from` and `to` in the address.
FROM_DAY = Query(None, alias="from", description="First day, YYYY-MM-DD")
TO_DAY = Query(None, alias="to", description="Last day (included), YYYY-MM-DD")
