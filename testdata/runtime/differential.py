"""Differential peer for protoforge's runtime tests (crates/protoforge/tests/it/python.rs).

The Rust test generates Python code for testdata/runtime/*.proto with the
pinned protoc, then runs this script twice:

  differential.py gen SEED COUNT OUT   build COUNT pseudo-random messages of
      each test type with Python's protobuf, encode them (sometimes with extra
      raw fields: unknown numbers, closed-enum numbers the enum lacks) and
      write one line per case: TYPE <tab> HEX <tab> DUMP, where DUMP is the
      canonical dump of what Python decodes from HEX.
  differential.py dump IN OUT          decode each TYPE <tab> HEX line of IN
      and write its canonical dump (or "ERROR ...") on one line of OUT.

The canonical dump is one line, fields in number order:
  name=value for scalars (integers in decimal, floats as the hex of their
  IEEE bits, strings and bytes as hex, enums as numbers, bools as 0/1),
  name{...} for messages, one entry per element for repeated fields,
  map entries sorted by key as name[key]=value, extensions as [full.name]=...,
  unknown fields last as ?number:wiretype=value in the order they were read.
The Rust side (tests/it/dump.rs) writes exactly the same form.
"""

import random
import struct
import sys

from google.protobuf import descriptor as _d
from google.protobuf import unknown_fields as _uf

import test2_pb2
import test3_pb2
import ed_pb2

FD = _d.FieldDescriptor


def hexs(b):
    return b.hex() if b else "-"


def scalar(field, v):
    t = field.type
    if t == FD.TYPE_FLOAT:
        return struct.pack("<f", v).hex()
    if t == FD.TYPE_DOUBLE:
        return struct.pack("<d", v).hex()
    if t == FD.TYPE_STRING:
        return hexs(v.encode("utf-8"))
    if t == FD.TYPE_BYTES:
        return hexs(v)
    if t == FD.TYPE_BOOL:
        return "1" if v else "0"
    return str(int(v))


def dump_value(field, v):
    if field.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP):
        return "{" + dump(v) + "}"
    return "=" + scalar(field, v)


def dump_unknown(msg):
    out = []
    for f in _uf.UnknownFieldSet(msg):
        if f.wire_type == 2:
            val = hexs(f.data)
        elif f.wire_type == 3:
            val = "group"
        else:
            val = str(f.data)
        out.append("?%d:%d=%s" % (f.field_number, f.wire_type, val))
    return out


def dump(msg):
    parts = []
    desc = msg.DESCRIPTOR
    for field in sorted(desc.fields, key=lambda f: f.number):
        name = field.name
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            m = getattr(msg, name)
            vf = field.message_type.fields_by_name["value"]
            kf = field.message_type.fields_by_name["key"]
            for k in sorted(m.keys()):
                parts.append("%s[%s]%s" % (name, scalar(kf, k), dump_value(vf, m[k])))
        elif field.is_repeated:
            for v in getattr(msg, name):
                parts.append(name + dump_value(field, v))
        elif field.has_presence:
            if msg.HasField(name):
                parts.append(name + dump_value(field, getattr(msg, name)))
        else:
            v = getattr(msg, name)
            default = field.default_value
            if v != default or (field.type in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE) and scalar(field, v) != scalar(field, default)):
                parts.append(name + dump_value(field, v))
    if desc.extension_ranges:
        for ext, v in sorted(((e, msg.Extensions[e]) for e in EXTENSIONS.get(desc.full_name, []) if has_ext(msg, e)), key=lambda p: p[0].number):
            if ext.is_repeated:
                for x in v:
                    parts.append("[%s]%s" % (ext.full_name, dump_value(ext, x)))
            else:
                parts.append("[%s]%s" % (ext.full_name, dump_value(ext, v)))
    parts.extend(dump_unknown(msg))
    return " ".join(parts)


def has_ext(msg, ext):
    if ext.is_repeated:
        return len(msg.Extensions[ext]) > 0
    return msg.HasExtension(ext)


EXTENSIONS = {
    "pf.test2.All2": [
        test2_pb2.ext_i32,
        test2_pb2.ext_packed,
        test2_pb2.ext_inner,
        test2_pb2.ext_s,
    ],
}

TYPES = {
    "pf.test2.All2": test2_pb2.All2,
    "pf.test3.All3": test3_pb2.All3,
    "pf.ed.Ed": ed_pb2.Ed,
}


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def chance(self, p):
        return self.r.random() < p

    def int_bits(self, bits, signed):
        r = self.r
        choice = r.random()
        if signed:
            lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        else:
            lo, hi = 0, (1 << bits) - 1
        if choice < 0.15:
            return r.choice([lo, hi, 0, -1 if signed else 1, 1])
        if choice < 0.6:
            return max(lo, min(hi, r.randint(-300, 300) if signed else r.randint(0, 300)))
        return r.randint(lo, hi)

    def float32(self):
        r = self.r
        c = r.random()
        if c < 0.1:
            return r.choice([0.0, -0.0, float("inf"), float("-inf"), 1.5])
        return struct.unpack("<f", struct.pack("<f", r.uniform(-1e6, 1e6)))[0]

    def float64(self):
        r = self.r
        c = r.random()
        if c < 0.1:
            return r.choice([0.0, -0.0, float("inf"), float("-inf"), 1e-310])
        return r.uniform(-1e12, 1e12)

    def string(self):
        r = self.r
        n = r.choice([0, 1, 3, 8, 20, 200])
        chars = []
        for _ in range(n):
            c = r.random()
            if c < 0.7:
                chars.append(chr(r.randint(0x20, 0x7E)))
            elif c < 0.85:
                chars.append(chr(r.randint(0xA0, 0x7FF)))
            elif c < 0.95:
                chars.append(chr(r.randint(0x800, 0xD7FF)))
            else:
                chars.append(chr(r.randint(0x10000, 0x10FFFF)))
        return "".join(chars)

    def bytes_(self):
        n = self.r.choice([0, 1, 5, 64, 300])
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def scalar(self, field):
        t = field.type
        if t in (FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32):
            return self.int_bits(32, True)
        if t in (FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64):
            return self.int_bits(64, True)
        if t in (FD.TYPE_UINT32, FD.TYPE_FIXED32):
            return self.int_bits(32, False)
        if t in (FD.TYPE_UINT64, FD.TYPE_FIXED64):
            return self.int_bits(64, False)
        if t == FD.TYPE_FLOAT:
            return self.float32()
        if t == FD.TYPE_DOUBLE:
            return self.float64()
        if t == FD.TYPE_BOOL:
            return self.chance(0.5)
        if t == FD.TYPE_STRING:
            return self.string()
        if t == FD.TYPE_BYTES:
            return self.bytes_()
        if t == FD.TYPE_ENUM:
            values = [v.number for v in field.enum_type.values]
            if field.enum_type.is_closed:
                return self.r.choice(values)
            return self.r.choice(values + [self.int_bits(32, True)])
        raise ValueError(field)

    def fill(self, msg, depth):
        desc = msg.DESCRIPTOR
        for field in desc.fields:
            required = field.is_required
            if field.containing_oneof is not None and msg.WhichOneof(field.containing_oneof.name) is not None:
                continue
            if not required and not self.chance(0.45):
                continue
            name = field.name
            is_msg = field.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP)
            if is_msg and field.message_type.GetOptions().map_entry:
                kf = field.message_type.fields_by_name["key"]
                vf = field.message_type.fields_by_name["value"]
                m = getattr(msg, name)
                for _ in range(self.r.randint(0, 5)):
                    k = self.scalar(kf)
                    if vf.type == FD.TYPE_MESSAGE:
                        self.fill(m[k], depth + 1)
                    else:
                        m[k] = self.scalar(vf)
            elif field.is_repeated:
                rep = getattr(msg, name)
                for _ in range(self.r.choice([0, 1, 2, 5, 20])):
                    if is_msg:
                        if depth < 4:
                            self.fill(rep.add(), depth + 1)
                    else:
                        rep.append(self.scalar(field))
            elif is_msg:
                if field.message_type == desc and depth >= 3:
                    continue
                if depth < 5:
                    sub = getattr(msg, name)
                    sub.SetInParent()
                    self.fill(sub, depth + 1)
            else:
                setattr(msg, name, self.scalar(field))
        exts = EXTENSIONS.get(desc.full_name, [])
        for ext in exts:
            if not self.chance(0.3):
                continue
            if ext.is_repeated:
                for _ in range(self.r.randint(1, 6)):
                    msg.Extensions[ext].append(self.scalar(ext))
            elif ext.type == FD.TYPE_MESSAGE:
                self.fill(msg.Extensions[ext], depth + 1)
            else:
                msg.Extensions[ext] = self.scalar(ext)

    def extra(self, type_name):
        """Raw fields appended to an encoding: unknown numbers, and numbers a
        closed enum lacks (they must land in the unknown fields)."""
        out = b""
        r = self.r
        for _ in range(r.choice([0, 0, 1, 3])):
            kind = r.randint(0, 5)
            if kind == 0:
                out += varint(tag(5000, 0)) + varint(r.getrandbits(64))
            elif kind == 1:
                out += varint(tag(5001, 2)) + lenp(self.bytes_())
            elif kind == 2:
                out += varint(tag(5002, 5)) + r.getrandbits(32).to_bytes(4, "little")
            elif kind == 3 and type_name == "pf.test2.All2":
                # Closed enum `color` (16) with a number Color lacks.
                out += varint(tag(16, 0)) + varint(r.choice([7, 100, (1 << 64) - 1]))
            elif kind == 4 and type_name == "pf.test2.All2":
                # Packed closed enum `p_color` (24) mixing known and unknown.
                payload = b"".join(varint(v) for v in [1, 9, 3, 42])
                out += varint(tag(24, 2)) + lenp(payload)
            elif kind == 5 and type_name == "pf.ed.Ed":
                # Closed enum map `m_closed` (12): entry with an unknown value.
                entry = varint(tag(1, 0)) + varint(5) + varint(tag(2, 0)) + varint(9)
                out += varint(tag(12, 2)) + lenp(entry)
            elif kind == 5:
                out += varint(tag(5003, 1)) + r.getrandbits(64).to_bytes(8, "little")
        return out


def tag(n, wt):
    return (n << 3) | wt


def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def lenp(b):
    return varint(len(b)) + b


def gen(seed, count, out_path):
    g = Gen(seed)
    with open(out_path, "w") as out:
        for type_name, cls in TYPES.items():
            for _ in range(count):
                msg = cls()
                g.fill(msg, 0)
                data = msg.SerializeToString() + g.extra(type_name)
                parsed = cls()
                parsed.ParseFromString(data)
                out.write("%s\t%s\t%s\n" % (type_name, hexs(data), dump(parsed)))


def dump_file(in_path, out_path):
    with open(in_path) as inp, open(out_path, "w") as out:
        for line in inp:
            type_name, hx = line.rstrip("\n").split("\t")
            msg = TYPES[type_name]()
            try:
                msg.ParseFromString(bytes.fromhex(hx) if hx != "-" else b"")
                out.write(dump(msg) + "\n")
            except Exception as e:  # noqa: BLE001 - reported to the Rust side
                out.write("ERROR %s\n" % str(e).replace("\n", " "))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "dump":
        dump_file(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: differential.py gen SEED COUNT OUT | dump IN OUT")
