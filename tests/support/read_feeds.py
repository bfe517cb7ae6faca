#!/usr/bin/env python3
"""Reads a gazette feed the way any feed reader would, with Debian's feedparser (which none
of us wrote) for Atom and plain JSON for JSON Feed 1.1: from the subscription document back
through every archive page. Prints one JSON object summarising what it found, for the test
to judge.

usage: read_feeds.py ATOM_URL JSON_URL
"""
import json
import sys
import urllib.request

import feedparser

atom_url, json_url = sys.argv[1], sys.argv[2]
report = {"atom_pages": [], "json_pages": [], "problems": []}


def problem(text):
    report["problems"].append(text)


def rel(links, name):
    return [l["href"] for l in links if l.get("rel") == name]


url, seen = atom_url, set()
while url and url not in seen:
    seen.add(url)
    d = feedparser.parse(url)
    if d.bozo:
        problem("%s: not well-formed: %s" % (url, d.bozo_exception))
    if d.get("status") != 200:
        problem("%s: HTTP %s" % (url, d.get("status")))
    page = {"url": url, "entries": [], "self": rel(d.feed.get("links", []), "self"),
            "hub": rel(d.feed.get("links", []), "hub"), "current": rel(d.feed.get("links", []), "current"),
            "next_archive": rel(d.feed.get("links", []), "next-archive"), "archive": "fh_archive" in d.feed or
            any(k.endswith("archive") and k != "links" for k in d.feed.keys())}
    for f in ("id", "title", "updated"):
        if not d.feed.get(f):
            problem("%s: feed has no %s" % (url, f))
    for e in d.entries:
        for f in ("id", "title", "updated"):
            if not e.get(f):
                problem("%s: an entry has no %s" % (url, f))
        if not e.get("author"):
            problem("%s: entry %s has no author" % (url, e.get("id")))
        if not rel(e.get("links", []), "alternate"):
            problem("%s: entry %s has no alternate link" % (url, e.get("id")))
        page["entries"].append({"id": e.get("id"), "title": e.get("title"), "summary": e.get("summary"),
                                "category": e.get("tags", [{}])[0].get("term"),
                                "enclosures": len(e.get("enclosures", [])),
                                "describedby": rel(e.get("links", []), "describedby"),
                                "related": rel(e.get("links", []), "related")})
    report["atom_pages"].append(page)
    prev = rel(d.feed.get("links", []), "prev-archive")
    url = prev[0] if prev else None

url, seen = json_url, set()
while url and url not in seen:
    seen.add(url)
    with urllib.request.urlopen(url) as r:
        content_type = r.headers.get("Content-Type")
        doc = json.load(r)
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        problem("%s: version %r" % (url, doc.get("version")))
    if not content_type.startswith("application/feed+json"):
        problem("%s: Content-Type %s" % (url, content_type))
    for item in doc.get("items", []):
        if not item.get("id") or not (item.get("content_text") or item.get("content_html")):
            problem("%s: item without id or content" % url)
    report["json_pages"].append({"url": url, "ids": [i["id"] for i in doc.get("items", [])],
                                 "hubs": doc.get("hubs", []),
                                 "extensions": [i.get("_gazette", {}) for i in doc.get("items", [])]})
    url = doc.get("next_url")

print(json.dumps(report))
