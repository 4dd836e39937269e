"""The benchmark's own helpers (bench/): what they measure is what they say they measure.

No Django here: a tiny HTTP server on the loopback stands for the site.
"""

import http.server
import sys
import threading
import time
from pathlib import Path

import pytest

# bench/ is a folder of scripts, not a package: its modules are imported as the scripts import each other, and
# the folder leaves the path at once, so no other test can import them by mistake.
BENCH = str(Path(__file__).resolve().parent.parent / "bench")
sys.path.insert(0, BENCH)
try:
    from baselines import Stream
    from load import download, load_once, open_loop
    from writes import form_fields
finally:
    sys.path.remove(BENCH)

HEADER_PAUSE = 0.3


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path.startswith("/slow.csv"):
            # The header at once, the rows only after a pause: as a CSV that sorts every row first.
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"name,status\n", b"A,held\nB,released\n"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                time.sleep(HEADER_PAUSE)
            self.wfile.write(b"0\r\n\r\n")
            return
        body = self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def port():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_download_times_the_first_data_row_not_the_header(port, tmp_path):
    got = download(port, "/slow.csv", tmp_path / "out.csv")
    assert got.status == 200
    assert got.first_byte < HEADER_PAUSE
    assert got.first_row >= HEADER_PAUSE
    assert (tmp_path / "out.csv").read_bytes() == b"name,status\nA,held\nB,released\n"


def test_stream_counts_rows_and_finds_the_first_after_the_header():
    stream = Stream()
    stream.add(b"name,sta")
    stream.add(b"tus\n")
    assert stream.first_row is None
    stream.add(b"A,held\nB,")
    assert stream.first_row is not None
    stream.add(b"released\n")
    result = stream.result()
    assert result["rows"] == 2
    assert result["bytes"] == len(b"name,status\nA,held\nB,released\n")


def test_load_once_asks_each_url_once(port):
    urls = [f"/page/{number}" for number in range(40)]
    result = load_once(port, urls, clients=4, seconds=30)
    assert sorted(sample.url for sample in result.samples) == sorted(urls)
    assert result.errors == 0


def test_open_loop_keeps_its_rate_and_runs_its_events(port):
    ran = []
    result = open_loop(port, ["/a", "/b"], rate=40, seconds=0.5, workers=4, events=[(0.2, lambda: ran.append(1) or 7)])
    assert len(result.samples) == 20
    assert ran == [1]
    assert result.marks == [(0.2, 7)]
    # Due times are spread at 1/rate from the start, whatever the server's speed.
    starts = sorted(sample.started for sample in result.samples)
    assert starts[0] == pytest.approx(0, abs=1e-6)
    assert starts[-1] == pytest.approx(19 / 40, abs=1e-6)


def test_form_fields_submits_what_a_browser_would():
    page = b"""
    <form id="search"><input name="q" value="ignored"></form>
    <form id="event_form" method="post">
      <input type="hidden" name="csrfmiddlewaretoken" value="t0k">
      <input name="title" value="A &amp; B">
      <input type="checkbox" name="flag" checked>
      <input type="checkbox" name="off">
      <input name="locked" value="x" disabled>
      <input type="submit" name="_save" value="Save">
      <select name="kind"><option value="a">A</option><option value="b" selected>B</option></select>
      <select name="first"><option value="">---</option><option value="1">One</option></select>
      <select name="many" multiple><option value="1" selected>1</option><option value="2" selected>2</option></select>
      <textarea name="summary">
Line one</textarea>
    </form>
    <form id="other"><input name="after" value="no"></form>
    """
    fields = form_fields(page, lambda attrs: attrs.get("id") == "event_form")
    assert fields == [
        ("csrfmiddlewaretoken", "t0k"),
        ("title", "A & B"),
        ("flag", "on"),
        ("kind", "b"),
        ("first", ""),
        ("many", "1"),
        ("many", "2"),
        ("summary", "Line one"),
    ]
