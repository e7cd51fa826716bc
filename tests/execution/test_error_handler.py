"""ErrorHandler picks the most specific consumer by MRO and never lets an error escape."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from nyx_sessions.errors import NyxSessionsError, SessionUpdateMiddlewareError
from nyx_sessions.execution import ErrorHandler, log_unhandled_error
from nyx_sessions.sessions.state import SessionExecutionMeta

SESSION = SimpleNamespace(id="panel-42")


class NotFoundInDatabase(LookupError):
    pass


def raised(error: BaseException) -> BaseException:
    """Give ``error`` a real traceback, as errors reaching a handler have."""
    try:
        raise error
    except BaseException as caught:
        return caught


async def test_the_most_specific_registered_class_wins():
    calls = []
    handler = ErrorHandler()
    handler.set_consumer(Exception, lambda error, session, *args: calls.append("Exception"))
    handler.set_consumer(LookupError, lambda error, session, *args: calls.append("LookupError"))

    await handler.handle(NotFoundInDatabase(), SESSION)
    await handler.handle(KeyError(), SESSION)
    await handler.handle(ValueError(), SESSION)

    assert calls == ["LookupError", "LookupError", "Exception"]


async def test_consumers_get_the_error_the_session_and_the_handlers_args():
    calls = []

    async def consumer(error, session, interaction, meta):
        calls.append((error, session, interaction, meta))

    handler = ErrorHandler()
    handler.set_consumer(ValueError, consumer)
    error, interaction, meta = ValueError("bad page"), object(), SessionExecutionMeta("panel-42")

    await handler.handle(error, SESSION, interaction, meta)

    assert calls == [(error, SESSION, interaction, meta)]


async def test_package_errors_can_be_consumed_by_their_base_class():
    calls = []
    handler = ErrorHandler()
    handler.set_consumer(NyxSessionsError, lambda error, session, *args: calls.append(error.middleware))
    wrapped = SessionUpdateMiddlewareError(RuntimeError("x"), "cooldown", SESSION)

    await handler.handle(wrapped, SESSION)

    assert calls == ["cooldown"]


async def test_the_default_fallback_logs_the_traceback(caplog):
    with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
        await ErrorHandler().handle(raised(RuntimeError("render failed")), SESSION)

    [record] = caplog.records
    assert record.name.partition(".")[0] == "nyx_sessions", "under the package logger"
    assert "panel-42" in record.getMessage()
    assert "render failed" in record.getMessage()
    assert record.exc_info is not None
    assert "Traceback" in caplog.text


async def test_a_custom_fallback_replaces_the_log(caplog):
    calls = []
    handler = ErrorHandler()
    handler.fallback = lambda error, session, *args: calls.append(type(error))

    with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
        await handler.handle(RuntimeError(), SESSION)

    assert calls == [RuntimeError]
    assert caplog.records == []
    assert ErrorHandler().fallback is log_unhandled_error


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_failing_consumer_is_logged_and_never_propagates(caplog, is_async):
    def broken(error, session, *args):
        raise OSError("log sink unavailable")

    async def broken_async(error, session, *args):
        broken(error, session, *args)

    handler = ErrorHandler()
    handler.set_consumer(ValueError, broken_async if is_async else broken)

    with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
        await handler.handle(ValueError("original"), SESSION)

    assert "log sink unavailable" in caplog.text
    assert "original" in caplog.text


def test_consumers_are_registered_replaced_and_removed():
    def first(*args):
        pass

    def second(*args):
        pass

    handler = ErrorHandler()
    handler.set_consumer(ValueError, first)
    handler.set_consumer(ValueError, second)

    assert handler.has_consumer(ValueError)
    assert not handler.has_consumer(Exception)
    assert dict(handler.consumers) == {ValueError: second}
    assert handler.remove_consumer(ValueError) is True
    assert handler.remove_consumer(ValueError) is False
    assert not handler.has_consumer(ValueError)


def test_the_consumers_mapping_is_read_only():
    handler = ErrorHandler()

    with pytest.raises(TypeError):
        handler.consumers[ValueError] = print  # type: ignore[index]


def test_only_exception_classes_can_be_registered():
    with pytest.raises(TypeError, match="exception class"):
        ErrorHandler().set_consumer(str, print)  # type: ignore[arg-type]
