"""Squeeze out the padding ``patchelf`` leaves in some wheel libraries (Linux, ELF64).

auditwheel renames the libraries it vendors into a wheel (``pillow.libs/``,
``pikepdf.libs/``) with patchelf, which appends the rewritten dynamic tables as a new
``PT_LOAD`` segment aligned to 2 MiB. In a 14 kB ``libXau`` that leaves 2 MB of padding in
the file; pikepdf's ``libjpeg`` carries the same (3.7 MB together). The loader only needs a
segment's file offset and address to agree modulo the page size, so such a segment can sit
right after the data before it: this moves it down, lowers its alignment to the page size,
shifts the section headers that point into it, and drops the bytes in between. Nothing
mapped changes (addresses, sizes, contents), so the library behaves exactly as before.

What is dropped is what no header points at: padding, and the stale copy of the section
table patchelf leaves behind. Only little-endian ELF64 files are touched.
"""

from __future__ import annotations

import struct
from pathlib import Path

PAGE = 0x1000
MIN_GAIN = 0x10000  # leave gaps smaller than 64 kB alone
_PT_LOAD = 1
_SHT_NOBITS = 8
_PHDR = struct.Struct("<IIQQQQQQ")  # type flags offset vaddr paddr filesz memsz align
_SHDR = struct.Struct("<IIQQQQIIQQ")  # name type flags addr offset size link info align entsize


def _is_elf64_le(data: bytes | bytearray) -> bool:
    return data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1


def _compact_once(data: bytearray) -> bytearray | None:
    """One gap removed, or None when there is none worth removing."""
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 0x36)
    if phentsize != _PHDR.size or (shnum and shentsize != _SHDR.size):
        return None
    phdrs = [list(_PHDR.unpack_from(data, phoff + i * phentsize)) for i in range(phnum)]
    shdrs = [list(_SHDR.unpack_from(data, shoff + i * shentsize)) for i in range(shnum)]
    regions = [(0, 64), (phoff, phoff + phnum * phentsize), (shoff, shoff + shnum * shentsize)]
    regions += [(p[2], p[2] + p[5]) for p in phdrs if p[5]]
    regions += [(s[4], s[4] + s[5]) for s in shdrs if s[1] != _SHT_NOBITS and s[5]]
    for load in sorted((p for p in phdrs if p[0] == _PT_LOAD), key=lambda p: p[2]):
        offset, vaddr = load[2], load[3]
        before = max((end for start, end in regions if start < offset), default=offset)
        new = (before + PAGE - 1) // PAGE * PAGE + vaddr % PAGE
        if new - PAGE >= before:
            new -= PAGE
        gap = offset - new
        if gap < MIN_GAIN:
            continue
        if any(start < offset < end for start, end in regions):
            continue  # something spans the gap: not a plain padding hole
        for p in phdrs:
            if p[2] >= offset:
                p[2] -= gap
                if p[0] == _PT_LOAD:
                    p[7] = min(p[7], PAGE)
        for s in shdrs:
            if s[4] >= offset and s[1] != _SHT_NOBITS:
                s[4] -= gap
        if shoff >= offset:
            shoff -= gap
        if phoff >= offset:
            phoff -= gap
        out = bytearray(data[:new] + data[offset:])
        struct.pack_into("<QQ", out, 0x20, phoff, shoff)
        for i, p in enumerate(phdrs):
            _PHDR.pack_into(out, phoff + i * phentsize, *p)
        for i, s in enumerate(shdrs):
            _SHDR.pack_into(out, shoff + i * shentsize, *s)
        return out
    return None


def compact(source: Path, target: Path) -> int:
    """Write ``source`` without its padding gaps to ``target``; return the bytes saved."""
    data = bytearray(source.read_bytes())
    original = len(data)
    if _is_elf64_le(data):
        while (smaller := _compact_once(data)) is not None:
            data = smaller
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.chmod(source.stat().st_mode & 0o777)
    return original - len(data)
