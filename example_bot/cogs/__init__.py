"""The example bot's cogs, one extension per feature."""
