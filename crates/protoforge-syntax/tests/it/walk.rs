//! Walks over the AST for the tests: the declarations that carry comments, in
//! the order protoc creates their source locations, and every span in a tree.

use protoforge_syntax::Span;
use protoforge_syntax::ast::{
    Aggregate, Comments, CompactOptions, Enum, EnumItem, Extend, Field, FieldType, File, Ident,
    Int, Item, Message, MessageBody, MessageItem, Method, MethodItem, Oneof, OneofItem, OptionDecl,
    OptionName, OptionNamePart, OptionValue, Range, RangeEnd, Reserved, ReservedKind, Service,
    ServiceItem, StringLit, TypeName,
};

/// A declaration that protoc gives a source location, with its comments.
pub(crate) struct Decl<'a> {
    /// What it is, for messages: `message Foo`, `field bar`, `option`.
    pub(crate) what: String,
    /// Where it is.
    pub(crate) span: Span,
    /// Its comments.
    pub(crate) comments: &'a Comments,
}

/// Every declaration with a `comments` field, in the order protoc creates
/// their locations: the order in which the declarations start (pre-order,
/// a declaration before the ones nested in it).
pub(crate) fn declarations(file: &File) -> Vec<Decl<'_>> {
    let mut out = Vec::new();
    let mut push = |what: String, span: Span, comments| {
        out.push(Decl {
            what,
            span,
            comments,
        })
    };
    if let Some(syntax) = &file.syntax {
        push("syntax".into(), syntax.span, &syntax.comments);
    }
    for item in &file.items {
        match item {
            Item::Package(p) => push(format!("package {}", p.name), p.span, &p.comments),
            Item::Import(i) => push(
                format!("import {:?}", i.path.to_string_lossy()),
                i.span,
                &i.comments,
            ),
            Item::Option(o) => option_decl(o, &mut push),
            Item::Message(m) => message(m, &mut push),
            Item::Enum(e) => enumeration(e, &mut push),
            Item::Service(s) => service(s, &mut push),
            Item::Extend(e) => extend(e, &mut push),
            Item::Empty(_) => {}
        }
    }
    out
}

type Push<'p, 'a> = dyn FnMut(String, Span, &'a Comments) + 'p;

fn option_decl<'a>(o: &'a OptionDecl, push: &mut Push<'_, 'a>) {
    let name: Vec<String> = o
        .name
        .parts
        .iter()
        .map(|p| match p {
            OptionNamePart::Field(id) => id.text.clone(),
            OptionNamePart::Extension(name, _) => format!("({name})"),
        })
        .collect();
    push(format!("option {}", name.join(".")), o.span, &o.comments);
}

fn message<'a>(m: &'a Message, push: &mut Push<'_, 'a>) {
    push(format!("message {}", m.name.text), m.span, &m.comments);
    message_body(&m.body, push);
}

fn message_body<'a>(body: &'a MessageBody, push: &mut Push<'_, 'a>) {
    for item in &body.items {
        match item {
            MessageItem::Field(f) => field(f, push),
            MessageItem::Message(m) => message(m, push),
            MessageItem::Enum(e) => enumeration(e, push),
            MessageItem::Extend(e) => extend(e, push),
            MessageItem::Extensions(e) => push("extensions".into(), e.span, &e.comments),
            MessageItem::Reserved(r) => push("reserved".into(), r.span, &r.comments),
            MessageItem::Option(o) => option_decl(o, push),
            MessageItem::Oneof(o) => oneof(o, push),
            MessageItem::Empty(_) => {}
        }
    }
}

fn field<'a>(f: &'a Field, push: &mut Push<'_, 'a>) {
    match &f.group_body {
        Some(body) => {
            push(format!("group {}", f.name.text), f.span, &f.comments);
            message_body(body, push);
        }
        None => push(format!("field {}", f.name.text), f.span, &f.comments),
    }
}

fn oneof<'a>(o: &'a Oneof, push: &mut Push<'_, 'a>) {
    push(format!("oneof {}", o.name.text), o.span, &o.comments);
    for item in &o.items {
        match item {
            OneofItem::Field(f) => field(f, push),
            OneofItem::Option(opt) => option_decl(opt, push),
        }
    }
}

fn extend<'a>(e: &'a Extend, push: &mut Push<'_, 'a>) {
    push(format!("extend {}", e.extendee), e.span, &e.comments);
    for f in &e.fields {
        field(f, push);
    }
}

fn enumeration<'a>(e: &'a Enum, push: &mut Push<'_, 'a>) {
    push(format!("enum {}", e.name.text), e.span, &e.comments);
    for item in &e.items {
        match item {
            EnumItem::Value(v) => push(format!("enum value {}", v.name.text), v.span, &v.comments),
            EnumItem::Option(o) => option_decl(o, push),
            EnumItem::Reserved(r) => push("reserved".into(), r.span, &r.comments),
            EnumItem::Empty(_) => {}
        }
    }
}

fn service<'a>(s: &'a Service, push: &mut Push<'_, 'a>) {
    push(format!("service {}", s.name.text), s.span, &s.comments);
    for item in &s.items {
        match item {
            ServiceItem::Method(m) => method(m, push),
            ServiceItem::Option(o) => option_decl(o, push),
            ServiceItem::Empty(_) => {}
        }
    }
}

fn method<'a>(m: &'a Method, push: &mut Push<'_, 'a>) {
    push(format!("rpc {}", m.name.text), m.span, &m.comments);
    for item in m.body.iter().flat_map(|b| &b.items) {
        match item {
            MethodItem::Option(o) => option_decl(o, push),
            MethodItem::Empty(_) => {}
        }
    }
}

/// Every span in the tree, with a label saying where it came from.
pub(crate) fn spans(file: &File) -> Vec<(&'static str, Span)> {
    let mut s = Spans(Vec::new());
    s.file(file);
    s.0
}

struct Spans(Vec<(&'static str, Span)>);

impl Spans {
    fn add(&mut self, what: &'static str, span: Span) {
        self.0.push((what, span));
    }

    fn file(&mut self, file: &File) {
        self.add("file", file.span);
        if let Some(syntax) = &file.syntax {
            self.add("syntax", syntax.span);
            self.string(&syntax.value);
        }
        for item in &file.items {
            match item {
                Item::Package(p) => {
                    self.add("package", p.span);
                    self.type_name(&p.name);
                }
                Item::Import(i) => {
                    self.add("import", i.span);
                    if let Some((_, span)) = i.modifier {
                        self.add("import modifier", span);
                    }
                    self.string(&i.path);
                }
                Item::Option(o) => self.option(o),
                Item::Message(m) => self.message(m),
                Item::Enum(e) => self.enumeration(e),
                Item::Service(s) => self.service(s),
                Item::Extend(e) => self.extend(e),
                Item::Empty(span) => self.add("empty", *span),
            }
        }
    }

    fn ident(&mut self, ident: &Ident) {
        self.add("ident", ident.span);
    }

    fn type_name(&mut self, name: &TypeName) {
        self.add("type name", name.span);
        if let Some(dot) = name.leading_dot {
            self.add("leading dot", dot);
        }
        for part in &name.parts {
            self.ident(part);
        }
    }

    fn string(&mut self, s: &StringLit) {
        self.add("string", s.span);
        for part in &s.parts {
            self.add("string part", *part);
        }
    }

    fn int(&mut self, int: &Int) {
        self.add("int", int.span);
        if let Some(minus) = int.minus {
            self.add("minus", minus);
        }
    }

    fn option_name(&mut self, name: &OptionName) {
        self.add("option name", name.span);
        for part in &name.parts {
            self.add("option name part", part.span());
            match part {
                OptionNamePart::Field(id) => self.ident(id),
                OptionNamePart::Extension(name, _) => self.type_name(name),
            }
        }
    }

    fn option(&mut self, o: &OptionDecl) {
        self.add("option", o.span);
        self.option_name(&o.name);
        self.option_value(&o.value);
    }

    fn option_value(&mut self, value: &OptionValue) {
        self.add("option value", value.span());
        match value {
            OptionValue::Ident { minus, ident } => {
                if let Some(minus) = minus {
                    self.add("minus", *minus);
                }
                self.ident(ident);
            }
            OptionValue::Int(int) => self.int(int),
            OptionValue::Float(float) => {
                self.add("float", float.span);
                if let Some(minus) = float.minus {
                    self.add("minus", minus);
                }
            }
            OptionValue::String(s) => self.string(s),
            OptionValue::Aggregate(aggregate) => self.aggregate(aggregate),
            OptionValue::Token(span) => self.add("token", *span),
        }
    }

    fn compact_options(&mut self, options: &CompactOptions) {
        self.add("compact options", options.span);
        for o in &options.options {
            self.option(o);
        }
    }

    fn aggregate(&mut self, aggregate: &Aggregate) {
        self.add("aggregate", aggregate.span);
        for token in &aggregate.tokens {
            self.add("aggregate token", *token);
        }
    }

    fn message(&mut self, m: &Message) {
        self.add("message", m.span);
        if let Some((_, span)) = m.visibility {
            self.add("visibility", span);
        }
        self.ident(&m.name);
        self.message_body(&m.body);
    }

    fn message_body(&mut self, body: &MessageBody) {
        self.add("message body", body.span);
        for item in &body.items {
            match item {
                MessageItem::Field(f) => self.field(f),
                MessageItem::Message(m) => self.message(m),
                MessageItem::Enum(e) => self.enumeration(e),
                MessageItem::Extend(e) => self.extend(e),
                MessageItem::Extensions(e) => {
                    self.add("extensions", e.span);
                    for r in &e.ranges {
                        self.range(r);
                    }
                    if let Some(options) = &e.options {
                        self.compact_options(options);
                    }
                }
                MessageItem::Reserved(r) => self.reserved(r),
                MessageItem::Option(o) => self.option(o),
                MessageItem::Oneof(o) => self.oneof(o),
                MessageItem::Empty(span) => self.add("empty", *span),
            }
        }
    }

    fn field_type(&mut self, ty: &FieldType) {
        self.add("field type", ty.span());
        match ty {
            FieldType::Scalar(..) | FieldType::Group(_) => {}
            FieldType::Named(name) => self.type_name(name),
            FieldType::Map(key, value, _) => {
                self.field_type(key);
                self.field_type(value);
            }
        }
    }

    fn field(&mut self, f: &Field) {
        self.add("field", f.span);
        if let Some((_, span)) = f.label {
            self.add("label", span);
        }
        self.field_type(&f.ty);
        self.ident(&f.name);
        self.int(&f.number);
        if let Some(options) = &f.options {
            self.compact_options(options);
        }
        if let Some(body) = &f.group_body {
            self.message_body(body);
        }
    }

    fn oneof(&mut self, o: &Oneof) {
        self.add("oneof", o.span);
        self.ident(&o.name);
        for item in &o.items {
            match item {
                OneofItem::Field(f) => self.field(f),
                OneofItem::Option(opt) => self.option(opt),
            }
        }
    }

    fn extend(&mut self, e: &Extend) {
        self.add("extend", e.span);
        self.type_name(&e.extendee);
        for f in &e.fields {
            self.field(f);
        }
    }

    fn range(&mut self, r: &Range) {
        self.add("range", r.span);
        self.int(&r.start);
        match r.end {
            Some(RangeEnd::Int(int)) => self.int(&int),
            Some(RangeEnd::Max(span)) => self.add("max", span),
            None => {}
        }
    }

    fn reserved(&mut self, r: &Reserved) {
        self.add("reserved", r.span);
        match &r.kind {
            ReservedKind::Ranges(ranges) => {
                for range in ranges {
                    self.range(range);
                }
            }
            ReservedKind::Names(names) => {
                for name in names {
                    self.add("reserved name", name.span);
                }
            }
        }
    }

    fn enumeration(&mut self, e: &Enum) {
        self.add("enum", e.span);
        if let Some((_, span)) = e.visibility {
            self.add("visibility", span);
        }
        self.ident(&e.name);
        for item in &e.items {
            match item {
                EnumItem::Value(v) => {
                    self.add("enum value", v.span);
                    self.ident(&v.name);
                    self.int(&v.number);
                    if let Some(options) = &v.options {
                        self.compact_options(options);
                    }
                }
                EnumItem::Option(o) => self.option(o),
                EnumItem::Reserved(r) => self.reserved(r),
                EnumItem::Empty(span) => self.add("empty", *span),
            }
        }
    }

    fn service(&mut self, s: &Service) {
        self.add("service", s.span);
        self.ident(&s.name);
        for item in &s.items {
            match item {
                ServiceItem::Method(m) => self.method(m),
                ServiceItem::Option(o) => self.option(o),
                ServiceItem::Empty(span) => self.add("empty", *span),
            }
        }
    }

    fn method(&mut self, m: &Method) {
        self.add("method", m.span);
        self.ident(&m.name);
        for ty in [&m.input, &m.output] {
            if let Some(stream) = ty.stream {
                self.add("stream", stream);
            }
            self.type_name(&ty.ty);
        }
        if let Some(body) = &m.body {
            self.add("method body", body.span);
            for item in &body.items {
                match item {
                    MethodItem::Option(o) => self.option(o),
                    MethodItem::Empty(span) => self.add("empty", *span),
                }
            }
        }
    }
}
