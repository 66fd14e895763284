#!/usr/bin/env python3
"""What a team scripts today instead of Shotkeeper's import: the baseline of
issue 13, run by `bench_import --python` against the same simulator.

It lists every article of a Helpjuice API v3 help center (the `answer` of
each listed article carries its body), finds every <img src>, downloads each
distinct URL once and computes its SHA-256 and perceptual hash
(requests + Pillow + imagehash). No thumbnails, no database: less work than
the import does. Prints one JSON line: seconds, articles, references,
distinct images, threads.

    python3 import_baseline.py --api http://127.0.0.1:PORT/api/v3 \
        --site http://127.0.0.1:PORT --token KEY [--threads 16]
"""

import argparse
import hashlib
import io
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urljoin

import imagehash
import requests
from PIL import Image


class ImageSources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            src = dict(attrs).get("src")
            if src:
                self.sources.append(src)


def list_bodies(session, api, token):
    """Every article body, page by page (Helpjuice API v3: `meta.total_pages`)."""
    bodies, page = [], 1
    while True:
        r = session.get(
            f"{api}/articles",
            params={"page": page, "limit": 1000},
            headers={"Authorization": token},
            timeout=60,
        )
        r.raise_for_status()
        data = r.json()
        for article in data["articles"]:
            for answer in article.get("answer") or []:
                bodies.append(answer.get("body") or "")
        if page >= data.get("meta", {}).get("total_pages", page):
            return bodies
        page += 1


local = threading.local()


def analyse(url):
    session = getattr(local, "session", None)
    if session is None:
        session = local.session = requests.Session()
    r = session.get(url, timeout=60)
    r.raise_for_status()
    data = r.content
    digest = hashlib.sha256(data).hexdigest()
    phash = str(imagehash.phash(Image.open(io.BytesIO(data))))
    return url, digest, phash


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", required=True)
    p.add_argument("--site", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()

    start = time.perf_counter()
    bodies = list_bodies(requests.Session(), a.api, a.token)
    refs = []
    for body in bodies:
        parser = ImageSources()
        parser.feed(body)
        refs += [urljoin(a.site + "/", s) for s in parser.sources]
    distinct = list(dict.fromkeys(refs))
    if a.threads <= 1:
        results = [analyse(u) for u in distinct]
    else:
        with ThreadPoolExecutor(a.threads) as pool:
            results = list(pool.map(analyse, distinct))
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds,
        "articles": len(bodies),
        "references": len(refs),
        "distinct": len(results),
        "threads": a.threads,
    }))


if __name__ == "__main__":
    main()
