//! protox (the `protox` crate) as a command, so the compiler benchmark can
//! run it as a separate process like the other compilers. Takes the subset
//! of protoc's flags the benchmark uses: `-I DIR`/`-IDIR`,
//! `--include_imports`, `--include_source_info`, `-o FILE`/`-oFILE`, input
//! files and `@FILE` argument lists (one argument per line).

#![allow(clippy::print_stderr)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut includes = Vec::new();
    let mut files = Vec::new();
    let mut out = None;
    let mut imports = false;
    let mut source_info = false;
    let mut args: Vec<String> = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.strip_prefix('@') {
            Some(list) => match std::fs::read_to_string(list) {
                Ok(text) => args.extend(text.lines().filter(|l| !l.is_empty()).map(String::from)),
                Err(e) => {
                    eprintln!("protox-compile: {list}: {e}");
                    return ExitCode::FAILURE;
                }
            },
            None => args.push(arg),
        }
    }
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-I" => includes.extend(it.next()),
            "-o" => out = it.next(),
            "--include_imports" => imports = true,
            "--include_source_info" => source_info = true,
            _ if arg.starts_with("-I") => includes.push(arg[2..].to_string()),
            _ if arg.starts_with("-o") => out = Some(arg[2..].to_string()),
            _ if arg.starts_with('-') => {
                eprintln!("protox-compile: unsupported flag {arg}");
                return ExitCode::FAILURE;
            }
            _ => files.push(arg),
        }
    }
    let Some(out) = out else {
        eprintln!("protox-compile: -o FILE is required");
        return ExitCode::FAILURE;
    };
    let mut compiler = match protox::Compiler::new(&includes) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("protox-compile: {e}");
            return ExitCode::FAILURE;
        }
    };
    compiler
        .include_imports(imports)
        .include_source_info(source_info);
    if let Err(e) = compiler.open_files(&files) {
        eprintln!("protox-compile: {e:?}");
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::write(&out, compiler.encode_file_descriptor_set()) {
        eprintln!("protox-compile: {out}: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
