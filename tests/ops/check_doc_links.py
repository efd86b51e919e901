#!/usr/bin/python3
"""check_doc_links.py SRC_DIR

Every relative Markdown link in README.md and docs/*.md names a file of the repository, and
its #anchor (if any) a heading of that file (GitHub's anchors: lower case, punctuation dropped,
spaces to hyphens). Backquoted paths of the form `docs/NAME.md` must exist too. The README stays
a short entry point: at most 200 lines. Exits 1 with one line per problem.
"""
import os
import re
import sys


def anchors(path):
    out = set()
    in_code = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("```"):
                in_code = not in_code
            if in_code:
                continue
            m = re.match(r"#{1,6}\s+(.*?)\s*$", line)
            if m:
                slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
                out.add(slug)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src = sys.argv[1]
    docs = [os.path.join(src, "README.md")] + sorted(
        os.path.join(src, "docs", n) for n in os.listdir(os.path.join(src, "docs")) if n.endswith(".md"))
    problems = []
    for doc in docs:
        text = open(doc, encoding="utf-8").read()
        text_no_code = re.sub(r"```.*?```", "", text, flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text_no_code):
            if re.match(r"[a-z]+:", target):
                continue  # http:, https:, file:, mailto:
            path, _, anchor = target.partition("#")
            full = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
            if not os.path.exists(full):
                problems.append(f"{os.path.relpath(doc, src)}: link to missing {target}")
            elif anchor and full.endswith(".md") and anchor not in anchors(full):
                problems.append(f"{os.path.relpath(doc, src)}: no heading for #{anchor} in {os.path.relpath(full, src)}")
        for path in re.findall(r"`(docs/[\w.-]+\.md)", text):
            if not os.path.exists(os.path.join(src, path)):
                problems.append(f"{os.path.relpath(doc, src)}: names missing {path}")
    lines = open(os.path.join(src, "README.md"), encoding="utf-8").read().count("\n")
    if lines > 200:
        problems.append(f"README.md: {lines} lines; keep it to what a newcomer needs first (<= 200) and move the rest to docs/")
    print("\n".join("FAIL: " + p for p in problems) if problems
          else f"OK: links of {len(docs)} documents resolve; README.md {lines} lines")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
