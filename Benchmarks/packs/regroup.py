#!/usr/bin/env python3
"""Rewrites the packs of a GitML pack folder as N packs holding the same objects.

    regroup.py <packs folder> <N>

Reads every pack index (docs/FORMAT.md, "Pack file" and "Pack index"), orders the objects by
their old pack and offset (so a file's chunks stay adjacent), splits them into N contiguous
groups and writes each group as a new pack and index, copying every entry header and stored
frame byte for byte (no recompression, so digests and delta bases are unchanged). The old packs
and any multi-pack index are deleted. Standard library only; `git ml fsck` checks the result.
The pack benchmark uses it to hold the same data in 10 or in 10,000 packs.
"""
import hashlib
import os
import struct
import sys

PACK_MAGIC = b"GITMLPK\0"
INDEX_MAGIC = b"GITMLIX\0"
TRAILER_MAGIC = b"GITMLEND"
ENTRY_HEADER = 80
INDEX_ENTRY = 84


def read_index(path):
    data = open(path, "rb").read()
    assert data[:8] == INDEX_MAGIC, path
    version, count = struct.unpack_from("<II", data, 8)
    assert version == 1, path
    assert hashlib.sha256(data[:-32]).digest() == data[-32:], f"{path}: checksum"
    start = 16 + 256 * 4
    return [data[start + i * INDEX_ENTRY:start + (i + 1) * INDEX_ENTRY] for i in range(count)]


def write_pack(folder, items):
    """items: (index record, entry header + stored bytes); returns the new pack's name."""
    body = bytearray(PACK_MAGIC + struct.pack("<II", 1, 0))
    records = []
    for record, entry in items:
        offset = len(body)
        body += entry
        records.append(record[:32] + struct.pack("<Q", offset) + record[40:])
    body += TRAILER_MAGIC + struct.pack("<II", len(items), 0)
    checksum = hashlib.sha256(body).digest()
    body += checksum
    name = "pack-" + checksum.hex()
    records.sort(key=lambda r: r[:32])
    index = bytearray(INDEX_MAGIC + struct.pack("<II", 1, len(records)))
    fanout = [0] * 256
    for r in records:
        fanout[r[0]] += 1
    running = 0
    for n in fanout:
        running += n
        index += struct.pack("<I", running)
    for r in records:
        index += r
    index += hashlib.sha256(index).digest()
    with open(os.path.join(folder, name + ".pack"), "wb") as f:
        f.write(body)
    with open(os.path.join(folder, name + ".idx"), "wb") as f:
        f.write(index)
    return name


def regroup(folder, n):
    old = sorted(name[:-4] for name in os.listdir(folder) if name.endswith(".idx"))
    objects, seen = [], set()
    for name in old:
        with open(os.path.join(folder, name + ".pack"), "rb") as pack:
            records = sorted(read_index(os.path.join(folder, name + ".idx")), key=lambda r: struct.unpack_from("<Q", r, 32)[0])
            for record in records:
                if record[:32] in seen:
                    continue
                seen.add(record[:32])
                offset = struct.unpack_from("<Q", record, 32)[0]
                stored = struct.unpack_from("<I", record, 44)[0]
                pack.seek(offset)
                objects.append((record, pack.read(ENTRY_HEADER + stored)))
    n = max(1, min(n, len(objects)))
    new = set()
    for i in range(n):
        new.add(write_pack(folder, objects[i * len(objects) // n:(i + 1) * len(objects) // n]))
    for name in old:
        if name not in new:
            os.unlink(os.path.join(folder, name + ".idx"))
            os.unlink(os.path.join(folder, name + ".pack"))
    midx = os.path.join(folder, "multi-pack-index")
    if os.path.exists(midx):
        os.unlink(midx)
    return len(objects), n


if __name__ == "__main__":
    objects, packs = regroup(sys.argv[1], int(sys.argv[2]))
    print(f"{objects} objects in {packs} packs")
