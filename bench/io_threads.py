"""The reference notes' threading I/O program (ThreadPoolExecutor, one
requests.Session per thread through threading.local), adapted only to read
the URL list from a file, to take the number of workers as an argument (the
notes edit the 5 by hand for their sweep) and to print one "Downloaded" line
instead of one line per URL.

    io_threads.py URLS_FILE WORKERS

Prints "Downloaded N in S seconds, B bytes"."""
import concurrent.futures
import sys
import threading
import time

import requests

thread_local = threading.local()


def get_session():
    if not hasattr(thread_local, "session"):
        thread_local.session = requests.Session()
    return thread_local.session


def download_site(url):
    session = get_session()
    with session.get(url) as response:
        return len(response.content)


def download_all_sites(sites, workers):
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as executor:
        return sum(executor.map(download_site, sites))


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        sites = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    workers = int(sys.argv[2])
    start_time = time.time()
    total = download_all_sites(sites, workers)
    duration = time.time() - start_time
    print(f"Downloaded {len(sites)} in {duration} seconds, {total} bytes")
