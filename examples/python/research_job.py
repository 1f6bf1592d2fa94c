"""A seed-style research job published to `live-progress serve`: six phases, six racing searches, an agent.

    python3 research_job.py --base http://127.0.0.1:8080 --run report-42 [--key KEY] [--speed 0.05] [--seed 1]

The publish key may also come from LIVE_PROGRESS_PUBLISH_KEY. Each blocking POST runs in a worker thread
(asyncio.to_thread), so the six searches really post at the same time; the gateway serialises them.
"""
import argparse
import asyncio
import os
import random

from live_progress import Run

PLAN = [
    {"id": "plan", "label": "Planning", "weight": 1, "expectedMs": 2000},
    {"id": "search", "label": "Searching", "weight": 4},
    {"id": "read", "label": "Reading sources", "weight": 3},
    {"id": "analyze", "label": "Analysing", "weight": 2, "expectedMs": 3000},
    {"id": "write", "label": "Writing", "weight": 2},
    {"id": "review", "label": "Reviewing", "weight": 1},
]
QUERIES = ["arxiv", "pubmed", "scholar", "news", "patents", "web"]


async def job(run, speed, rng):
    post = lambda method, *args: asyncio.to_thread(method, *args)  # noqa: E731
    nap = lambda: asyncio.sleep(rng.uniform(0.2, 1.0) * speed)  # noqa: E731
    await post(run.start, PLAN, "Market report")
    await post(run.publish, {"type": "phase_started", "phase": "plan"})
    for done in range(1, 4):
        await nap()
        await post(run.publish, {"type": "phase_progress", "phase": "plan", "done": done, "total": 3})
    # v1.1: phase_started may announce how many parallel tasks the phase runs.
    completed = {"type": "phase_completed", "phase": "plan"}
    await post(run.publish, completed, {"type": "phase_started", "phase": "search", "tasks": len(QUERIES)})

    async def search(query, total):
        for done in range(1, total + 1):
            await nap()
            await post(run.task_progress, "search", query, done, total, f"{query}: {done} of {total} pages")

    await asyncio.gather(*(search(q, rng.randint(3, 8)) for q in QUERIES))
    await post(run.transition, "search", "read")
    sources = 12
    for done in range(1, sources + 1):
        await nap()
        await post(run.publish, {"type": "phase_progress", "phase": "read", "done": done, "total": sources})
    await post(run.transition, "read", "analyze")
    # The agent reports no counts: the bar estimates this phase (marked as an estimate) from its expectedMs.
    await post(run.publish, {"type": "agent_started", "agent": "analyst"})
    for step, tool in enumerate(["python", "web_fetch", "python"]):
        call = f"call-{step}"
        await post(run.publish, {"type": "agent_thinking", "agent": "analyst", "text": f"step {step}: using {tool}"})
        await post(run.publish, {"type": "tool_executing", "call": call, "tool": tool, "agent": "analyst"})
        await nap()
        await post(run.publish, {"type": "tool_completed", "call": call, "tool": tool, "agent": "analyst", "ok": True})
    await post(run.publish, {"type": "agent_completed", "agent": "analyst", "ok": True})
    await post(run.transition, "analyze", "write")
    for done in range(1, 6):
        await nap()
        await post(run.publish, {"type": "phase_progress", "phase": "write", "done": done, "total": 5, "label": f"section {done}"})
    await post(run.transition, "write", "review")
    await nap()
    await post(run.publish, {"type": "phase_completed", "phase": "review"}, {"type": "run_completed"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--run", required=True)
    parser.add_argument("--key", default=os.environ.get("LIVE_PROGRESS_PUBLISH_KEY"))
    parser.add_argument("--speed", type=float, default=1.0, help="seconds per step, roughly")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(job(Run(args.base, args.run, args.key), args.speed, random.Random(args.seed)))
    print(f"{args.run}: completed")


if __name__ == "__main__":
    main()
