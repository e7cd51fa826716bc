"""A session's life in this process, below the manager and the stores.

The :class:`~nyx_sessions.SessionManager` wires these modules together and delegates to them; none
of them imports the manager, each is handed what it needs. ``live`` holds the sessions, their locks
and the ends in progress; ``backing`` is where a session's state lives between clicks (memory here,
or a store: :class:`~nyx_sessions.durable.keeper.DurableSessions`), behind one interface;
``starting``, ``clicks``, ``ending`` and ``shutdown`` are the start sequence, the way of a click,
the one end sequence and closing; ``tasks`` is the background work closing waits for. The docs page
"Where things live" walks through them.
"""
