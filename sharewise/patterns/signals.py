"""What other apps may listen for when alerts change. Sent inside the transaction that
wrote the change, so a listener's writes commit or roll back with it."""

from django.dispatch import Signal

# alert, decision (an AlertDecision): someone decided an alert.
alert_decided = Signal()
