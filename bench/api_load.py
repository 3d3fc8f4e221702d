"""Latency and throughput of the read API under concurrent clients, against the framework floor.

Starts ``shopops serve`` (uvicorn, as a user runs it) in a subprocess on a free loopback port over a
temporary SQLite store holding the demo store, a page of copy drafts (fake model) and one API-key
user, then loads each read endpoint with ``--clients`` concurrent connections for ``--duration``
seconds. In the same run it loads a bare Starlette app on uvicorn that returns a static JSON body
(the framework floor: same server, same log level, same load generator) before and after the
endpoints, and prints each endpoint's figures against that baseline.

Load generator: ``wrk`` (Debian package ``wrk``) with a Lua script that reports p50/p95/p99 and
requests/s; without it, an asyncio + httpx client (slower: it competes harder with the server for
the CPU, so its figures are pessimistic). API rate limiting is switched off for the run
(``SHOPOPS_API_RATE_LIMIT=0``): the point is the server's speed, not the limiter's.

Acceptance: p95 <= 100 ms for every non-LLM read endpoint.

    .venv/bin/python bench/api_load.py [--duration 60] [--clients 50] [--threads 2] [--client wrk|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

P95_GOAL_MS = 100.0
WARMUP_S = 2

BASELINE_APP = """
import os, sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
BODY = {"status": "ok", "version": "0.0.0", "database": "none"}
async def ok(request):
    return JSONResponse(BODY)
app = Starlette(routes=[Route("/", ok)])
if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    uvicorn.run("baseline_app:app", app_dir=here, host="127.0.0.1", port=int(sys.argv[1]),
                workers=int(sys.argv[2]), loop="asyncio" if sys.argv[2] == "1" else "auto",
                log_level="info", access_log=False)
"""

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url} within {timeout} s:\n{log.read_text()[-3000:]}")


def get(url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# -- the store -------------------------------------------------------------------------------------


def seed_store(env: dict[str, str], drafts_for: int) -> tuple[str, int]:
    """Demo store and demo team (accounts, teams, tickets), copy drafts for ``drafts_for`` products
    (fake model), and an analyst's API key."""
    from shopops.auth.accounts import create_user
    from shopops.auth.sessions import issue_api_key
    from shopops.config import Settings
    from shopops.context import AppContext
    from shopops.copy.service import write_copy
    from shopops.copy.types import CopyRequest
    from shopops.demo.run import demo_handles, load_demo_store
    from shopops.demo.workspace import seed_workspace

    settings = Settings(
        data_dir=Path(env["SHOPOPS_DATA_DIR"]),
        database_url=env["SHOPOPS_DATABASE_URL"],
        llm_backend="fake",
        embed_backend="hash",
    )
    ctx = AppContext(settings)
    try:
        load_demo_store(ctx.db)
        seed_workspace(ctx.db)
        first_draft = 0
        for handle in demo_handles(ctx.db, drafts_for):
            for result in write_copy(ctx, CopyRequest(product=handle, kind="description", variants=3)):
                first_draft = first_draft or int(result.draft_id or 0)
        user = create_user(ctx.db, "bench@example.com", None, role="analyst", name="Bench")
        return issue_api_key(ctx.db, user.id, actor="bench"), first_draft
    finally:
        ctx.close()


# -- load generators -------------------------------------------------------------------------------


def run_wrk(
    name: str, url: str, headers: dict[str, str], clients: int, threads: int, seconds: int, script: Path
) -> Result:
    header_args = [arg for key, value in headers.items() for arg in ("-H", f"{key}: {value}")]
    base = ["wrk", f"-t{threads}", f"-c{clients}", "--timeout", "10s", *header_args, "-s", str(script)]
    subprocess.run([*base, f"-d{WARMUP_S}s", url], capture_output=True, check=True)
    out = subprocess.run([*base, f"-d{seconds}s", url], capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    data = json.loads(line.removeprefix("WRKJSON "))
    return Result(
        name,
        data["requests"],
        data["duration_us"] / 1e6,
        data["errors"],
        data["p50_us"] / 1000,
        data["p95_us"] / 1000,
        data["p99_us"] / 1000,
    )


async def _httpx_load(
    url: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[list[float], int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    if response.status_code >= 300:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors


def run_httpx(name: str, url: str, headers: dict[str, str], clients: int, seconds: int) -> Result:
    asyncio.run(_httpx_load(url, headers, clients, WARMUP_S))
    started = time.perf_counter()
    latencies, errors = asyncio.run(_httpx_load(url, headers, clients, seconds))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0.0] * 99
    return Result(name, len(latencies), elapsed, errors, cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000)


# -- main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per endpoint")
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--drafts-for", type=int, default=20, help="products with 3 copy drafts each")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes, for shopops and the baseline alike"
    )
    args = parser.parse_args()
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk") is not None)
    if args.client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --client httpx")

    tmp = Path(tempfile.mkdtemp(prefix="shopops-api-load-"))
    env = {
        **os.environ,
        "SHOPOPS_DATA_DIR": str(tmp / "data"),
        "SHOPOPS_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "SHOPOPS_LLM_BACKEND": "fake",
        "SHOPOPS_EMBED_BACKEND": "hash",
        "SHOPOPS_API_RATE_LIMIT": "0",
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        key, draft_id = seed_store(env, args.drafts_for)
        headers = {"Authorization": f"Bearer {key}"}
        shopops_bin = Path(sys.executable).with_name("shopops")
        command = [str(shopops_bin)] if shopops_bin.exists() else [sys.executable, "-m", "shopops.cli.main"]
        port, base_port = free_port(), free_port()
        server_log, base_log = tmp / "server.log", tmp / "baseline.log"
        with server_log.open("wb") as log:
            procs.append(
                subprocess.Popen(
                    [
                        *command,
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--workers",
                        str(args.workers),
                    ],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        baseline_app = tmp / "baseline_app.py"
        baseline_app.write_text(BASELINE_APP)
        with base_log.open("wb") as log:
            procs.append(
                subprocess.Popen(
                    [sys.executable, str(baseline_app), str(base_port), str(args.workers)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        root, base_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{base_port}/"
        wait_until_up(f"{root}/api/health", procs[0], server_log)
        wait_until_up(base_url, procs[1], base_log)

        endpoints = [
            ("GET /api/health", "/api/health", {}),
            ("GET /api/auth/me", "/api/auth/me", headers),
            ("GET /api/drafts", "/api/drafts", headers),
            (f"GET /api/drafts/{{id}} ({draft_id})", f"/api/drafts/{draft_id}", headers),
        ]
        status, _ = get(f"{root}/api/tickets", headers)
        if status == 200:
            endpoints.append(("GET /api/tickets", "/api/tickets", headers))
        for name, path, sent in endpoints:  # every endpoint answers 200 before it is loaded
            status, body = get(root + path, sent)
            if status != 200:
                raise SystemExit(f"{name} answered {status}: {body[:300]!r}")
        page = json.loads(get(f"{root}/api/drafts", headers)[1])

        cores = os.cpu_count() or 1
        generator = f"wrk -t{args.threads}" if use_wrk else "asyncio+httpx"
        print(
            f"shopops API load: {args.clients} concurrent clients x {args.duration} s per endpoint, "
            f"load generator {generator} on the same {cores}-core machine as the server (loopback)"
        )
        print(
            f"server: `shopops serve --workers {args.workers}` (uvicorn, no access log; "
            f"the baseline runs the same way), SQLite store: demo store + demo team and tickets + "
            f"{page.get('total', '?')} drafts (GET /api/drafts returns a page of "
            f"{len(page.get('items', []))}); SHOPOPS_API_RATE_LIMIT=0 (rate limiting off for this run)"
        )
        script = tmp / "report.lua"
        script.write_text(WRK_SCRIPT)

        def measure(name: str, url: str, sent: dict[str, str]) -> Result:
            if use_wrk:
                result = run_wrk(name, url, sent, args.clients, args.threads, args.duration, script)
            else:
                result = run_httpx(name, url, sent, args.clients, args.duration)
            print(
                f"  measured {name:<28} {result.rps:8.0f} req/s  p50 {result.p50_ms:7.1f} ms  "
                f"p95 {result.p95_ms:7.1f} ms",
                flush=True,
            )
            return result

        before = measure("baseline (before)", base_url, {})
        results = [measure(name, root + path, sent) for name, path, sent in endpoints]
        after = measure("baseline (after)", base_url, {})
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    base_rps = (before.rps + after.rps) / 2
    base_p50 = (before.p50_ms + after.p50_ms) / 2
    base_p95 = (before.p95_ms + after.p95_ms) / 2
    print()
    header = (
        f"{'endpoint':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'x base p50':>10} {'x base p95':>10} {'base/req/s':>10}  goal p95<={P95_GOAL_MS:.0f}ms"
    )
    print(header)
    print("-" * len(header))
    for result in (before, after):
        print(
            f"{result.name:<30} {result.rps:8.0f} {result.p50_ms:8.1f} {result.p95_ms:8.1f} "
            f"{result.p99_ms:8.1f} {result.errors:7d} {'':>10} {'':>10} {'':>10}  (framework floor)"
        )
    failed = 0
    for result in results:
        ok = result.p95_ms <= P95_GOAL_MS and result.errors == 0
        failed += not ok
        print(
            f"{result.name:<30} {result.rps:8.0f} {result.p50_ms:8.1f} {result.p95_ms:8.1f} "
            f"{result.p99_ms:8.1f} {result.errors:7d} {result.p50_ms / base_p50:10.1f} "
            f"{result.p95_ms / base_p95:10.1f} {base_rps / result.rps if result.rps else 0:10.1f}  "
            f"{'PASS' if ok else 'FAIL'}"
        )
    print(
        f"\nratios: endpoint / mean of the two baseline runs (base: {base_rps:.0f} req/s, "
        f"p50 {base_p50:.1f} ms, p95 {base_p95:.1f} ms); 'base/req/s' = how many times fewer requests/s"
    )
    print(f"{len(results) - failed}/{len(results)} endpoints PASS (p95 <= {P95_GOAL_MS:.0f} ms, no errors)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
