//! `--print_free_field_numbers`: for each message, the field numbers no
//! field, extension range or reserved range takes, in protoc's layout.
//!
//! Nested messages come before the message that holds them (post-order, in
//! declaration order); each line is the full name padded to 35 columns,
//! `free:`, then single numbers and `A-B` ranges, ending with `N-INF` when
//! numbers up to the maximum (536870911) are free.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The largest field number.
pub(crate) const MAX_FIELD_NUMBER: i32 = 536_870_911;

/// The numbers a message uses, and its nested messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MessageNumbers {
    /// The full name, without a leading dot.
    pub(crate) full_name: String,
    /// Field numbers (extensions declared inside the message are not its fields).
    pub(crate) fields: Vec<i32>,
    /// Extension ranges, end exclusive.
    pub(crate) extension_ranges: Vec<(i32, i32)>,
    /// Reserved ranges, end exclusive.
    pub(crate) reserved_ranges: Vec<(i32, i32)>,
    /// Nested messages (map entries and groups included), in declaration order.
    pub(crate) nested: Vec<MessageNumbers>,
}

/// Appends the lines for `message` and everything nested in it.
pub(crate) fn render(message: &MessageNumbers, out: &mut String) {
    for nested in &message.nested {
        render(nested, out);
    }
    let mut taken: BTreeSet<(i64, i64)> = BTreeSet::new();
    for &number in &message.fields {
        taken.insert((i64::from(number), i64::from(number) + 1));
    }
    for &(start, end) in message
        .extension_ranges
        .iter()
        .chain(&message.reserved_ranges)
    {
        taken.insert((i64::from(start), i64::from(end)));
    }
    let _ = write!(out, "{:<35} free:", message.full_name);
    let mut next_free: i64 = 1;
    for &(start, end) in &taken {
        if next_free >= end {
            continue;
        }
        if next_free < start {
            if next_free + 1 == start {
                let _ = write!(out, " {next_free}");
            } else {
                let _ = write!(out, " {next_free}-{}", start - 1);
            }
        }
        next_free = end;
    }
    if next_free <= i64::from(MAX_FIELD_NUMBER) {
        let _ = write!(out, " {next_free}-INF");
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let message = MessageNumbers {
            full_name: "pkg.Outer".into(),
            fields: vec![1, 2, 5, 3],
            extension_ranges: vec![(100, 200)],
            reserved_ranges: vec![(7, 8), (9, 12)],
            nested: vec![MessageNumbers {
                full_name: "pkg.Outer.Inner".into(),
                fields: vec![1],
                extension_ranges: vec![(2, MAX_FIELD_NUMBER + 1)],
                ..MessageNumbers::default()
            }],
        };
        let mut out = String::new();
        render(&message, &mut out);
        assert_eq!(
            out,
            "pkg.Outer.Inner                     free:\n\
             pkg.Outer                           free: 4 6 8 12-99 200-INF\n"
        );
    }
}
