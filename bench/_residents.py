"""Simulated residents: a minimal keep-alive HTTP/1.1 client and the answering of a phiếu."""
from __future__ import annotations

import asyncio
import random
import re
import time
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlencode

HOST = "127.0.0.1"  # the only address the benchmarks ever send to
REQUEST_TIMEOUT = 30.0
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
ITEM = re.compile(rb'name="item_([a-z0-9-]+)"')
RECEIPT_PATH = "/bien-nhan/"
IDLE_REOPEN = 4.0  # seconds; below gunicorn's keep-alive (gunicorn.conf.py: 5 s)


# --------------------------------------------------------------------------- a minimal HTTP/1.1 client

class HttpClient:
    """One simulated resident's keep-alive connection and cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}
        self.page: bytes = b""  # a phiếu page fetched before a POST-only phase (its CSRF token and items)
        self.last_used = 0.0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        return await asyncio.wait_for(self._request(method, path, form), REQUEST_TIMEOUT)

    async def _request(self, method: str, path: str, form: dict | None) -> tuple[int, dict, bytes]:
        if self.writer is not None and time.monotonic() - self.last_used > IDLE_REOPEN:
            await self.close()  # as a browser does: never reuse a connection the server may have closed
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "User-Agent: survey-bench",
                 "Accept-Encoding: identity"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            await self.writer.drain()
            status, headers, payload = await self._read_response()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            raise ConnectionError("connection lost") from None
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, payload

    async def _read_response(self) -> tuple[int, dict, bytes]:
        status_line = await self.reader.readline()
        if not status_line:
            raise asyncio.IncompleteReadError(b"", None)
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key] = val
            headers[name] = value
        if "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            payload = b"".join(chunks)
        else:
            payload = await self.reader.read()
            await self.close()
        self.last_used = time.monotonic()
        return status, headers, payload


async def one_get(port: int, path: str) -> tuple[int, dict, bytes]:
    client = HttpClient(port)
    try:
        return await client.request("GET", path)
    finally:
        await client.close()


# --------------------------------------------------------------------------- the simulated residents

def display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def answers_for(html: bytes, token: str, rng: random.Random) -> dict:
    form = {"csrf_token": token}
    for key in dict.fromkeys(ITEM.findall(html)):
        value = "satisfied" if rng.random() < 0.8 else "not_satisfied"
        form[f"item_{key.decode()}"] = value
        if value == "not_satisfied" and rng.random() < 0.3:
            form[f"reason_{key.decode()}"] = "Đường vào thôn còn lầy lội khi mưa."
    if rng.random() < 0.2:
        form["opinion"] = "Mong xã tiếp tục quan tâm đến nước sạch và chiếu sáng."
    return form


@dataclass
class SubmitOutcome:
    """What one resident's submit ended in: a receipt, or why not."""

    code: str
    receipt: str | None
    status: int | None
    error: str | None = None
    attempts: int = 1


async def submit_once(client: HttpClient, code: str, rng: random.Random, *, retries: int = 0,
                      retry_pause: float = 0.5) -> SubmitOutcome:
    """GET the phiếu, POST the answers; retry the identical POST (a resident tapping again) on failure."""
    client.cookies.clear()  # a new resident, a new browser session
    path = f"/s/{display(code)}"
    status, form = None, None
    for attempt in range(retries + 1):
        try:
            if form is None:
                status, _h, html = await client.request("GET", path)
                if status != 200:
                    raise ConnectionError(f"page answered {status}")
                match = CSRF.search(html)
                if not match:
                    raise ConnectionError("no CSRF token in the page")
                form = answers_for(html, match.group(1).decode(), rng)
            status, headers, _b = await client.request("POST", path, form)
            location = headers.get("location", "")
            if status == 303 and RECEIPT_PATH in location:
                return SubmitOutcome(code, location.rsplit("/", 1)[1], status, attempts=attempt + 1)
            if status < 500:  # a clear answer that will not change by retrying
                return SubmitOutcome(code, None, status, f"answered {status}", attempt + 1)
        except (TimeoutError, ConnectionError, OSError) as exc:
            status = None
            error = type(exc).__name__
            if attempt == retries:
                return SubmitOutcome(code, None, None, error, attempt + 1)
        if attempt < retries:
            await asyncio.sleep(retry_pause)
    return SubmitOutcome(code, None, status, f"answered {status}", retries + 1)


