"""Every test folder drives bots through nyx_sessions' own testing kit.

Its ``redis_server`` fixture gives the Redis store's tests a real ``redis-server`` on a unix socket
in a temporary folder (no TCP port, no system service); without the program they are skipped, and
in CI (``CI=true``, which ``.ci/run`` sets after installing it) they fail instead.
"""

pytest_plugins = ["nyx_sessions.testing"]
