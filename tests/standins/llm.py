"""An OpenAI-compatible chat-completions API on 127.0.0.1, for the tests and the benchmark.

It speaks the real protocol, failures included: `POST /v1/chat/completions` with
`Authorization: Bearer <key>` answers a real-shaped completion (id, object, created, model,
choices[0].message.content, finish_reason, usage); a missing or wrong key gets OpenAI's 401 body.
Its tokenizer is its own, not Scribe's estimate: deterministic, word pieces of up to four letters
(a leading space joins the word), digits in threes, punctuation in pairs; code comes out near
3 characters per token, as with real providers, so Scribe's estimate is tested against a count it
does not share. The answer names, in
backticks, real names it finds in the prompt's facts (so a checker against the analysis accepts
them) and, on command, invented ones (`NonexistentHelper`, `ghost/phantom.py`).

Scripted with rules, from Python (`LLMStandIn.add(...)`) or over HTTP (`POST /_control`):

    {"mode": "ok"}                                        forget every rule (answer normally)
    {"mode": "429", "count": 6, "retry_after": 1}          the next 6 requests: 429 + Retry-After: 1
    {"mode": "429", "retry_after": 2, "date": true}        Retry-After as an HTTP date 2 s ahead (rounded up to
                                                           the next whole second, as a date can only say)
    {"mode": "500", "status": 503, "retry_after": 2}       503 with Retry-After (a provider's overload answer)
    {"mode": "500", "count": 2}                            the next 2 requests: 500 (or "status": 503)
    {"mode": "401"}                                        every request: 401 (a revoked key)
    {"mode": "quota"}                                      429 with code insufficient_quota, no Retry-After
                                                           (the account has no credit: waiting does not help)
    {"mode": "malformed", "count": 3}                      200 with a body that is not JSON / has no choices
    {"mode": "slow", "delay": 0.2}                         every answer after 0.2 s
    {"mode": "invent"}                                     answers also name invented symbols
    {"mode": "no_usage"}                                   answers without a `usage` object (some providers)
    {"mode": "length"}                                     answers that run to max_tokens and are cut there:
                                                           finish_reason "length", completion_tokens = max_tokens

`count` omitted means "until told otherwise"; `model` and `module` restrict a rule to requests of
that model or about that module (the prompt's "Module: `name`" line). The first failure rule that
matches a request answers it; slow, invent, no_usage and length rules add to whatever answer is given.

Every request is recorded (times, model, prompt size, module, layer, whether Authorization was
present and right, status, usage, invented names): `requests()` or `GET /_requests`. The largest
number of requests handled at once is `max_concurrency()` (also per model), or `GET /_stats`.

Run on its own (for scripts): `python3 tests/standins/llm.py [--port N] [--delay S]`; the key is
read from the environment variable LLM_STANDIN_KEY (never argv), and the first line printed is the
base URL (`http://127.0.0.1:PORT/v1`).
"""

from __future__ import annotations

import argparse
import email.utils
import json
import math
import os
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INVENTED = ("NonexistentHelper", "ghost/phantom.py")
FAILURE_MODES = ("429", "quota", "500", "401", "malformed")
MODIFIERS = ("invent", "no_usage", "length")
MODES = FAILURE_MODES + ("slow",) + MODIFIERS

_MODULE = re.compile(r"Module: `([^`]+)`")
_BACKTICKED = re.compile(r"`([^`\n]+)`")
# Names the answer may repeat: identifiers, qualified names and paths (not signatures).
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")


_TOKEN = re.compile(r" ?[A-Za-z]{1,4}| ?[0-9]{1,3}|\s+|[^\sA-Za-z0-9]{1,2}")


def tokenize(text: str) -> list[str]:
    """The stand-in's tokenizer (see the module's documentation); the pieces join back to the text."""
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    """Tokens of a text, at least one."""
    return max(1, len(tokenize(text)))


def prompt_tokens(messages: list[dict]) -> int:
    """Tokens of a chat prompt: each message's content plus 4 for its framing, plus 3 (as OpenAI counts)."""
    return sum(count_tokens(str(m.get("content", ""))) + 4 for m in messages) + 3


def layer_of(task: str) -> str:
    t = task.lower()
    if "summary" in t:
        return "summary"
    if "responsibilit" in t:
        return "responsibilities"
    if "uses this module" in t or "entry points" in t or "usage" in t:
        return "usage"
    return "other"


def names_in_facts(user: str) -> list[str]:
    """Backticked names of the facts, in order of appearance, once each."""
    facts = user.split("Facts:", 1)[1] if "Facts:" in user else user
    seen: dict[str, None] = {}
    for name in _BACKTICKED.findall(facts):
        name = name.strip()
        if _NAME.match(name) and name not in seen:
            seen[name] = None
    return list(seen)


def answer_text(layer: str, module: str | None, names: list[str], invent: bool, max_tokens: int | None = None) -> str:
    """The answer; with max_tokens, one that runs on and is cut at exactly that many tokens."""
    text = _answer_text(layer, module, names, invent)
    if max_tokens is None:
        return text
    pieces = tokenize(text)
    while len(pieces) < max_tokens:
        pieces += tokenize("\n\nMore on " + text)
    return "".join(pieces[:max_tokens])


def _answer_text(layer: str, module: str | None, names: list[str], invent: bool) -> str:
    subject = f"`{module}`" if module else "this"
    picked = [n for n in names if n != module][:5] or names[:1]
    listed = ", ".join(f"`{n}`" for n in picked) or "its declarations"
    if layer == "summary":
        text = f"The {subject} module collects {listed}. Everything here comes from the facts of the analysis."
    elif layer == "responsibilities":
        text = "\n".join(f"- `{n}`: one of the module's public parts." for n in picked) or "- Nothing stated."
    else:
        text = f"Other code uses {subject} through {listed}."
    if invent:
        text += f"\n\nIt also relies on `{INVENTED[0]}` and on `{INVENTED[1]}`."
    return text


class LLMStandIn:
    """The server; start() binds a random port on 127.0.0.1, stop() closes it. Also a context manager."""

    def __init__(self, key: str | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.key = key if key is not None else "sk-standin-" + secrets.token_hex(16)
        self._lock = threading.Lock()
        self._rules: list[dict[str, Any]] = []
        self._log: list[dict[str, Any]] = []
        self._in_flight: dict[str, int] = {}
        self._max: dict[str, int] = {}
        self._seq = 0
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """What Scribe's SCRIBE_LLM_BASE_URL points at (the client appends /chat/completions)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "LLMStandIn":
        self._thread = threading.Thread(target=self._server.serve_forever, name="llm-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LLMStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- scripting ----------------------------------------------------------------------

    def add(self, mode: str, count: int | None = None, *, model: str | None = None, module: str | None = None,
            retry_after: float | None = None, status: int | None = None, delay: float | None = None,
            date: bool = False) -> None:
        """Adds a rule (see the module's documentation); mode "ok" forgets every rule."""
        if mode == "ok":
            with self._lock:
                self._rules.clear()
            return
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of ok, {', '.join(MODES)}")
        if count is not None and count < 0:
            raise ValueError("count must be at least 0")
        if mode == "slow" and (delay is None or delay < 0):
            raise ValueError("slow needs a delay in seconds")
        rule = {"mode": mode, "left": count, "model": model, "module": module, "retry_after": retry_after,
                "status": status or (500 if mode == "500" else None), "delay": delay, "hits": 0, "date": date}
        with self._lock:
            self._rules.append(rule)

    def reset(self) -> None:
        """Forgets every rule, the request log and the concurrency figures."""
        with self._lock:
            self._rules.clear()
            self._log.clear()
            self._max.clear()

    # --- what it saw --------------------------------------------------------------------

    def requests(self, model: str | None = None) -> list[dict[str, Any]]:
        """Finished chat-completion requests in arrival order (copies), of one model if given."""
        with self._lock:
            rows = [dict(r) for r in self._log if model is None or r["model"] == model]
        return sorted(rows, key=lambda r: r["seq"])

    def max_concurrency(self, model: str | None = None) -> int:
        with self._lock:
            return self._max.get(model if model is not None else "*", 0)

    def in_flight(self, model: str | None = None) -> int:
        with self._lock:
            return self._in_flight.get(model if model is not None else "*", 0)

    # --- one request ----------------------------------------------------------------------

    def _enter(self, model: str) -> int:
        with self._lock:
            self._seq += 1
            for k in ("*", model):
                self._in_flight[k] = self._in_flight.get(k, 0) + 1
                self._max[k] = max(self._max.get(k, 0), self._in_flight[k])
            return self._seq

    def _leave(self, model: str, record: dict[str, Any]) -> None:
        with self._lock:
            for k in ("*", model):
                self._in_flight[k] -= 1
            self._log.append(record)

    def _match(self, model: str, module: str | None) -> tuple[dict | None, float, set[str]]:
        """The failure rule that answers (its count taken), the delay, and the modifiers that apply."""
        failure, delay, modifiers = None, 0.0, set()
        with self._lock:
            for rule in self._rules:
                if rule["model"] is not None and rule["model"] != model:
                    continue
                if rule["module"] is not None and rule["module"] != module:
                    continue
                if rule["left"] == 0:
                    continue
                if rule["mode"] == "slow":
                    delay = max(delay, rule["delay"])
                elif rule["mode"] in MODIFIERS:
                    modifiers.add(rule["mode"])
                    if rule["left"] is not None:
                        rule["left"] -= 1
                elif failure is None:
                    failure = rule
                    rule["hits"] += 1
                    if rule["left"] is not None:
                        rule["left"] -= 1
            return (dict(failure) if failure else None), delay, modifiers


def _retry_after(rule: dict, headers: dict[str, str]) -> float | None:
    """Sets the rule's Retry-After header; returns when the wait it asks for ends (time.monotonic()), or None."""
    ra = rule.get("retry_after")
    if ra is None:
        return None
    if rule.get("date"):
        wall = math.ceil(time.time() + float(ra))  # an HTTP date has whole seconds
        headers["Retry-After"] = email.utils.formatdate(wall, usegmt=True)
        return time.monotonic() + (wall - time.time())
    headers["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
    return time.monotonic() + float(ra)


def _handler_for(standin: LLMStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1: keep-alive, and "Expect: 100-continue" answered at once (libcurl sends it for
        # large bodies and would otherwise wait a second before sending the body).
        protocol_version = "HTTP/1.1"
        server_version = "llm-standin/1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the tests read requests()
            pass

        def _send(self, status: int, body: bytes | dict, content_type: str = "application/json",
                  headers: dict[str, str] | None = None, note: dict[str, Any] | None = None) -> None:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            # The request is recorded, and stops counting as in flight, before its answer leaves: the
            # client cannot send its next request any sooner, so no slot is counted twice.
            self._finish_record(note)
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (a cancelled job's worker exited, a timeout): nothing to answer.
                self.close_connection = True

        def _body(self) -> bytes:
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n > 0 else b""

        def do_GET(self) -> None:
            if self.path == "/_requests":
                self._send(200, {"requests": standin.requests()})
            elif self.path == "/_stats":
                with standin._lock:
                    stats = {"max_concurrency": dict(standin._max), "in_flight": dict(standin._in_flight),
                             "rules": [dict(r) for r in standin._rules]}
                self._send(200, stats)
            elif self.path == "/v1/models":
                self._send(200, {"object": "list", "data": []})
            else:
                self._send(404, {"error": {"message": f"Unknown path {self.path}", "type": "invalid_request_error"}})

        def do_POST(self) -> None:
            raw = self._body()
            if self.path == "/_control":
                try:
                    c = json.loads(raw or b"{}")
                    if c.get("mode") == "reset":
                        standin.reset()
                    else:
                        standin.add(c.get("mode", ""), c.get("count"), model=c.get("model"), module=c.get("module"),
                                    retry_after=c.get("retry_after"), status=c.get("status"), delay=c.get("delay"),
                                    date=bool(c.get("date")))
                except (ValueError, TypeError, AttributeError) as e:
                    self._send(400, {"error": str(e)})
                    return
                self._send(200, {"ok": True})
                return
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"Unknown path {self.path}", "type": "invalid_request_error"}})
                return
            self._completion(raw)

        def _completion(self, raw: bytes) -> None:
            t_start = time.monotonic()
            at = time.time()
            auth = self.headers.get("Authorization")
            auth_ok = auth == f"Bearer {standin.key}"
            try:
                req = json.loads(raw)
                messages = req["messages"]
                model = str(req.get("model", ""))
                user = next((str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), "")
            except (ValueError, KeyError, TypeError):
                self._send(400, {"error": {"message": "We could not parse the JSON body of your request.",
                                           "type": "invalid_request_error"}})
                return
            module_match = _MODULE.search(user)
            module = module_match.group(1) if module_match else None
            layer = layer_of(user.split("\n", 1)[0])
            seq = standin._enter(model)
            self._pending = (model, record := {
                "seq": seq, "t_start": t_start, "at": at, "model": model, "module": module, "layer": layer,
                "prompt_chars": sum(len(str(m.get("content", ""))) for m in messages), "user": user,
                "max_tokens": req.get("max_tokens"), "auth_present": auth is not None, "auth_ok": auth_ok,
                "status": None, "usage": None, "retry_after": None, "invented": 0, "failure": None,
            })
            try:
                self._answer(req, model, messages, user, module, layer, auth, auth_ok)
            finally:
                self._finish_record(None)

        _pending: tuple[str, dict[str, Any]] | None = None

        def _finish_record(self, note: dict[str, Any] | None) -> None:
            if self._pending is not None:
                model, record = self._pending
                self._pending = None
                record.update(note or {})
                record["t_end"] = time.monotonic()
                standin._leave(model, record)

        def _answer(self, req: dict, model: str, messages: list, user: str, module: str | None, layer: str,
                    auth: str | None, auth_ok: bool) -> None:
            if not auth_ok:
                shown = auth[len("Bearer "):] if auth and auth.startswith("Bearer ") else ""
                masked = (shown[:3] + "*" * 8 + shown[-4:]) if len(shown) > 8 else "***"
                message = ("You didn't provide an API key." if auth is None
                           else f"Incorrect API key provided: {masked}. You can find your API key in your account settings.")
                self._send(401, {"error": {"message": message, "type": "invalid_request_error", "param": None,
                                           "code": "invalid_api_key"}},
                           note={"status": 401, "failure": "401"})
                return
            failure, delay, modifiers = standin._match(model, module)
            if failure is not None and failure["mode"] == "401":
                self._send(401, {"error": {"message": "Incorrect API key provided: sk-********. The key was revoked.",
                                           "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}},
                           note={"status": 401, "failure": "401"})
                return
            if failure is not None and failure["mode"] == "429":
                headers = {"x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "0"}
                until = _retry_after(failure, headers)
                self._send(429, {"error": {"message": "Rate limit reached for requests per min (RPM). Please try again later.",
                                           "type": "requests", "param": None, "code": "rate_limit_exceeded"}},
                           headers=headers,
                           note={"status": 429, "failure": "429", "retry_after": failure["retry_after"], "until": until})
                return
            if failure is not None and failure["mode"] == "quota":
                # OpenAI's answer when the account has no credit: 429 like a rate limit, without Retry-After.
                self._send(429, {"error": {"message": "You exceeded your current quota, please check your plan and billing details.",
                                           "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}},
                           note={"status": 429, "failure": "quota"})
                return
            if failure is not None and failure["mode"] == "500":
                status = failure["status"] or 500
                headers = {}
                until = _retry_after(failure, headers)
                self._send(status, {"error": {"message": "The server had an error while processing your request. Sorry about that!",
                                              "type": "server_error", "param": None, "code": None}},
                           headers=headers, note={"status": status, "failure": "500", "until": until})
                return
            if delay > 0:
                time.sleep(delay)
            if failure is not None and failure["mode"] == "malformed":
                # Alternate between the two shapes of a broken answer: not JSON, and JSON without choices.
                if failure["hits"] % 2 == 1:
                    self._send(200, b'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"mess',
                               content_type="application/json",
                               note={"status": 200, "failure": "malformed: not JSON"})
                    return
                self._send(200, {"id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion",
                                 "created": int(time.time()), "model": model,
                                 "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}},
                           note={"status": 200, "failure": "malformed: no choices"})
                return
            invent = "invent" in modifiers
            cut = int(req.get("max_tokens") or 16) if "length" in modifiers else None
            text = answer_text(layer, module, names_in_facts(user), invent, max_tokens=cut)
            # What the provider charges, whether or not it says so in the answer.
            usage = {"prompt_tokens": prompt_tokens(messages), "completion_tokens": count_tokens(text)}
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            answer = {
                "id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion", "created": int(time.time()),
                "model": model, "system_fingerprint": "fp_standin",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                             "logprobs": None, "finish_reason": "length" if cut is not None else "stop"}],
            }
            if "no_usage" not in modifiers:
                answer["usage"] = usage
            self._send(200, answer, note={"status": 200, "usage": usage, "usage_sent": "no_usage" not in modifiers,
                                          "finish_reason": answer["choices"][0]["finish_reason"],
                                          "invented": len(INVENTED) if invent else 0, "text": text})

    return Handler


def main() -> int:
    p = argparse.ArgumentParser(description="An OpenAI-compatible stand-in; the key comes from LLM_STANDIN_KEY.")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--delay", type=float, default=0.0, help="seconds before every answer")
    args = p.parse_args()
    key = os.environ.get("LLM_STANDIN_KEY")
    if not key:
        print("LLM_STANDIN_KEY is not set", file=sys.stderr)
        return 2
    s = LLMStandIn(key=key, port=args.port)
    if args.delay > 0:
        s.add("slow", delay=args.delay)
    print(s.base_url, flush=True)
    try:
        s._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        s._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
