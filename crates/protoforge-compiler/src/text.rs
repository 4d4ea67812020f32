//! Printing values exactly as protoc prints them in descriptors: floats
//! (`SimpleDtoa`/`SimpleFtoa`, C's `%.*g`) and C-escaped bytes (`CEscape`).

/// C's `printf("%.*g", precision, value)` for a finite `value`.
fn format_g(value: f64, precision: usize) -> String {
    let precision = precision.max(1);
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0".to_string()
        } else {
            "0".to_string()
        };
    }
    // `{:e}` rounds correctly, as glibc's printf does.
    let sci = format!("{:.*e}", precision - 1, value);
    let (mantissa, exponent) = match sci.split_once('e') {
        Some(parts) => parts,
        None => return sci,
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if exponent < -4 || exponent >= precision as i32 {
        let mantissa = strip_zeros(mantissa);
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    } else {
        let decimals = (precision as i32 - 1 - exponent).max(0) as usize;
        strip_zeros(&format!("{value:.decimals$}")).to_string()
    }
}

fn strip_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// protoc's `io::SimpleDtoa`: `%.15g`, or `%.17g` when that does not read
/// back as the same double; `inf`, `-inf`, `nan`.
pub(crate) fn simple_dtoa(value: f64) -> String {
    if value == f64::INFINITY {
        return "inf".to_string();
    }
    if value == f64::NEG_INFINITY {
        return "-inf".to_string();
    }
    if value.is_nan() {
        return "nan".to_string();
    }
    let short = format_g(value, 15);
    if short.parse::<f64>().ok() == Some(value) {
        short
    } else {
        format_g(value, 17)
    }
}

/// protoc's `io::SimpleFtoa`: `%.6g`, or `%.9g` when that does not read
/// back as the same float.
pub(crate) fn simple_ftoa(value: f32) -> String {
    if value == f32::INFINITY {
        return "inf".to_string();
    }
    if value == f32::NEG_INFINITY {
        return "-inf".to_string();
    }
    if value.is_nan() {
        return "nan".to_string();
    }
    let short = format_g(f64::from(value), 6);
    if short.parse::<f32>().ok() == Some(value) {
        short
    } else {
        format_g(f64::from(value), 9)
    }
}

/// absl's `CEscape`: `\n \r \t \" \' \\` by name, other non-printable bytes
/// (and every byte from 0x80) as three octal digits.
pub(crate) fn c_escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                out.push('\\');
                out.push(char::from(b'0' + (b >> 6)));
                out.push(char::from(b'0' + ((b >> 3) & 7)));
                out.push(char::from(b'0' + (b & 7)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_protoc() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (0.1, "0.1"),
            (1.5e10, "15000000000"),
            (1e15, "1e+15"),
            (1e100, "1e+100"),
            (1.23e-5, "1.23e-05"),
            (0.0001, "0.0001"),
            (-2.5, "-2.5"),
            (0.3, "0.3"),
            (1.0 / 3.0, "0.33333333333333331"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for (value, want) in cases {
            assert_eq!(simple_dtoa(*value), *want, "{value}");
        }
    }

    #[test]
    fn floats_print_at_float_precision() {
        assert_eq!(simple_ftoa(0.1), "0.1");
        assert_eq!(simple_ftoa(1.0 / 3.0), "0.333333343");
        assert_eq!(simple_ftoa(3.4028235e38), "3.40282347e+38");
        assert_eq!(simple_ftoa(1e10), "1e+10");
    }

    #[test]
    fn bytes_escape_as_absl() {
        assert_eq!(c_escape(b"a\n\"\x00\xff'"), "a\\n\\\"\\000\\377\\'");
    }
}
