"""Publish a run's events to `live-progress serve` over HTTP. Standard library only (urllib, json)."""
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


class PublishError(Exception):
    """The gateway refused a batch: `status` (400, 401, 403, 409, 413, 429) and its `error` object."""

    def __init__(self, status, error):
        super().__init__(f"{status} {error.get('code')}: {error.get('message')}")
        self.status, self.error = status, error


class Run:
    """One run. `publish(*events)` posts a batch; the gateway stamps, orders and checks it."""

    def __init__(self, base, run_id, key=None, retries=4, timeout=10):
        self.url = f"{base}/v1/runs/{urllib.parse.quote(run_id, safe='')}/events"
        self.key, self.retries, self.timeout = key, retries, timeout

    def publish(self, *events):
        body = json.dumps({"events": list(events)}).encode()
        headers = {"content-type": "application/json", "idempotency-key": uuid.uuid4().hex}
        if self.key:
            headers["authorization"] = f"Bearer {self.key}"
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.load(response)  # {"epoch": ..., "seq": ...}
            except urllib.error.HTTPError as failure:
                error = json.load(failure).get("error", {})
                if failure.code not in (429, 502, 503) or attempt == self.retries:
                    raise PublishError(failure.code, error) from None
                time.sleep(float(failure.headers.get("retry-after") or 0.2 * 2**attempt))
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if attempt == self.retries:
                    raise
                time.sleep(0.2 * 2**attempt)  # same Idempotency-Key: a retry appends once

    def start(self, plan, title=None):
        return self.publish({"type": "run_started", "plan": plan, **({"title": title} if title else {})})

    def transition(self, done_phase, next_phase):
        return self.publish({"type": "phase_completed", "phase": done_phase}, {"type": "phase_started", "phase": next_phase})

    def task_progress(self, phase, task, done, total, label=None):
        event = {"type": "task_progress", "phase": phase, "task": task, "done": done, "total": total}
        return self.publish({**event, "label": label} if label else event)
