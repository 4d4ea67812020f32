//! Property tests over random and mutated input: the lexer and the parser
//! never panic, stay inside the input, and are deterministic; deeply nested
//! input does not overflow the stack.
//!
//! The random loop runs for `PROTOFORGE_FUZZ_SECONDS` (default 10) with the
//! seed `PROTOFORGE_FUZZ_SEED` (decimal or `0x…`; a fixed default otherwise),
//! which it prints. Inputs are random bytes biased towards `.proto` syntax,
//! and mutations (bit flips, deletions, insertions, truncations, splices) of
//! the files under `testdata/` and, when present, of the corpus; the tree's
//! dump and every diagnostic's renderings must not panic either. A failing
//! input is printed in hex with the seed and iteration, and saved under
//! `target/fuzz-failures/`.

#![allow(clippy::print_stderr)]

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use protoforge_syntax::{LineIndex, Parse, Span, TokenKind};

use crate::rng::{Rng, seed_from_env};
use crate::walk;

const DEFAULT_SEED: u64 = 0x5EED_F022_2025;

/// Stack size of the threads the tests parse on: the default for Rust test
/// threads, made explicit so `RUST_MIN_STACK` cannot hide an overflow.
const TEST_STACK: usize = 2 * 1024 * 1024;

/// Fragments random input is built from: `.proto` syntax and the bytes that
/// exercise the lexer's edge cases.
const FRAGMENTS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b"<",
    b">",
    b"\"",
    b"'",
    b"\\",
    b";",
    b"=",
    b",",
    b".",
    b":",
    b"-",
    b"+",
    b"/",
    b"*",
    b"/*",
    b"*/",
    b"//",
    b"\n",
    b"\r\n",
    b" ",
    b"\t",
    b"\0",
    b"\xEF",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\xC3\xA9",
    b"0",
    b"1",
    b"7",
    b"9",
    b"0x",
    b"0X1f",
    b"08",
    b"1e",
    b"1.5e+3",
    b".5",
    b"e",
    b"x",
    b"\\x",
    b"\\u12",
    b"\\U0010ffff",
    b"\\777",
    b"inf",
    b"nan",
    b"max",
    b"to",
    b"a",
    b"Foo",
    b"_",
    b"syntax",
    b"syntax = \"proto2\";",
    b"syntax = \"proto3\";",
    b"edition = \"2023\";",
    b"edition = \"2024\";",
    b"package",
    b"import",
    b"public",
    b"weak",
    b"option",
    b"message",
    b"enum",
    b"service",
    b"rpc",
    b"returns",
    b"stream",
    b"extend",
    b"extensions",
    b"reserved",
    b"oneof",
    b"map",
    b"map<string, int32>",
    b"group",
    b"optional",
    b"repeated",
    b"required",
    b"int32",
    b"string",
    b"bytes",
    b"double",
    b"bool",
    b"default",
    b"json_name",
    b"export",
    b"local",
    b"true",
    b"false",
    b"(foo.bar)",
    b"[type.googleapis.com/x.Y]",
    b" = 1;",
    b"message M {",
    b"int32 f = 1;",
    b"option (x) = {",
    b"a: [",
    b"\"\\",
];

fn random_fragment(rng: &mut Rng, out: &mut Vec<u8>) {
    if rng.chance(15) {
        out.push(rng.next_u64() as u8);
    } else {
        let fragment: &&[u8] = rng.pick(FRAGMENTS);
        out.extend_from_slice(fragment);
    }
}

fn random_input(rng: &mut Rng) -> Vec<u8> {
    let pieces = rng.below(400);
    let mut out = Vec::new();
    for _ in 0..pieces {
        random_fragment(rng, &mut out);
    }
    out
}

/// Applies one to eight random mutations to `input`.
fn mutate(rng: &mut Rng, mut input: Vec<u8>, other: &[u8]) -> Vec<u8> {
    for _ in 0..1 + rng.below(8) {
        let len = input.len();
        let at = if len == 0 { 0 } else { rng.below(len + 1) };
        match rng.below(8) {
            // Flip a bit.
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            // Overwrite a byte.
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = if rng.chance(50) {
                    rng.next_u64() as u8
                } else {
                    *rng.pick(b"{}[]()<>\"'\\/*;=\0\n")
                };
            }
            // Delete a range.
            2 if len > 0 => {
                let n = 1 + rng.below((len - at).clamp(1, 64));
                input.drain(at..(at + n).min(len));
            }
            // Insert fragments.
            3 => {
                let mut piece = Vec::new();
                for _ in 0..1 + rng.below(4) {
                    random_fragment(rng, &mut piece);
                }
                input.splice(at..at, piece);
            }
            // Duplicate a range.
            4 if len > 0 => {
                let n = 1 + rng.below((len - at).clamp(1, 256));
                let piece: Vec<u8> = input[at..(at + n).min(len)].to_vec();
                let to = rng.below(input.len() + 1);
                input.splice(to..to, piece);
            }
            // Truncate.
            5 => input.truncate(at),
            // Splice: a prefix of this input and a suffix of the other.
            6 => {
                let from = if other.is_empty() {
                    0
                } else {
                    rng.below(other.len() + 1)
                };
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            // Insert a piece of the other input.
            _ => {
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let n = 1 + rng.below((other.len() - from).min(512));
                    input.splice(at..at, other[from..from + n].iter().copied());
                }
            }
        }
    }
    input
}

/// The files mutations start from: every `.proto` under `testdata/`, and the
/// corpus's smaller files (read when picked).
struct Seeds {
    testdata: Vec<Vec<u8>>,
    corpus: Vec<PathBuf>,
}

/// Corpus files larger than this are not used: debug-build parsing of the
/// largest ones would take most of the time budget.
const MAX_SEED_FILE: u64 = 128 * 1024;

impl Seeds {
    fn load() -> Seeds {
        let root = protoforge_testkit::testdata();
        let testdata: Vec<Vec<u8>> = protoforge_testkit::proto_files(&root)
            .iter()
            .filter_map(|rel| std::fs::read(root.join(rel)).ok())
            .collect();
        assert!(
            !testdata.is_empty(),
            "no .proto files under {}",
            root.display()
        );
        let corpus = match protoforge_testkit::corpus_dir("fuzz: corpus mutations") {
            Some(dir) => protoforge_testkit::proto_files(&dir)
                .into_iter()
                .map(|rel| dir.join(rel))
                .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() <= MAX_SEED_FILE))
                .collect(),
            None => Vec::new(),
        };
        Seeds { testdata, corpus }
    }

    fn pick(&self, rng: &mut Rng) -> Vec<u8> {
        if !self.corpus.is_empty() && rng.chance(50) {
            if let Ok(bytes) = std::fs::read(rng.pick(&self.corpus)) {
                return bytes;
            }
        }
        rng.pick(&self.testdata).clone()
    }
}

/// Checks every property for one input; `Err` says which one failed.
fn check_input(input: &[u8]) -> Result<(), String> {
    let first = catch_unwind(AssertUnwindSafe(|| protoforge_syntax::parse(input)))
        .map_err(|e| format!("parse panicked: {}", panic_message(&e)))?;
    let second = catch_unwind(AssertUnwindSafe(|| protoforge_syntax::parse(input)))
        .map_err(|e| format!("the second parse panicked: {}", panic_message(&e)))?;
    if first.file != second.file || first.diagnostics != second.diagnostics {
        // Floats compare unequal to themselves when NaN; their Debug form does not.
        if format!("{:?}", first.file) != format!("{:?}", second.file)
            || format!("{:?}", first.diagnostics) != format!("{:?}", second.diagnostics)
        {
            return Err("two parses of the same input differ".into());
        }
    }
    check_spans(input, &first)?;
    let rendered = catch_unwind(AssertUnwindSafe(|| {
        let _ = protoforge_syntax::dump::dump(&first.file, input);
        let index = LineIndex::new(input);
        for d in &first.diagnostics {
            let _ = d.render_protoc("fuzz.proto", input, &index);
            let _ = d.render_rich("fuzz.proto", input, &index);
        }
    }));
    rendered.map_err(|e| {
        format!(
            "dumping the tree or rendering a diagnostic panicked: {}",
            panic_message(&e)
        )
    })?;
    let (tokens, _) = catch_unwind(AssertUnwindSafe(|| protoforge_syntax::tokenize(input)))
        .map_err(|e| format!("tokenize panicked: {}", panic_message(&e)))?;
    check_tokens(input, &tokens)
}

fn within(input: &[u8], span: Span) -> bool {
    span.start <= span.end && span.end as usize <= input.len()
}

fn check_spans(input: &[u8], parse: &Parse) -> Result<(), String> {
    for d in &parse.diagnostics {
        if !within(input, d.span) {
            return Err(format!(
                "diagnostic {:?} ({}) has span {:?} outside the input",
                d.kind, d.message, d.span
            ));
        }
        for note in &d.notes {
            if !within(input, note.span) {
                return Err(format!(
                    "a note of diagnostic {:?} has span {:?} outside the input",
                    d.kind, note.span
                ));
            }
        }
    }
    for (what, span) in walk::spans(&parse.file) {
        if !within(input, span) {
            return Err(format!(
                "AST node `{what}` has span {span:?} outside the input ({} bytes)",
                input.len()
            ));
        }
    }
    Ok(())
}

fn check_tokens(input: &[u8], tokens: &[protoforge_syntax::Token]) -> Result<(), String> {
    let Some((last, rest)) = tokens.split_last() else {
        return Err("no tokens, not even End".into());
    };
    if last.kind != TokenKind::End || last.span != Span::empty(input.len() as u32) {
        return Err(format!(
            "the last token is {last:?}, not an empty End at {}",
            input.len()
        ));
    }
    let mut prev_end = 0;
    for (i, token) in rest.iter().enumerate() {
        if token.kind == TokenKind::End {
            return Err(format!("token #{i} is an End token before the last one"));
        }
        if token.span.start < prev_end
            || token.span.start >= token.span.end
            || token.span.end as usize > input.len()
        {
            return Err(format!(
                "token #{i} {token:?} is empty, overlaps the previous one or leaves the input"
            ));
        }
        prev_end = token.span.end;
    }
    Ok(())
}

fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// `target/fuzz-failures/`.
fn failures_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("fuzz-failures")
}

/// Saves a failing input and describes it for the panic message.
fn report_failure(seed: u64, iteration: u64, origin: &str, input: &[u8], problem: &str) -> String {
    let dir = failures_dir();
    let path = dir.join(format!("seed-{seed:x}-iter-{iteration}.proto"));
    let saved = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, input));
    let mut hex = String::new();
    for byte in input.iter().take(4096) {
        let _ = write!(hex, "{byte:02x}");
    }
    if input.len() > 4096 {
        hex.push('…');
    }
    format!(
        "{problem}\n  seed {seed:#x} (PROTOFORGE_FUZZ_SEED), iteration {iteration}, input from {origin}, {} bytes\n  saved: {}\n  hex: {hex}",
        input.len(),
        match saved {
            Ok(()) => path.display().to_string(),
            Err(e) => format!("could not save to {}: {e}", path.display()),
        }
    )
}

/// Runs `f` on a thread with [`TEST_STACK`] bytes of stack.
fn on_test_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .stack_size(TEST_STACK)
        .spawn(f)
        .expect("spawning a test thread");
    match handle.join() {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e),
    }
}

#[test]
fn random_and_mutated_input_keeps_the_invariants() {
    let seed = seed_from_env("PROTOFORGE_FUZZ_SEED", DEFAULT_SEED);
    let seconds: f64 = std::env::var("PROTOFORGE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    eprintln!("fuzz: seed {seed:#x} (PROTOFORGE_FUZZ_SEED), {seconds} s (PROTOFORGE_FUZZ_SECONDS)");
    let result = on_test_stack(move || {
        let seeds = Seeds::load();
        let mut rng = Rng::new(seed);
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let (mut iterations, mut bytes) = (0u64, 0usize);
        let mut kinds = [0u64; 3];
        while Instant::now() < deadline {
            let kind = rng.below(10);
            let (origin, input) = match kind {
                0..=2 => ("random bytes", random_input(&mut rng)),
                3..=7 => {
                    let base = seeds.pick(&mut rng);
                    let other = seeds.pick(&mut rng);
                    ("a mutated file", mutate(&mut rng, base, &other))
                }
                _ => {
                    let base = random_input(&mut rng);
                    let other = seeds.pick(&mut rng);
                    ("a mutated random input", mutate(&mut rng, base, &other))
                }
            };
            kinds[match kind {
                0..=2 => 0,
                3..=7 => 1,
                _ => 2,
            }] += 1;
            bytes += input.len();
            if let Err(problem) = check_input(&input) {
                return Err(report_failure(seed, iterations, origin, &input, &problem));
            }
            iterations += 1;
        }
        Ok((iterations, bytes, kinds, seeds.corpus.len()))
    });
    match result {
        Ok((iterations, bytes, kinds, corpus)) => eprintln!(
            "fuzz: {iterations} inputs ({bytes} bytes; {} random-ish, {} mutated files, {} mutated random; {corpus} corpus seed files), all fine",
            kinds[0], kinds[1], kinds[2]
        ),
        Err(report) => panic!("fuzz: {report}"),
    }
}

/// Parses `input` on a thread with the default test stack and checks it.
fn check_deep(what: &str, input: Vec<u8>) -> Parse {
    let parsed = on_test_stack(move || {
        let parsed = protoforge_syntax::parse(&input);
        if let Err(problem) = check_spans(&input, &parsed) {
            panic!("{problem}");
        }
        parsed
    });
    assert!(parsed.has_errors(), "{what}: expected errors");
    parsed
}

#[test]
fn deep_braces_do_not_overflow() {
    let mut input = b"syntax = \"proto3\";\n".to_vec();
    input.extend(std::iter::repeat_n(b'{', 100_000));
    check_deep("100k `{`", input);
    let mut input = b"syntax = \"proto3\";\nmessage A {\n".to_vec();
    input.extend(std::iter::repeat_n(b'{', 100_000));
    input.extend(std::iter::repeat_n(b'}', 100_000));
    check_deep("100k `{` in a message", input);
}

#[test]
fn deep_messages_do_not_overflow() {
    let mut input = b"syntax = \"proto3\";\n".to_vec();
    for _ in 0..10_000 {
        input.extend_from_slice(b"message A {\n");
    }
    for _ in 0..10_000 {
        input.extend_from_slice(b"}\n");
    }
    let parsed = check_deep("10k nested messages", input);
    assert!(
        parsed
            .errors()
            .any(|d| d.message == "Reached maximum recursion limit for nested messages."),
        "{:?}",
        parsed.errors().next()
    );
    let mut input = b"syntax = \"proto2\";\nmessage A {\n".to_vec();
    for _ in 0..10_000 {
        input.extend_from_slice(b"optional group G = 1 {\n");
    }
    check_deep("10k nested groups", input);
}

#[test]
fn deep_aggregates_do_not_overflow() {
    // An aggregate is kept as tokens (protoc matches braces and nothing
    // else), so deep nesting is no error here; the compiler's text-format
    // parser bounds it.
    for (what, open, close) in [
        ("100k `[`", &b"a: ["[..], &b"]"[..]),
        ("100k `{`", b"a {", b"}"),
        ("100k `<`", b"a <", b">"),
        ("100k `a: [{`", b"a: [{", b"}]"),
    ] {
        let mut input = b"syntax = \"proto3\";\noption (x) = {".to_vec();
        for _ in 0..100_000 {
            input.extend_from_slice(open);
        }
        for _ in 0..100_000 {
            input.extend_from_slice(close);
        }
        input.extend_from_slice(b"};\n");
        let tokens = 100_000 * (open.len() + close.len() - 1);
        let parsed = on_test_stack(move || protoforge_syntax::parse(&input));
        assert!(!parsed.has_errors(), "{what}: {:?}", parsed.errors().next());
        let value = parsed.file.items.iter().find_map(|item| match item {
            protoforge_syntax::ast::Item::Option(o) => Some(&o.value),
            _ => None,
        });
        match value {
            Some(protoforge_syntax::ast::OptionValue::Aggregate(aggregate)) => {
                assert_eq!(aggregate.tokens.len(), tokens, "{what}");
            }
            other => panic!("{what}: expected an aggregate, got {other:?}"),
        }
    }
}

#[test]
fn deep_nesting_in_other_places_does_not_overflow() {
    let cases: [(&str, &[u8], &[u8]); 5] = [
        ("option name parentheses", b"option ", b"("),
        ("field type map", b"message A { ", b"map<"),
        ("enum braces", b"enum E ", b"{"),
        ("service braces", b"service S { rpc M(A) returns (B) ", b"{"),
        ("compact option brackets", b"message A { int32 a = 1 ", b"["),
    ];
    for (what, prefix, repeated) in cases {
        let mut input = b"syntax = \"proto3\";\n".to_vec();
        input.extend_from_slice(prefix);
        for _ in 0..100_000 {
            input.extend_from_slice(repeated);
        }
        check_deep(what, input);
    }
}
