//! Base64 (RFC 4648 §4, standard alphabet) for `-bin` metadata values.
//!
//! gRPC emits values unpadded and must accept padded and unpadded ones; the
//! spec also lets a peer join several values of one key with `,`, so callers
//! split on `,` before decoding.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes `data` without padding.
pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes padded or unpadded base64; `None` for anything else.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let trimmed = text.trim_ascii();
    let unpadded = match trimmed {
        [rest @ .., b'=', b'='] => rest,
        [rest @ .., b'='] => rest,
        all => all,
    };
    if unpadded.len() % 4 == 1 {
        return None;
    }
    if unpadded.len() != trimmed.len() && trimmed.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(unpadded.len() * 3 / 4);
    for chunk in unpadded.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255).collect();
        for len in 0..40 {
            let encoded = encode(&data[..len]);
            assert!(!encoded.contains('='));
            assert_eq!(decode(encoded.as_bytes()).as_deref(), Some(&data[..len]));
        }
    }

    #[test]
    fn rfc4648_vectors_padded_and_unpadded() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, padded) in cases {
            assert_eq!(decode(padded.as_bytes()).as_deref(), Some(plain.as_bytes()));
            let unpadded = padded.trim_end_matches('=');
            assert_eq!(encode(plain.as_bytes()), unpadded);
            assert_eq!(
                decode(unpadded.as_bytes()).as_deref(),
                Some(plain.as_bytes())
            );
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["Z", "Zm9v!", "Zg=", "Z===", "Zm9vY=g="] {
            assert_eq!(decode(bad.as_bytes()), None, "{bad}");
        }
    }
}
