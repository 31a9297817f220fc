"""The reference notes' synchronous I/O program (requests.Session, one URL
after another), adapted only to read the URL list from a file and to print
one "Downloaded" line instead of one line per URL.

    io_sync.py URLS_FILE

Prints "Downloaded N in S seconds, B bytes"."""
import sys
import time

import requests


def download_site(url, session):
    with session.get(url) as response:
        return len(response.content)


def download_all_sites(sites):
    with requests.Session() as session:
        return sum(download_site(url, session) for url in sites)


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        sites = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    start_time = time.time()
    total = download_all_sites(sites)
    duration = time.time() - start_time
    print(f"Downloaded {len(sites)} in {duration} seconds, {total} bytes")
