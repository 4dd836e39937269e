"""Write requirements.lock: every package `pip install -c constraints.txt -e ".[test]"` installs, with its file's SHA-256.

    python tools/lock.py            (make lock)

pip resolves the install without doing it (--dry-run --report) in a fresh
virtual environment, so the lock holds exactly the files pip would choose
here: this Python, this platform. `make install` then installs from the lock
with --require-hashes, so a file that changed on the index (or on its way)
is refused rather than installed.
"""

import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOCK = BASE_DIR / "requirements.lock"


def main():
    with tempfile.TemporaryDirectory() as scratch:
        venv = Path(scratch) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        report = Path(scratch) / "report.json"
        subprocess.run(
            [
                *pip,
                "install",
                "--quiet",
                "--dry-run",
                "--ignore-installed",
                "--report",
                str(report),
                "-c",
                str(BASE_DIR / "constraints.txt"),
                f"{BASE_DIR}[test]",
            ],
            check=True,
            cwd=BASE_DIR,
        )
        found = json.loads(report.read_text())["install"]
    python = f"{sys.implementation.name} {platform.python_version()}"
    lines = [
        "# Every package the tracker and its tests install, each with its file's SHA-256: installed by",
        "# `make install` with pip's --require-hashes. Written by tools/lock.py (`make lock`) from",
        "# constraints.txt; rerun it after changing pyproject.toml or constraints.txt.",
        f"# python: {'.'.join(platform.python_version_tuple()[:2])} ({python}, {platform.system()} {platform.machine()})",
    ]
    missing = []
    for item in sorted(found, key=lambda item: item["metadata"]["name"].lower()):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        digest = item["download_info"].get("archive_info", {}).get("hashes", {}).get("sha256")
        if item["download_info"].get("dir_info") is not None:
            continue  # the project itself, installed from this directory
        if not digest:
            missing.append(name)
            continue
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{digest}")
    if missing:
        sys.exit(f"No SHA-256 for {', '.join(missing)}: nothing written.")
    LOCK.write_text("\n".join(lines) + "\n")
    print(f"Wrote {LOCK.name}: {len(lines) - 4} packages, for Python {'.'.join(platform.python_version_tuple()[:2])}.")


if __name__ == "__main__":
    main()
