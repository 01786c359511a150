"""The LLM generator's throughput against its ideal (run by scripts/bench-llm.sh, which starts PostgreSQL).

A private Scribe (the end-to-end harness: its own database on DATABASE_URL's server, scribe-fcgi,
nginx) documents a generated repository of N modules with `generator: llm`, against the
OpenAI-compatible stand-in answering every request after a fixed delay. The generation phase
(first object started → last object finished, from the job's objects) is compared with the ideal
N × layers × delay / concurrency; the ratio is printed with the figures (the goal is under 1.2).
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "e2e"), str(ROOT / "tests")]

from gitrepos import make_git_repo  # noqa: E402
from harness import Stack, find_bin_dir, parse_time  # noqa: E402
from standins.llm import LLMStandIn  # noqa: E402

LAYERS = 3  # summary, responsibilities, usage (LLMGenerator.layers)


def module_files(name: str) -> dict[str, str]:
    return {
        "__init__.py": f'"""The {name} package of the benchmark project."""\n',
        f"{name}_api.py": (
            f'"""Public functions of {name}."""\n\n\n'
            f"def {name}_entry(value):\n"
            f'    """Returns value after {name} has looked at it."""\n'
            "    return value\n\n\n"
            f"class {name.capitalize()}Service:\n"
            f'    """Keeps the state of {name}."""\n\n'
            "    def run(self):\n"
            '        """Runs once."""\n'
            "        return True\n"
        ),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--modules", type=int, default=50)
    p.add_argument("--delay", type=float, default=0.2, help="seconds the stand-in takes per answer")
    p.add_argument("--concurrency", type=int, default=4, help="SCRIBE_LLM_CONCURRENCY")
    p.add_argument("--work-dir", type=Path, required=True)
    args = p.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("bench: DATABASE_URL is not set", file=sys.stderr)
        return 2

    key = "sk-bench-" + secrets.token_hex(16)
    standin = LLMStandIn(key=key).start()
    standin.add("slow", delay=args.delay)
    stack = Stack(find_bin_dir(), args.work_dir / "stack", os.environ["DATABASE_URL"])
    try:
        stack.start()
        stack.restart_fcgi(
            SCRIBE_LLM_BASE_URL=standin.base_url, SCRIBE_LLM_MODEL="bench", SCRIBE_LLM_CONCURRENCY=str(args.concurrency),
            SCRIBE_LOG_LEVEL="warning",
        )
        set_llm = subprocess.run(
            [str(stack.bin_dir / "scribe"), "org", "set-llm", "--org", "e2e", "--base-url", standin.base_url, "--model", "bench"],
            env=stack.env(), input=key + "\n", capture_output=True, text=True, timeout=60,
        )
        if set_llm.returncode != 0:
            raise RuntimeError(f"scribe org set-llm: {set_llm.stderr.strip()}")

        names = [f"mod{i:03d}" for i in range(args.modules)]
        repo = make_git_repo(args.work_dir / "repos", modules={n: module_files(n) for n in names}, name="bench")
        repo_id = stack.add_repository(repo)
        r = stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id, "options": {"generator": "llm"}})
        if r.status != 202:
            raise RuntimeError(f"POST /api/documentation/jobs: {r.status} {r.body}")
        job_id = r.body["id"]
        started = time.monotonic()
        job = stack.poll_job(job_id, until=("completed",), timeout=60 + 3 * args.modules * LAYERS * args.delay, interval=0.2)
        wall = time.monotonic() - started

        objects = stack.api("GET", f"/api/documentation/jobs/{job_id}/objects").body["objects"]
        first = min(parse_time(o["started_at"]) for o in objects)
        last = max(parse_time(o["finished_at"]) for o in objects)
        generation = (last - first).total_seconds()
        requests = standin.requests()
        served = requests[-1]["t_end"] - requests[0]["t_start"] if requests else float("nan")
        ideal = args.modules * LAYERS * args.delay / args.concurrency
        rounds = math.ceil(args.modules / args.concurrency) * LAYERS * args.delay
        overhead_ms = [(r["t_end"] - r["t_start"] - args.delay) * 1000 for r in requests]

        print(f"modules                  {args.modules} ({len(objects)} objects, {job['processed_objects']} done, "
              f"{job['failed_objects']} failed)")
        print(f"requests                 {len(requests)} (expected {args.modules * LAYERS}), "
              f"max in flight {standin.max_concurrency()} (SCRIBE_LLM_CONCURRENCY={args.concurrency})")
        print(f"stand-in delay           {args.delay:.3f} s per answer "
              f"(+{sum(overhead_ms) / max(1, len(overhead_ms)):.1f} ms mean in the stand-in)")
        print(f"ideal                    {ideal:.2f} s  = {args.modules} x {LAYERS} x {args.delay} / {args.concurrency}")
        print(f"ideal in whole rounds    {rounds:.2f} s  = ceil({args.modules}/{args.concurrency}) x {LAYERS} x {args.delay}")
        print(f"generation phase         {generation:.2f} s  (first object started -> last object finished)")
        print(f"stand-in busy window     {served:.2f} s  (first request in -> last answer out)")
        print(f"whole job                {wall:.2f} s  (POST -> completed, polled every 0.2 s)")
        print(f"tokens                   {job['prompt_tokens']} prompt + {job['completion_tokens']} completion, "
              f"cost ${job['cost_actual_usd']} (estimate ${job['cost_estimated_usd']})")
        print(f"RATIO                    {generation / ideal:.3f}  (generation / ideal; goal < 1.2)")
        return 0 if job["processed_objects"] == args.modules else 1
    finally:
        stack.stop()
        standin.stop()


if __name__ == "__main__":
    sys.exit(main())
