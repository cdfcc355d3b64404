# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""A small iCalendar (RFC 5545) writer for meeting invitations: CRLF line
ends, lines folded at 75 octets, TEXT values escaped, times in UTC."""
import datetime as dt

PRODID = '-//KIM Suite//kim_steering//DE'


def escape(text):
    "Escape a TEXT value (RFC 5545, 3.3.11)"
    text = (text or '').replace('\r\n', '\n').replace('\r', '\n')
    return (text.replace('\\', '\\\\').replace(';', '\\;')
        .replace(',', '\\,').replace('\n', '\\n'))


def param(value):
    "Quote a parameter value when it contains a separator (3.2)"
    value = (value or '').replace('"', "'").replace('\n', ' ')
    if any(c in value for c in ':;,'):
        return '"%s"' % value
    return value


def fold(line):
    "Fold a content line into lines of at most 75 octets (3.1)"
    data = line.encode('utf-8')
    lines = []
    limit = 75
    while len(data) > limit:
        cut = limit
        # never split a UTF-8 sequence
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        lines.append(data[:cut])
        data = data[cut:]
        limit = 74  # the continuation lines start with a space
    lines.append(data)
    return b'\r\n '.join(lines).decode('utf-8')


def utc(value):
    "Format a naive UTC datetime (as Tryton stores them) as UTC time"
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.strftime('%Y%m%dT%H%M%SZ')


def address(name, email):
    return ';CN=%s:mailto:%s' % (param(name), email)


def event(uid, start, end, summary, description='', location=None,
        url=None, organizer=None, attendees=(), sequence=0,
        status='CONFIRMED', stamp=None, rsvp=False):
    """Return the content lines of a VEVENT.
    organizer is a (name, email) pair; attendees are
    (name, email, required) triples. The answers come through the links
    of the invitation, so RSVP is FALSE by default: a mail program shows
    the request without sending a reply nothing reads."""
    if stamp is None:
        stamp = dt.datetime.now(dt.timezone.utc)
    lines = [
        'BEGIN:VEVENT',
        'UID:%s' % uid,
        'DTSTAMP:%s' % utc(stamp),
        'DTSTART:%s' % utc(start),
        'DTEND:%s' % utc(end),
        'SEQUENCE:%d' % sequence,
        'STATUS:%s' % status,
        'SUMMARY:%s' % escape(summary),
        ]
    if description:
        lines.append('DESCRIPTION:%s' % escape(description))
    if location:
        lines.append('LOCATION:%s' % escape(location))
    if url:
        lines.append('URL:%s' % url)
    if organizer and organizer[1]:
        lines.append('ORGANIZER' + address(*organizer))
    for name, email, required in attendees:
        lines.append('ATTENDEE;ROLE=%s;PARTSTAT=NEEDS-ACTION;RSVP=%s'
            % ('REQ-PARTICIPANT' if required else 'OPT-PARTICIPANT',
                'TRUE' if rsvp else 'FALSE')
            + address(name, email))
    lines.append('END:VEVENT')
    return lines


def calendar(events, method='REQUEST'):
    "Return the iCalendar text of the events (lists of content lines)"
    lines = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:%s' % PRODID,
        'CALSCALE:GREGORIAN',
        'METHOD:%s' % method,
        ]
    for event_lines in events:
        lines.extend(event_lines)
    lines.append('END:VCALENDAR')
    return ''.join(fold(line) + '\r\n' for line in lines)
