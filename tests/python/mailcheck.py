"""Independent checks of what Videoloket sends, with parsers nobody here wrote.

    mailcheck.py ics FILE    parse an iCalendar file with `icalendar`, print its fields as JSON
    mailcheck.py eml FILE    parse a mail with the stdlib `email` package, find the calendar
                             part and parse it too; print headers + fields as JSON
    mailcheck.py strict FILE parse an iCalendar file with the strict `ical` parser, with
                             `vobject` and with `icalendar`; check every line is at most 75
                             octets; print what each read as JSON
"""
import email
import email.policy
import json
import sys

import icalendar


def calendar_fields(raw: bytes) -> dict:
    cal = icalendar.Calendar.from_ical(raw)
    events = [c for c in cal.walk("VEVENT")]
    if len(events) != 1:
        raise SystemExit(f"expected one VEVENT, found {len(events)}")
    ev = events[0]
    alarms = [
        {"action": str(a.get("ACTION")), "trigger_seconds": a.decoded("TRIGGER").total_seconds()}
        for a in ev.walk("VALARM")
    ]
    attendee = ev.get("ATTENDEE")
    organizer = ev.get("ORGANIZER")
    return {
        "method": str(cal.get("METHOD")),
        "version": str(cal.get("VERSION")),
        "uid": str(ev.get("UID")),
        "sequence": int(ev.get("SEQUENCE")),
        "status": str(ev.get("STATUS")),
        "dtstart": ev.decoded("DTSTART").isoformat(),
        "dtend": ev.decoded("DTEND").isoformat(),
        "summary": str(ev.get("SUMMARY")),
        "description": str(ev.get("DESCRIPTION")),
        "url": str(ev.get("URL")),
        "organizer": str(organizer),
        "organizer_cn": str(organizer.params.get("CN")) if organizer is not None else None,
        "attendee": str(attendee),
        "attendee_cn": str(attendee.params.get("CN")) if attendee is not None else None,
        "alarms": alarms,
    }


def mail_fields(raw: bytes) -> dict:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    calendar_parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    text_parts = [p for p in msg.walk() if p.get_content_type() == "text/plain"]
    out = {
        "subject": str(msg["Subject"]),
        "from": str(msg["From"]),
        "to": str(msg["To"]),
        "text": text_parts[0].get_content() if text_parts else None,
        "calendar_parts": len(calendar_parts),
    }
    if calendar_parts:
        part = calendar_parts[0]
        out["calendar_method_param"] = part.get_param("method")
        out["calendar_filename"] = part.get_filename()
        out["calendar"] = calendar_fields(part.get_payload(decode=True))
    return out


def strict_fields(raw: bytes) -> dict:
    # Imported here so the other checks run without these parsers installed.
    import vobject
    from ical.calendar_stream import IcsCalendarStream

    lines = raw.split(b"\r\n")
    if lines[-1] != b"":
        raise SystemExit("the file does not end with CRLF")
    too_long = [line for line in lines if len(line) > 75]
    if too_long:
        raise SystemExit(f"lines over 75 octets: {too_long!r}")
    text = raw.decode("utf-8")
    strict = IcsCalendarStream.calendar_from_ics(text)
    if len(strict.events) != 1:
        raise SystemExit(f"ical: expected one VEVENT, found {len(strict.events)}")
    event = strict.events[0]
    v = vobject.readOne(text)
    permissive = calendar_fields(raw)
    return {
        "ical": {
            "summary": event.summary,
            "attendee_cn": [a.common_name for a in event.attendees],
            "organizer_cn": event.organizer.common_name if event.organizer else None,
        },
        "vobject": {
            "summary": v.vevent.summary.value,
            "attendee_cn": [a.params["CN"][0] for a in v.vevent.attendee_list],
            "organizer_cn": v.vevent.organizer.params["CN"][0],
        },
        "icalendar": {
            "summary": permissive["summary"],
            "attendee_cn": [permissive["attendee_cn"]],
            "organizer_cn": permissive["organizer_cn"],
        },
    }


def main() -> None:
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        raw = f.read()
    if kind == "ics":
        fields = calendar_fields(raw)
    elif kind == "strict":
        fields = strict_fields(raw)
    else:
        fields = mail_fields(raw)
    print(json.dumps(fields))


if __name__ == "__main__":
    main()
