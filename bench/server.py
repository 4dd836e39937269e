"""The site as production runs it: gunicorn, DEBUG off, two workers, on a free local port."""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
# gthread workers keep the benchmark's keep-alive connections open; the sync
# worker would close every connection after one response.
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
# A full CSV of 200,000 people may take longer than gunicorn's default 30 s.
TIMEOUT = 300
# The editors' server: one worker, run ahead of the readers' (deploy/tracker-editors.service: CPUWeight).
EDITOR_WORKERS = 1
EDITOR_NICE = -10


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_environment(database_url, secret_key):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secret_key,
        # Plain HTTP on the loopback: no redirect to HTTPS.
        SECURE_SSL_REDIRECT="false",
        # testserver: the query counter's test Client.
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env, *args, log=None):
    """Run a management command; its output goes to the log, and to the screen when it fails."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    if log is not None:
        log.write(f"$ manage.py {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        log.flush()
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return result.stdout


class Server:
    """gunicorn serving the site: the readers' server, or (`editors`) the editors' own, as deploy/ runs them.

    The editors' server (deploy/tracker-editors.service) answers /admin/ alone, with one worker, and the
    system runs it ahead of the readers' (a lower nice value here, a larger CPUWeight under systemd): a
    burst of readers never holds an editor's save in their queue.
    """

    def __init__(self, env, log_path, editors=False):
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.process = None
        self.editors = editors
        self.workers = EDITOR_WORKERS if editors else WORKERS

    def start(self, wait=60):
        log = open(self.log_path, "ab")
        command = ["nice", "-n", str(EDITOR_NICE)] if self.editors else []
        self.process = subprocess.Popen(
            [
                *command,
                sys.executable,
                "-m",
                "gunicorn",
                "tracker.wsgi",
                "--workers",
                str(self.workers),
                "--threads",
                str(THREADS),
                "--timeout",
                str(TIMEOUT),
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=log,
            # Its own process group: stopped as one, never by name.
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/favicon.ico")
                connection.getresponse().read()
                connection.close()
                if len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {wait} s:\n{self.log_tail()}")

    def worker_pids(self):
        """The worker processes: the master's children, read from /proc."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses: the fields after the last ")".
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def log_tail(self, lines=30):
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Proxy:
    """nginx in front of the application servers, as deploy/nginx.conf, in the foreground of its own group."""

    def __init__(self, work, upstreams, locations=""):
        self.folder = work / "nginx"
        self.port = free_port()
        self.upstreams = upstreams
        self.locations = locations
        self.process = None

    def start(self):
        (self.folder / "logs").mkdir(parents=True, exist_ok=True)
        for temp in ("client_body", "proxy"):
            (self.folder / temp).mkdir(exist_ok=True)
            shutil.chown(self.folder / temp, "nobody")
        servers = "".join(f"        server 127.0.0.1:{port} max_fails=2 fail_timeout=5s;\n" for port in self.upstreams)
        template = (BASE_DIR / "deploy" / "nginx-drill.conf.template").read_text()
        config = template.replace("{PORT}", str(self.port)).replace("{SERVERS}", servers.rstrip("\n"))
        config = config.replace("{LOCATIONS}", self.locations)
        config = config.replace("{FOLDER}", str(self.folder)).replace(
            "{PROXY_CONF}", str(BASE_DIR / "deploy" / "proxy.conf")
        )
        (self.folder / "nginx.conf").write_text(config)
        log = open(self.folder / "logs" / "stderr.log", "ab")
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.folder / 'logs' / 'stderr.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not listen within 20 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
