#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks for tests/integration/test_html.sh (python3 standard library only).

  html_check.py dom RAW.html DOM.html REPORT.json   the page as Chromium left it
  html_check.py net NETLOG.json [MIN]               requests made for the page
  html_check.py png FILE.png WIDTH light|dark       size and background

Prints one "ok - ..." or "FAIL - ..." line per check; exits 1 on a failure.
"""
import base64
import hashlib
import html.parser
import json
import re
import struct
import sys
import zlib

fails = 0


def check(cond, what):
    global fails
    print(("ok - " if cond else "FAIL - ") + what)
    if not cond:
        fails += 1


class Dom(html.parser.HTMLParser):
    """Elements with their attributes, and the text of each VM row's cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []   # (tag, attrs dict)
        self.rows = []       # attrs of <tr data-vm>
        self.names = []      # text of <td class="name">
        self.counts = {}     # data-count -> text
        self.title = ""
        self._text = None    # collecting into (kind, key)
        self._buf = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag == "tr" and "data-vm" in a:
            self.rows.append(a)
        if tag == "td" and a.get("class") == "name":
            self._text, self._buf = ("name", None), []
        if tag == "td" and "data-count" in a:
            self._text, self._buf = ("count", a["data-count"]), []
        if tag == "title":
            self._text, self._buf = ("title", None), []

    def handle_endtag(self, tag):
        if self._text and tag in ("td", "title"):
            kind, key = self._text
            text = "".join(self._buf)
            if kind == "name":
                self.names.append(text)
            elif kind == "count":
                self.counts[key] = text
            else:
                self.title = text
            self._text = None

    def handle_data(self, data):
        if self._text:
            self._buf.append(data)


def parse(path):
    d = Dom()
    with open(path, encoding="utf-8") as f:
        d.feed(f.read())
    d.close()
    return d


def dom(raw_path, dom_path, report_path):
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    with open(raw_path, encoding="utf-8") as f:
        raw_text = f.read()
    raw, page = parse(raw_path), parse(dom_path)
    vms = report["vms"]

    # One row per VM of the JSON report, with its status and level.
    check(len(page.rows) == len(vms), "%d VM rows for %d VMs in the JSON report"
          % (len(page.rows), len(vms)))
    want = sorted((v["name"], v["status"]) for v in vms)
    got = sorted((r.get("data-vm"), r.get("data-status")) for r in page.rows)
    check(got == want, "data-vm and data-status match the JSON report")
    if all("consistency" in v for v in vms):
        want = sorted((v["name"], (v["consistency"] or {}).get("expected") or "") for v in vms)
        got = sorted((r.get("data-vm"), r.get("data-consistency")) for r in page.rows)
        check(got == want, "data-consistency matches the JSON report")
    check(sorted(page.names) == sorted(v["name"] for v in vms),
          "every VM name shows as text, unchanged")
    order = [r.get("data-status", "") for r in page.rows]
    rank = {"unknown": 0, "error": 1, "warning": 2, "ok": 3, "skipped": 4}
    check(order == sorted(order, key=lambda s: rank.get(s, 9)), "failing VMs first")

    # The summary counts.
    s = report["summary"]
    for k in ("ok", "warning", "error", "unknown", "skipped"):
        check(page.counts.get(k) == str(s[k]), "summary %s: %s (JSON %d)"
              % (k, page.counts.get(k), s[k]))
    levels = ("application", "filesystem", "crash", "none", "unset")
    total = sum(int(page.counts.get(k, "0")) for k in levels)
    check(total == len(vms), "consistency counts add up to %d VMs" % total)

    # No script but ours ran, and none was added.
    scripts = [a for t, a in page.elements if t == "script"]
    check(len(scripts) == 1, "%d script element(s) in the DOM" % len(scripts))
    handlers = [(t, k) for t, a in page.elements for k in a if k.lower().startswith("on")]
    check(not handlers, "no element has an event handler attribute %s" % handlers[:3])
    check(not [t for t, a in page.elements if t in ("img", "iframe", "object", "embed", "link")],
          "no img, iframe, object, embed or link element")
    body = [a for t, a in page.elements if t == "body"][0]
    check("data-pwned" not in body, "body not marked by a VM name's script")
    check(page.title == raw.title and page.title.startswith("vmsnapcheck: "),
          "document.title unchanged: %r" % page.title)
    # Ours did run: the policy's hash is that of the script as written.
    root = [a for t, a in page.elements if t == "html"][0]
    check(root.get("data-js") == "on", "the page's own script ran (its CSP hash is right)")
    m = re.search(r"<script>(.*?)</script>", raw_text, re.S)
    digest = base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()
    check("'sha256-%s'" % digest in raw_text, "Content-Security-Policy hash is the script's")


# URL_REQUEST_START_JOB of a request made for a page loaded from file://:
# its network isolation key names the file:// top frame, or its initiator is
# the page's opaque origin ("null").  Chromium's own background requests
# (component updater, ...) have neither and do not count.
def page_requests(path):
    with open(path, encoding="utf-8") as f:
        log = json.load(f)
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = []
    for e in log["events"]:
        p = e.get("params") or {}
        if types.get(e["type"]) != "URL_REQUEST_START_JOB" or "url" not in p:
            continue
        nik = p.get("network_isolation_key", "")
        init = p.get("initiator", "")
        if "file://" in nik or init == "null" or init.startswith("file:"):
            urls.append(p["url"])
    return urls


def net(path, minimum):
    urls = page_requests(path)
    if minimum:
        # the control page: proves the method sees requests at all
        check(len(urls) >= minimum, "control page: %d of its %d requests seen in the net log: %s"
              % (len(urls), minimum, urls))
    else:
        check(not urls, "the page made no network request %s" % urls[:5])


def png(path, width, mode):
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "%s is a PNG" % path)
    w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
    check(w == width, "screenshot %d px wide" % w)
    # first pixel of the first row: no filter can change it (no left/upper
    # neighbour), so it is the raw background colour
    idat, pos = b"", 8
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    row = zlib.decompressobj().decompress(idat, 8)
    r, g, b = row[1], row[2], row[3]
    light = (r + g + b) / 3 > 128
    check(depth == 8 and ctype in (2, 6) and light == (mode == "light"),
          "%s screenshot background rgb(%d,%d,%d)" % (mode, r, g, b))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "dom":
        dom(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "net":
        net(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    elif cmd == "png":
        png(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    sys.exit(1 if fails else 0)
