#!/usr/bin/env python3
"""Finds dependency cycles between the crate's modules (docs/architecture.md, issue 16).

Every module is a node; a module depends on a sibling (a module with the same parent) when any code
in its subtree names that sibling or something inside it: `use crate::store::format::X;`,
`super::format::X`, `crate::store::Store` where store.rs says `pub use write::Store` (re-exports are
followed to where the item lives), in `use` lines and in paths inside code alike, tests included.
A module using its own parent's items, or its own children, is not an edge: that is how Rust
modules are layered. The check is then that, under each parent, the siblings form no cycle: the
same rule at every level (the crate's top-level modules, store's submodules, report's, ...).

Comments and string literals are stripped first, so doc links and messages do not count.

Usage: scripts/module-cycles.py [--edges] [--without-tests] [SRC_DIR]   (default: src)
Prints each cycle with one place in the code for each of its edges; exits 1 if there is any,
0 if none. `--edges` also prints every edge, for drawing docs/architecture.md's picture;
`--without-tests` leaves out the code compiled for tests only (`#[cfg(test)]` modules and `use`s).
"""

import os
import re
import sys
from collections import defaultdict


def strip_comments_and_strings(text):
    """The code with comments and string/char literals blanked (newlines kept, so lines still count)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 12]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c == "'":
            # A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a): only the former is skipped.
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if m:
                out.append("' '")
                i += m.end()
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def module_of(path, src):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel == ["lib"] or rel == ["main"]:
        return ()
    if rel[-1] == "mod":
        rel = rel[:-1]
    return tuple(rel)


def split_top(s):
    """Splits a use-tree list on the commas not inside braces."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def expand_tree(tree, prefix=()):
    """`a::{b, c::{d as e}, self}` -> [(['a','b'], 'b'), (['a','c','d'], 'e'), (['a'], 'a')]."""
    tree = " ".join(tree.split())
    i = tree.find("{")
    if i < 0:
        alias = None
        m = re.match(r"(.*?)\s+as\s+(\w+)$", tree)
        if m:
            tree, alias = m.group(1), m.group(2)
        segs = [s for s in tree.replace(" ", "").split("::") if s]
        full = list(prefix) + segs
        if segs == ["self"]:
            full = list(prefix)
        return [(full, alias or (full[-1] if full else None))]
    head = [s for s in tree[:i].replace(" ", "").split("::") if s]
    inner = tree[i + 1:tree.rfind("}")]
    out = []
    for part in split_top(inner):
        out.extend(expand_tree(part, tuple(prefix) + tuple(head)))
    return out


def absolute(segs, here):
    """Resolves crate::/super::/self:: against the module `here`; None for other crates."""
    if not segs:
        return None
    if segs[0] == "crate":
        return tuple(segs[1:])
    cur = list(here)
    k = 0
    if segs[0] == "self":
        k = 1
    else:
        while k < len(segs) and segs[k] == "super":
            cur = cur[:-1]
            k += 1
        if k == 0:
            return None
    return tuple(cur) + tuple(segs[k:])


def scan(src, with_tests=True):
    modules = set()
    test_only = set()
    files = []
    for root, _, names in os.walk(src):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(root, name)
                files.append(path)
                mod = module_of(path, src)
                for k in range(len(mod) + 1):
                    modules.add(mod[:k])
    reexports = {}  # (module, name) -> absolute path
    refs = []  # (source module, absolute path, file, line)
    for path in sorted(files):
        with open(path, encoding="utf-8") as f:
            code = strip_comments_and_strings(f.read())
        filemod = module_of(path, src)
        # Inline modules (`mod tests { ... }`): the module each offset is in.
        spans = []
        for m in re.finditer(r"\bmod\s+(\w+)\s*\{", code):
            depth, j = 1, m.end()
            while j < len(code) and depth:
                depth += {"{": 1, "}": -1}.get(code[j], 0)
                j += 1
            spans.append((m.start(), j, m.group(1)))
            modules.add(filemod + (m.group(1),))
        # `#[cfg(test)] mod x;` or `{`: a module compiled for the tests only.
        for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(\w+)", code):
            test_only.add(filemod + (m.group(1),))
        cfg_test_uses = {m.end() for m in re.finditer(r"#\[cfg\(test\)\]\s*", code)}

        def here(offset):
            mod = filemod
            for start, end, name in spans:
                if start <= offset < end:
                    mod = mod + (name,)
            return mod

        def line_of(offset):
            return code.count("\n", 0, offset) + 1

        used = []
        for m in re.finditer(r"\b(pub(\s*\([^)]*\))?\s+)?use\s+([^;]+);", code):
            where = here(m.start())
            if m.start() in cfg_test_uses:
                where = where + ("#[cfg(test)]",)
            for segs, alias in expand_tree(m.group(3)):
                target = absolute(segs, where)
                if target is None:
                    continue
                refs.append((where, target, path, line_of(m.start())))
                if m.group(1) and alias and alias != "*":
                    reexports[(where, alias)] = target
            used.append((m.start(), m.end()))
        for m in re.finditer(r"\b(?:crate|super|self)(?:::\w+)+", code):
            if any(a <= m.start() < b for a, b in used):
                continue
            if m.start() and code[m.start() - 1] == ":":
                continue
            where = here(m.start())
            target = absolute(m.group(0).split("::"), where)
            if target is not None:
                refs.append((where, target, path, line_of(m.start())))
    if not with_tests:
        def in_tests(mod):
            return "#[cfg(test)]" in mod or any(mod[:k] in test_only for k in range(len(mod) + 1))

        refs = [r for r in refs if not in_tests(r[0])]
        modules = {m for m in modules if not in_tests(m)}
    refs = [(tuple(s for s in r[0] if s != "#[cfg(test)]"),) + r[1:] for r in refs]
    return modules, reexports, refs


def resolve(target, modules, reexports, depth=0):
    """The module that `target` (a path to a module or an item) lives in, following re-exports."""
    for k in range(len(target), -1, -1):
        if target[:k] in modules:
            mod = target[:k]
            if k < len(target) and (mod, target[k]) in reexports and depth < 20:
                return resolve(reexports[(mod, target[k])] + target[k + 1:], modules, reexports, depth + 1)
            return mod
    return ()


def edges_of(modules, reexports, refs):
    edges = defaultdict(list)  # (parent, from child, to child) -> [(file, line)]
    for source, target, path, line in refs:
        dest = resolve(target, modules, reexports)
        c = 0
        while c < min(len(source), len(dest)) and source[c] == dest[c]:
            c += 1
        if c == len(source) or c == len(dest):
            continue  # a module using its own subtree, or its ancestors' own items
        edges[(source[:c], source[c], dest[c])].append((path, line))
    return edges


def cycles(edges):
    by_parent = defaultdict(lambda: defaultdict(set))
    for parent, a, b in edges:
        by_parent[parent][a].add(b)
    found = []
    for parent, graph in sorted(by_parent.items()):
        index, low, stack, on, comps = {}, {}, [], set(), []
        counter = [0]

        def strong(v):
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on.add(v)
            for w in sorted(graph.get(v, ())):
                if w not in index:
                    strong(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))

        for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
            if v not in index:
                strong(v)
        for comp in comps:
            found.append((parent, comp))
    return found


def name(parent, child):
    return "::".join(parent + (child,))


def main(argv):
    show_edges = "--edges" in argv
    with_tests = "--without-tests" not in argv
    args = [a for a in argv if not a.startswith("--")]
    src = args[0] if args else "src"
    modules, reexports, refs = scan(src, with_tests)
    edges = edges_of(modules, reexports, refs)
    if show_edges:
        for (parent, a, b), places in sorted(edges.items()):
            print(f"{name(parent, a)} -> {name(parent, b)}  ({len(places)} references, e.g. {places[0][0]}:{places[0][1]})")
    found = cycles(edges)
    for parent, comp in found:
        print(f"cycle under {'::'.join(parent) or 'crate'}: {', '.join(comp)}")
        for a in comp:
            for b in comp:
                places = edges.get((parent, a, b))
                if places:
                    path, line = places[0]
                    more = f" (+{len(places) - 1} more)" if len(places) > 1 else ""
                    print(f"  {name(parent, a)} -> {name(parent, b)}: {path}:{line}{more}")
    if found:
        print(f"{len(found)} cycle(s) between modules")
        return 1
    print(f"no cycle between modules ({len(modules)} modules, {len(edges)} sibling edges)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
