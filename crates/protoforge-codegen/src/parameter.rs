//! The generator's options written as one plugin parameter string, the form
//! protoc hands a plugin (`--rust_opt=…`, `--protoforge_opt=…`, or the
//! `OPTS:` part of `--rust_out=OPTS:DIR`). Both `protoforge --rust_out` and
//! the `protoc-gen-protoforge` plugin read it through [`Config::from_parameter`],
//! so the two accept exactly the same options.

use crate::{Config, Error, ErrorKind, Layout, Services};

impl Config {
    /// Reads a comma-separated parameter: `bytes=PATH`, `btree_map=PATH`,
    /// `validate_utf8=PATH`, `extern_path=PROTO_PATH=RUST_PATH`, `single_file=NAME.rs` and
    /// `services=client|server|both|none` (several joined by `+`, since
    /// commas separate options). Each may repeat; empty items are ignored.
    ///
    /// ```
    /// use protoforge_codegen::Config;
    /// let config = Config::from_parameter("bytes=.pkg.Blob.data,services=client+server")?;
    /// # let _ = config;
    /// assert!(Config::from_parameter("colour=blue").is_err());
    /// # Ok::<(), protoforge_codegen::Error>(())
    /// ```
    pub fn from_parameter(parameter: &str) -> Result<Config, Error> {
        let mut config = Config::new();
        for item in parameter
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (key, value) = item.split_once('=').unwrap_or((item, ""));
            let invalid = |why: &str| {
                Error::new(
                    ErrorKind::InvalidOption,
                    format!("parameter `{item}`: {why}"),
                )
            };
            match key {
                "bytes" if !value.is_empty() => {
                    config.bytes(value);
                }
                "btree_map" if !value.is_empty() => {
                    config.btree_map(value);
                }
                "validate_utf8" if !value.is_empty() => {
                    config.validate_utf8(value);
                }
                "extern_path" => {
                    let (proto, rust) = value
                        .split_once('=')
                        .ok_or_else(|| invalid("expected extern_path=PROTO_PATH=RUST_PATH"))?;
                    config.extern_path(proto, rust);
                }
                "single_file" if !value.is_empty() => {
                    config.layout(Layout::SingleFile(value.to_string()));
                }
                "services" => {
                    config.services(value.parse::<Services>()?);
                }
                "bytes" | "btree_map" | "validate_utf8" | "single_file" => {
                    return Err(invalid("a value is needed after `=`"));
                }
                _ => {
                    return Err(invalid(
                        "unknown option (known: bytes, btree_map, validate_utf8, extern_path, single_file, services)",
                    ));
                }
            }
        }
        Ok(config)
    }
}
