"""Reference chat server: Python asyncio on uvloop, speaking the same subset
of the chat protocol (docs/PROTOCOL.md) as bench/baselines/chat-server.ts.

Written the way a competent Python developer would write a fast asyncio
server: an ``asyncio.Protocol`` per connection (uvloop's fastest path, no
StreamReader task per client) and one ``transport.write`` per recipient per
message, with no batching of our own. uvloop's transports try the send
system call at once and buffer only what the kernel does not take.

Supported: guest nicknames and the welcome line, ``/nick``, ``/join``,
``/help``, ``/quit``, ``//`` escapes, room fan-out, join/leave notices and
``! unknown command`` for everything else. Not supported (not needed by the
benchmarks): ``/who``, ``/rooms``, ``/msg``, line limits, flood control,
slow-reader eviction.

Run: ``/usr/bin/python3 bench/baselines/chat-uvloop.py --port 7779``
(Debian's python3-uvloop). Prints ``listening on HOST:PORT`` to stderr and
exits 0 on SIGINT or SIGTERM.
"""

import argparse
import asyncio
import re
import signal
import sys

import uvloop

LOBBY = "#lobby"
NICK_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


class Chat:
    """The rooms and nicknames of one server."""

    def __init__(self) -> None:
        self.rooms: dict[str, set["ChatProtocol"]] = {}
        self.nicks: dict[str, "ChatProtocol"] = {}
        self.guest_counter = 0

    def fresh_guest_nick(self) -> str:
        while True:
            self.guest_counter += 1
            nick = f"guest{self.guest_counter}"
            if nick.lower() not in self.nicks:
                return nick

    def broadcast(self, room: str, sender: "ChatProtocol | None", line: str) -> None:
        members = self.rooms.get(room)
        if not members:
            return
        data = (line + "\n").encode()
        for member in members:
            if member is not sender:
                member.transport.write(data)


class ChatProtocol(asyncio.Protocol):
    """One connection: splits lines, answers commands, fans messages out."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.transport: asyncio.Transport
        self.nick = ""
        self.room = ""
        self.partial = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's TCPTransport is no asyncio.Transport subclass
        self.nick = self.chat.fresh_guest_nick()
        self.chat.nicks[self.nick.lower()] = self
        self.send(f"* welcome, you are {self.nick} - type /help for commands")
        self.enter(LOBBY)

    def data_received(self, data: bytes) -> None:
        if b"\n" not in data:
            self.partial += data
            return
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        for raw in lines:
            if self.room == "":
                return
            self.handle_line(raw.decode("utf-8", "replace"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.leave(f"* {self.nick} left {self.room}")
        self.chat.nicks.pop(self.nick.lower(), None)

    def send(self, line: str) -> None:
        self.transport.write((line + "\n").encode())

    def enter(self, room: str) -> None:
        self.room = room
        self.chat.rooms.setdefault(room, set()).add(self)
        self.chat.broadcast(room, self, f"* {self.nick} joined {room}")

    def leave(self, notice: str) -> None:
        """Takes the client out of its room, at most once per room."""
        room, self.room = self.room, ""
        members = self.chat.rooms.get(room)
        if members is None:
            return
        members.discard(self)
        if members:
            self.chat.broadcast(room, None, notice)
        else:
            del self.chat.rooms[room]

    def handle_line(self, line: str) -> None:
        if line.endswith("\r"):
            line = line[:-1]
        if line.startswith("/") and not line.startswith("//"):
            self.command(line)
        else:
            self.chat.broadcast(self.room, self, f"<{self.nick}> {line[1:] if line.startswith('//') else line}")

    def command(self, line: str) -> None:
        name, _, rest = line.partition(" ")
        rest = rest.strip()
        if name == "/nick":
            self.change_nick(rest)
        elif name == "/join":
            self.join(rest)
        elif name == "/help":
            self.send("* commands: /nick NAME, /join #room, /help, /quit [reason]")
        elif name == "/quit":
            self.leave(f"* {self.nick} left {self.room}{f' ({rest})' if rest else ''}")
            self.transport.close()
        else:
            self.send(f"! unknown command {name} (try /help)")

    def change_nick(self, wanted: str) -> None:
        if not NICK_PATTERN.match(wanted):
            self.send(f'! invalid nickname "{wanted}" (1 to 24 letters, digits, _ or -)')
            return
        holder = self.chat.nicks.get(wanted.lower())
        if holder is not None and holder is not self:
            self.send(f"! nickname {wanted} is taken")
            return
        old = self.nick
        self.chat.nicks.pop(old.lower(), None)
        self.chat.nicks[wanted.lower()] = self
        self.nick = wanted
        self.send(f"* you are now known as {wanted}")
        self.chat.broadcast(self.room, self, f"* {old} is now known as {wanted}")

    def join(self, room: str) -> None:
        if not room.startswith("#") or len(room) < 2 or any(c.isspace() for c in room):
            self.send("! usage: /join #room")
            return
        if room == self.room:
            self.send(f"* you are already in {room}")
            return
        self.leave(f"* {self.nick} left {self.room}")
        self.enter(room)
        self.send(f"* you joined {room}")


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    chat = Chat()
    server = await loop.create_server(lambda: ChatProtocol(chat), host, port, backlog=4096)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on {host}:{bound}", file=sys.stderr, flush=True)
    stopped = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7779)
    args = parser.parse_args()
    uvloop.install()
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
