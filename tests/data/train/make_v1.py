#!/usr/bin/env python3
# Writes v1.ckpt: a synthehr checkpoint (format version 1) built from the
# format description in src/core/ckpt.c with Python's struct and zlib only,
# so tests/test_ckpt.c checks the C reader against an independent writer.
import struct, zlib
hdr = b"SHCKPT\r\n" + struct.pack("<II", 1, 120)
hdr += struct.pack("<QQ", 0x1122334455667788, 0x99aabbccddeeff00)
hdr += struct.pack("<6i", 7, 3, 4, 2, 1, 150)           # D zdim width depth ngroups epoch
hdr += struct.pack("<4Q", 1, 2, 3, 4) + struct.pack("<ii", 1, 0) + struct.pack("<d", 0.25)
hdr += struct.pack("<dd", 1.5, 1.25) + struct.pack("<ii", 100, 0)
hdr += struct.pack("<Q", 5)
assert len(hdr) == 136
payload = struct.pack("<5f", 0.5, -1.0, 2.0, 3.25, 1e-3)
body = hdr + payload
open("v1.ckpt", "wb").write(body + struct.pack("<I", zlib.crc32(body) & 0xffffffff))
