"""A small HTTP load generator, run as its own process so that it never shares an interpreter with the server.

    python bench/load.py --url http://127.0.0.1:8765/dashboard/12/ --cookie "sessionid=..." \
        --requests 200 --concurrency 2 --warmup 10

Each of ``concurrency`` threads keeps one HTTP/1.1 connection open (as a browser does) and sends requests
until ``requests`` have been answered. Prints one JSON object: the latencies' median, p95, min and max in
milliseconds, the requests per second and the seconds over the whole run, and the status codes seen; with
``--latencies``, every latency too (``bench/run.py`` pools the floor's samples taken around each page). Only the
standard library, so it needs nothing the server does not have.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


class Worker(threading.Thread):
    def __init__(self, url: urllib.parse.SplitResult, headers: dict[str, str], quota: list[int], lock: threading.Lock):
        super().__init__(daemon=True)
        if url.hostname is None:
            raise ValueError(f"not an http URL: {url.geturl()}")
        self.url, self.host = url, url.hostname
        self.headers = headers
        self.quota = quota
        self.lock = lock
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0

    def _take(self) -> bool:
        with self.lock:
            if self.quota[0] <= 0:
                return False
            self.quota[0] -= 1
            return True

    def run(self) -> None:
        target = self.url.path + (f"?{self.url.query}" if self.url.query else "")
        connection = http.client.HTTPConnection(self.host, self.url.port, timeout=60)
        while self._take():
            started = time.perf_counter()
            try:
                connection.request("GET", target, headers=self.headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                connection.close()
                connection = http.client.HTTPConnection(self.host, self.url.port, timeout=60)
                continue
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(self.host, self.url.port, timeout=60)
        connection.close()


def run(url: str, *, cookie: str, requests: int, concurrency: int, latencies: bool = False) -> dict[str, object]:
    parts = urllib.parse.urlsplit(url)
    headers = {"Host": parts.netloc, "User-Agent": "chibo-bench", "Accept-Language": "vi"}
    if cookie:
        headers["Cookie"] = cookie
    quota, lock = [requests], threading.Lock()
    workers = [Worker(parts, headers, quota, lock) for _ in range(concurrency)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    answered = [value for worker in workers for value in worker.latencies]
    statuses: dict[str, int] = {}
    for worker in workers:
        for status, count in worker.statuses.items():
            statuses[str(status)] = statuses.get(str(status), 0) + count
    if not answered:
        return {"requests": 0, "errors": sum(w.errors for w in workers), "statuses": statuses}
    result: dict[str, object] = {
        "requests": len(answered),
        "errors": sum(w.errors for w in workers),
        "statuses": statuses,
        "median_ms": round(statistics.median(answered), 2),
        "p95_ms": round(percentile(answered, 0.95), 2),
        "min_ms": round(min(answered), 2),
        "max_ms": round(max(answered), 2),
        "rps": round(len(answered) / elapsed, 1),
        "seconds": round(elapsed, 3),
    }
    if latencies:
        result["latencies_ms"] = [round(value, 3) for value in answered]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--cookie", default="")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--latencies", action="store_true", help="print every latency (ms) as latencies_ms too")
    args = parser.parse_args(argv)
    if args.warmup:
        run(args.url, cookie=args.cookie, requests=args.warmup, concurrency=args.concurrency)
    result = run(
        args.url, cookie=args.cookie, requests=args.requests, concurrency=args.concurrency, latencies=args.latencies
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
