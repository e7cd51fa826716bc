"""The distribution as users get it: the wheel and sdist built, the wheel installed in a clean virtualenv.

One build and one virtualenv serve the module. The virtualenv installs from the package registry (the
library's dependencies), never from this checkout: every check runs in a folder outside it, so
``import nyx_sessions`` can only find the installed wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import nyx_sessions

ROOT = Path(__file__).resolve().parents[2]
VERSION = nyx_sessions.__version__

# What a wheel of the library may hold: the package, the module that keeps exception identities
# across reloads, and the metadata.
LIBRARY_TOP_LEVEL = {"nyx_sessions", "_nyx_sessions_identity.py", f"nyx_sessions-{VERSION}.dist-info"}


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path


@dataclass(frozen=True)
class Venv:
    root: Path
    python: Path
    site_packages: Path
    elsewhere: Path
    """A folder outside the checkout to run from."""

    def run(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
        return subprocess.run(
            [str(self.python), *map(str, args)],
            cwd=self.elsewhere,
            env=env,
            capture_output=True,
            text=True,
            check=check,
            timeout=600,
        )

    def pip_install(self, requirement: str) -> None:
        done = self.run(
            "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement, check=False
        )
        assert done.returncode == 0, f"pip install {requirement} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"python -m build failed:\n{done.stdout}\n{done.stderr}"
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    twine = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert twine.returncode == 0, f"twine check failed:\n{twine.stdout}\n{twine.stderr}"
    return Built(wheel, sdist)


@pytest.fixture(scope="module")
def venv(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=300)
    python = root / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return Venv(root, python, Path(site), tmp_path_factory.mktemp("elsewhere"))


def test_the_wheel_holds_the_library_and_nothing_else(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = wheel.namelist()
    assert {name.split("/", 1)[0] for name in names} == LIBRARY_TOP_LEVEL
    assert "nyx_sessions/py.typed" in names
    assert "nyx_sessions/testing/plugin.py" in names
    for vendored in ("openapi.json", "source.json", "LICENSE"):
        assert f"nyx_sessions/testing/discord_api/{vendored}" in names
    assert f"nyx_sessions-{VERSION}.dist-info/licenses/LICENSE" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith((".pyc", ".sqlite3"))]


def test_the_sdist_carries_tests_example_bot_and_docs_sources(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for expected in (
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "Makefile",
        "mkdocs.yml",
        "nyx_sessions/__init__.py",
        "_nyx_sessions_identity.py",
        "tests/conftest.py",
        "tests/packaging/test_distribution.py",
        "example_bot/__main__.py",
        "example_bot/tour.txt",
        "benchmarks/__main__.py",
        "docs/index.md",
        "docs/guide/sessions.md",
        "docs/reference/index.md",
        "docs/hooks.py",
    ):
        assert expected in names, f"the sdist lacks {expected}"
    assert not [name for name in names if "__pycache__" in name or name.endswith(".sqlite3")]


def test_the_wheel_installs_only_the_library(built: Built, venv: Venv) -> None:
    before = set(os.listdir(venv.site_packages))
    venv.pip_install(str(built.wheel))
    added = set(os.listdir(venv.site_packages)) - before

    assert added >= LIBRARY_TOP_LEVEL
    # Everything else the install added belongs to the library's dependencies (discord.py and its own).
    dependencies = added - LIBRARY_TOP_LEVEL
    owners = venv.run(
        "-c",
        textwrap.dedent(
            """
            import importlib.metadata as md, sys
            for dist in md.distributions():
                for file in dist.files or ():
                    print(dist.metadata["Name"], file.parts[0])
            """
        ),
    ).stdout.splitlines()
    owner_of = {line.split(" ", 1)[1]: line.split(" ", 1)[0] for line in owners}
    foreign = {entry for entry in dependencies if owner_of.get(entry) == "nyx-sessions"}
    assert not foreign, f"the wheel installed more than the library: {sorted(foreign)}"
    for demo in ("example_bot", "benchmarks", "tests", "docs"):
        assert demo not in added, f"the wheel put {demo}/ into site-packages"


def test_the_installed_library_imports_loads_and_tests(built: Built, venv: Venv) -> None:
    venv.pip_install(f"nyx-sessions[testing] @ {built.wheel.as_uri()}")
    script = textwrap.dedent(
        """
        import asyncio, pathlib, sys
        import nyx_sessions
        from nyx_sessions.testing import close_test_bot, create_test_bot
        from nyx_sessions.testing.discord_api import check_request

        assert pathlib.Path(nyx_sessions.__file__).is_relative_to(pathlib.Path(sys.prefix)), nyx_sessions.__file__
        # The vendored OpenAPI document came with the wheel: the fake Discord checks bodies with it.
        assert check_request("create_message", {"content": "x" * 4001})["code"] == 50035

        async def main() -> None:
            bot = await create_test_bot(extensions=())
            await bot.load_extension("nyx_sessions")
            manager = nyx_sessions.get_session_manager(bot)
            assert "SessionCog" in bot.cogs, bot.cogs
            print(nyx_sessions.__version__, type(manager).__name__)
            await close_test_bot(bot)

        asyncio.run(main())
        """
    )
    done = venv.run("-c", script, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [VERSION, "SessionManager"]


def test_every_extra_installs_what_it_promises(built: Built, venv: Venv, tmp_path: Path) -> None:
    venv.pip_install(f"nyx-sessions[example] @ {built.wheel.as_uri()}")
    # [sqlite]: the store of durable sessions opens a database.
    store = venv.run(
        "-c",
        textwrap.dedent(
            f"""
            import asyncio
            from nyx_sessions.storage import SQLiteSessionStore

            async def main() -> None:
                store = SQLiteSessionStore({str(tmp_path / "sessions.sqlite3")!r})
                await store.open()
                await store.close()

            asyncio.run(main())
            """
        ),
        check=False,
    )
    assert store.returncode == 0, store.stderr
    # [testing]: pytest runs with the plugin, the fixtures and dpytest.
    (tmp_path / "test_kit.py").write_text(
        textwrap.dedent(
            """
            pytest_plugins = ["nyx_sessions.testing"]

            async def test_the_bot_has_the_extension(bot, harness):
                assert "SessionCog" in bot.cogs
            """
        )
    )
    tests = venv.run(
        "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "asyncio_mode=auto", tmp_path, check=False
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    # [example]: the example bot, copied out of the checkout, plays its whole tour from the wheel.
    venv.run("-c", f"import shutil; shutil.copytree({str(ROOT / 'example_bot')!r}, 'example_bot')")
    tour = venv.run("-m", "example_bot", "--tour", "--db", tmp_path / "tour.sqlite3", check=False)
    assert tour.returncode == 0, tour.stdout[-2000:] + tour.stderr[-4000:]
    assert "Traceback" not in tour.stdout
