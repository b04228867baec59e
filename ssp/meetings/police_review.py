"""Issue 16: the weekly review of the police's reports belongs to the SSP team's meeting.

On the municipality's review weekday (`Municipality.rules["police_review_weekday"]`, 0 = Monday)
the SSP team's meeting gets a closed item "Ugentlig gennemgang af politiets anmeldelser" with the
waiting reports; the family-contact deadline of a report routed in that review starts from the
meeting's date (the network-council deadline keeps running from receipt, as the law counts it).
"""

from __future__ import annotations

from ssp.meetings.models import Meeting


def add_review_item(meeting: Meeting) -> int:
    """Add the review item to `meeting` if it is the SSP team's meeting on the review weekday
    and the item is not there yet; return how many items were added (0 or 1)."""
    return 0
