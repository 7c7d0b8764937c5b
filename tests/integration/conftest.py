"""Fixtures: processes are started per test module (or per test where a test
needs its own), and always stopped."""

import pytest

import harness


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    emu = harness.Emulator(tmp_path_factory.mktemp("emulator"))
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, emulator):
    srv = harness.Server(
        tmp_path_factory.mktemp("server"),
        args=["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file, "--threads", "2"],
    )
    try:
        yield srv.wait_ready()
    finally:
        srv.stop()


@pytest.fixture
def start_server(tmp_path):
    """Starts servers with their own arguments; stops them after the test."""
    started = []

    def start(args=(), config_text=None, wait=True, env=None, name="server", server_keys=None, prefix=()):
        srv = harness.Server(tmp_path / f"{name}{len(started)}", config_text=config_text, args=args, env=env,
                             server_keys=server_keys, prefix=prefix)
        started.append(srv)
        return srv.wait_ready() if wait else srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture
def start_emulator(tmp_path):
    started = []

    def start(*args, world=None, metadata=False):
        emu = harness.Emulator(tmp_path / f"emulator{len(started)}", *args, world=world, metadata=metadata)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()
