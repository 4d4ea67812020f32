//! Rustdoc from `.proto` comments.
//!
//! Comments are prose written for any language, so they are not trusted as
//! Markdown for Rust: an indented block (protobuf comments often show an
//! example indented by four spaces) or a fenced block would be compiled as a
//! doctest. Every code block is therefore fenced as `text`: indented runs
//! get a ```` ```text ```` fence around them and existing fences are
//! relabelled. Each line becomes one `#[doc = "…"]` attribute, so no
//! character of the comment can end the attribute or the comment early.

use proc_macro2::TokenStream;
use quote::quote;

/// The doc lines for a comment, ready for [`attrs`]: common indentation
/// removed, code blocks fenced as `text`, trailing blank lines dropped.
pub(crate) fn lines(comment: &str) -> Vec<String> {
    let raw: Vec<&str> = comment.lines().map(|l| l.trim_end()).collect();
    let indent = raw
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    let mut in_indented = false;
    for line in raw {
        let line = line.get(indent..).unwrap_or("").replace('\t', "    ");
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if in_indented {
                out.push("```".to_string());
                in_indented = false;
            }
            if in_fence {
                out.push("```".to_string());
            } else {
                out.push("```text".to_string());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line);
            continue;
        }
        let indented = line.starts_with("    ") && !trimmed.is_empty();
        let previous_blank = out.last().is_none_or(|l| l.trim().is_empty());
        // An indented line is code only after a blank line (it cannot
        // interrupt a paragraph or a list item).
        if indented && !in_indented && previous_blank {
            out.push("```text".to_string());
            in_indented = true;
        } else if in_indented && !indented && !trimmed.is_empty() {
            close_block(&mut out);
            in_indented = false;
        }
        out.push(line);
    }
    if in_indented {
        close_block(&mut out);
    }
    if in_fence {
        out.push("```".to_string());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    while out.first().is_some_and(|l| l.trim().is_empty()) {
        out.remove(0);
    }
    out
}

/// Closes an indented block before its trailing blank lines.
fn close_block(out: &mut Vec<String>) {
    let mut blanks = 0;
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
        blanks += 1;
    }
    out.push("```".to_string());
    out.extend(std::iter::repeat_n(String::new(), blanks));
}

/// `#[doc]` attributes for the lines (each with a leading space, as `///`
/// comments are written).
pub(crate) fn attrs(lines: &[String]) -> TokenStream {
    let mut out = TokenStream::new();
    let mut text = String::new();
    for line in lines {
        text.clear();
        if !line.is_empty() {
            text.push(' ');
            text.push_str(line);
        }
        let text = text.as_str();
        out.extend(quote!(#[doc = #text]));
    }
    out
}

/// Doc attributes for an element: its leading comment (and trailing one, in
/// a paragraph after it), or `fallback` when it has none.
pub(crate) fn for_comments(
    leading: Option<&str>,
    trailing: Option<&str>,
    fallback: impl FnOnce() -> String,
) -> TokenStream {
    let mut out = Vec::new();
    if let Some(leading) = leading {
        out.extend(lines(leading));
    }
    if let Some(trailing) = trailing {
        let more = lines(trailing);
        if !more.is_empty() {
            if !out.is_empty() {
                out.push(String::new());
            }
            out.extend(more);
        }
    }
    if out.is_empty() {
        out.push(fallback());
    }
    attrs(&out)
}

#[cfg(test)]
mod tests {
    use super::lines;

    #[test]
    fn indentation_is_removed() {
        assert_eq!(lines(" Hello.\n World.\n"), ["Hello.", "World."]);
    }

    #[test]
    fn indented_code_is_fenced_as_text() {
        let comment = " Example:\n\n     Foo foo = 1;\n     bar();\n\n After.\n";
        assert_eq!(
            lines(comment),
            [
                "Example:",
                "",
                "```text",
                "    Foo foo = 1;",
                "    bar();",
                "```",
                "",
                "After."
            ]
        );
    }

    #[test]
    fn fences_are_relabelled() {
        let comment = " ```rust\n fn main() {}\n ```\n";
        assert_eq!(lines(comment), ["```text", "fn main() {}", "```"]);
    }

    #[test]
    fn unclosed_blocks_are_closed() {
        assert_eq!(lines(" ```\n x"), ["```text", "x", "```"]);
        assert_eq!(
            lines(" a\n\n     code"),
            ["a", "", "```text", "    code", "```"]
        );
    }

    #[test]
    fn list_continuations_are_not_code() {
        assert_eq!(
            lines(" - item\n     continued\n"),
            ["- item", "    continued"]
        );
    }
}
