"""The offline playground: the tour script's transcript, the command line, and steps that cannot work."""

from __future__ import annotations

import io
import os
import select
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import discord
import pytest
import redis
from rich.console import Console

from example_bot.playground import TOUR, Playground, run_playground
from example_bot.playground.render import EXPIRED, FormField, discord_text, form_fields, render_message

if TYPE_CHECKING:
    from pathlib import Path

    from nyx_sessions.testing import RedisServer


def transcript_console() -> Console:
    """A console that records plain text, wide enough that no message line wraps."""
    return Console(file=io.StringIO(), width=120, color_system=None, highlight=False)


def text_of(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def section(transcript: str, start: str, end: str | None = None) -> str:
    """The part of the transcript from the step ``start`` up to the step ``end``."""
    begin = transcript.index(f"alice › {start}\n")
    return transcript[begin : transcript.index(f"› {end}\n", begin) if end else None]


def metric_rows(shown: str) -> dict[tuple[str, str], str]:
    """The rows of a ``metrics`` table: (metric, labels) -> value."""
    rows = [line.split() for line in shown.splitlines()]
    return {(row[0], " ".join(row[1:-1])): row[-1] for row in rows if row and row[0].startswith("nyx_")}


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_the_tour_visits_every_feature(tmp_path: Path, store: str, request: pytest.FixtureRequest) -> None:
    """The whole tour, with durable sessions in SQLite (the default) and in Redis (``--sessions``)."""
    sessions = None
    if store == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        namespace = request.getfixturevalue("redis_namespace")
        sessions = f"{server.url}?namespace={namespace}"
    console = transcript_console()

    assert run_playground(tmp_path / "tour.sqlite3", console, script=TOUR, sessions=sessions) == 0
    if store == "redis":
        with redis.Redis.from_url(server.url) as client:
            kept = client.keys(f"{{nyx:{namespace}}}:s:*")
        assert kept, "the sessions open at the end of the tour were kept in Redis"

    transcript = text_of(console)
    assert "✗" not in transcript
    assert "This interaction failed" not in transcript

    moderations = section(transcript, "/moderations", "/ticket-setup")
    for shown in ("Page 1/5 · 22 moderations", "Page 2/5", "Form · Go to page", "Page 4/5"):
        assert shown in moderations
    assert "Moderations · ⚠️ Warning" in moderations
    assert "Page 1/2 · 8 moderations" in moderations, "case #6, a warning, was revoked"
    assert "only bob can see this" in moderations
    assert "This isn't yours to use." in moderations
    assert "Moderations · 🔨 Ban" in moderations
    assert "Page 1/1 · 3 moderations" in moderations
    assert "[5 Details]" in moderations and "Case #6 · ⚠️ Warning" in moderations, "an action per case"
    revoked = section(moderations, "click Revoke", "select 6 warn")
    assert "Page 4/5 · 21 moderations" in revoked and "Case #6 revoked." in revoked, "the child's decision"
    assert "CaseReview of alice ended: revoked [SELF_ENDED]" in revoked

    wizard = section(transcript, "/ticket-setup", "!settings")
    assert "log · TicketWizard started by alice" in wizard
    assert "This channel already has an open ticket wizard:" in wizard, "one wizard per channel"
    assert "TicketWizard started by bob" not in wizard
    for step in ("Form · Ticket category", "step 2 of 4: channel", "step 3 of 4: priority", "step 4 of 4"):
        assert step in wizard
    assert "Ticket category created" in wizard
    assert "Billing: Questions about invoices and refunds (opens in #support, High priority)" in wizard
    assert "TicketWizard of alice ended: the category was created [SELF_ENDED]" in wizard

    settings = section(transcript, "!settings", "!panel")
    for shown in ("Unsaved changes: press Save.", "Log channel: #mod-log", "Language: Français"):
        assert shown in settings
    assert "Form · Welcome message" in settings
    assert "Welcome message: Bienvenue, {user} !" in settings
    assert "[6 Save (disabled)]" in settings.split("click Save")[1]
    assert "SettingsSession of alice ended: closed by its user [SELF_ENDED]" in settings

    panel = section(transcript, "!panel", "sessions")
    assert "[1 ⚙️ Open panel (0 opened)]" in panel
    assert "only alice can see this" in panel
    assert "SettingsSession started by carol" in panel
    assert "only carol can see this" in panel
    assert "[1 ⚙️ Open panel (2 opened)]" in panel

    expiry = section(transcript, "advance 200", "sessions")
    assert expiry.count("ModerationsSession of alice ended: the session expired [EXPIRED]") == 2
    assert "[9 ▶ (disabled)]" in expiry and "[1 Details (disabled)]" in expiry
    assert "[4 ▾ 🔨 Ban (disabled)]" in expiry

    restarted = section(transcript, "restart")
    before = section(transcript, "sessions", "restart")
    assert "SettingsSession of alice ended: a newer session replaced it [REPLACED]" in before, (
        "one panel each"
    )
    assert "ended: the bot is stopping" not in section(restarted, "restart", "show m11"), "kept, not ended"
    assert (
        "(no sessions held here; 5 durable sessions stored, they come back on their next click: "
        "m8, m10, m11, m12, m13)" in section(restarted, "sessions", "show m11")
    ), "the store's sessions, counted after the restart"
    assert "Page 3/5 · 21 moderations" in section(restarted, "show m11", "show m12"), "from its page on"
    wizard_after = section(restarted, "show m12", "show m13")
    assert (
        "step 4 of 4" in wizard_after
        and "Refunds: Money back (opens in #support, High priority)" in wizard_after
    )
    settings_after = section(restarted, "show m13", "/tickets")
    assert "[6 Save]" in settings_after.split("click Save")[0], "the draft is still unsaved after the restart"
    assert "All changes saved." in settings_after.split("click Save")[1]
    assert "Billing: Questions about invoices and refunds" in section(restarted, "/tickets", "/report")

    report = section(transcript, "/report", "/status")
    assert "Form · Report a member" in report
    assert (
        "(radio group, required; options: spam, abuse, other)" in report and "(checkbox; yes or no)" in report
    )
    assert "I read the server rules must be ticked" in report and "[1 Fix]" in report
    fixed = section(report, "click Fix")
    assert "1 already picked" in fixed and "› spam" in fixed, "the Fix button reopens the form filled in"
    assert "📝 Report by alice against @bob (spam): Posted scam links in #general twice" in report
    assert "ReportSession of alice ended: the form was filled in [SELF_ENDED]" in report

    status = section(transcript, "/status")
    live = section(status, "!moderations kick", "/status")
    assert "m18 Nyx Example BOT · edited" in live and "ModerationsSession: 2" in live, "updated from outside"
    assert "StatusBoard of alice ended: a newer session replaced it [REPLACED]" in status
    assert "[1 Close (disabled)]" in status and "closed by its user [SELF_ENDED]" in status

    french = transcript[transcript.index("bob › locale fr\n") :]
    assert "(bob's Discord is now in fr)" in french
    assert "only bob can see this" in french
    assert "Ce n'est pas à vous. Lancez la commande vous-même pour avoir la vôtre." in french, (
        "a notice in the clicking user's language, through the bot's translator"
    )
    counted = metric_rows(section(transcript, "metrics"))
    assert counted[("nyx_sessions_started_total", "kind='example.moderations'")] == "4"
    assert counted[("nyx_sessions_clicks_total", "kind='example.moderations', outcome='denied'")] == "2", (
        "bob, twice (once in French)"
    )
    assert counted[("nyx_sessions_ended_total", "code='EXPIRED', kind='example.moderations'")] == "2"
    assert counted[("nyx_sessions_live", "kind='example.moderations'")] == "2"


def test_the_tour_from_the_command_line_runs_cleanly_twice_in_a_row(tmp_path: Path) -> None:
    """The tour tells its story from an empty server: it runs on a fresh database of its own, and
    leaves none behind, so it can be replayed."""
    env = {key: value for key, value in os.environ.items() if key not in ("DISCORD_TOKEN", "NYX_EXAMPLE_DB")}
    for _ in range(2):
        finished = subprocess.run(
            [sys.executable, "-m", "example_bot", "--tour"],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(TOUR.parent.parent)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert finished.returncode == 0, finished.stderr
        assert "✗" not in finished.stdout and "📝 Report by alice" in finished.stdout
    assert list(tmp_path.iterdir()) == [], "no database left in the working folder"


def test_the_command_line_replays_a_script_on_the_database_it_is_given(tmp_path: Path) -> None:
    script = tmp_path / "steps.txt"
    script.write_text("/tickets\nquit\n/moderations\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "DISCORD_TOKEN"}
    env["NYX_EXAMPLE_DB"] = str(tmp_path / "env.sqlite3")

    finished = subprocess.run(
        [sys.executable, "-m", "example_bot", "--script", str(script)],
        cwd=TOUR.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    assert "alice › /tickets" in finished.stdout
    assert "Nothing to show." in finished.stdout
    assert "/moderations" not in finished.stdout  # quit stopped the script
    assert (tmp_path / "env.sqlite3").exists()


async def test_the_playground_explains_steps_it_cannot_run(tmp_path: Path) -> None:
    console = transcript_console()
    async with Playground(tmp_path / "errors.sqlite3", console) as playground:
        await playground.play(
            [
                "click 1",
                "dance",
                "user dave",
                "/nope",
                "!nope",
                "fill 1=x",
                "advance soon",
                "/moderations",
                "click 7",
                "select 1 warn",
                "select 6 nothing",
                'fill 1="unclosed',
                "locale klingon",
            ]
        )

    transcript = text_of(console)
    refusals = [line for line in transcript.splitlines() if line.startswith("✗")]
    assert refusals[:7] == [
        "✗ there is no message with buttons or selects yet",
        "✗ unknown step 'dance'; type help for the list",
        "✗ 'dave' is not a member; pick one of alice, bob, carol",
        "✗ /nope is not a slash command; there are /moderations, /panel, /report, /settings, /status, /ticket-setup, /tickets",
        '✗ the bot raised CommandNotFound: Command "nope" is not found',
        "✗ no form is open: a button that opens one comes first",
        "✗ advance SECONDS, e.g. advance 300",
    ]
    assert refusals[7:] == [
        "✗ 7 is disabled: nobody can use it now",  # "first page", on the first page
        "✗ 1 is a button: click it",
        "✗ the select has no option 'nothing'; it offers all, warn, mute, kick, ban",
        '✗ No closing quotation: fill 1="unclosed',
        "✗ 'klingon' is no Discord locale; e.g. fr, de, en-US, pt-BR",
    ]
    assert "Page 1/5 · 22 moderations" in transcript  # the playground went on after each refusal


def test_an_interactive_session_asks_for_each_field_of_a_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = iter(["/ticket-setup", "click 1", "Support", "", "quit"])
    monkeypatch.setattr("builtins.input", lambda *prompt: next(typed))
    console = transcript_console()

    assert run_playground(tmp_path / "interactive.sqlite3", console) == 0

    transcript = text_of(console)
    assert "Form · Ticket category" in transcript
    assert "step 2 of 4: channel" in transcript
    assert next(typed, None) is None


def test_forms_read_their_labels_from_label_wrappers_and_classic_rows() -> None:
    modal = {
        "title": "Profile",
        "components": [
            {"type": 18, "label": "Nickname", "component": {"type": 4, "custom_id": "nick", "value": "Al"}},
            {"type": 1, "components": [{"type": 4, "custom_id": "bio", "label": "Bio", "required": False}]},
        ],
    }

    assert form_fields(modal) == [
        FormField("nick", "Nickname", "Al", required=True, max_length=None),
        FormField("bio", "Bio", "", required=False, max_length=None),
    ]


def test_mentions_and_timestamps_read_as_a_person_sees_them() -> None:
    names = {("channel", 1): "#general", ("user", 2): "@alice"}

    shown = discord_text(
        "**<@2>** posted in <#1> on <t:1709280000:d>", lambda kind, ident: names[kind, ident]
    )

    assert shown.plain == "@alice posted in #general on 2024-03-01"


async def test_a_components_v2_message_reads_as_its_sections_buttons_media_and_rules() -> None:
    gallery = discord.ui.MediaGallery(discord.MediaGalleryItem("https://cdn.example/evidence.png"))
    layout = discord.ui.LayoutView()
    layout.add_item(
        discord.ui.Container(
            discord.ui.Section(
                discord.ui.TextDisplay("**Case 12** warned"),
                accessory=discord.ui.Button(label="Open", custom_id="open-12"),
            ),
            discord.ui.Separator(),
            gallery,
            discord.ui.File("attachment://log.txt"),
        )
    )
    message = {"flags": 1 << 15, "components": layout.to_components()}
    console = Console(file=io.StringIO(), width=100, color_system=None)

    console.print(render_message(message, number=1, edited=False, names=lambda kind, ident: f"{kind}{ident}"))

    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Case 12 warned" in shown and "[1 Open]" in shown, "the section's text, its accessory numbered"
    assert "🖼 evidence.png" in shown and "📎 log.txt" in shown
    assert "─" * 10 in shown, "the separator is a rule"
    assert "does not draw" not in shown


async def test_the_metrics_step_shows_what_the_bot_counted(tmp_path: Path) -> None:
    console = transcript_console()
    async with Playground(tmp_path / "metrics.sqlite3", console) as playground:
        await playground.play(["metrics", "/moderations", "click 10", "user bob", "click 10", "metrics"])

    transcript = text_of(console)
    first = section(transcript, "metrics", "/moderations")
    assert "nyx_sessions_started_total" not in first and "nyx_sessions_clicks_total" not in first
    assert "nyx_sessions_store_seconds_count" in first, "opening the store asked it for its next deadline"
    rows = metric_rows(transcript.split("bob › metrics", 1)[1])
    assert rows[("nyx_sessions_started_total", "kind='example.moderations'")] == "1"
    assert rows[("nyx_sessions_clicks_total", "kind='example.moderations', outcome='handled'")] == "1"
    assert rows[("nyx_sessions_clicks_total", "kind='example.moderations', outcome='denied'")] == "1"
    assert rows[("nyx_sessions_live", "kind='example.moderations'")] == "1"
    assert any(name == "nyx_sessions_store_seconds_count" for name, _ in rows), "durable: the store is timed"


def test_the_command_line_serves_metrics_on_the_port_it_is_given(tmp_path: Path) -> None:
    """``--metrics-port``: the playground's bot reports to a Prometheus observer served over HTTP."""
    script = tmp_path / "steps.txt"
    script.write_text("/moderations\nclick 10\n", encoding="utf-8")
    probe = (
        "import socket, urllib.request\n"
        "from example_bot.__main__ import main\n"
        "sock = socket.socket(); sock.bind(('127.0.0.1', 0)); port = sock.getsockname()[1]; sock.close()\n"
        f"status = main(['--db', {str(tmp_path / 'cli.sqlite3')!r}, '--script', {str(script)!r},"
        " '--metrics-port', str(port)])\n"
        "body = urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=5).read().decode()\n"
        "print(status, [line for line in body.splitlines() if line.startswith('nyx_sessions_clicks_total')])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DISCORD_TOKEN": ""},
    )
    assert done.returncode == 0, done.stderr
    status, lines = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "0"
    assert 'nyx_sessions_clicks_total{kind="example.moderations",outcome="handled"} 1.0' in lines


async def test_the_clock_moves_forward_by_a_number_of_seconds(tmp_path: Path) -> None:
    console = transcript_console()
    async with Playground(tmp_path / "clock.sqlite3", console) as playground:
        started = playground.clock.time()
        await playground.play(["advance -5", "advance nan", "advance inf", "advance 0"])
        assert playground.clock.time() == started

    refusals = [line for line in text_of(console).splitlines() if line.startswith("✗")]
    assert refusals == [
        "✗ the clock only moves forward: advance 0 or more seconds, not -5",
        "✗ advance takes a number of seconds, e.g. advance 300, not 'nan'",
        "✗ advance takes a number of seconds, e.g. advance 300, not 'inf'",
    ]


def run_example_bot(
    *arguments: str, cwd: Path, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m example_bot`` offline, with ``stdin`` piped in."""
    env = {key: value for key, value in os.environ.items() if key not in ("DISCORD_TOKEN", "NYX_EXAMPLE_DB")}
    return subprocess.run(
        [sys.executable, "-m", "example_bot", *arguments],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(TOUR.parent.parent)},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_missing_script_is_a_usage_error_and_help_names_the_tour(tmp_path: Path) -> None:
    missing = run_example_bot("--script", "tour.txt", cwd=tmp_path)

    assert missing.returncode == 2
    assert missing.stderr.splitlines()[-1] == (
        "python -m example_bot: error: --script tour.txt: no such file (the tour is example_bot/tour.txt)"
    )
    assert "Traceback" not in missing.stderr and list(tmp_path.iterdir()) == [], "refused before starting"
    shown = run_example_bot("--help", cwd=tmp_path).stdout
    assert "example_bot/tour.txt" in " ".join(shown.split()), "the path from the project's folder"


def test_piped_steps_are_echoed_and_quit_or_the_end_of_input_leave_only_the_databases(tmp_path: Path) -> None:
    for steps in ("/moderations\nquit\n", "/moderations\n"):  # quit, then end of input (Ctrl-D)
        done = run_example_bot("--offline", "--db", "bot.sqlite3", cwd=tmp_path, stdin=steps)

        assert done.returncode == 0, done.stderr
        assert "alice › /moderations\n" in done.stdout, "each step shown as it was typed"
        assert "Page 1/5 · 22 moderations" in done.stdout
        assert sorted(path.name for path in tmp_path.iterdir()) == ["bot.sessions.sqlite3", "bot.sqlite3"]


@pytest.mark.parametrize("when", ["while it starts", "at the prompt"])
def test_ctrl_c_stops_the_playground_cleanly(tmp_path: Path, when: str) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DISCORD_TOKEN"}
    playground = subprocess.Popen(
        [sys.executable, "-m", "example_bot", "--offline", "--db", "bot.sqlite3"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(TOUR.parent.parent), "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert playground.stdin is not None and playground.stdout is not None
    lock = tmp_path / "bot.sessions.sqlite3.lock"
    shown = b""
    try:
        deadline = time.monotonic() + 30
        if when == "at the prompt":
            playground.stdin.write(b"/moderations\n")
            playground.stdin.flush()

        # Read what it shows until the moment: the store opened, or the whole answer drawn (piped
        # steps are read without a prompt).
        def reached() -> bool:
            if when == "while it starts":
                return lock.exists()
            return b"Page 1/5" in shown and shown.rstrip().endswith("╯".encode())

        while not reached() and time.monotonic() < deadline:
            if select.select([playground.stdout], [], [], 0.05)[0]:
                shown += os.read(playground.stdout.fileno(), 65536)
        assert lock.exists(), "the store is open"
        playground.send_signal(signal.SIGINT)
        out, err = playground.communicate(timeout=30)
    finally:
        if playground.poll() is None:
            playground.kill()
    assert playground.returncode == 0, err.decode()
    assert b"(interrupted)" in shown + out and b"Traceback" not in err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bot.sessions.sqlite3", "bot.sqlite3"]


async def test_after_a_restart_the_stored_sessions_are_counted_and_expired_ones_said_so(
    tmp_path: Path,
) -> None:
    """Sessions found long overdue (as after an outage) end without an edit of their messages,
    which the next click disables: until then the playground says their buttons are dead."""
    console = transcript_console()
    steps = ["/moderations", "!panel", "!settings", "restart", "sessions", "advance 400", "sessions"]
    async with Playground(tmp_path / "restart.sqlite3", console) as playground:
        await playground.play([*steps, "show m1", "click 10"])

    transcript = text_of(console)
    assert (
        "(no sessions held here; 3 durable sessions stored, they come back on their next click: m1, m2, m3)"
        in section(transcript, "sessions", "advance 400")
    )
    expired = section(transcript, "advance 400", "sessions")
    assert "ModerationsSession of alice ended: the session expired [EXPIRED]" in expired, "by name, not by id"
    assert f"(m1: {EXPIRED}; show m1 draws it again)" in expired
    assert f"(m3: {EXPIRED}; show m3 draws it again)" in expired
    assert "m2:" not in expired, "the panel never expires"
    assert (
        "(no sessions held here; 1 durable session stored, it comes back on its next click: m2)"
        in section(transcript, "advance 400", "show m1")
    )
    assert f"⌛ {EXPIRED}" in section(transcript, "show m1", "click 10")
    clicked = section(transcript, "click 10")
    assert "This session has expired." in clicked and "⌛" not in clicked, "disabled once clicked"
