#!/usr/bin/env python3
"""Re-runs the `$ spikemesh …` examples in README.md and Docs/*.md and replaces their output.

Run from the package root after `swift build -c release`:

    python3 Tools/refresh_doc_outputs.py [--check] [FILE ...]

Inside a fenced block, each line that starts with `$ spikemesh` begins an example; the lines up
to the next `$` line or the end of the block are its printed output (stdout, and stderr unless
the command says --quiet or --json). An example whose output is empty (command only) or elided
with `…` is left as it is. Files the examples write (`-o NET`, `--svg`) are written in the
package root, in file order, so a later example may read them; they are removed at the end.
`--check` changes nothing and exits 1 if some output differs (wall-clock lines excepted).
"""
import argparse
import glob
import os
import re
import shlex
import subprocess
import sys

BINARY = ".build/release/spikemesh"
# Lines whose content is wall-clock time: compared and kept as they are.
WALL_CLOCK = re.compile(r"(images in [\d.]+ s|images/s\)|\d+ s left)")


def run(command):
    args = shlex.split(command)[1:]
    quiet = "--quiet" in args or "--json" in args
    proc = subprocess.run([BINARY] + args, capture_output=True, text=True)
    text = proc.stdout if quiet else proc.stderr + proc.stdout
    return [line for line in text.splitlines() if not re.search(r"\(\d+%, ", line)]


def refresh(path, check, written):
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i, changed = [], 0, []
    in_block = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_block = not in_block
            out.append(line)
            i += 1
            continue
        if not (in_block and line.startswith("$ spikemesh")):
            out.append(line)
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].startswith("$ ") and not lines[j].startswith("```"):
            j += 1
        old = lines[i + 1:j]
        out.append(line)
        if old and not any("…" in l for l in old):
            new = run(line[2:])
            for m in re.finditer(r"(?:-o|--svg|--save-network)\s+(\S+)", line):
                written.add(m.group(1))
            if len(new) == len(old):
                new = [o if WALL_CLOCK.search(o) and WALL_CLOCK.search(n) else n for o, n in zip(old, new)]
            if new != old:
                changed.append(line)
            out.extend(new)
        else:
            out.extend(old)
        i = j
    if changed and not check:
        open(path, "w", encoding="utf-8").write("\n".join(out))
    return changed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} is missing: run `swift build -c release` first")
    files = a.files or ["README.md"] + sorted(glob.glob("Docs/*.md"))
    written, differs = set(), False
    try:
        for path in files:
            for command in refresh(path, a.check, written):
                differs = True
                print(f"{path}: {'differs' if a.check else 'refreshed'}: {command}")
    finally:
        for path in written:
            if os.path.exists(path) and not path.startswith("/"):
                os.remove(path)
    sys.exit(1 if a.check and differs else 0)


if __name__ == "__main__":
    main()
