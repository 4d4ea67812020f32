//! Scratch: parse every file given on the command line and print diagnostics.
#![allow(clippy::print_stdout, missing_docs)]
fn main() {
    let mut total = 0usize;
    let mut bad = 0usize;
    let mut bytes = 0usize;
    let t = std::time::Instant::now();
    for path in std::env::args().skip(1) {
        let src = std::fs::read(&path).unwrap_or_default();
        bytes += src.len();
        let parsed = protoforge_syntax::parse(&src);
        total += 1;
        if parsed.has_errors() {
            bad += 1;
            let index = protoforge_syntax::LineIndex::new(&src);
            for d in parsed.errors().take(3) {
                print!("{}", d.render_protoc(&path, &src, &index));
            }
        }
    }
    println!(
        "{total} files, {bad} with errors, {bytes} bytes in {:?}",
        t.elapsed()
    );
}
