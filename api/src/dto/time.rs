//! Timestamps and dates in JSON, written exactly as chrono's own `Serialize`
//! writes them (`2026-11-23T10:00:00Z`, `.123`/`.123456`/`.123456789` when
//! there is a fraction; `2026-11-23`), but in one `serialize_str` of a stack
//! buffer. chrono formats through `fmt::Display` one character at a time, and
//! serde_json escapes each character on its own: a page of 25 subscriptions
//! spent a fifth of its CPU there. Use on hot DTOs with
//! `#[serde(serialize_with = "time::utc")]` (the schema is unchanged).
//! Years outside 0–9999 and leap seconds go through chrono.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Serialize, Serializer};

pub fn utc<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match write_utc(at, &mut buf) {
        Some(text) => s.serialize_str(text),
        None => at.serialize(s),
    }
}

pub fn utc_opt<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => utc(at, s),
        None => s.serialize_none(),
    }
}

pub fn date<S: Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 10];
    match write_date(day, &mut buf) {
        Some(()) => s.serialize_str(ascii(&buf)),
        None => day.serialize(s),
    }
}

pub fn date_opt<S: Serializer>(day: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match day {
        Some(day) => date(day, s),
        None => s.serialize_none(),
    }
}

/// `YYYY-MM-DD` into `buf`; `None` for years chrono writes with a sign.
fn write_date(day: &NaiveDate, buf: &mut [u8; 10]) -> Option<()> {
    let year = u32::try_from(day.year()).ok().filter(|y| *y <= 9999)?;
    digits(&mut buf[0..4], year);
    buf[4] = b'-';
    digits(&mut buf[5..7], day.month());
    buf[7] = b'-';
    digits(&mut buf[8..10], day.day());
    Some(())
}

fn write_utc<'b>(at: &DateTime<Utc>, buf: &'b mut [u8; 30]) -> Option<&'b str> {
    let (day, time) = (at.date_naive(), at.time());
    let nanos = time.nanosecond();
    if nanos >= 1_000_000_000 {
        return None; // a leap second: chrono writes it as :60
    }
    let mut date = [0u8; 10];
    write_date(&day, &mut date)?;
    buf[..10].copy_from_slice(&date);
    buf[10] = b'T';
    digits(&mut buf[11..13], time.hour());
    buf[13] = b':';
    digits(&mut buf[14..16], time.minute());
    buf[16] = b':';
    digits(&mut buf[17..19], time.second());
    // chrono's rule: no fraction, else milli-, micro- or nanoseconds, the shortest exact one.
    let mut end = 19;
    if nanos != 0 {
        let (value, width) = if nanos % 1_000_000 == 0 {
            (nanos / 1_000_000, 3)
        } else if nanos % 1_000 == 0 {
            (nanos / 1_000, 6)
        } else {
            (nanos, 9)
        };
        buf[end] = b'.';
        digits(&mut buf[end + 1..end + 1 + width], value);
        end += 1 + width;
    }
    buf[end] = b'Z';
    Some(ascii(&buf[..=end]))
}

/// `value` as exactly `out.len()` decimal digits, zero-padded.
fn digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn ascii(bytes: &[u8]) -> &str {
    // Only ASCII digits and separators are ever written.
    std::str::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, TimeZone};

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "utc")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "utc_opt")]
        maybe: Option<DateTime<Utc>>,
        #[serde(serialize_with = "date")]
        day: NaiveDate,
        #[serde(serialize_with = "date_opt")]
        maybe_day: Option<NaiveDate>,
    }

    #[derive(Serialize)]
    struct Chronos {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
        day: NaiveDate,
        maybe_day: Option<NaiveDate>,
    }

    fn same(at: DateTime<Utc>, day: NaiveDate, some: bool) {
        let ours = Ours {
            at,
            maybe: some.then_some(at),
            day,
            maybe_day: some.then_some(day),
        };
        let chronos = Chronos {
            at,
            maybe: some.then_some(at),
            day,
            maybe_day: some.then_some(day),
        };
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&chronos).unwrap()
        );
    }

    #[test]
    fn written_exactly_as_chrono_writes_them() {
        let base = Utc.with_ymd_and_hms(2026, 11, 23, 10, 4, 5).unwrap();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..20_000u64 {
            // A spread of instants over ±40 years, with every kind of fraction.
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let secs = (seed >> 20) as i64 % 2_500_000_000 - 1_250_000_000;
            let nanos = match i % 5 {
                0 => 0,
                1 => (seed % 1000) as u32 * 1_000_000,
                2 => (seed % 1_000_000) as u32 * 1_000,
                3 => (seed % 1_000_000_000) as u32,
                _ => 1,
            };
            let at = base
                + chrono::Duration::seconds(secs)
                + chrono::Duration::nanoseconds(nanos.into());
            same(at, at.date_naive(), i % 2 == 0);
        }
    }

    #[test]
    fn edges_fall_back_to_chrono() {
        let far = NaiveDate::from_ymd_opt(12_345, 1, 2).unwrap();
        let before = NaiveDate::from_ymd_opt(-3, 1, 2).unwrap();
        let leap = NaiveDateTime::parse_from_str("2016-12-31 23:59:60.5", "%Y-%m-%d %H:%M:%S%.f")
            .unwrap()
            .and_utc();
        for day in [far, before, NaiveDate::from_ymd_opt(0, 1, 1).unwrap()] {
            same(day.and_hms_opt(0, 0, 0).unwrap().and_utc(), day, true);
        }
        same(leap, leap.date_naive(), true);
        same(
            NaiveDate::from_ymd_opt(9999, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 999_999_999)
                .unwrap()
                .and_utc(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            false,
        );
    }
}
