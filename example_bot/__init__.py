"""An example bot for nyx_sessions: read it in ten minutes, copy what you need.

- ``cogs/moderations.py``: ``/moderations [type]``, a paginated list filtered with a select menu;
- ``cogs/tickets.py``: ``/ticket-setup``, a step-by-step wizard with a modal step;
  ``/tickets``, a list paginator used as it is;
- ``cogs/settings.py``: ``!settings`` / ``/settings``, a settings panel with buttons, selects and a
  modal; ``!panel``, a button that starts the same panel;
- ``cogs/session_log.py``: listeners that log every session's start and end;
- ``db.py``: the SQLite database; ``bot.py``: the bot class; ``playground/``: the offline mode.

Run it with ``python -m example_bot`` (see ``python -m example_bot --help``).
"""
