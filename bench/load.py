"""HTTP measurements against the running site, with the standard library only.

- `load`: N client threads, each with its own keep-alive connection, request
  a fixed sample of URLs for a fixed time;
- `download`: one streamed response (the full CSV), with its time to first
  byte and the server workers' memory sampled while it is served;
- `admin_login`: a session cookie for the admin, in one small function.
"""

import http.client
import http.cookies
import multiprocessing
import queue
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
    first_row: float | None = None
    memory_growth_mb: float | None = None
    memory_peak_mb: float | None = None


def download(port, url, into, worker_pids=(), headers=None, chunk=1 << 16, limit=None):
    """Stream one response into a file; time to first byte of the body and to its first data row, total time, worker memory.

    The first data row is the first byte after the first line (a CSV's header):
    a header sent at once says nothing about when the rows come.

    After `limit` seconds the download is cut short (`complete` is then False).
    """
    sampler = MemorySampler(list(worker_pids)) if worker_pids else None
    if sampler:
        sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    size = 0
    first_byte = first_row = None
    complete = True
    started = time.perf_counter()
    try:
        connection.request("GET", url, headers={"User-Agent": "tracker-bench", **(headers or {})})
        response = connection.getresponse()
        header_end = None  # where the header line ends: the first data row is the byte after it
        with open(into, "wb") as out:
            while data := response.read1(chunk):
                now = time.perf_counter() - started
                if limit is not None and now > limit:
                    complete = False
                    break
                if first_byte is None:
                    first_byte = now
                if header_end is None and b"\n" in data:
                    header_end = size + data.index(b"\n") + 1
                size += len(data)
                if first_row is None and header_end is not None and size > header_end:
                    first_row = now
                out.write(data)
        seconds = time.perf_counter() - started
    finally:
        connection.close()
        if sampler:
            sampler.stop()
    result = Download(response.status, seconds, first_byte or seconds, size, Path(into), complete, first_row)
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
        # Uncompressed: the CSRF token is read from the HTML.
        response, body, _ = get(connection, path, headers={"Cookie": cookie_header(), "Accept-Encoding": "identity"})
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


def load_once(port, urls, clients=8, seconds=8.0, headers=None, stop=None):
    """Each URL requested at most once, by whichever client is free: pages no request has asked for before.

    The clients share one queue of `urls`, in order; they stop when time is up
    or the queue is empty, whichever comes first (`wall` is then the time the
    last request ended). Setting the event `stop` ends it early too.
    """
    queue = list(reversed(urls))
    samples, failures = [], []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        start_line.wait()
        while time.perf_counter() < deadline[0] and not (stop is not None and stop.is_set()):
            with lock:
                if not queue:
                    break
                url = queue.pop()
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

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    return LoadResult(samples, time.perf_counter() - began, failures)


def burst(port, urls, headers=None):
    """All `urls` at once, one client each: the first requests of these pages, side by side."""
    samples, failures = [], []
    lock = threading.Lock()
    start_line = threading.Barrier(len(urls) + 1)

    def client(url):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start_line.wait()
        started = time.perf_counter()
        try:
            response, body, elapsed = get(connection, url, headers)
            sample = Sample(url, started, elapsed, response.status, len(body))
        except (OSError, http.client.HTTPException) as error:
            sample = Sample(url, started, time.perf_counter() - started, 0, 0)
            with lock:
                failures.append(f"{url}: {error!r}")
        finally:
            connection.close()
        with lock:
            samples.append(sample)

    threads = [threading.Thread(target=client, args=(url,), daemon=True) for url in urls]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return LoadResult(samples, time.perf_counter() - began, failures)


def open_loop(port, urls, rate, seconds, workers=64, headers=None, seed=0, events=()):
    """Readers arriving at a fixed rate whatever the site's speed (an open loop), over `urls` at random.

    Each request's latency runs from the moment it was due, not from when a
    worker picked it up, so a slow site cannot hide its queue (no coordinated
    omission). `events` are (at_seconds, callable) run in their own thread at
    that time (a publish); their return values are kept in `LoadResult.marks`
    as (at_seconds, value).
    """
    import queue as queues

    rng = random.Random(seed)
    due = queues.Queue()
    samples, failures, marks = [], [], []
    lock = threading.Lock()
    began = time.perf_counter()

    def worker():
        while (item := due.get()) is not None:
            at, url = item
            wait = at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            # Each reader comes with a connection of their own (the server closes idle keep-alive ones).
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            try:
                response, body, _ = get(connection, url, headers)
                sample = Sample(url, at, time.perf_counter() - at, response.status, len(body))
            except (OSError, http.client.HTTPException) as error:
                sample = Sample(url, at, time.perf_counter() - at, 0, 0)
                with lock:
                    failures.append(f"{url}: {error!r}")
            finally:
                connection.close()
            with lock:
                samples.append(sample)

    def timed(at, action):
        delay = began + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        try:
            value = action()
        except Exception as error:  # reported, never fatal to the load
            value = f"failed: {error}"
        with lock:
            marks.append((at, value))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    side = [threading.Thread(target=timed, args=(at, action), daemon=True) for at, action in events]
    for thread in threads + side:
        thread.start()
    count = int(rate * seconds)
    for index in range(count):
        at = began + index / rate
        # Enqueued a little ahead of time, so a worker is waiting for it when it is due.
        ahead = at - 0.05 - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)
        due.put((at, rng.choice(urls)))
    for _ in threads:
        due.put(None)
    for thread in threads + side:
        thread.join()
    result = LoadResult(samples, time.perf_counter() - began, failures)
    result.marks = sorted(marks, key=lambda mark: mark[0])
    for sample in samples:
        sample.started -= began
    return result


def page_bytes(port, url):
    """The body's size as sent without compression, and as sent to a client that accepts gzip (and whether it was)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        plain_headers = {key: value for key, value in HEADERS.items() if key != "Accept-Encoding"}
        connection.request("GET", url, headers=plain_headers)
        response = connection.getresponse()
        plain = response.read()
        status = response.status
        connection.request("GET", url, headers=HEADERS)
        response = connection.getresponse()
        sent = response.read()
        encoding = response.getheader("Content-Encoding", "") or ""
    finally:
        connection.close()
    return {"status": status, "raw": len(plain), "sent": len(sent), "encoding": encoding}


class Downloads:
    """`count` clients each downloading `url` again and again, until stopped: full downloads running the whole time.

    The clients run in a process of their own, as downloaders on other machines would: in the process
    that times the pages, their reading loops would hold its interpreter lock and show as the pages'
    latency, which is the benchmark's cost rather than the site's.
    """

    def __init__(self, port, url, count=4, chunk=1 << 16):
        self.port, self.url, self.count, self.chunk = port, url, count, chunk
        context = multiprocessing.get_context("spawn")
        self.stopping = context.Event()
        self.results = context.Queue()
        self.process = context.Process(
            target=_download_clients, args=(port, url, count, chunk, self.stopping, self.results), daemon=True
        )
        self.completed = 0
        self.bytes = 0
        self.statuses = {}
        self.failures = []

    def __enter__(self):
        self.process.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        try:
            self.completed, self.bytes, self.statuses, self.failures = self.results.get(timeout=60)
        except queue.Empty:
            self.failures = ["the download clients' process did not report within 60 s"]
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()


def _download_clients(port, url, count, chunk, stopping, results):
    """Downloads' clients (threads of this process) until `stopping`; then (completed, statuses, failures) to `results`."""
    lock = threading.Lock()
    tally = {"completed": 0, "bytes": 0, "statuses": {}, "failures": []}

    def client():
        while not stopping.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            try:
                connection.request("GET", url, headers={"User-Agent": "tracker-bench"})
                response = connection.getresponse()
                while data := response.read1(chunk):
                    with lock:
                        tally["bytes"] += len(data)
                    if stopping.is_set():
                        break
                else:
                    with lock:
                        tally["completed"] += 1
                with lock:
                    tally["statuses"][response.status] = tally["statuses"].get(response.status, 0) + 1
                if response.status != 200:
                    # Refused (a 503 beyond the cap): wait as Retry-After says, at most a second.
                    retry = response.getheader("Retry-After", "1")
                    stopping.wait(min(float(retry) if retry.isdigit() else 1.0, 1.0))
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    tally["failures"].append(repr(error))
                stopping.wait(0.2)
            finally:
                connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    stopping.wait()
    for thread in threads:
        thread.join(timeout=30)
    results.put((tally["completed"], tally["bytes"], tally["statuses"], tally["failures"][:3]))
