#!/usr/bin/env python3
"""Fails when an include goes against the layering core <- net <- app <- server, bench.

The build already keeps a lower library from finding a higher one's headers
(each has its own include root, lib/CMakeLists.txt); this check also covers
what the build cannot see: headers no target compiles yet, and lib/net
speaking the configuration's vocabulary (its callers translate settings into
plain options; net words its errors in its own terms).

Usage: check_layering.py <repository root>
       check_layering.py --self-test   (plants wrong includes in a scratch tree)
"""

import pathlib
import re
import sys
import tempfile

LAYERS = {"core": 0, "net": 1, "app": 2}
TOP = 3  # server/, bench/
TREES = {"lib/core": 0, "lib/net": 1, "lib/app": 2, "server": TOP, "bench": TOP}
QUOTED_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
# Settings vocabulary that must not appear in lib/net: setting keys such as
# "server.address", the configuration types, "config key".
NET_CONFIG_WORDS = re.compile(r'"[^"\n]*\bserver\.[a-zA-Z]+|\bServerConfig\b|config key|core/config/')
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc"}


def sources(root: pathlib.Path, tree: str):
    base = root / tree
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())


def violations(root: pathlib.Path):
    found, checked = [], 0
    for tree, level in TREES.items():
        for path in sources(root, tree):
            text = path.read_text(errors="replace")
            rel = path.relative_to(root)
            for include in QUOTED_INCLUDE.findall(text):
                checked += 1
                first = include.split("/", 1)[0]
                if first in LAYERS and LAYERS[first] > level:
                    found.append(f"{rel}: includes \"{include}\": {tree} may not reach up into {first}")
                elif level < TOP and first not in LAYERS:
                    # Inside lib/, every include names its layer, so the rule above sees it.
                    found.append(f"{rel}: includes \"{include}\": lib includes must start with core/, net/ or app/")
            if tree == "lib/net":
                for line_no, line in enumerate(text.splitlines(), 1):
                    if NET_CONFIG_WORDS.search(line):
                        found.append(f"{rel}:{line_no}: lib/net speaks configuration vocabulary: {line.strip()}")
    return found, checked


def self_test() -> int:
    planted = {
        "lib/core/a.hpp": '#include "net/http_server.hpp"\n',
        "lib/core/b.cpp": '#include "core/b.hpp"\n#include "app/metrics.hpp"\n',
        "lib/net/c.cpp": '#include "app/authenticator.hpp"\n',
        "lib/net/d.cpp": 'auto e = "config key server.address is bad";\n',
        "lib/app/e.cpp": '#include "server_flags.hpp"\n',
    }
    clean = {
        "lib/core/ok.cpp": '#include "core/ok.hpp"\n',
        "lib/net/ok.cpp": '#include "core/util/result.hpp"\n#include "net/ok.hpp"\n',
        "lib/app/ok.cpp": '#include "net/ok.hpp"\n#include "app/ok.hpp"\n',
        "server/ok.cpp": '#include "app/ok.hpp"\n#include "commands.hpp"\n',
    }
    with tempfile.TemporaryDirectory() as scratch:
        root = pathlib.Path(scratch)
        for name, text in clean.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        found, _ = violations(root)
        if found:
            print("self-test: a clean tree was reported:", *found, sep="\n  ")
            return 1
        for name, text in planted.items():
            (root / name).write_text(text)
        found, _ = violations(root)
        missed = [name for name in planted if not any(v.startswith(name) for v in found)]
        if missed or len(found) != len(planted):
            print("self-test: planted violations missed:", missed, "reported:", *found, sep="\n  ")
            return 1
    print(f"self-test: all {len(found)} planted violations reported, the clean tree passed")
    return 0


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    found, checked = violations(root)
    if checked < 100:
        print(f"only {checked} includes found under {root}: wrong directory?", file=sys.stderr)
        return 1
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} problem(s) with the layering core <- net <- app <- server, bench", file=sys.stderr)
        return 1
    print(f"layering holds: {checked} includes checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
