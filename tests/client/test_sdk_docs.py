"""The bot in docs/sdk.md runs as written: it joins, sends video, prints chat, answers."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import frankly.client as fc
from tests.client.helpers import Clients, frame_where, luma_mean, track_from

DOC = Path(__file__).resolve().parents[2] / "docs" / "sdk.md"


def example(name: str) -> str:
    text = DOC.read_text()
    found = re.search(rf"<!-- example: {re.escape(name)} -->\s*```python\n(.*?)```", text, re.S)
    assert found, f"no example {name} in {DOC}"
    return found.group(1)


async def test_the_bot_in_the_guide(clients: Clients, live_server: object, tmp_path: Path) -> None:
    bot_file = tmp_path / "bot.py"
    bot_file.write_text(example("bot.py"))
    ada = await clients.join("Ada")
    bot_joined = ada.wait_for(fc.ParticipantJoined, timeout=30)
    url = f"{live_server.url}/{ada.room}"  # type: ignore[attr-defined]
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-u", str(bot_file), url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert bot.stdout is not None and bot.stderr is not None
    said: list[str] = []

    async def line_with(text: str) -> None:
        assert bot.stdout is not None
        async with asyncio.timeout(30):
            while not any(text in line for line in said):
                line = (await bot.stdout.readline()).decode()
                assert line, f"the bot ended; it said {said}"
                said.append(line.strip())

    try:
        bot_id = (await bot_joined).participant.id
        await line_with("here: Ada")
        # It sends its bars...
        video = await track_from(ada, bot_id, "video")
        frame = await frame_where(video, lambda f: luma_mean(f) > 60)
        assert (frame.width, frame.height) == (640, 360)
        # ...prints the chat and answers !ping...
        pong = ada.wait_for(fc.ChatMessage, lambda m: m.sender_id == bot_id, timeout=30)
        await ada.send_chat("!ping")
        assert (await pong).text == "pong"
        await ada.send_chat("hello bot")
        await line_with("Ada: hello bot")
        # ...and leaves on !bye.
        gone = ada.wait_for(fc.ParticipantLeft, timeout=30)
        await ada.send_chat("!bye")
        assert (await gone).reason == "left"
        await line_with("left")
        assert await asyncio.wait_for(bot.wait(), 30) == 0
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        errors = (await bot.stderr.read()).decode()
    assert "Traceback" not in errors, errors
