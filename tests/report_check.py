#!/usr/bin/env python3
"""report_check.py PAGE MODE SERIES [SCREENSHOT.png]

Checks a page of `mmlab report` (MODE "source": the file written; MODE
"rendered": the DOM headless Chromium dumped after loading it): every
<figure class="plot"> holds one inline SVG whose series groups (gnuplot's
<g id="gnuplot_plot_N">, each with a drawn path) number SERIES, as its
data-series says.  With a screenshot: the PNG decodes, is not blank (some
share of its pixels are not the background) and shows coloured plot lines.
"""
import re
import struct
import sys
import zlib


def figures(page):
    figs = re.findall(r'<figure class="plot"[^>]*data-series="(\d+)"[^>]*>(.*?)</figure>',
                      page, re.S)
    if not figs:
        sys.exit("report_check: no plot in the page")
    return figs


def check_series(page, want):
    for i, (declared, body) in enumerate(figures(page)):
        if body.count("<svg") != 1:
            sys.exit(f"report_check: plot {i + 1}: {body.count('<svg')} SVG elements")
        groups = re.split(r'<g id="gnuplot_plot_\d+[a-z]?"', body)[1:]
        drawn = [g for g in groups if "<path" in g]
        if len(groups) != int(declared) or len(groups) != want or len(drawn) != want:
            sys.exit(f"report_check: plot {i + 1}: {len(groups)} series groups, "
                     f"{len(drawn)} drawn, data-series {declared}, want {want}")
    print(f"report_check: {len(figures(page))} plots with {want} series each")


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("report_check: the screenshot is not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    w, h, depth, ctype = hdr[0], hdr[1], hdr[2], hdr[3]
    if depth != 8 or ctype not in (2, 6):
        sys.exit(f"report_check: PNG of depth {depth}, colour type {ctype}")
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    prev, rows = bytearray(stride), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def check_png(path):
    w, h, bpp, rows = png_pixels(path)
    ink = colour = 0
    for line in rows[::2]:
        for x in range(0, w * bpp, bpp * 2):
            r, g, b = line[x], line[x + 1], line[x + 2]
            if r < 235 or g < 235 or b < 235:
                ink += 1
            if max(r, g, b) - min(r, g, b) > 80:
                colour += 1
    sampled = (h // 2) * (w // 2)
    print(f"report_check: screenshot {w}x{h}: {100.0 * ink / sampled:.1f}% ink, "
          f"{colour} coloured samples")
    if ink < sampled * 0.01:
        sys.exit("report_check: the screenshot is blank")
    if colour < 50:
        sys.exit("report_check: no coloured plot lines in the screenshot")


def main():
    page = open(sys.argv[1], encoding="utf-8", errors="replace").read()
    check_series(page, int(sys.argv[3]))
    if len(sys.argv) > 4:
        check_png(sys.argv[4])


main()
