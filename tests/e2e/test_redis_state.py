"""REDIS_URL: wizard state lives in the machine's real Redis and survives a restart."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import FsmState
from tests.e2e.harness import running_shop
from tests.e2e.test_wizard import (
    LINK,
    catalog_panel,
    new_customer,
    no_flood_limit,
    open_service,
)
from tests.e2e.test_wizard_edges import say

__all__ = ["no_flood_limit"]  # the autouse fixture of test_wizard applies here too

REDIS_URL = os.environ.get("TEST_REDIS_URL")
CUSTOMER = 3601


@pytest.fixture
async def redis() -> AsyncIterator[object]:
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set (.ci/run sets it)")
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    pattern = f"fsm:{CUSTOMER}:{CUSTOMER}:*"  # aiogram's keys for this chat; never a flush

    async def clean() -> None:
        keys = [key async for key in client.scan_iter(match=pattern)]
        if keys:
            await client.delete(*keys)

    await clean()
    yield client
    await clean()
    await client.aclose()


async def test_order_wizard_survives_a_restart_in_redis(tmp_path: Path, redis: object) -> None:
    async with running_shop(tmp_path, panel=catalog_panel(), redis_url=REDIS_URL) as shop:
        ivy = await new_customer(shop, CUSTOMER, "ar")
        await open_service(ivy, "Followers Plain", "ar")
        assert "كم العدد" in await say(ivy, LINK)
    keys = [key async for key in redis.scan_iter(match=f"fsm:{CUSTOMER}:{CUSTOMER}:*")]  # type: ignore[attr-defined]
    assert keys, "the wizard state is in Redis"

    async with running_shop(tmp_path, panel=catalog_panel(), redis_url=REDIS_URL) as shop:
        async with shop.sessions() as session:  # not in the database
            assert await session.scalar(select(func.count()).select_from(FsmState)) == 0
        ivy = shop.customer(CUSTOMER, "ar")
        summary = await say(ivy, "٥٠٠")
        assert "ملخّص الطلب" in summary
        await ivy.click("✅ تأكيد الطلب")
        await ivy.wait_message(contains="تم تقديم الطلب")
        [add] = shop.panel.requests_for("add")
        assert add.fields == {"action": "add", "service": "101", "link": LINK, "quantity": "500"}
        assert await shop.invariant_holds()
