#!/usr/bin/env python3
"""Removes a library from the libraries an ELF binary needs (its DT_NEEDED entries), in place —
what `patchelf --remove-needed` does, without the dependency.

    scripts/drop-needed.py BINARY LIBRARY

scripts/lazy-link.sh drops libcurl and libgit2 from git-ml: the binary defines every function of
theirs it calls itself (Sources/CLazyLibraries opens them on first use), but the static
FoundationNetworking adds `-lcurl` at the end of the link line, after any `--as-needed`, and the
libgit2 module links `-lgit2`. The caller checks that no undefined symbol is left for the dropped
library to provide.
Handles 64-bit little-endian ELF (x86-64, aarch64); anything else is refused.
"""
import struct
import sys

PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5


def fail(message):
    sys.exit(f"drop-needed.py: {message}")


def main(path, library):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        fail(f"{path} is not a 64-bit little-endian ELF file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segments = [struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize) for i in range(phnum)]
    dynamic = next((s for s in segments if s[0] == PT_DYNAMIC), None)
    if dynamic is None:
        fail(f"{path} has no dynamic section")
    _, _, dyn_offset, _, _, dyn_size, _, _ = dynamic
    entries = []
    for at in range(dyn_offset, dyn_offset + dyn_size, 16):
        tag, value = struct.unpack_from("<qQ", data, at)
        if tag == DT_NULL:
            break
        entries.append((tag, value))
    strtab = next(value for tag, value in entries if tag == DT_STRTAB)
    # The string table's file offset, from the loadable segment that holds its address.
    load = next(s for s in segments if s[0] == PT_LOAD and s[3] <= strtab < s[3] + s[5])
    strtab_offset = strtab - load[3] + load[2]

    def name(value):
        start = strtab_offset + value
        return data[start:data.index(b"\0", start)].decode()

    kept = [(tag, value) for tag, value in entries if not (tag == DT_NEEDED and name(value) == library)]
    if len(kept) == len(entries):
        fail(f"{path} does not need {library}")
    for i in range(dyn_size // 16):
        tag, value = kept[i] if i < len(kept) else (DT_NULL, 0)
        struct.pack_into("<qQ", data, dyn_offset + i * 16, tag, value)
    with open(path, "r+b") as f:
        f.write(data)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    main(sys.argv[1], sys.argv[2])
