"""The probe harness (tests/crashproof.py) turns a crash into one failed request that names its input, and goes on.

A worker of its own, started with PROBE_DRILLS=1, takes requests that break
it on purpose: a segmentation fault, an abort, an exit, an endless loop, a
slow answer, a view that raises. Each must fail with the request as it was
sent and how the process ended, and the next request must be answered by a
new worker. The session's worker refuses drills.

`CRASH_DEMO=1 .venv/bin/python -m pytest tests/test_crashproof_harness.py -k demo`
shows the failure as pytest prints it.
"""

import os

import pytest

from tests.crashproof import ProbeFailure, Prober, Request

pytest_plugins = ["tests.crashproof"]


@pytest.fixture(scope="module")
def drills(prober, tmp_path_factory):
    """A worker that understands drills, on the session worker's database (already planted)."""
    folder = tmp_path_factory.mktemp("drills")
    with Prober(prober.database, folder, env={"PROBE_DRILLS": "1"}, timed=True) as worker:
        yield worker


def crash(drills, drill, url="/prisoners/?q=S+Tsikhanouski"):
    """The failure a drill raises, and the id of the worker it broke."""
    before = drills.get("/prisoners/").pid
    with pytest.raises(ProbeFailure) as failure:
        drills.probe(Request(url, drill=drill))
    return str(failure.value), before


def test_a_segmentation_fault_fails_the_request_with_its_input_and_the_next_goes_to_a_new_worker(drills):
    message, broken = crash(drills, "segfault")
    assert message.startswith("GET /prisoners/?q=S+Tsikhanouski (drill: segfault)\n")
    assert "the worker died: killed by signal 11 (SIGSEGV)" in message
    # faulthandler's report, with the Python line that crashed.
    assert "Fatal Python error: Segmentation fault" in message
    assert "in run_drill" in message
    after = drills.get("/prisoners/", {"q": "Bialiatski"}, find=["Алесь Бяляцкі"])
    assert after.pid != broken
    assert after.status == 200 and after.found["Алесь Бяляцкі"]


def test_an_abort_and_an_exit_are_named(drills):
    message, _ = crash(drills, "abort")
    assert "killed by signal 6 (SIGABRT)" in message
    message, _ = crash(drills, "exit")
    assert "the worker died: exit code 3" in message
    assert drills.get("/").status == 200


def test_a_request_that_never_ends_is_killed_and_shows_where_it_was(drills):
    message, broken = crash(drills, "hang", url="/timeline/")
    assert message.startswith("GET /timeline/ (drill: hang)\n")
    assert "no answer within 5 s (2 s a step): killed" in message
    # The stack the worker printed when asked (SIGUSR1) before it was killed.
    assert "in run_drill" in message
    assert drills.get("/timeline/").pid != broken


def test_an_answer_after_the_limit_fails_though_the_worker_lives(drills):
    message, before = crash(drills, "slow", url="/sources/")
    assert "GET /sources/ (drill: slow)" in message
    assert "over the 2 s limit" in message
    assert drills.get("/sources/").pid == before


def test_a_500_fails_with_the_input_and_the_traceback(drills):
    message, before = crash(drills, "server-error", url="/drill/server-error/?q=%00")
    assert "GET /drill/server-error/?q=%00 (drill: server-error)\n  answered 500:" in message
    assert "RuntimeError: a drill: this view always fails" in message
    assert drills.get("/").pid == before


def test_what_the_worker_prints_is_never_read_as_an_answer(drills):
    # The drill prints a line that looks like an answer with status 999 on stdout first.
    answer = drills.probe(Request("/prisoners/", drill="noise"))
    assert answer.status == 200


def test_the_sessions_worker_refuses_drills(prober):
    before = prober.get("/").pid
    with pytest.raises(ProbeFailure, match="the worker refused the request: drills need PROBE_DRILLS=1"):
        prober.probe(Request("/", drill="segfault"))
    assert prober.get("/").pid == before


@pytest.mark.skipif(
    not os.environ.get("CRASH_DEMO"), reason="a demonstration: CRASH_DEMO=1 shows how pytest reports a crash"
)
def test_demo_a_segmentation_fault_as_pytest_reports_it(drills):
    # Fails on purpose: the output is what a crash in tests/test_hostile_input.py looks like.
    drills.probe(Request("/prisoners/?q=S+Tsikhanouski", drill="segfault"))
