//! Values of literal tokens, computed as protoc computes them.
//!
//! Public because protoc's text format (aggregate option values, read by
//! `protoforge-compiler`) uses the same tokenizer and the same value rules.
//!
//! The lexer has already reported malformed literals; these functions accept
//! any text the lexer can produce as a token of the kind and never fail on it
//! (a malformed literal gets the value protoc would give it).

use nom::IResult;
use nom::Parser as _;
use nom::bytes::complete::take_while;
use nom::character::complete::one_of;
use nom::combinator::opt;

/// protoc's `Tokenizer::ParseInteger`: decimal, `0x` hex or leading-zero octal.
/// `None` when the value exceeds `max` or the text is not a valid integer
/// (such as `09`, which the lexer has already reported).
pub fn parse_int(text: &[u8], max: u64) -> Option<u64> {
    let (digits, base) =
        if text.len() > 1 && text[0] == b'0' && (text[1] == b'x' || text[1] == b'X') {
            (&text[2..], 16)
        } else if text.first() == Some(&b'0') {
            (text, 8)
        } else {
            (text, 10)
        };
    let mut value: u64 = 0;
    for &b in digits {
        let digit = (b as char).to_digit(36)? as u64;
        if digit >= base {
            return None;
        }
        value = value.checked_mul(base)?.checked_add(digit)?;
    }
    if value > max { None } else { Some(value) }
}

fn float_prefix(input: &[u8]) -> IResult<&[u8], ()> {
    let (input, _) = take_while(|b: u8| b.is_ascii_digit() || b == b'.').parse(input)?;
    let (input, _) = opt((
        one_of("eE"),
        opt(one_of("+-")),
        take_while(|b: u8| b.is_ascii_digit()),
    ))
    .parse(input)?;
    Ok((input, ()))
}

/// protoc's `Tokenizer::ParseFloat` (`strtod` on the token text): for
/// malformed floats such as `1e`, the longest valid prefix.
pub fn parse_float(text: &[u8]) -> f64 {
    let len = match float_prefix(text) {
        Ok((rest, ())) => text.len() - rest.len(),
        Err(_) => 0,
    };
    let mut candidate = &text[..len];
    // Trim an exponent with no digits ("1e", "1e+"), as strtod would stop before it.
    while let Some(last) = candidate.last() {
        if last.is_ascii_digit() || *last == b'.' {
            break;
        }
        candidate = &candidate[..candidate.len() - 1];
    }
    std::str::from_utf8(candidate)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(0.0)
}

fn hex_value(b: u8) -> u32 {
    (b as char).to_digit(16).unwrap_or(0)
}

fn read_hex(text: &[u8], at: usize, len: usize) -> Option<u32> {
    let digits = text.get(at..at + len)?;
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0u32, |acc, b| (acc << 4) + hex_value(*b)),
    )
}

/// Appends `code_point` as UTF-8, as protoc does: surrogates are encoded as
/// three bytes, and values past U+10FFFF are written back as `\Uxxxxxxxx`.
fn append_utf8(code_point: u32, out: &mut Vec<u8>) {
    if code_point <= 0x7f {
        out.push(code_point as u8);
    } else if code_point <= 0x7ff {
        out.push(0xc0 | (code_point >> 6) as u8);
        out.push(0x80 | (code_point & 0x3f) as u8);
    } else if code_point <= 0xffff {
        out.push(0xe0 | (code_point >> 12) as u8);
        out.push(0x80 | ((code_point >> 6) & 0x3f) as u8);
        out.push(0x80 | (code_point & 0x3f) as u8);
    } else if code_point <= 0x10ffff {
        out.push(0xf0 | (code_point >> 18) as u8);
        out.push(0x80 | ((code_point >> 12) & 0x3f) as u8);
        out.push(0x80 | ((code_point >> 6) & 0x3f) as u8);
        out.push(0x80 | (code_point & 0x3f) as u8);
    } else {
        out.extend_from_slice(format!("\\U{code_point:08x}").as_bytes());
    }
}

/// protoc's `Tokenizer::ParseStringAppend`: decodes the string token `text`
/// (quotes included, closing quote possibly missing) onto `out`.
pub fn decode_string(text: &[u8], out: &mut Vec<u8>) {
    let Some(&quote) = text.first() else { return };
    let n = text.len();
    let mut i = 1;
    while i < n {
        let c = text[i];
        if c == b'\\' && i + 1 < n {
            i += 1;
            let e = text[i];
            if (b'0'..=b'7').contains(&e) {
                let mut code = (e - b'0') as u32;
                for _ in 0..2 {
                    match text.get(i + 1) {
                        Some(d) if (b'0'..=b'7').contains(d) => {
                            i += 1;
                            code = code * 8 + (d - b'0') as u32;
                        }
                        _ => break,
                    }
                }
                out.push(code as u8);
            } else if e == b'x' || e == b'X' {
                let mut code = 0u32;
                for _ in 0..2 {
                    match text.get(i + 1) {
                        Some(d) if d.is_ascii_hexdigit() => {
                            i += 1;
                            code = code * 16 + hex_value(*d);
                        }
                        _ => break,
                    }
                }
                out.push(code as u8);
            } else if e == b'u' || e == b'U' {
                let len = if e == b'u' { 4 } else { 8 };
                match read_hex(text, i + 1, len) {
                    None => out.push(e),
                    Some(mut code) => {
                        let mut end = i + 1 + len;
                        if (0xd800..0xdc00).contains(&code)
                            && text.get(end) == Some(&b'\\')
                            && text.get(end + 1) == Some(&b'u')
                        {
                            if let Some(trail) = read_hex(text, end + 2, 4) {
                                if (0xdc00..0xe000).contains(&trail) {
                                    code = 0x10000 + (((code - 0xd800) << 10) | (trail - 0xdc00));
                                    end += 6;
                                }
                            }
                        }
                        append_utf8(code, out);
                        i = end - 1;
                    }
                }
            } else {
                out.push(match e {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'v' => 0x0b,
                    b'\\' => b'\\',
                    b'?' => b'?',
                    b'\'' => b'\'',
                    b'"' => b'"',
                    _ => b'?',
                });
            }
        } else if c == quote && i + 1 == n {
            // The closing quote.
        } else {
            out.push(c);
        }
        i += 1;
    }
}

/// Whether `text` is an identifier by protoc's rules.
pub fn is_identifier(text: &[u8]) -> bool {
    match text.split_first() {
        Some((first, rest)) => {
            crate::lex::is_letter(*first) && rest.iter().all(|b| crate::lex::is_alnum(*b))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        decode_string(text.as_bytes(), &mut out);
        out
    }

    #[test]
    fn integers_follow_protoc() {
        assert_eq!(parse_int(b"0x1f", u64::MAX), Some(31));
        assert_eq!(parse_int(b"017", u64::MAX), Some(15));
        assert_eq!(parse_int(b"0", u64::MAX), Some(0));
        assert_eq!(parse_int(b"09", u64::MAX), None);
        assert_eq!(parse_int(b"18446744073709551615", u64::MAX), Some(u64::MAX));
        assert_eq!(parse_int(b"18446744073709551616", u64::MAX), None);
        assert_eq!(parse_int(b"2147483648", i32::MAX as u64), None);
    }

    #[test]
    fn floats_follow_strtod() {
        assert_eq!(parse_float(b"1.5e3"), 1500.0);
        assert_eq!(parse_float(b".5"), 0.5);
        assert_eq!(parse_float(b"5."), 5.0);
        assert_eq!(parse_float(b"1e"), 1.0);
        assert_eq!(parse_float(b"1e+"), 1.0);
    }

    #[test]
    fn strings_decode_every_escape() {
        assert_eq!(decode(r#""a\n\t\\\"\'\?""#), b"a\n\t\\\"'?");
        assert_eq!(decode(r#""\101\x41\X4a\0""#), b"AAJ\0");
        assert_eq!(decode(r#"'\u00e9'"#), "é".as_bytes());
        assert_eq!(decode(r#""\U0001F600""#), "😀".as_bytes());
        assert_eq!(decode(r#""\ud83d\ude00""#), "😀".as_bytes());
        assert_eq!(decode(r#""\777""#), vec![0xff]);
        assert_eq!(decode(r#""unterminated"#), b"unterminated");
    }
}
