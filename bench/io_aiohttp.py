"""The reference notes' asyncio I/O program (one aiohttp.ClientSession, a
task per URL, all started at once), adapted only to read the URL list from a
file and to print one "Downloaded" line instead of one line per URL. As in the
notes, each task reads the response's headers (content_length), not its
body; aiohttp's default connector allows at most 100 connections at once.

    io_aiohttp.py URLS_FILE

Prints "Downloaded N sites in S seconds, B bytes" (B from Content-Length)."""
import asyncio
import sys
import time

import aiohttp


async def download_site(session, url):
    async with session.get(url) as response:
        return response.content_length


async def download_all_sites(sites):
    async with aiohttp.ClientSession() as session:
        tasks = []
        for url in sites:
            task = asyncio.ensure_future(download_site(session, url))
            tasks.append(task)
        return await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        sites = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    start_time = time.time()
    results = asyncio.run(download_all_sites(sites))
    duration = time.time() - start_time
    total = sum(r for r in results if isinstance(r, int))
    print(f"Downloaded {len(sites)} sites in {duration} seconds, {total} bytes")
