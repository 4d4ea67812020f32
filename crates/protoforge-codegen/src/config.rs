//! [`Config`]: the choices a build script or the CLI can make about the
//! generated code. Every rule that names protobuf elements takes a *proto
//! path*: `.` (everything), a package (`.pkg`), a type (`.pkg.Msg`) or a
//! field (`.pkg.Msg.field`); a rule applies to an element when its path is
//! the element's full name (with a leading dot) or a prefix of it that ends
//! at a dot.

/// The generator's options. [`Config::default`] is what `protoforge
/// --rust_out` uses.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) bytes: Vec<String>,
    pub(crate) btree_map: Vec<String>,
    pub(crate) validate_utf8: Vec<String>,
    pub(crate) extern_paths: Vec<(String, String)>,
    pub(crate) type_attributes: Vec<(String, String)>,
    pub(crate) field_attributes: Vec<(String, String)>,
    pub(crate) layout: Layout,
    pub(crate) services: Services,
}

/// How the generated modules are laid out in files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One file per package, at the package's path (`a/b/c.rs` for package
    /// `a.b.c`), and a root file `mod.rs` declaring the module tree (and
    /// holding the declarations of files with no package). Add the root to
    /// a crate with `mod generated;` on a `generated/mod.rs`: every other
    /// file is found by Rust's module path rules.
    Modules,
    /// Everything in one file of the given name, packages as inline
    /// modules: for `include!` from a build script's `OUT_DIR`.
    SingleFile(String),
    /// One file per package, named by the package (`a.b.rs` for package
    /// `a.b`; `_.rs` for the files with no package), holding that
    /// package's items only: no declarations of sub-package modules and no
    /// inner attributes (each top-level item carries the generator's lint
    /// allowances), so that it can be `include!`d
    /// (`protoforge::include_proto!("a.b")`) into a module tree that the
    /// including crate writes to mirror the packages (`pub mod a { pub mod
    /// b { … } }`). References between packages are relative (`super::`).
    Packages,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bytes: Vec::new(),
            btree_map: Vec::new(),
            validate_utf8: Vec::new(),
            extern_paths: Vec::new(),
            type_attributes: Vec::new(),
            field_attributes: Vec::new(),
            layout: Layout::Modules,
            services: Services::NONE,
        }
    }
}

/// Which gRPC code is generated for each `service` (against
/// `protoforge-grpc`; the shape is specified in `docs/generated-code.md`,
/// "Services"). The default, [`Services::NONE`], generates messages only,
/// so generated code needs no transport.
///
/// ```
/// use protoforge_codegen::Services;
/// assert_eq!("client,server".parse::<Services>().unwrap(), Services::BOTH);
/// assert_eq!("server".parse::<Services>().unwrap(), Services::SERVER);
/// assert!("clients".parse::<Services>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Services {
    /// A typed client (`FooClient`) per service.
    pub client: bool,
    /// A server trait (`Foo`) and the server type (`FooServer<T>`) that
    /// dispatches calls to it.
    pub server: bool,
}

impl Services {
    /// No service code.
    pub const NONE: Services = Services {
        client: false,
        server: false,
    };
    /// Clients only.
    pub const CLIENT: Services = Services {
        client: true,
        server: false,
    };
    /// Servers only.
    pub const SERVER: Services = Services {
        client: false,
        server: true,
    };
    /// Clients and servers.
    pub const BOTH: Services = Services {
        client: true,
        server: true,
    };

    /// Whether any service code is generated.
    pub fn any(self) -> bool {
        self.client || self.server
    }
}

impl std::str::FromStr for Services {
    type Err = crate::Error;

    /// `client`, `server`, `both` or `none`, or a list of them joined by
    /// `,` or `+` (`client+server`: the form fits inside a plugin parameter,
    /// which is itself split on commas).
    fn from_str(s: &str) -> Result<Services, crate::Error> {
        let mut out = Services::NONE;
        for part in s.split([',', '+']).map(str::trim) {
            match part {
                "client" => out.client = true,
                "server" => out.server = true,
                "both" => out = Services::BOTH,
                "none" | "" => {}
                other => {
                    return Err(crate::Error::new(
                        crate::ErrorKind::InvalidOption,
                        format!(
                            "unknown service code `{other}` (expected `client`, `server`, `both` or `none`)"
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }
}

/// The well-known types and the descriptor types are the runtime's own.
///
/// `google.protobuf` maps to `::protoforge::wkt`, except the types of
/// `descriptor.proto`, which are in `::protoforge::descriptor`, and
/// `google.protobuf.compiler` (`plugin.proto`), in
/// `::protoforge::compiler`.
pub(crate) const DEFAULT_EXTERN_PATHS: &[(&str, &str)] = &[
    (".google.protobuf", "::protoforge::wkt"),
    (".google.protobuf.compiler", "::protoforge::compiler"),
];

/// The top-level types of `descriptor.proto` (package `google.protobuf`).
pub(crate) const DESCRIPTOR_TYPES: &[&str] = &[
    "FileDescriptorSet",
    "FileDescriptorProto",
    "DescriptorProto",
    "ExtensionRangeOptions",
    "FieldDescriptorProto",
    "OneofDescriptorProto",
    "EnumDescriptorProto",
    "EnumValueDescriptorProto",
    "ServiceDescriptorProto",
    "MethodDescriptorProto",
    "FileOptions",
    "MessageOptions",
    "FieldOptions",
    "OneofOptions",
    "EnumOptions",
    "EnumValueOptions",
    "ServiceOptions",
    "MethodOptions",
    "UninterpretedOption",
    "FeatureSet",
    "FeatureSetDefaults",
    "SourceCodeInfo",
    "GeneratedCodeInfo",
    "Edition",
    "SymbolVisibility",
];

impl Config {
    /// The default configuration.
    pub fn new() -> Config {
        Config::default()
    }

    /// Stores `bytes` fields under `path` as `bytes::Bytes` (decoding from
    /// a `Bytes` buffer then shares it instead of copying) instead of
    /// `Vec<u8>`.
    pub fn bytes(&mut self, path: impl Into<String>) -> &mut Config {
        self.bytes.push(path.into());
        self
    }

    /// Stores map fields under `path` as `BTreeMap` (sorted, so encoding is
    /// deterministic) instead of `HashMap`.
    pub fn btree_map(&mut self, path: impl Into<String>) -> &mut Config {
        self.btree_map.push(path.into());
        self
    }

    /// Makes the `string` fields under `path` whose `utf8_validation`
    /// feature is `NONE` (every proto2 `string`, and editions fields that
    /// turn the check off) plain `String`s, checked when decoded like
    /// proto3's, instead of `protoforge::ProtoString`s that accept any bytes. A
    /// message with invalid UTF-8 in such a field, which Google's
    /// implementations accept, then fails to decode: this is prost's
    /// behaviour, for teams that want `String` everywhere and trust their
    /// peers. A declared default that is not UTF-8 is converted lossily.
    pub fn validate_utf8(&mut self, path: impl Into<String>) -> &mut Config {
        self.validate_utf8.push(path.into());
        self
    }

    /// Uses existing Rust types for the protobuf elements under `proto_path`
    /// (a package or a type), found under `rust_path` (`::my_crate::pkg`)
    /// with the generator's naming; nothing is generated for them. The
    /// longest matching proto path wins. `google.protobuf` is mapped to the
    /// runtime's own types unless a rule here maps it elsewhere.
    pub fn extern_path(
        &mut self,
        proto_path: impl Into<String>,
        rust_path: impl Into<String>,
    ) -> &mut Config {
        self.extern_paths
            .push((proto_path.into(), rust_path.into()));
        self
    }

    /// Adds an attribute (Rust source such as `#[derive(Hash)]`) to the
    /// messages, enums and oneofs under `path`.
    pub fn type_attribute(
        &mut self,
        path: impl Into<String>,
        attribute: impl Into<String>,
    ) -> &mut Config {
        self.type_attributes.push((path.into(), attribute.into()));
        self
    }

    /// Adds an attribute to the struct fields generated for the fields (and
    /// oneofs) under `path`.
    pub fn field_attribute(
        &mut self,
        path: impl Into<String>,
        attribute: impl Into<String>,
    ) -> &mut Config {
        self.field_attributes.push((path.into(), attribute.into()));
        self
    }

    /// Chooses the gRPC code generated for services (default
    /// [`Services::NONE`]).
    pub fn services(&mut self, services: Services) -> &mut Config {
        self.services = services;
        self
    }

    /// Chooses the file layout (default [`Layout::Modules`]).
    pub fn layout(&mut self, layout: Layout) -> &mut Config {
        self.layout = layout;
        self
    }
}

/// Whether the proto path rule `rule` applies to the element `full_name`
/// (given with its leading dot).
pub(crate) fn matches(rule: &str, full_name: &str) -> bool {
    if rule == "." {
        return true;
    }
    let rule = rule.strip_suffix('.').unwrap_or(rule);
    full_name == rule
        || (full_name.starts_with(rule) && full_name.as_bytes().get(rule.len()) == Some(&b'.'))
}

/// Whether any rule in `rules` applies to `full_name`.
pub(crate) fn any_matches(rules: &[String], full_name: &str) -> bool {
    rules.iter().any(|r| matches(&normalize(r), full_name))
}

/// A proto path with its leading dot.
pub(crate) fn normalize(rule: &str) -> String {
    if rule.starts_with('.') {
        rule.to_string()
    } else {
        format!(".{rule}")
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn proto_paths() {
        assert!(matches(".", ".a.B"));
        assert!(matches(".a", ".a.B"));
        assert!(matches(".a.B", ".a.B"));
        assert!(matches(".a.B", ".a.B.c"));
        assert!(!matches(".a.B", ".a.Bc"));
        assert!(!matches(".a.B.c", ".a.B"));
    }
}
