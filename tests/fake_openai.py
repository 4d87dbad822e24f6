"""A small OpenAI-compatible chat server on 127.0.0.1 with scripted replies, for tests."""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant import Assistant, Settings
from assistant.language.text import syllables

# A reply's content may depend on the request (e.g. cite the passage that holds a phrase).
Content = str | Callable[[dict[str, Any]], str]


@dataclass
class Reply:
    """One scripted response: a status, a body (content, or raw bytes when malformed), a delay."""

    content: Content = ""
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None


class FakeOpenAI:
    """Serves /v1/chat/completions (JSON and SSE streaming); records every request it gets."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply("Không có câu trả lời soạn sẵn.")
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []  # the Authorization header of each request
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def enqueue(self, *replies: Reply | str) -> None:
        self.replies.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def reset(self) -> None:
        self.replies.clear()
        self.requests.clear()
        self.authorizations.clear()

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append(body)
                fake.authorizations.append(self.headers.get("Authorization"))
                reply = fake.replies.popleft() if fake.replies else fake.default
                time.sleep(reply.delay)
                if reply.status != 200:
                    # A careless server: its error repeats the credentials it was sent.
                    sent = self.headers.get("Authorization")
                    message = f"scripted error {reply.status} (Authorization: {sent})"
                    error = {"error": {"message": message, "type": "server_error"}}
                    self._send(reply.status, "application/json", json.dumps(error).encode())
                elif reply.raw is not None:
                    self._send(200, "application/json", reply.raw)
                else:
                    content = reply.content(body) if callable(reply.content) else reply.content
                    if body.get("stream"):
                        self._stream(content)
                    else:
                        self._send(200, "application/json", json.dumps(_completion(content)).encode())

            def _send(self, status: int, kind: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, content: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                step = max(1, len(content) // 4)
                pieces = [content[i : i + step] for i in range(0, len(content), step)]
                for piece in pieces:
                    delta = {"role": "assistant", "content": piece}
                    self._event({"id": "c", "object": "chat.completion.chunk", "model": "fake", "choices": [
                        {"index": 0, "delta": delta, "finish_reason": None}]})  # fmt: skip
                self._event({"id": "c", "object": "chat.completion.chunk", "model": "fake", "choices": [
                    {"index": 0, "delta": {}, "finish_reason": "stop"}]})  # fmt: skip
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, data: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

        return Handler


def _completion(content: str) -> dict[str, Any]:
    return {
        "id": "c",
        "object": "chat.completion",
        "model": "fake",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


def passage_with(body: dict[str, Any], phrase: str) -> int:
    """The number n of the <doan so="n"> passage in a request that contains phrase (0 if none)."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    for number, text in _passages(user):
        if phrase in text:
            return number
    return 0


def _passages(prompt: str) -> list[tuple[int, str]]:
    return [(int(m[1]), m[2]) for m in re.finditer(r'<doan so="(\d+)">(.*?)</doan>', prompt, flags=re.DOTALL)]


def second_reader(same: bool) -> Reply:
    """A model's second reading (prompts/second_reading.md) that says `same` of every sentence, quoting the
    words of its passage at the place the check names: a yes-man's quote stands in the passage and holds
    the place, so only the code's own rule (which flags it puts to the model) keeps a flag."""

    def quote(item: str) -> str:
        passage = html.unescape(re.search(r"<nguon>\n(.*?)\n</nguon>", item, flags=re.DOTALL)[1])
        found = re.search(r"thay cho '(.*?)' của nguồn", html.unescape(item))
        words, place = syllables(passage), syllables(found[1]) if found else []
        at = next((i for i in range(len(words)) if place and words[i : i + len(place)] == place), 0)
        return " ".join(words[max(0, at - 2) : at + len(place) + 2 if place else 6])

    def reply(body: dict[str, Any]) -> str:
        items = re.findall(r"<cau so=.*?</cau>", body["messages"][-1]["content"], flags=re.DOTALL)
        return json.dumps({"sentences": [{"i": i, "same": same, "quote": quote(item) if same else "",
                                          "reason": "…"} for i, item in enumerate(items, 1)]})  # fmt: skip

    return Reply(reply)


def llm_assistant(corpus: Assistant, fake: FakeOpenAI, **overrides: Any) -> Assistant:
    """The assistant over `corpus`'s store in LLM mode against the fake server (no retries, 10 s timeout
    unless `retries`/`timeout` say otherwise; other overrides are settings)."""
    settings = Settings(
        data_dir=corpus.settings.data_dir,
        llm_base_url=fake.url,
        llm_api_key="sk-test-secret-123",
        llm_model="fake-model",
        llm_max_retries=overrides.pop("retries", 0),
        llm_timeout=overrides.pop("timeout", 10.0),
        **overrides,
    )
    return Assistant(settings, store=corpus.store)
