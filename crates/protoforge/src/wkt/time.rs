//! `Timestamp` and `Duration` to and from `std::time`, with the ranges the
//! `.proto` files document checked: a `Timestamp` lies in years 0001 to
//! 9999 with `nanos` in `0..1e9`; a `Duration` within ±10,000 years with
//! `nanos` in `-999_999_999..=999_999_999` and the sign of `seconds`.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Duration, Timestamp};

/// `0001-01-01T00:00:00Z` in seconds since the Unix epoch.
pub const TIMESTAMP_MIN_SECONDS: i64 = -62_135_596_800;
/// `9999-12-31T23:59:59Z` in seconds since the Unix epoch.
pub const TIMESTAMP_MAX_SECONDS: i64 = 253_402_300_799;
/// The largest `Duration` in seconds (about 10,000 years).
pub const DURATION_MAX_SECONDS: i64 = 315_576_000_000;

const NANOS_PER_SECOND: i32 = 1_000_000_000;

/// A `Timestamp` or `Duration` outside the range its `.proto` documents, or
/// a `std::time` value that cannot be represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRangeError {
    what: &'static str,
    seconds: i64,
    nanos: i32,
}

impl fmt::Display for TimeRangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} out of range: seconds {} nanos {}",
            self.what, self.seconds, self.nanos
        )
    }
}

impl std::error::Error for TimeRangeError {}

impl Timestamp {
    /// A timestamp from seconds and nanoseconds since the epoch, checked.
    pub fn new(seconds: i64, nanos: i32) -> Result<Timestamp, TimeRangeError> {
        let t = Timestamp {
            seconds,
            nanos,
            ..Default::default()
        };
        t.check()?;
        Ok(t)
    }

    /// Checks the documented range: years 0001 to 9999, `nanos` in `0..1e9`.
    pub fn check(&self) -> Result<(), TimeRangeError> {
        if (TIMESTAMP_MIN_SECONDS..=TIMESTAMP_MAX_SECONDS).contains(&self.seconds)
            && (0..NANOS_PER_SECOND).contains(&self.nanos)
        {
            Ok(())
        } else {
            Err(TimeRangeError {
                what: "timestamp",
                seconds: self.seconds,
                nanos: self.nanos,
            })
        }
    }

    /// The current time.
    pub fn now() -> Timestamp {
        Timestamp::try_from(SystemTime::now()).unwrap_or_default()
    }
}

impl TryFrom<SystemTime> for Timestamp {
    type Error = TimeRangeError;

    fn try_from(time: SystemTime) -> Result<Timestamp, TimeRangeError> {
        let (seconds, nanos) = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => (
                i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
                after.subsec_nanos() as i32,
            ),
            Err(e) => {
                let before = e.duration();
                let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                let nanos = before.subsec_nanos() as i32;
                if nanos == 0 {
                    (-secs, 0)
                } else {
                    (-secs - 1, NANOS_PER_SECOND - nanos)
                }
            }
        };
        Timestamp::new(seconds, nanos)
    }
}

impl TryFrom<Timestamp> for SystemTime {
    type Error = TimeRangeError;

    fn try_from(t: Timestamp) -> Result<SystemTime, TimeRangeError> {
        t.check()?;
        let error = TimeRangeError {
            what: "timestamp",
            seconds: t.seconds,
            nanos: t.nanos,
        };
        let result = if t.seconds >= 0 {
            UNIX_EPOCH.checked_add(std::time::Duration::new(t.seconds as u64, t.nanos as u32))
        } else {
            UNIX_EPOCH
                .checked_sub(std::time::Duration::from_secs(t.seconds.unsigned_abs()))
                .and_then(|s| s.checked_add(std::time::Duration::from_nanos(t.nanos as u64)))
        };
        result.ok_or(error)
    }
}

impl Duration {
    /// A duration from seconds and nanoseconds, checked.
    pub fn new(seconds: i64, nanos: i32) -> Result<Duration, TimeRangeError> {
        let d = Duration {
            seconds,
            nanos,
            ..Default::default()
        };
        d.check()?;
        Ok(d)
    }

    /// Checks the documented range: |seconds| ≤ 315,576,000,000, |nanos| <
    /// 1e9, and `nanos` has the sign of `seconds` when both are non-zero.
    pub fn check(&self) -> Result<(), TimeRangeError> {
        let in_range = (-DURATION_MAX_SECONDS..=DURATION_MAX_SECONDS).contains(&self.seconds)
            && self.nanos > -NANOS_PER_SECOND
            && self.nanos < NANOS_PER_SECOND;
        let signs_agree =
            self.seconds == 0 || self.nanos == 0 || (self.seconds < 0) == (self.nanos < 0);
        if in_range && signs_agree {
            Ok(())
        } else {
            Err(TimeRangeError {
                what: "duration",
                seconds: self.seconds,
                nanos: self.nanos,
            })
        }
    }

    /// A negative duration from the magnitude of a `std::time::Duration`.
    pub fn negative(d: std::time::Duration) -> Result<Duration, TimeRangeError> {
        let positive = Duration::try_from(d)?;
        Duration::new(-positive.seconds, -positive.nanos)
    }
}

impl TryFrom<std::time::Duration> for Duration {
    type Error = TimeRangeError;

    fn try_from(d: std::time::Duration) -> Result<Duration, TimeRangeError> {
        let seconds = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        Duration::new(seconds, d.subsec_nanos() as i32)
    }
}

/// Converts a non-negative duration; a negative one is an error (a
/// `std::time::Duration` cannot be negative).
impl TryFrom<Duration> for std::time::Duration {
    type Error = TimeRangeError;

    fn try_from(d: Duration) -> Result<std::time::Duration, TimeRangeError> {
        d.check()?;
        if d.seconds < 0 || d.nanos < 0 {
            return Err(TimeRangeError {
                what: "negative duration",
                seconds: d.seconds,
                nanos: d.nanos,
            });
        }
        Ok(std::time::Duration::new(d.seconds as u64, d.nanos as u32))
    }
}
