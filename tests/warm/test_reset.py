"""Caches the warm kernel's reset installs, checked in a plain interpreter (they patch the
process they run in): they keep compiled code, never change what runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESET_SOURCE = ROOT / "kpi" / "warm" / "reset.py"

PROGRAM = textwrap.dedent("""
    import dataclasses, importlib.util, sys, typing
    spec = importlib.util.spec_from_file_location("_kpi_warm_reset", sys.argv[1])
    reset = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reset)

    def make(install):
        if install:
            reset._install_dataclass_cache()
        @dataclasses.dataclass(frozen=True)
        class Point:
            x: int
            y: "typing.List[int]" = dataclasses.field(default_factory=list)
        return Point

    before = [make(False), make(False)]
    after = [make(True), make(True)]
    # without the cache each class compiles its own __init__; with it, the code is shared
    print(before[0].__init__.__code__ is before[1].__init__.__code__,
          after[0].__init__.__code__ is after[1].__init__.__code__)
    p, q = after[1](1), before[1](1)
    print(p == after[1](1), repr(p) == repr(q), p.y is not after[1](1).y)
    try:
        p.x = 2
    except dataclasses.FrozenInstanceError:
        print("frozen")
    # annotations stay what dataclasses makes them (no inherited __future__ annotations)
    print(after[0].__init__.__annotations__ == before[0].__init__.__annotations__,
          after[0].__init__.__annotations__["x"] is int)
""")


def test_the_dataclass_cache_shares_compiled_methods_and_changes_nothing() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(RESET_SOURCE)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:4] == ["False True", "True True True", "frozen", "True True"]


FLUSH_PROGRAM = textwrap.dedent("""
    import importlib.util, sys, time
    import zmq
    from ipykernel.iostream import IOPubThread, OutStream
    from jupyter_client.session import Session
    spec = importlib.util.spec_from_file_location("_kpi_warm_reset", sys.argv[1])
    reset = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reset)

    context = zmq.Context()
    pub, sub = context.socket(zmq.PUB), context.socket(zmq.SUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub.connect(f"tcp://127.0.0.1:{port}")
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    time.sleep(0.3)  # let the subscription reach the publisher
    thread = IOPubThread(pub)
    thread.start()
    session = Session()
    stream = OutStream(session, thread, "stdout", watchfd=False)
    handed = []
    schedule = thread.schedule
    thread.schedule = lambda f: (handed.append(f), schedule(f))[1]

    def flushes(text):
        handed.clear()
        if text:
            stream.write(text)
        stream.flush()
        return len(handed)

    print(flushes(""), end=" ")  # ipykernel's own flush: hands events over even when empty
    reset._install_quick_flush()
    reset._install_quick_flush()  # installed once
    print(flushes(""), flushes("héllo\\n") > 0, end=" ")
    parts = sub.recv_multipart()
    message = session.deserialize(session.feed_identities(parts)[1])
    print(message["msg_type"], repr(message["content"]["text"]))
""")


def test_an_empty_flush_skips_the_io_thread_and_text_still_goes_out() -> None:
    out = subprocess.run([sys.executable, "-c", FLUSH_PROGRAM, str(RESET_SOURCE)],
                         capture_output=True, text=True, check=True, timeout=60)
    before, after, written, msg_type, text = out.stdout.split()
    assert int(before) >= 2 and after == "0" and written == "True"
    assert (msg_type, text) == ("stream", "'héllo\\n'")
