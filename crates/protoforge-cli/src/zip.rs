//! The zip archives protoc writes for `--NAME_out=out.zip` (and `.jar`,
//! `.srcjar`): entries stored uncompressed, in name order, all dated
//! 1980-01-01 00:00, so the same files always give the same bytes.
//!
//! The layout is the plain zip format with no extensions: a local header and
//! the data for each entry, then the central directory and its end record.
//! That format counts entries in 16 bits and sizes and offsets in 32 bits;
//! an archive past those limits is refused (protoc would silently write a
//! corrupt one).

use std::fmt;

/// The most entries a plain zip can count.
pub(crate) const MAX_ENTRIES: usize = u16::MAX as usize;
/// The largest archive (and so entry) a plain zip can address.
pub(crate) const MAX_ARCHIVE_SIZE: usize = u32::MAX as usize;

/// 1980-01-01 in MS-DOS date format (day 1, month 1, year 0).
const DOS_EPOCH: u16 = 1 << 5 | 1;
/// "Version needed to extract" (and "made by"): 1.0, stored entries.
const VERSION: u16 = 10;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;

/// Why an archive cannot be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ZipError {
    TooManyEntries(usize),
    TooLarge,
    NameTooLong(String),
}

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipError::TooManyEntries(n) => write!(
                f,
                "{n} files do not fit in a zip archive (at most {MAX_ENTRIES})"
            ),
            ZipError::TooLarge => write!(
                f,
                "the files do not fit in a zip archive (at most {MAX_ARCHIVE_SIZE} bytes)"
            ),
            ZipError::NameTooLong(name) => {
                write!(f, "file name too long for a zip archive: {name}")
            }
        }
    }
}

/// The CRC-32 table (polynomial 0xEDB88320), computed at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

fn crc32(data: &[u8]) -> u32 {
    let mut x = !0u32;
    for &b in data {
        x = CRC_TABLE[((x ^ u32::from(b)) & 0xFF) as usize] ^ (x >> 8);
    }
    !x
}

fn u16_le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32_le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The bytes of an archive holding `entries` (name, contents), in the order given.
pub(crate) fn archive<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<u8>, ZipError> {
    struct Entry<'a> {
        name: &'a str,
        crc: u32,
        size: u32,
        offset: u32,
    }
    let mut out = Vec::new();
    let mut written = Vec::new();
    for (name, data) in entries {
        let name_len = u16::try_from(name.len()).map_err(|_| ZipError::NameTooLong(name.into()))?;
        let size = u32::try_from(data.len()).map_err(|_| ZipError::TooLarge)?;
        let offset = u32::try_from(out.len()).map_err(|_| ZipError::TooLarge)?;
        let crc = crc32(data);
        u32_le(&mut out, LOCAL_HEADER);
        u16_le(&mut out, VERSION);
        u16_le(&mut out, 0); // flags
        u16_le(&mut out, 0); // stored
        u16_le(&mut out, 0); // time
        u16_le(&mut out, DOS_EPOCH);
        u32_le(&mut out, crc);
        u32_le(&mut out, size);
        u32_le(&mut out, size);
        u16_le(&mut out, name_len);
        u16_le(&mut out, 0); // extra field length
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        written.push(Entry {
            name,
            crc,
            size,
            offset,
        });
    }
    let count =
        u16::try_from(written.len()).map_err(|_| ZipError::TooManyEntries(written.len()))?;
    let directory_start = out.len();
    for entry in &written {
        u32_le(&mut out, CENTRAL_HEADER);
        u16_le(&mut out, VERSION); // made by
        u16_le(&mut out, VERSION); // needed
        u16_le(&mut out, 0); // flags
        u16_le(&mut out, 0); // stored
        u16_le(&mut out, 0); // time
        u16_le(&mut out, DOS_EPOCH);
        u32_le(&mut out, entry.crc);
        u32_le(&mut out, entry.size);
        u32_le(&mut out, entry.size);
        u16_le(&mut out, entry.name.len() as u16);
        u16_le(&mut out, 0); // extra field length
        u16_le(&mut out, 0); // comment length
        u16_le(&mut out, 0); // disk number
        u16_le(&mut out, 0); // internal attributes
        u32_le(&mut out, 0); // external attributes
        u32_le(&mut out, entry.offset);
        out.extend_from_slice(entry.name.as_bytes());
    }
    let directory_len =
        u32::try_from(out.len() - directory_start).map_err(|_| ZipError::TooLarge)?;
    let directory_start = u32::try_from(directory_start).map_err(|_| ZipError::TooLarge)?;
    u32_le(&mut out, END_OF_CENTRAL_DIRECTORY);
    u16_le(&mut out, 0); // this disk
    u16_le(&mut out, 0); // disk of the directory
    u16_le(&mut out, count);
    u16_le(&mut out, count);
    u32_le(&mut out, directory_len);
    u32_le(&mut out, directory_start);
    u16_le(&mut out, 0); // comment length
    if out.len() > MAX_ARCHIVE_SIZE {
        return Err(ZipError::TooLarge);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_known_strings() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn layout_of_a_small_archive() {
        let bytes = archive([("a.txt", &b"hi"[..])]).unwrap_or_default();
        // 30-byte local header + name + data, 46-byte central entry + name, 22-byte end.
        assert_eq!(bytes.len(), 30 + 5 + 2 + 46 + 5 + 22);
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        assert_eq!(&bytes[30..37], b"a.txthi");
        let end = &bytes[bytes.len() - 22..];
        assert_eq!(&end[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 1);
        assert_eq!(u32::from_le_bytes([end[16], end[17], end[18], end[19]]), 37);
    }
}
