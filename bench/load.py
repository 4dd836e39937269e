"""HTTP measurements against the running site, with the standard library only.

- `load`: N client threads, each with its own keep-alive connection, request
  a fixed sample of URLs for a fixed time;
- `download`: one streamed response (the full CSV), with its time to first
  byte and the server workers' memory sampled while it is served;
- `admin_login`: a session cookie for the admin, in one small function.
"""

import http.client
import http.cookies
import random
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HEADERS = {"User-Agent": "tracker-bench", "Accept": "text/html,*/*", "Accept-Encoding": "gzip"}


@dataclass
class Sample:
    url: str
    started: float
    seconds: float
    status: int
    size: int


@dataclass
class LoadResult:
    samples: list[Sample]
    wall: float
    failures: list[str] = field(default_factory=list)

    @property
    def latencies(self):
        return [sample.seconds for sample in self.samples]

    @property
    def errors(self):
        return sum(1 for sample in self.samples if sample.status != 200)

    @property
    def per_second(self):
        return len(self.samples) / self.wall if self.wall else 0.0

    def first_visits(self):
        """The latency of the first request for each URL: before any cache could hold it."""
        seen = {}
        for sample in sorted(self.samples, key=lambda sample: sample.started):
            seen.setdefault(sample.url, sample.seconds)
        return list(seen.values())

    def error_summary(self, limit=3):
        bad = {}
        for sample in self.samples:
            if sample.status != 200:
                bad.setdefault((sample.status, sample.url), 0)
                bad[(sample.status, sample.url)] += 1
        return [f"{status} ×{count} {url}" for (status, url), count in list(bad.items())[:limit]]


def percentile(values, fraction):
    """The nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def get(connection, url, headers=None):
    started = time.perf_counter()
    connection.request("GET", url, headers={**HEADERS, **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    return response, body, time.perf_counter() - started


def load(port, urls, clients=8, seconds=8.0, headers=None, seed=0):
    """Each client walks its own shuffle of `urls` over a keep-alive connection until time is up."""
    samples, failures = [], []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(number):
        order = list(urls)
        random.Random(seed * 1000 + number).shuffle(order)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        start_line.wait()
        index = 0
        while time.perf_counter() < deadline[0]:
            url = order[index % len(order)]
            index += 1
            started = time.perf_counter()
            try:
                response, body, elapsed = get(connection, url, headers)
                mine.append(Sample(url, started, elapsed, response.status, len(body)))
            except (OSError, http.client.HTTPException) as error:
                mine.append(Sample(url, started, time.perf_counter() - started, 0, 0))
                with lock:
                    failures.append(f"{url}: {error!r}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    # Requests in flight at the deadline are waited for and counted.
    return LoadResult(samples, time.perf_counter() - began, failures)


def sequential(port, urls, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    samples = []
    for url in urls:
        started = time.perf_counter()
        response, body, elapsed = get(connection, url, headers)
        samples.append(Sample(url, started, elapsed, response.status, len(body)))
    connection.close()
    return LoadResult(samples, sum(sample.seconds for sample in samples))


def rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """VmRSS of each worker every `interval` seconds; growth = peak minus the RSS before the request."""

    def __init__(self, pids, interval=0.02):
        super().__init__(daemon=True)
        self.pids = pids
        self.interval = interval
        self.before = {pid: rss_kb(pid) for pid in pids}
        self.peak = dict(self.before)
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_kb(pid))
            self.done.wait(self.interval)

    def stop(self):
        self.done.set()
        self.join()

    @property
    def growth_mb(self):
        return max((self.peak[pid] - self.before[pid]) / 1024 for pid in self.pids)

    @property
    def peak_mb(self):
        return max(self.peak.values()) / 1024


@dataclass
class Download:
    status: int
    seconds: float
    first_byte: float
    size: int
    path: Path
    complete: bool = True
    memory_growth_mb: float | None = None
    memory_peak_mb: float | None = None


def download(port, url, into, worker_pids=(), headers=None, chunk=1 << 16, limit=None):
    """Stream one response into a file; time to first byte of the body, total time, worker memory.

    After `limit` seconds the download is cut short (`complete` is then False).
    """
    sampler = MemorySampler(list(worker_pids)) if worker_pids else None
    if sampler:
        sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    size = 0
    first_byte = None
    complete = True
    started = time.perf_counter()
    try:
        connection.request("GET", url, headers={"User-Agent": "tracker-bench", **(headers or {})})
        response = connection.getresponse()
        with open(into, "wb") as out:
            while data := response.read1(chunk):
                if limit is not None and time.perf_counter() - started > limit:
                    complete = False
                    break
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                size += len(data)
                out.write(data)
        seconds = time.perf_counter() - started
    finally:
        connection.close()
        if sampler:
            sampler.stop()
    result = Download(response.status, seconds, first_byte or seconds, size, Path(into), complete)
    if sampler:
        result.memory_growth_mb = sampler.growth_mb
        result.memory_peak_mb = sampler.peak_mb
    return result


def recovery_codes(printed):
    """The recovery codes `manage.py createadmin` printed, one per indented line after their heading."""
    lines = printed.split("Recovery codes:", 1)[1].splitlines()[1:]
    codes = [line.strip() for line in lines if line.startswith("    ") and line.strip()]
    if not codes:
        raise RuntimeError("createadmin printed no recovery codes.")
    return codes


def admin_login(port, username, password, code):
    """Sign in to the admin as a browser does, password then second factor; returns the Cookie header for later requests."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    jar = http.cookies.SimpleCookie()

    def cookie_header():
        return "; ".join(f"{key}={morsel.value}" for key, morsel in jar.items())

    def submit(path, fields):
        """GET the form at `path`, POST `fields` back with its CSRF token; the response, its cookies kept."""
        response, body, _ = get(connection, path, headers={"Cookie": cookie_header()})
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if response.status != 200 or not token:
            raise RuntimeError(f"{path} answered {response.status} without a CSRF token.")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode(), **fields, "next": "/admin/"})
        headers = {
            **HEADERS,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie_header(),
            "Origin": f"http://127.0.0.1:{port}",
            "Referer": f"http://127.0.0.1:{port}{path}",
        }
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return response

    response = submit("/admin/login/?next=/admin/", {"username": username, "password": password})
    if (
        response.status != 302
        or "sessionid" not in jar
        or "/admin/second-factor/" not in response.getheader("Location", "")
    ):
        raise RuntimeError(f"The admin's password step failed: {response.status}, cookies {sorted(jar)}.")
    # The second step: a code (a recovery code: good once, as the bench signs in once).
    response = submit("/admin/second-factor/?next=/admin/", {"code": code})
    connection.close()
    if response.status != 302:
        raise RuntimeError(f"The admin's second-factor step failed: {response.status}.")
    return {"Cookie": cookie_header()}
