"""A session's life in this process, below the manager and the stores.

The :class:`~nyx_sessions.SessionManager` wires these together and delegates to them:

- :mod:`.live`: the sessions this process holds, one lock per session, the ends in progress;
- :mod:`.backing`: where a session's state lives between clicks -- :class:`~.backing.MemoryBacking`
  here, or a store (:class:`~nyx_sessions.durable.keeper.DurableSessions`) -- behind one interface;
- :mod:`.starting`: the start sequence; :mod:`.clicks`: the way of a click; :mod:`.ending`: the one
  end sequence, exactly once, for ends and expiries alike; :mod:`.shutdown`: closing;
- :mod:`.tasks`: the background work closing waits for.

Nothing here imports the manager: each piece is handed what it needs.
"""
