#!/usr/bin/env python3
"""Writes Tests/KioskHandwritingTests/Recordings/strokes.json: pen strokes of a few characters,
replayed through the handwriting recogniser by the tests.

The strokes are KanjiVG's (the `kanjivg` package on PyPI, CC BY-SA 3.0): each stroke is an SVG
path in writing order, sampled here along its Bézier curves into the points a finger would
leave on a 300×300 pad, 4 px apart at most, like the screen's pad sends. Only characters written
the same in Japanese and in simplified Chinese are taken; several are beyond GB 2312's level 1
(昊 瑾 皓 馨 怡 薇 芸: level 2). The Debian model knows GB 2312's 6,763 characters only, so a
character beyond GB 2312 (旻, 堃) cannot be recorded here usefully: pinyin covers those.

    python3 -m venv /tmp/strokes && /tmp/strokes/bin/pip install kanjivg
    /tmp/strokes/bin/python scripts/make-handwriting-recordings.py
"""
import json
import math
import os
import re
import sys
import sysconfig

CHARACTERS = "林明雨森昊瑾皓馨怡薇芸"
PAD = 300
SOURCE_BOX = 109

kanji = os.path.join(sysconfig.get_paths()["purelib"], "kanji")
here = os.path.dirname(os.path.abspath(__file__))
target = os.path.join(here, "..", "Tests", "KioskHandwritingTests", "Recordings", "strokes.json")


def cubic(p0, p1, p2, p3, t):
    u = 1 - t
    return tuple(u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d for a, b, c, d in zip(p0, p1, p2, p3))


def sample(d):
    """The points along one KanjiVG path (M, C/c, S/s, L/l: all KanjiVG uses)."""
    tokens = re.findall(r"[MmCcSsLl]|-?\d*\.?\d+(?:e-?\d+)?", d)
    points, current, command, last_control, i = [], (0.0, 0.0), None, None, 0

    def numbers(n):
        nonlocal i
        values = [float(t) for t in tokens[i:i + n]]
        i += n
        return values

    while i < len(tokens):
        if re.fullmatch(r"[A-Za-z]", tokens[i]):
            command = tokens[i]
            i += 1
        relative = command.islower()
        base = current if relative else (0.0, 0.0)
        if command in "Mm":
            x, y = numbers(2)
            current = (base[0] + x, base[1] + y)
            points.append(current)
            last_control = None
            command = "l" if relative else "L"
        elif command in "Ll":
            x, y = numbers(2)
            end = (base[0] + x, base[1] + y)
            points.append(end)
            current, last_control = end, None
        elif command in "CcSs":
            if command in "Cc":
                x1, y1, x2, y2, x, y = numbers(6)
                c1 = (base[0] + x1, base[1] + y1)
            else:
                x2, y2, x, y = numbers(4)
                c1 = (2 * current[0] - last_control[0], 2 * current[1] - last_control[1]) if last_control else current
            c2 = (base[0] + x2, base[1] + y2)
            end = (base[0] + x, base[1] + y)
            length = math.dist(current, c1) + math.dist(c1, c2) + math.dist(c2, end)
            steps = max(2, math.ceil(length * PAD / SOURCE_BOX / 4))
            points += [cubic(current, c1, c2, end, k / steps) for k in range(1, steps + 1)]
            current, last_control = end, c2
    return [[round(x * PAD / SOURCE_BOX), round(y * PAD / SOURCE_BOX)] for x, y in points]


def gb2312_level(character):
    """1 (rows 16–55, the old pinyin table's set), 2 (rows 56–87) or 0 (not in GB 2312)."""
    try:
        first = character.encode("gb2312")[0]
    except UnicodeEncodeError:
        return 0
    return 1 if first <= 0xD7 else 2


recordings = []
for character in CHARACTERS:
    name = f"{ord(character):05x}.svg"
    with open(os.path.join(kanji, name), encoding="utf-8") as svg:
        paths = re.findall(r'<path id="kvg:[0-9a-f]+-s\d+"[^>]*\sd="([^"]+)"', svg.read())
    if not paths:
        sys.exit(f"no strokes for {character} in {name}")
    strokes = [sample(d) for d in paths]
    recordings.append({"character": character, "source": f"KanjiVG kanji/{name}", "gb2312Level": gb2312_level(character),
                       "width": PAD, "height": PAD, "strokes": strokes})

os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target, "w", encoding="utf-8") as out:
    out.write("[\n")
    out.write(",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in recordings))
    out.write("\n]\n")
print(f"{len(recordings)} characters -> {os.path.normpath(target)}")
