//! iCalendar feeds (RFC 5545) of checkpoints: per person, per role, per unit. Pure: no IO,
//! no clock (the caller passes the instant of DTSTAMP).
//!
//! - [`write`]: a [`Calendar`] as text — VCALENDAR (PRODID, VERSION, CALSCALE,
//!   METHOD:PUBLISH, X-WR-CALNAME), the VTIMEZONE of Europe/Stockholm ([`tz`]), one VEVENT
//!   per [`Event`]; lines folded at 75 octets, CRLF, TEXT escaped ([`text`]).
//! - [`feed`]: which checkpoints a feed holds ([`feed::Scope`], resolved against the model and
//!   the people directory, with suggestions for an unknown name) and how a stored checkpoint
//!   becomes an [`Event`] (stable UID `<id>@arshjul`, SEQUENCE from the history's moves,
//!   STATUS:CANCELLED for cancelled and left-plan ones, a link back to its page).

pub mod feed;
pub mod text;
pub mod tz;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use text::{escape, plain, push_folded};

/// The PRODID of every feed.
pub const PRODID: &str = "-//arshjul//arshjul kontrollpunkter//SV";

/// One calendar.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    /// X-WR-CALNAME: what a calendar program shows as the calendar's name.
    pub name: String,
    pub events: Vec<Event>,
}

/// When an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// An all-day event on the due date.
    Date(NaiveDate),
    /// At a local civil time in Europe/Stockholm, for an hour.
    Local(NaiveDateTime),
}

/// One VEVENT.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Stable across feeds and changes (`<checkpoint id>@arshjul`).
    pub uid: String,
    pub start: Start,
    pub summary: String,
    pub description: String,
    /// The checkpoint's page.
    pub url: String,
    /// Raised on every change of date or standing, so a client replaces its copy.
    pub sequence: u32,
    pub cancelled: bool,
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The calendar as RFC 5545 text (CRLF, folded), stamped `now`.
pub fn write(cal: &Calendar, now: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(1024 + cal.events.len() * 600);
    let line = |out: &mut String, l: &str| push_folded(out, l);
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, &format!("PRODID:{PRODID}"));
    line(&mut out, "VERSION:2.0");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(&cal.name)));
    line(&mut out, &format!("X-WR-TIMEZONE:{}", tz::TZID));
    tz::push_vtimezone(&mut out);
    let stamp = utc(now);
    for e in &cal.events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", plain(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        match e.start {
            Start::Date(d) => {
                line(&mut out, &format!("DTSTART;VALUE=DATE:{}", d.format("%Y%m%d")));
                line(&mut out, &format!("DTEND;VALUE=DATE:{}", (d + Duration::days(1)).format("%Y%m%d")));
                line(&mut out, "TRANSP:TRANSPARENT");
            }
            Start::Local(t) => {
                line(&mut out, &format!("DTSTART;TZID={}:{}", tz::TZID, t.format("%Y%m%dT%H%M%S")));
                line(&mut out, &format!("DTEND;TZID={}:{}", tz::TZID, (t + Duration::hours(1)).format("%Y%m%dT%H%M%S")));
            }
        }
        line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", escape(&e.description)));
        line(&mut out, &format!("URL:{}", plain(&e.url)));
        line(&mut out, &format!("SEQUENCE:{}", e.sequence));
        line(&mut out, if e.cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(start: Start) -> Event {
        Event {
            uid: "k/plan/matte/utv@arshjul".into(),
            start,
            summary: "Utvärdering, del 1; klar?".into(),
            description: "Rad ett\nRad två".into(),
            url: "http://x/checkpoint/k%2Fplan".into(),
            sequence: 2,
            cancelled: true,
        }
    }

    #[test]
    fn a_calendar_has_its_header_timezone_and_one_event_each() {
        let d = NaiveDate::from_ymd_opt(2021, 5, 14).unwrap();
        let cal = Calendar {
            name: "Kontrollpunkter, Norrskolan".into(),
            events: vec![event(Start::Date(d)), event(Start::Local(d.and_hms_opt(15, 30, 0).unwrap()))],
        };
        let s = write(&cal, Utc.with_ymd_and_hms(2021, 3, 19, 6, 30, 0).unwrap());
        assert!(s.starts_with("BEGIN:VCALENDAR\r\nPRODID:"), "{s}");
        assert!(s.ends_with("END:VCALENDAR\r\n"));
        assert!(!s.replace("\r\n", "").contains('\n'), "only CRLF line ends");
        for l in ["VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Kontrollpunkter\\, Norrskolan", "BEGIN:VTIMEZONE"] {
            assert!(s.contains(&format!("{l}\r\n")), "{l} in {s}");
        }
        assert_eq!(s.matches("BEGIN:VEVENT").count(), 2);
        assert!(s.contains("DTSTART;VALUE=DATE:20210514\r\nDTEND;VALUE=DATE:20210515\r\n"));
        assert!(s.contains("DTSTART;TZID=Europe/Stockholm:20210514T153000\r\nDTEND;TZID=Europe/Stockholm:20210514T163000\r\n"));
        assert!(s.contains("DTSTAMP:20210319T063000Z\r\n"));
        assert!(s.contains("SUMMARY:Utvärdering\\, del 1\\; klar?\r\n"));
        assert!(s.contains("DESCRIPTION:Rad ett\\nRad två\r\n"));
        assert!(s.contains("SEQUENCE:2\r\nSTATUS:CANCELLED\r\n"));
    }
}
