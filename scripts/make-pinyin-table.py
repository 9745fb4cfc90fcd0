#!/usr/bin/env python3
"""Writes the name-entry tables from real sources, never typed by hand:

- Provisioning/screen/pinyin-table.js: the on-screen pinyin keyboard's dictionary. Every
  character of the 通用规范汉字表 (2013, 8,105 characters: Unihan's kTGH field) under each of
  its toneless readings (Unihan's kTGHZ2013, the readings of the 通用规范汉字字典; kMandarin,
  the customary reading, ranks first). Candidates of a syllable: characters read that way
  customarily first, then those for which it is a second reading, each group most frequent
  first (character counts over jieba's word list). Then `phrases`: common two-character given
  names (those jieba's person-name entries give with at least three of the commonest surnames,
  and that jieba knows as no ordinary word), keyed by their whole pinyin (pypinyin), so that
  `jianguo` offers 建国 in one tap.
- Sources/KioskCore/Catalog/StandardCharacters.swift: the same 8,105 characters, for the name
  rule of the domain core (a name is written in them, or explained why not).

Unihan comes from Debian's unicode-data (/usr/share/unicode/Unihan_*.txt.bz2), pypinyin and
jieba from PyPI. Run it again only to change the tables; the outputs are committed, so neither
the kiosk nor CI needs these packages:

    apt-get install unicode-data
    python3 -m venv /tmp/pinyin && /tmp/pinyin/bin/pip install pypinyin jieba
    /tmp/pinyin/bin/python scripts/make-pinyin-table.py
"""
import bz2
import collections
import json
import os
import unicodedata

import jieba
from pypinyin import lazy_pinyin

UNIHAN = "/usr/share/unicode"
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, ".."))


def unihan(part, fields):
    """{field: {character: value}} of one Unihan file."""
    found = {field: {} for field in fields}
    with bz2.open(os.path.join(UNIHAN, f"Unihan_{part}.txt.bz2"), "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            code, field, value = line.rstrip("\n").split("\t", 2)
            if field in found:
                found[field][chr(int(code[2:], 16))] = value
    return found


def toneless(reading):
    """`lǘ` → `lv`: the letters the keyboard has (v stands for ü, as on every pinyin keyboard)."""
    plain = unicodedata.normalize("NFC", reading).lower()
    for u in "üǖǘǚǜ":
        plain = plain.replace(u, "v")
    return "".join(c for c in unicodedata.normalize("NFD", plain) if not unicodedata.combining(c))


tgh = unihan("OtherMappings", ["kTGH"])["kTGH"]
readings = unihan("Readings", ["kMandarin", "kTGHZ2013"])
# kTGH is "2013:INDEX": 1–3500 level 1 (常用字), 3501–6500 level 2, 6501–8105 level 3.
standard = {c: int(v.split(":")[1]) for c, v in tgh.items()}
assert len(standard) == 8105, f"the 通用规范汉字表 has 8,105 characters, Unihan gave {len(standard)}"

frequency = collections.Counter()
words = {}
with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as lines:
    for line in lines:
        word, count, tag = line.split()[:3]
        words.setdefault(word, set()).add(tag)
        for character in word:
            frequency[character] += int(count)

primary = collections.defaultdict(list)
secondary = collections.defaultdict(list)
for character in standard:
    customary = [toneless(r) for r in readings["kMandarin"].get(character, "").split()]
    every = [toneless(r.split(":")[1]) for r in readings["kTGHZ2013"].get(character, "").split()]
    for reading in dict.fromkeys(customary + every):
        (primary if reading in customary else secondary)[reading].append(character)

# Rare characters never met in jieba's words keep the table's own order (level, then strokes).
rank = lambda c: (-frequency[c], standard[c])
table = {}
for reading in sorted(set(primary) | set(secondary)):
    first = sorted(primary[reading], key=rank)
    table[reading] = "".join(first + sorted((c for c in secondary[reading] if c not in first), key=rank))
covered = {c for characters in table.values() for c in characters}
assert covered == set(standard), f"{len(set(standard) - covered)} characters have no reading"

# Common given names: a two-character given name written with at least three of the 100
# commonest surnames among jieba's three-character person names (`nr`).
surnames = collections.Counter(w[0] for w, tags in words.items() if "nr" in tags and len(w) == 3)
common_surnames = {s for s, _ in surnames.most_common(100)}
given = collections.Counter()
for word, tags in words.items():
    if "nr" in tags and len(word) == 3 and word[0] in common_surnames:
        given[word[1:]] += 1
phrases = collections.defaultdict(list)
for name, count in sorted(given.items(), key=lambda item: (-item[1], item[0])):
    # A common noun or verb (先生, 阿姨) is no given name; a place or proper name (建国) may be.
    ordinary = words.get(name, set()) - {"nr", "nrt", "nrfg", "ns", "nz", "nt"}
    if count < 3 or ordinary or not all(c in standard for c in name):
        continue
    phrases["".join(lazy_pinyin(name)).replace("ü", "v")].append(name)

target = os.path.join(root, "Provisioning", "screen", "pinyin-table.js")
with open(target, "w", encoding="utf-8") as out:
    out.write("// Generated by scripts/make-pinyin-table.py from Unihan (kTGH, kMandarin, kTGHZ2013),\n")
    out.write("// jieba's word counts and pypinyin: the 8,105 characters of the 通用规范汉字表 by toneless\n")
    out.write("// pinyin, most frequent first, and common given names by their whole pinyin. Do not edit.\n")
    out.write("export const pinyinTable = ")
    json.dump(table, out, ensure_ascii=False, separators=(",", ":"))
    out.write(";\nexport const phrases = ")
    json.dump({k: v for k, v in sorted(phrases.items())}, out, ensure_ascii=False, separators=(",", ":"))
    out.write(";\n")

ordered = "".join(sorted(standard, key=lambda c: standard[c]))
swift = os.path.join(root, "Sources", "KioskCore", "Catalog", "StandardCharacters.swift")
with open(swift, "w", encoding="utf-8") as out:
    out.write("// Generated by scripts/make-pinyin-table.py from Unihan's kTGH field. Do not edit.\n\n")
    out.write("/// The 8,105 characters of the 通用规范汉字表 (2013), in the table's order (level 1: 1–3500,\n")
    out.write("/// level 2: 3501–6500, level 3: 6501–8105).\n")
    out.write("enum StandardCharacters {\n")
    out.write("    /// The characters, in the table's order.\n")
    out.write("    static let table: String = \"\"\"\n")
    for start in range(0, len(ordered), 50):
        out.write("        " + ordered[start:start + 50] + ("\\\n" if start + 50 < len(ordered) else "\n"))
    out.write("        \"\"\"\n")
    out.write("}\n")

print(f"{len(standard)} characters under {len(table)} readings, {sum(map(len, phrases.values()))} given names"
      f" -> {os.path.relpath(target, root)}, {os.path.relpath(swift, root)}")
