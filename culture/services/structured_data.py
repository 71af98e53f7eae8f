"""schema.org Event JSON-LD for event pages: one Event per upcoming date (up to ten)."""

import json
import re

from django.utils.safestring import mark_safe

EVENT_STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "sold_out": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
    "postponed": "https://schema.org/EventPostponed",
    "moved": "https://schema.org/EventRescheduled",
}


def event_json_ld(event, occurrences, request) -> str:
    url = event.get_full_url(request)
    items = []
    for occurrence in occurrences[:10]:
        status = occurrence.effective_status
        item = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": event.title,
            "url": url,
            "startDate": (occurrence.date if occurrence.all_day else occurrence.local_start).isoformat(),
            "eventStatus": EVENT_STATUS.get(status, EVENT_STATUS["scheduled"]),
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "organizer": {"@type": "Organization", "name": event.organiser or "海宁市工人文化宫"},
            "isAccessibleForFree": event.is_free,
        }
        if occurrence.end > occurrence.start and not occurrence.all_day:
            item["endDate"] = occurrence.local_end.isoformat()
        elif occurrence.all_day:
            item["endDate"] = occurrence.end_date.isoformat()
        if occurrence.original_start:
            item["previousStartDate"] = occurrence.original_start.isoformat()
        if event.summary_text:
            item["description"] = event.summary_text
        if event.venue:
            item["location"] = {
                "@type": "Place",
                "name": str(event.venue),
                "address": event.venue.address or event.venue.name,
            }
        amount = re.search(r"\d+(?:\.\d+)?", event.price or "")
        if not event.is_free and amount:
            item["offers"] = {"@type": "Offer", "price": amount.group(), "priceCurrency": "CNY", "url": url}
        items.append(item)
    if not items:
        return ""
    data = items[0] if len(items) == 1 else items
    text = json.dumps(data, ensure_ascii=False)
    # Safe inside <script>: no "</script>" or HTML comment can be formed.
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
