"""Differential peer for the generated-code tests of protoforge-tests
(crates/protoforge-tests/tests/it/python.rs).

The message types come from a FileDescriptorSet the pinned protoc wrote for
protobuf's own test protos (so no generated Python modules are needed):

  differential.py gen SET SEED COUNT OUT
      build COUNT pseudo-random messages of each type in TYPES with Python's
      protobuf, encode them (sometimes followed by raw fields the schema does
      not know, numbers a closed enum or closed-enum extension lacks, and
      bytes that are not UTF-8 in strings whose utf8_validation is NONE)
      and write one line per message: TYPE <tab> HEX.
  differential.py reencode SET IN OUT
      for each TYPE <tab> HEX line of IN, parse HEX and write what Python
      serializes it to (HEX, in Python's field order), or "ERROR ...".
  differential.py check SET IN OUT
      for each TYPE <tab> HEX <tab> RUST_HEX line of IN (RUST_HEX is what
      the Rust code re-encoded after decoding HEX), decode both in Python
      and write "ok" when they are equal messages (compared by their
      deterministic serialization, unknown fields included), or "DIFF ..."
      / "ERROR ..." on one line of OUT.
"""

import random
import struct
import sys

from google.protobuf import descriptor as _d
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

FD = _d.FieldDescriptor

TYPES = [
    "protobuf_test_messages.proto2.TestAllTypesProto2",
    "protobuf_test_messages.proto3.TestAllTypesProto3",
    "protobuf_test_messages.editions.TestAllTypesEdition2023",
    "protobuf_test_messages.editions.proto2.TestAllTypesProto2",
    "protobuf_test_messages.editions.proto3.TestAllTypesProto3",
    "proto2_unittest.TestAllTypes",
    "proto2_unittest.TestAllExtensions",
    "proto2_unittest.TestPackedExtensions",
    "proto2_unittest.TestUnpackedExtensions",
    "proto2_unittest.TestPackedTypes",
    "proto2_unittest.TestMap",
    "proto3_unittest.TestAllTypes",
]


def load(set_path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(set_path, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file in fds.file:
        pool.Add(file)
    return pool


def hexs(b):
    return b.hex() if b else "-"


def unhex(s):
    return b"" if s == "-" else bytes.fromhex(s)


class Gen:
    def __init__(self, seed, pool):
        self.r = random.Random(seed)
        self.pool = pool

    def chance(self, p):
        return self.r.random() < p

    def int_bits(self, bits, signed):
        r = self.r
        if signed:
            lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        else:
            lo, hi = 0, (1 << bits) - 1
        c = r.random()
        if c < 0.15:
            return r.choice([lo, hi, 0, 1])
        if c < 0.6:
            return max(lo, min(hi, r.randint(-300, 300) if signed else r.randint(0, 300)))
        return r.randint(lo, hi)

    def float32(self):
        r = self.r
        if r.random() < 0.1:
            return r.choice([0.0, -0.0, float("inf"), float("-inf"), 1.5])
        return struct.unpack("<f", struct.pack("<f", r.uniform(-1e6, 1e6)))[0]

    def float64(self):
        r = self.r
        if r.random() < 0.1:
            return r.choice([0.0, -0.0, float("inf"), float("-inf"), 1e-310])
        return r.uniform(-1e12, 1e12)

    def string(self):
        r = self.r
        chars = []
        for _ in range(r.choice([0, 1, 3, 8, 20, 200])):
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
        return bytes(self.r.getrandbits(8) for _ in range(self.r.choice([0, 1, 5, 64, 300])))

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

    def set_field(self, msg, field, depth, get, setter):
        is_msg = field.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP)
        if is_msg and field.message_type.GetOptions().map_entry:
            kf = field.message_type.fields_by_name["key"]
            vf = field.message_type.fields_by_name["value"]
            m = get()
            for _ in range(self.r.randint(0, 3)):
                k = self.scalar(kf)
                if vf.type == FD.TYPE_MESSAGE:
                    if depth < 3:
                        self.fill(m[k], depth + 1)
                else:
                    m[k] = self.scalar(vf)
        elif field.is_repeated:
            rep = get()
            if is_msg:
                # Few elements, shallow: nested messages multiply quickly.
                if depth < 3:
                    for _ in range(self.r.choice([0, 1, 2])):
                        self.fill(rep.add(), depth + 1)
            else:
                for _ in range(self.r.choice([0, 1, 2, 5, 20])):
                    rep.append(self.scalar(field))
        elif is_msg:
            if depth < 3:
                sub = get()
                sub.SetInParent()
                self.fill(sub, depth + 1)
        else:
            setter(self.scalar(field))

    def fill(self, msg, depth):
        desc = msg.DESCRIPTOR
        for field in desc.fields:
            oneof = field.containing_oneof
            if oneof is not None and msg.WhichOneof(oneof.name) is not None:
                continue
            if not field.is_required and not self.chance(0.4):
                continue
            name = field.name
            self.set_field(
                msg, field, depth,
                lambda: getattr(msg, name),
                lambda v: setattr(msg, name, v),
            )
        if desc.extension_ranges:
            for ext in self.pool.FindAllExtensions(desc):
                if not self.chance(0.3):
                    continue
                self.set_field(
                    msg, ext, depth,
                    lambda: msg.Extensions[ext],
                    lambda v: msg.Extensions.__setitem__(ext, v),
                )

    def extra(self, desc):
        """Raw fields appended to an encoding, in ascending number order:
        numbers the schema does not know, and numbers closed enums lack."""
        out = []
        used = {f.number for f in desc.fields}
        for number, wire in ((19000, 0), (19001, 2), (19002, 5), (19003, 1)):
            if number in used or not self.chance(0.25):
                continue
            if wire == 0:
                value = varint(self.r.getrandbits(64))
            elif wire == 2:
                value = lenp(self.bytes_())
            elif wire == 5:
                value = self.r.getrandbits(32).to_bytes(4, "little")
            else:
                value = self.r.getrandbits(64).to_bytes(8, "little")
            out.append(varint(tag(number, wire)) + value)
        for field in desc.fields:
            if (
                field.type == FD.TYPE_ENUM
                and field.enum_type.is_closed
                and field.containing_oneof is None
                and self.chance(0.2)
            ):
                known = {v.number for v in field.enum_type.values}
                bad = next(n for n in (99, 1000, 123456) if n not in known)
                out.append(varint(tag(field.number, 0)) + varint(bad))
        # Strings Google's implementations do not check: any bytes.
        for field in desc.fields:
            if field.containing_oneof is not None or not self.chance(0.15):
                continue
            if field.type == FD.TYPE_STRING and unchecked(field):
                out.append(varint(tag(field.number, 2)) + lenp(self.not_utf8()))
            entry = field.message_type
            if entry is not None and entry.GetOptions().map_entry:
                key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
                if key.type == FD.TYPE_STRING and unchecked(key):
                    body = varint(tag(1, 2)) + lenp(self.not_utf8())
                    if value.type == FD.TYPE_STRING and unchecked(value):
                        body += varint(tag(2, 2)) + lenp(self.not_utf8())
                    out.append(varint(tag(field.number, 2)) + lenp(body))
        # Closed-enum extensions, singular and repeated (packed or not),
        # with numbers the enum lacks among known ones.
        for ext in self.pool.FindAllExtensions(desc):
            if (
                ext.type != FD.TYPE_ENUM
                or not ext.enum_type.is_closed
                or not self.chance(0.3)
            ):
                continue
            known = [v.number for v in ext.enum_type.values]
            bad = next(n for n in (99, 1000, 123456) if n not in known)
            values = [self.r.choice(known + [bad]) for _ in range(self.r.randint(1, 4))]
            if ext.is_repeated and self.chance(0.5):
                payload = b"".join(varint(v) for v in values)
                out.append(varint(tag(ext.number, 2)) + lenp(payload))
            else:
                if not ext.is_repeated:
                    values = values[:1]
                for v in values:
                    out.append(varint(tag(ext.number, 0)) + varint(v))
        return b"".join(out)

    def not_utf8(self):
        """Bytes that are not UTF-8: text with a stray byte in it."""
        text = self.string().encode("utf-8")
        cut = self.r.randint(0, len(text))
        return text[:cut] + bytes([self.r.choice([0x80, 0xC3, 0xFF, 0xED])]) + text[cut:]


def unchecked(field):
    """Whether a string field's utf8_validation feature is NONE."""
    return field._GetFeatures().utf8_validation == 3


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


def classes(pool):
    return {t: message_factory.GetMessageClass(pool.FindMessageTypeByName(t)) for t in TYPES}


def gen(set_path, seed, count, out_path):
    pool = load(set_path)
    g = Gen(seed, pool)
    with open(out_path, "w") as out:
        for name, cls in classes(pool).items():
            for _ in range(count):
                msg = cls()
                g.fill(msg, 0)
                data = msg.SerializeToString() + g.extra(cls.DESCRIPTOR)
                out.write("%s\t%s\n" % (name, hexs(data)))


def check(set_path, in_path, out_path):
    pool = load(set_path)
    cls = classes(pool)
    with open(in_path) as inp, open(out_path, "w") as out:
        for line in inp:
            name, ours, theirs = line.rstrip("\n").split("\t")
            try:
                want = cls[name]()
                want.ParseFromString(unhex(ours))
                got = cls[name]()
                got.ParseFromString(unhex(theirs))
                a = want.SerializeToString(deterministic=True)
                b = got.SerializeToString(deterministic=True)
                if a == b:
                    out.write("ok\n")
                else:
                    out.write("DIFF want %s got %s\n" % (hexs(a), hexs(b)))
            except Exception as e:  # noqa: BLE001 - reported to the Rust side
                out.write("ERROR %s\n" % str(e).replace("\n", " "))


def reencode(set_path, in_path, out_path):
    pool = load(set_path)
    with open(in_path) as inp, open(out_path, "w") as out:
        for line in inp:
            name, data = line.rstrip("\n").split("\t")
            try:
                cls = message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
                msg = cls()
                msg.ParseFromString(unhex(data))
                out.write("%s\n" % hexs(msg.SerializeToString()))
            except Exception as e:  # noqa: BLE001 - reported to the Rust side
                out.write("ERROR %s\n" % str(e).replace("\n", " "))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "reencode":
        reencode(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(
            "usage: differential.py gen SET SEED COUNT OUT | check SET IN OUT"
            " | reencode SET IN OUT"
        )
