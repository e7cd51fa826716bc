"""Every test folder drives bots through nyx_sessions' own testing kit."""

pytest_plugins = ["nyx_sessions.testing"]
