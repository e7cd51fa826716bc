"""dpytest 0.7.0, fixed: ids, message components, reactions, roles and closing the bot."""

from __future__ import annotations

import datetime
import importlib.util
import itertools
import sys
from typing import TYPE_CHECKING

import discord
import discord.ext.test as dpytest
from discord.ext.test import factories

from nyx_sessions.testing import apply, close_test_bot, compat, create_test_bot, new_snowflake

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from discord.ext import commands


async def test_ids_stay_valid_snowflakes_long_after_4096_of_them(bot: commands.Bot) -> None:
    ids = [factories.make_id() for _ in range(5_000)] + [new_snowflake() for _ in range(5_000)]

    assert all(earlier < later for earlier, later in itertools.pairwise(ids))
    assert all(ident < 1 << 63 for ident in ids)
    now = discord.utils.utcnow()
    for ident in (ids[0], ids[4_096], ids[-1]):
        assert abs(discord.utils.snowflake_time(ident) - now) < datetime.timedelta(minutes=1)


async def test_ids_stay_unique_when_the_kit_is_imported_again(bot: commands.Bot) -> None:
    # Unloading the nyx_sessions extension purges nyx_sessions.* from sys.modules, so a test run
    # can hold two copies of the kit; they must not hand out the same id.
    spec = importlib.util.spec_from_file_location("kit_compat_copy", compat.__file__)
    assert spec is not None
    assert spec.loader is not None
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)

    ids = [make() for _ in range(3_000) for make in (new_snowflake, copy.new_snowflake, factories.make_id)]

    assert ids == sorted(set(ids))


async def test_dpytest_made_objects_use_the_fixed_ids(bot: commands.Bot) -> None:
    for _ in range(5_000):
        factories.make_id()

    member = await dpytest.member_join(name="Latecomer")
    message = await dpytest.message("hello", member=member)

    assert discord.utils.snowflake_time(message.id).year == discord.utils.utcnow().year
    assert message.id > member.id


async def test_messages_from_users_have_components(bot: commands.Bot) -> None:
    message = await dpytest.message("hello")

    assert message.components == []
    fetched = await message.channel.fetch_message(message.id)
    assert fetched.components == []


async def test_reactions_are_added_and_removed(bot: commands.Bot) -> None:
    channel = bot.guilds[0].text_channels[0]
    member = bot.guilds[0].members[0]
    message = await channel.send("React to this")

    await message.add_reaction("😂")
    await dpytest.add_reaction(member, message, "😂")
    await dpytest.remove_reaction(member, message, "😂")

    reaction = (await channel.fetch_message(message.id)).reactions[0]
    assert reaction.emoji == "😂"
    assert reaction.count == 1
    assert reaction.me


async def test_roles_are_created_and_edited_with_colours(bot: commands.Bot) -> None:
    guild = bot.guilds[0]
    member = guild.members[0]

    staff = await guild.create_role(name="Staff", colour=discord.Colour.red())
    await dpytest.add_role(member, staff)
    edited = await staff.edit(colour=discord.Colour.blue(), hoist=True, permissions=discord.Permissions(8))

    assert staff in member.roles
    assert edited.colour == discord.Colour.blue()
    assert guild.get_role(staff.id).colour == discord.Colour.blue()
    assert guild.get_role(staff.id).hoist
    assert guild.get_role(staff.id).permissions.administrator


async def test_applying_twice_changes_nothing(bot: commands.Bot) -> None:
    make_message_dict = factories.make_message_dict

    apply()

    assert factories.make_message_dict is make_message_dict
    assert (await dpytest.message("still one components key")).components == []


async def test_a_test_bot_loads_its_extensions_after_dpytest_and_closes_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "kit_greeter.py").write_text(
        "from discord.ext import commands\n"
        "class Greeter(commands.Cog):\n"
        "    @commands.command()\n"
        "    async def hello(self, ctx):\n"
        "        await ctx.send(f'hello {ctx.author.name}')\n"
        "async def setup(bot):\n"
        "    await bot.add_cog(Greeter())\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    greeter_bot = await create_test_bot(extensions=["kit_greeter"], prefix="?", members=3)
    try:
        await dpytest.message("?hello")
        assert dpytest.verify().message().content("hello TestUser0")
        assert len(dpytest.get_config().members) == 3
    finally:
        await close_test_bot(greeter_bot)
        sys.modules.pop("kit_greeter", None)

    assert greeter_bot.is_closed()
    assert greeter_bot.extensions == {}
    await close_test_bot(greeter_bot)  # closing twice is harmless
