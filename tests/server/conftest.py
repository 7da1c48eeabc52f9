from collections.abc import AsyncIterator

import pytest

from tests.server.wsclient import Raw


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    yield
    while Raw.opened:
        await Raw.opened.pop().close()
