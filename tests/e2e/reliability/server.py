"""The real EDC server for the reliability harnesses: a prepared database, gunicorn on 127.0.0.1, log-ins.

Used by the end-to-end tests here and by ``bench/crash.py`` and ``bench/bench_load.py``. The database (a SQLite
file in a temporary folder, or a fresh PostgreSQL database) is migrated and seeded in a child process through the
services: one user per role (password :data:`PASSWORD`), an allocation list, and ``participants`` randomised
participants per site, so the clients have something to enter eCRFs for.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PASSWORD = "reliability pass 2015"
PG_BASE = os.environ.get("MESCAMS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
ROLE_USERS = {"site_coordinator": "coord", "investigator": "inv", "edss_rater": "rater", "mri_reader": "mri",
              "cell_lab": "lab", "unblinded_statistician": "statistician", "data_manager": "dm", "dsmb": "dsmb",
              "administrator": "admin"}
SEED = """
import json, sys
from mescams.edc.settings import configure
configure()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from mescams.edc.accounts.services import create_user
from mescams.edc.crfs.services import save_form
from mescams.edc.randomisation.services import generate_list
from mescams.edc.trial.sites import sync_sites
from tests.factories.edc import RANDOMISATION, randomised
roles, password, per_site, extra = json.loads(sys.argv[1])
sync_sites()
users = {name: create_user(username=name, password=password, role=role,
                           site_codes=["OTT", "WPG"] if role in ("site_coordinator", "investigator", "edss_rater")
                           else []) for role, name in roles.items()}
for i in range(extra):
    create_user(username=f"coord{i}", password=password, role="site_coordinator", site_codes=["OTT", "WPG"])
generate_list(actor=users["statistician"], seed="c0" * 32, slots_per_site=per_site + 4)
pids = []
for site in ("OTT", "WPG"):
    for _ in range(per_site):
        pid = randomised(users["coord"], site=site)
        save_form(user=users["coord"], participant_id=pid, form="demographics",
                  values={"sex": "F", "birth_date": RANDOMISATION.replace(year=1981), "ms_course": "RRMS",
                          "race": "WHITE", "ethnicity": "NOT HISPANIC OR LATINO",
                          "ms_onset_date": RANDOMISATION.replace(year=2005)})
        pids.append(pid)
print(json.dumps(pids))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_env(engine: str, workdir: Path, name: str = "") -> dict[str, str]:
    """Environment of a fresh database: a SQLite file under ``workdir``, or a new PostgreSQL database ``name``
    (by default one per test process, so parallel runs never share it)."""
    name = name or f"mescams_reliability_{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESCAMS_")}
    env.update({"MESCAMS_DATA_DIR": str(workdir / "data"), "MESCAMS_SECRET_KEY": "reliability-" + "k" * 40,
                "MESCAMS_INSECURE_HTTP": "1", "MESCAMS_LOG_LEVEL": "ERROR", "PYTHONPATH": str(REPO),
                "MESCAMS_LOGIN_RATE": "100000/60"})
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        env["MESCAMS_DATABASE_URL"] = f"{PG_BASE}/{name}"
    return env


def prepare(env: dict[str, str], *, per_site: int = 2, extra_coordinators: int = 0) -> list[str]:
    """Migrate and seed the database of ``env``; returns the randomised participants' IDs."""
    args = json.dumps([ROLE_USERS, PASSWORD, per_site, extra_coordinators])
    done = subprocess.run([sys.executable, "-c", SEED, args], env=env, cwd=REPO, capture_output=True, text=True,  # noqa: S603
                          timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed: {done.stderr[-3000:]}")
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass
class Server:
    env: dict[str, str]
    workers: int = 2
    threads: int = 8
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> None:  # generous: a loaded CI machine starts gunicorn slowly
        import httpx

        cmd = [sys.executable, "-c", "from mescams.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--workers", str(self.workers), "--threads", str(self.threads)]
        self.process = subprocess.Popen(cmd, env=self.env, cwd=REPO, stdout=subprocess.DEVNULL,  # noqa: S603
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/api/auth/csrf", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("server did not answer in time")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers): nothing gets to clean up."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def running(env: dict[str, str], **kwargs: int) -> Iterator[Server]:
    server = Server(env, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def login(base: str, username: str, password: str = PASSWORD, *, client: object | None = None) -> object:
    """An httpx client logged in (session cookie) that sends the CSRF token on every request."""
    import httpx

    http = client if client is not None else httpx.Client(base_url=base, timeout=30)
    token = http.get("/api/auth/csrf").json()["csrf_token"]  # type: ignore[attr-defined]
    r = http.post("/api/auth/login", json={"username": username, "password": password},  # type: ignore[attr-defined]
                  headers={"X-CSRFToken": token, "Referer": base})
    r.raise_for_status()
    http.headers.update({"X-CSRFToken": http.cookies["csrftoken"], "Referer": base})  # type: ignore[attr-defined]
    return http


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from mescams.cli import main; main()", *args], env=env,  # noqa: S603
                          cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
