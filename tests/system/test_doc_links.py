#!/usr/bin/env python3
"""Every link in the project's pages (docs/, the README, the labs' READMEs) leads to a file of the project,
and a link with '#' to a heading of its page, as GitHub makes anchors. Links into code blocks do not count;
links to other sites are not followed."""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done  # noqa: E402


def prose(path):
    text = open(path, encoding="utf-8").read()
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def anchors(path):
    slugs = set()
    for heading in re.findall(r"^#+ (.*)$", prose(path), re.M):
        slugs.add(re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-"))
    return slugs


pages = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
pages += [os.path.join(ROOT, "README.md")]
pages += sorted(glob.glob(os.path.join(ROOT, "scenarios", "labs", "*", "README.md")))
check(len(pages) >= 15, f"the pages are found ({len(pages)})")
links = 0
for page in pages:
    name = os.path.relpath(page, ROOT)
    for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]+))?\)", prose(page)):
        if re.match(r"[a-z]+:", target):
            continue  # another site
        links += 1
        path = os.path.normpath(os.path.join(os.path.dirname(page), target)) if target else page
        ok = os.path.exists(path)
        check(ok, f"{name}: the link to '{target}' leads to a file")
        if ok and anchor:
            check(path.endswith(".md") and anchor in anchors(path),
                  f"{name}: {os.path.relpath(path, ROOT)} has the heading #{anchor}")
check(links > 100, f"the pages' links are read ({links})")
done()
