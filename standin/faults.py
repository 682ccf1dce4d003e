"""Fault injection: "the next N calls on this path answer with this status".

Rules are checked in the order they were added; a rule is used up after `count` matching
calls. A 429 carries Twitch's rate-limit headers, `Ratelimit-Reset` being the epoch second at
which the bucket refills.
"""

import time
from dataclasses import dataclass

from aiohttp import web

REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
# Helix's bucket: 800 points a minute for an app or a user.
RATELIMIT_LIMIT = 800


@dataclass
class Fault:
    path: str  # "/helix/clips"; matched exactly, without the query string
    status: int
    count: int = 1
    method: str | None = None  # None: any method
    ratelimit_reset_s: float = 1.0  # 429 only: seconds from now until the bucket refills
    message: str | None = None

    def matches(self, request: web.Request) -> bool:
        if self.count <= 0 or request.path != self.path:
            return False
        return self.method is None or self.method.upper() == request.method


class Faults:
    def __init__(self) -> None:
        self.rules: list[Fault] = []
        self.fired: list[tuple[str, str, int]] = []  # (method, path, status), for tests

    def add(self, fault: Fault) -> Fault:
        fault.path = "/" + fault.path.lstrip("/")
        self.rules.append(fault)
        return fault

    def clear(self) -> None:
        self.rules.clear()

    def take(self, request: web.Request) -> web.Response | None:
        for rule in self.rules:
            if rule.matches(request):
                rule.count -= 1
                self.fired.append((request.method, request.path, rule.status))
                return error_response(rule.status, rule.message,
                                      ratelimit_reset_s=rule.ratelimit_reset_s)
        self.rules = [rule for rule in self.rules if rule.count > 0]
        return None


def ratelimit_headers(remaining: int = RATELIMIT_LIMIT - 1, reset_s: float = 60.0) -> dict:
    return {
        "Ratelimit-Limit": str(RATELIMIT_LIMIT),
        "Ratelimit-Remaining": str(remaining),
        "Ratelimit-Reset": str(int(time.time() + reset_s)),
    }


def error_response(status: int, message: str | None = None, *,
                   ratelimit_reset_s: float = 1.0) -> web.Response:
    """Twitch's error body: {"error": reason, "status": code, "message": text}."""
    reason = REASONS.get(status, "Error")
    headers = ratelimit_headers(0, ratelimit_reset_s) if status == 429 else ratelimit_headers()
    return web.json_response(
        {"error": reason, "status": status, "message": message or reason.lower()},
        status=status, headers=headers,
    )
