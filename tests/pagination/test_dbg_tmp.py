from test_ephemeral_and_expiry import *  # noqa
from nyx_sessions.pagination import ListPaginationSession

async def test_dbg(bot, harness, clock):
    s=[]
    @bot.command(name="inventory")
    async def inventory(ctx):
        x = ListPaginationSession(bot, ctx, ITEMS); s.append(x)
        await x.start()
    await harness.message("!inventory")
    message = harness.last_message()
    c = await harness.click(message, controls(harness, message)["next"].custom_id)
    print("edit_interaction", s[0]._edit_interaction, s[0].message, message.id)
    clock.advance(181)
    await harness.settle()
    print(s[0].end_data, c.replies)
    print(harness.message_payload(message)["components"])
