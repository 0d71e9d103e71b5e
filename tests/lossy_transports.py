"""httpx transports that serve every call but lose the answers of the first LLM Scraper posts.

The request reaches the emulator (so the task is created and charged) and the client sees a
read timeout: the post is in doubt, as after a dropped connection.
"""

from __future__ import annotations

import httpx

SCRAPER_POST = "/llm_scraper/task_post"


def _lost(request: httpx.Request) -> httpx.ReadTimeout:
    return httpx.ReadTimeout("answer lost after the request was read", request=request)


class LoseScraperPosts(httpx.BaseTransport):
    """Loses the answer of the first ``lose`` LLM Scraper ``task_post`` calls."""

    def __init__(self, inner: httpx.BaseTransport, lose: int) -> None:
        self.inner = inner
        self.lose = lose

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith(SCRAPER_POST) and self.lose > 0:
            self.lose -= 1
            raise _lost(request)
        return response


class ALoseScraperPosts(httpx.AsyncBaseTransport):
    """Async :class:`LoseScraperPosts`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, lose: int) -> None:
        self.inner = inner
        self.lose = lose

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith(SCRAPER_POST) and self.lose > 0:
            self.lose -= 1
            raise _lost(request)
        return response
