#!/usr/bin/env python3
"""Code-size limits: no Swift file over MAX_FILE lines, no function over MAX_FUNC lines.

Usage: scripts/check-code-size.py [--exclude DIR]... [--list] PATH...
Prints every file and function over its limit and exits 1 if there is any; --list prints every
function with its length (longest first) and does not fail. Functions are found by brace counting
after a `func`, `init`, `deinit` or `subscript` declaration, with strings and comments blanked out
first, so a function's length is its declaration line through its closing brace.
"""
import os
import signal
import re
import sys

MAX_FILE = 300
MAX_FUNC = 60

DECL = re.compile(r"(?:^|[\s(])(?:func\s+[^\s(<]+|init[?!]?|deinit|subscript)\s*[(<{]")


def blank_strings_and_comments(text):
    """The text with string literals, comments and regex-free noise replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"' or (c == "#" and re.match(r'#+"', text[i:])):
            j = skip_string(text, i)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def skip_string(text, i):
    """Index just past the string literal starting at i (plain, raw `#"…"#`, or multi-line `\"\"\"`)."""
    hashes = 0
    while text[i] == "#":
        hashes += 1
        i += 1
    multi = text.startswith('"""', i)
    quote = '"""' if multi else '"'
    close = quote + "#" * hashes
    i += len(quote)
    n = len(text)
    while i < n:
        if text[i] == "\\" and text.startswith("#" * hashes, i + 1):
            i += 1 + hashes
            if i < n and text[i] == "(":  # interpolation: skip to the matching paren
                depth = 0
                while i < n:
                    if text[i] == "(":
                        depth += 1
                    elif text[i] == ")":
                        depth -= 1
                        if depth == 0:
                            break
                    elif text[i] == '"':
                        i = skip_string(text, i) - 1
                    i += 1
            i += 1
            continue
        if text.startswith(close, i):
            return i + len(close)
        if not multi and text[i] == "\n":
            return i
        i += 1
    return n


def functions(text):
    """(name, first line, line count) for each function-like declaration with a body."""
    clean = blank_strings_and_comments(text)
    line_starts = [0] + [m.end() for m in re.finditer("\n", clean)]

    def line_of(pos):
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    found = []
    for m in DECL.finditer(clean):
        start = m.start() if clean[m.start()] not in " \t\n(" else m.start() + 1
        # The body's opening brace: the first `{` after the signature at paren depth 0.
        depth, i = 0, m.end() - 1
        body = -1
        while i < len(clean):
            ch = clean[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch == "{" and depth == 0:
                body = i
                break
            elif ch in ";}" and depth == 0:
                break  # a protocol requirement: no body
            elif depth == 0 and clean.startswith("func ", i):
                break
            i += 1
        if body < 0:
            continue
        depth, i = 0, body
        while i < len(clean):
            if clean[i] == "{":
                depth += 1
            elif clean[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        name = m.group(0).strip().lstrip("(").rstrip("(<{").strip()
        first, last = line_of(start), line_of(i)
        found.append((name, first, last - first + 1))
    return found


def swift_files(paths, excludes):
    for root in paths:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if os.path.normpath(os.path.join(dirpath, d)) not in excludes)
            for f in sorted(filenames):
                if f.endswith(".swift"):
                    yield os.path.join(dirpath, f)


def main(argv):
    excludes, paths, list_all = set(), [], False
    args = iter(argv)
    for a in args:
        if a == "--exclude":
            excludes.add(os.path.normpath(next(args)))
        elif a == "--list":
            list_all = True
        else:
            paths.append(a)
    problems, listing = [], []
    for path in swift_files(paths or ["Sources"], excludes):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if lines > MAX_FILE:
            problems.append(f"{path}: {lines} lines (limit {MAX_FILE}); split it by concern")
        for name, first, count in functions(text):
            listing.append((count, f"{path}:{first}: {name}"))
            if count > MAX_FUNC:
                problems.append(f"{path}:{first}: {name} is {count} lines (limit {MAX_FUNC}); split it")
    if list_all:
        for count, where in sorted(listing, reverse=True):
            print(f"{count:5d} {where}")
        return 0
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` is not an error
    sys.exit(main(sys.argv[1:]))
