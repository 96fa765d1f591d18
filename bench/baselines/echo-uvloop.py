"""Reference echo server: Python asyncio on uvloop, every byte received
written back as is (binary safe), like bench/baselines/echo-server.ts.

Written the way a Python developer who cares about speed writes it: an
``asyncio.Protocol`` per connection (uvloop's fastest path: no StreamReader
and no task per client), one ``transport.write`` per chunk received, and
backpressure through ``pause_writing`` / ``resume_writing`` (a peer that
does not read stops us reading it). uvloop's transports try the send system
call at once and buffer only what the kernel does not take.

Run: ``/usr/bin/python3 bench/baselines/echo-uvloop.py --port 7009``
(Debian's python3-uvloop). Prints ``listening on HOST:PORT`` to stderr and
exits 0 on SIGINT or SIGTERM.
"""

import argparse
import asyncio
import signal
import socket
import sys

import uvloop

# asyncio's default write limits (64 KiB high), like our WRITE_HIGH_WATER.
WRITE_HIGH_WATER = 64 * 1024


class EchoProtocol(asyncio.Protocol):
    """One connection: what arrives goes straight back."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # (uvloop's transports are not asyncio.Transport subclasses: no isinstance check.)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)

    def eof_received(self) -> bool:
        return False  # Close once what was echoed is sent.

    def pause_writing(self) -> None:
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.transport.resume_reading()


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(EchoProtocol, host, port)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on {host}:{bound}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7009)
    args = parser.parse_args()
    uvloop.install()
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
