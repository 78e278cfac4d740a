#!/usr/bin/env python3
"""make-fixtures.py -- regenerate the small files in tests/real/ that the
profiles-real integration test feeds to real programs.

    python3 tests/real/make-fixtures.py [DIR]     (default: this directory)

Everything is built from first principles (no PDF or image library), so
the bytes are reproducible and reviewable:
  sample.pdf   one A7 page: the line "sbx profile test" and a blue box
  sample.png   96x64 RGB gradient with a red square
  good.tar     a.txt and sub/b.txt
  good.zip     the same two members
  evil.tar     a.txt plus ../sbx-escaped.txt (path traversal)
  evil.zip     a.txt plus ../sbx-escaped.txt (path traversal)
The 7z archives are made by the test itself with `7z a` (no 7z writer
in the Python standard library).
"""
import io
import os
import struct
import sys
import tarfile
import time
import zipfile
import zlib

FIXED_TIME = 1700000000  # reproducible archive timestamps


def pdf():
    content = (b"0.2 0.4 0.8 rg 20 20 80 40 re f\n"
               b"0 g BT /F1 14 Tf 20 150 Td (sbx profile test) Tj ET\n")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 210 298] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n" % (len(objs) + 1))
    out.write(b"0000000000 65535 f \n")
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objs) + 1, xref))
    return out.getvalue()


def png(w=96, h=64):
    rows = []
    for y in range(h):
        row = bytearray([0])  # filter: none
        for x in range(w):
            if 32 <= x < 64 and 16 <= y < 48:
                row += bytes([220, 30, 30])
            else:
                row += bytes([x * 255 // w, y * 255 // h, 128])
        rows.append(bytes(row))

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def tar(members):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = FIXED_TIME
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def zipdata(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, time.gmtime(FIXED_TIME)[:6])
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out.getvalue()


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    good = [("a.txt", b"alpha\n"), ("sub/b.txt", b"bravo\n")]
    evil = [("a.txt", b"alpha\n"), ("../sbx-escaped.txt", b"escaped\n")]
    files = {
        "sample.pdf": pdf(),
        "sample.png": png(),
        "good.tar": tar(good),
        "good.zip": zipdata(good),
        "evil.tar": tar(evil),
        "evil.zip": zipdata(evil),
    }
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
