"""Reads an iCalendar file with the independent `icalendar` package (tests/python-requirements.txt)
and prints what the Rust tests check, as JSON: each event's fields, its start converted to UTC
twice — by the package's own zone database (TZID) and by the file's own VTIMEZONE — and every
physical line's length in octets."""
import json
import sys
from datetime import date, datetime, timezone

import icalendar

raw = open(sys.argv[1], "rb").read()
cal = icalendar.Calendar.from_ical(raw)
tzs = {str(c["TZID"]): c.to_tz() for c in cal.walk("VTIMEZONE")}
events = []
for e in cal.walk("VEVENT"):
    start = e.decoded("DTSTART")
    item = {
        "uid": str(e["UID"]),
        "summary": str(e["SUMMARY"]),
        "description": str(e["DESCRIPTION"]),
        "url": str(e["URL"]),
        "sequence": int(e["SEQUENCE"]),
        "status": str(e["STATUS"]),
        "all_day": not isinstance(start, datetime),
    }
    if isinstance(start, datetime):
        item["start_utc"] = start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        own = tzs[str(e["DTSTART"].params["TZID"])]
        item["start_utc_by_vtimezone"] = start.replace(tzinfo=None).replace(tzinfo=own).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        item["start_local"] = start.strftime("%Y-%m-%dT%H:%M:%S")
    else:
        item["start_date"] = start.isoformat()
    events.append(item)
lines = raw.split(b"\r\n")
print(json.dumps({
    "name": str(cal.get("X-WR-CALNAME", "")),
    "method": str(cal.get("METHOD", "")),
    "events": events,
    "longest_line": max(len(l) for l in lines),
    "bare_lf": raw.replace(b"\r\n", b"").count(b"\n"),
}))
