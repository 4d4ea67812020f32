//! `grpc-timeout`: at most eight ASCII digits and a unit (`H`, `M`, `S`, `m`,
//! `u`, `n`). We send the finest unit that fits, rounding up so a deadline
//! never shrinks; we accept all six.

use std::time::Duration;

use crate::limits::MAX_TIMEOUT;

const MAX_VALUE: u128 = 99_999_999;

/// Encodes a timeout for the `grpc-timeout` header.
/// `grpc-timeout`, parsed once.
pub(crate) static GRPC_TIMEOUT: http::HeaderName = http::HeaderName::from_static("grpc-timeout");

pub(crate) fn encode(timeout: Duration) -> String {
    let timeout = timeout.min(MAX_TIMEOUT);
    let nanos = timeout.as_nanos();
    let units: [(u128, char); 6] = [
        (1, 'n'),
        (1_000, 'u'),
        (1_000_000, 'm'),
        (1_000_000_000, 'S'),
        (60_000_000_000, 'M'),
        (3_600_000_000_000, 'H'),
    ];
    for (per, unit) in units {
        let value = nanos.div_ceil(per);
        if value <= MAX_VALUE {
            return format!("{value}{unit}");
        }
    }
    format!("{MAX_VALUE}H")
}

/// Decodes a `grpc-timeout` value; `None` when malformed.
pub(crate) fn decode(value: &[u8]) -> Option<Duration> {
    let (&unit, digits) = value.split_last()?;
    if digits.is_empty() || digits.len() > 8 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(match unit {
        b'H' => Duration::from_secs(n * 3600),
        b'M' => Duration::from_secs(n * 60),
        b'S' => Duration::from_secs(n),
        b'm' => Duration::from_millis(n),
        b'u' => Duration::from_micros(n),
        b'n' => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_six_units() {
        let cases = [
            ("2H", Duration::from_secs(7200)),
            ("3M", Duration::from_secs(180)),
            ("4S", Duration::from_secs(4)),
            ("5m", Duration::from_millis(5)),
            ("6u", Duration::from_micros(6)),
            ("7n", Duration::from_nanos(7)),
            ("99999999S", Duration::from_secs(99_999_999)),
        ];
        for (text, duration) in cases {
            assert_eq!(decode(text.as_bytes()), Some(duration), "{text}");
        }
        for bad in ["", "S", "1", "1s", "123456789S", "-1S", "1.5S", " 1S"] {
            assert_eq!(decode(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn encodes_finest_unit_rounding_up() {
        assert_eq!(encode(Duration::from_nanos(7)), "7n");
        assert_eq!(encode(Duration::from_millis(1)), "1000000n");
        assert_eq!(encode(Duration::from_millis(100)), "100000u");
        assert_eq!(encode(Duration::from_secs(1)), "1000000u");
        assert_eq!(encode(Duration::from_secs(200)), "200000m");
        assert_eq!(encode(Duration::from_nanos(100_000_000_001)), "100001m");
        assert_eq!(encode(Duration::from_secs(400_000)), "400000S");
        assert_eq!(encode(Duration::from_secs(200_000_000)), "3333334M");
        assert_eq!(encode(Duration::MAX), "99999999H");
        for d in [1u64, 999, 123_456_789, 987_654_321_012] {
            let d = Duration::from_nanos(d);
            let back = decode(encode(d).as_bytes()).expect("decodes");
            assert!(back >= d);
        }
    }
}
