"""The polite HTTP client every connector uses: HTTPS only (plain HTTP only to this machine),
timeouts, retries with exponential backoff on 5xx and transport errors, rate limits obeyed
(429 with `Retry-After`; GitHub's `x-ratelimit-remaining: 0` with `x-ratelimit-reset`),
`Link` header paging, and tokens redacted from every message and log record.

Exit codes carried by `ConnectorError` follow DESIGN (`pull`): 2 bad input or refused
credentials, 3 the provider failed after retries.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import httpx

log = logging.getLogger("advisor.connectors")

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
REDACTED = "***"
MIN_SECRET_CHARS = 4  # shorter strings are not redacted (they would mangle every message)
MAX_BODY_CHARS = 300  # of a provider's error body quoted in a message
BAD_INPUT = 2
PROVIDER_FAILED = 3


class ConnectorError(Exception):
    """A pull that cannot go on. `message` is already redacted (no token in it);
    `exit_code` is 2 (bad input or refused credentials) or 3 (the provider failed after
    retries; what was fetched so far is kept)."""

    def __init__(self, message: str, exit_code: int = PROVIDER_FAILED):
        self.message = message
        self.exit_code = exit_code
        super().__init__(message)


class Cancelled(Exception):
    """The pull was cancelled (its `cancel` event was set); raised between requests, so the
    pages already written and the state saved stay usable and a rerun resumes."""


# ---------------------------------------------------------------- redaction


class _Secrets:
    """The tokens of every open client, for the log filter. Only strings of at least
    MIN_SECRET_CHARS characters are kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def add(self, values: Iterable[str]) -> None:
        with self._lock:
            for v in values:
                self._counts[v] = self._counts.get(v, 0) + 1

    def remove(self, values: Iterable[str]) -> None:
        with self._lock:
            for v in values:
                left = self._counts.get(v, 0) - 1
                if left > 0:
                    self._counts[v] = left
                else:
                    self._counts.pop(v, None)

    def all(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._counts)


_ACTIVE = _Secrets()


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (and its URL-encoded form) replaced by `***`."""
    for s in sorted(set(secrets), key=len, reverse=True):  # longest first: no partial leaks
        if len(s) >= MIN_SECRET_CHARS:
            text = text.replace(s, REDACTED)
            quoted = httpx.URL("", params={"x": s}).query.decode()[2:]
            if quoted != s:
                text = text.replace(quoted, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a log record's message with the open clients' tokens removed. Installed on
    httpx's and httpcore's loggers (httpx logs each request's URL at INFO) and on
    `advisor.connectors`."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _ACTIVE.all()
        if secrets:
            text = record.getMessage()
            clean = redact(text, secrets)
            if clean != text:
                record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()
_LOGGERS = (
    "advisor.connectors",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)
for _name in _LOGGERS:
    if _FILTER not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_FILTER)


# ---------------------------------------------------------------- the client


def check_url(url: str, what: str = "the site URL") -> httpx.URL:
    """`url` parsed, if it is HTTPS, or plain HTTP to localhost/127.0.0.1/::1 (a test server
    or a tunnel); else ConnectorError (exit 2) naming `what`."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConnectorError(f"{what} {url!r} is not a URL ({exc})", BAD_INPUT) from None
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and parsed.host in LOCAL_HOSTS:
        return parsed
    if parsed.scheme == "http":
        raise ConnectorError(
            f"{what} must use https:// (plain http:// is allowed only to localhost); got {url!r}",
            BAD_INPUT,
        )
    raise ConnectorError(f"{what} must start with https://; got {url!r}", BAD_INPUT)


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a `Retry-After` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class Api:
    """One provider's HTTP API under `base_url`, used through `get` and `pages_by_link`.

    auth: an httpx auth or a `(user, token)` pair (HTTP Basic); headers: extra headers (e.g.
    `Authorization: Bearer ...`); secrets: strings redacted from every message and log record
    (the token; the Basic header's encoded form is added here); token_names: the environment
    variables named when the provider refuses the credentials (401/403); hints: text per HTTP
    status (401, 403, 404) saying what to fix, added to the message.
    timeout: seconds per request (connect, read, write, pool); retries: attempts after the first
    on 5xx, transport errors and rate limits; backoff: the first wait in seconds, doubled each
    attempt (1, 2, 4, 8, 16 s with the defaults) and capped at max_wait; a rate-limit wait
    longer than max_wait seconds ends the pull (exit 3) rather than hang. sleep: the waiting
    function (tests pass a recorder); cancel: a threading.Event checked before each request
    and during waits (raises Cancelled). transport: an httpx transport (tests only).
    Raises ConnectorError (exit 2) when base_url is not HTTPS (plain HTTP only to localhost).
    """

    def __init__(
        self,
        base_url: str,
        *,
        provider: str,
        auth: Any = None,
        headers: Mapping[str, str] | None = None,
        token_names: Iterable[str] = (),
        secrets: Iterable[str] = (),
        hints: Mapping[int, str] | None = None,
        timeout: float = 30.0,
        retries: int = 5,
        backoff: float = 1.0,
        max_wait: float = 900.0,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.time,
        cancel: threading.Event | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base = check_url(base_url.rstrip("/") + "/", f"the {provider} URL")
        self.provider = provider
        self.token_names = tuple(token_names)
        self.hints = dict(hints or {})
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.cancel = cancel
        self.requests = 0  # made, retries included
        self._sleep = sleep
        self._clock = clock
        secret_list = [s for s in secrets if s and len(s) >= MIN_SECRET_CHARS]
        if isinstance(auth, tuple):
            user, password = auth
            pair = f"{user}:{password}".encode()
            secret_list.append(base64.b64encode(pair).decode())
            auth = httpx.BasicAuth(user, password)
        for value in (headers or {}).values():
            if value.lower().startswith(("bearer ", "token ", "basic ")):
                secret_list.append(value.split(" ", 1)[1])
        self._secrets = tuple(dict.fromkeys(s for s in secret_list if len(s) >= MIN_SECRET_CHARS))
        _ACTIVE.add(self._secrets)
        self._closed = False
        self._client = httpx.Client(
            base_url=str(self.base),
            auth=auth,
            headers={"User-Agent": "platform-advisor", **(headers or {})},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:  # never the headers or the auth
        return f"Api({self.provider}, {str(self.base)!r})"

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool; the tokens stop being watched by the log filter."""
        if not self._closed:
            self._closed = True
            self._client.close()
            _ACTIVE.remove(self._secrets)

    # -- messages

    def redact(self, text: str) -> str:
        """`text` without this client's tokens."""
        return redact(text, self._secrets)

    def error(self, message: str, exit_code: int = PROVIDER_FAILED) -> ConnectorError:
        """A ConnectorError with the message redacted."""
        return ConnectorError(self.redact(message), exit_code)

    def _where(self, url: httpx.URL) -> str:
        return self.redact(url.copy_with(query=None).path)

    def _refused(self, response: httpx.Response) -> ConnectorError:
        status = response.status_code
        where = self._where(response.request.url)
        names = " and ".join(self.token_names) or "the token"
        if status == 401:
            text = (
                f"{self.provider} refused the credentials (HTTP 401) for {where}: check that "
                f"{names} {'are' if len(self.token_names) > 1 else 'is'} set and not expired"
            )
        elif status == 403:
            text = (
                f"{self.provider} refused access (HTTP 403) to {where}: the token in {names} "
                "lacks a permission (scope) this needs, or the account cannot see it"
            )
        elif status == 404:
            text = (
                f"{self.provider} found nothing at {where} (HTTP 404): check the name or id "
                "you gave, and that the token can see it (a private one answers 404 too)"
            )
        else:
            body = response.text[:MAX_BODY_CHARS].strip()
            text = f"{self.provider} refused the request {where} (HTTP {status}): {body}"
        hint = self.hints.get(status)
        if hint:
            text += f". {hint}"
        return self.error(text, BAD_INPUT)

    # -- waiting

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled(f"the {self.provider} pull was cancelled")

    def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self.cancel is not None and self._sleep is time.sleep:
            self.cancel.wait(seconds)  # wakes at once on cancel
        else:
            self._sleep(seconds)
        self._check_cancel()

    def _rate_limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait when the response says a rate limit is reached, else None."""
        status = response.status_code
        h = response.headers
        if status not in (403, 429):
            return None
        after = _retry_after(h.get("retry-after"), self._clock())
        if after is not None:
            return after
        if h.get("x-ratelimit-remaining") == "0" and h.get("x-ratelimit-reset"):
            try:
                return max(0.0, float(h["x-ratelimit-reset"]) - self._clock()) + 1.0
            except ValueError:
                return None
        if status == 429:
            return -1.0  # no hint: exponential backoff
        return None

    # -- requests

    def get(self, url_or_path: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        """GET a path under base_url (or an absolute URL on the same host, e.g. a `Link`
        next page); returns the 2xx response. Retries 5xx, 429 and transport errors (timeouts
        included) up to `retries` times; waits out rate limits. Raises ConnectorError: exit 2
        on 401/403/404 and other 4xx (the message says what to fix), exit 3 when the provider
        still fails after the retries or asks for a wait longer than max_wait; Cancelled."""
        url = self._client.build_request("GET", url_or_path).url
        if (url.scheme, url.host, url.port) != (self.base.scheme, self.base.host, self.base.port):
            raise self.error(
                f"{self.provider} sent a link to another site ({url.host}); stopped so the "
                "token is not sent there"
            )
        attempt = 0
        while True:
            self._check_cancel()
            self.requests += 1
            try:
                response = self._client.get(url_or_path, params=params)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                response = None
            else:
                if response.is_success:
                    return response
                wait = self._rate_limit_wait(response)
                if wait is not None and wait >= 0:
                    if wait > self.max_wait:
                        raise self.error(
                            f"{self.provider} asks to wait {wait:.0f} s for its rate limit, "
                            f"more than the {self.max_wait:.0f} s allowed; what was fetched is "
                            "kept and a rerun continues from there"
                        )
                    if attempt >= self.retries:
                        raise self.error(
                            f"{self.provider} kept answering with its rate limit on "
                            f"{self._where(response.request.url)} after {attempt + 1} tries"
                        )
                    log.warning(
                        self.redact(
                            f"{self.provider}: rate limit reached; waiting {wait:.0f} s "
                            f"(try {attempt + 1} of {self.retries + 1})"
                        )
                    )
                    self._wait(wait)
                    attempt += 1
                    continue
                if response.status_code < 500 and wait is None:
                    raise self._refused(response)
                problem = f"HTTP {response.status_code}"
            if attempt >= self.retries:
                where = self._where(url)
                raise self.error(
                    f"{self.provider} failed on {where} after {attempt + 1} tries "
                    f"(last: {problem}); what was fetched is kept and a rerun continues"
                )
            delay = min(self.backoff * 2**attempt, self.max_wait)
            log.warning(
                self.redact(
                    f"{self.provider}: {problem} on {self._where(url)}; retrying in "
                    f"{delay:g} s (try {attempt + 1} of {self.retries + 1})"
                )
            )
            self._wait(delay)
            attempt += 1

    def get_json(self, url_or_path: str, params: Mapping[str, Any] | None = None) -> Any:
        """`get` and the body parsed as JSON; ConnectorError (exit 3) when it is not JSON."""
        response = self.get(url_or_path, params)
        return self.json(response)

    def json(self, response: httpx.Response) -> Any:
        """A response's body as JSON; ConnectorError (exit 3) naming the path when it is not."""
        try:
            return response.json()
        except ValueError:
            raise self.error(
                f"{self.provider} answered {self._where(response.request.url)} with something "
                "that is not JSON"
            ) from None

    def pages_by_link(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[httpx.Response]:
        """Each page of a list: `path` with `params`, then the `rel="next"` URL of each
        response's `Link` header (GitHub, GitLab), until there is none."""
        response = self.get(path, params)
        yield response
        while True:
            nxt = next_link(response)
            if nxt is None:
                return
            response = self.get(nxt)
            yield response

    def all_pages(
        self, path: str, params: Mapping[str, Any] | None, limit: int
    ) -> list[dict[str, Any]]:
        """The objects of a list's first `limit` pages (see pages_by_link), one list; what
        is not an object is left out."""
        items: list[dict[str, Any]] = []
        for n, response in enumerate(self.pages_by_link(path, params), 1):
            data = self.json(response)
            if isinstance(data, list):
                items.extend(d for d in data if isinstance(d, dict))
            if n >= limit:
                break
        return items


def next_link(response: httpx.Response) -> str | None:
    """The `rel="next"` URL of a response's `Link` header, or None."""
    nxt = response.links.get("next")
    return nxt.get("url") if nxt else None
