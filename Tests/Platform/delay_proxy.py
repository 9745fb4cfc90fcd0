#!/usr/bin/env python3
"""A TCP proxy that holds every piece of data for a fixed delay before passing it on.

The network-fault tests put latency on the kiosk's link with it: this kernel has no
`tc netem`. It runs inside the kiosk's network namespace, listening on that namespace's
loopback, and forwards to the platform across the veth pair. Order is kept per direction;
each piece waits its own delay (pieces in flight overlap, like a long wire).

    delay_proxy.py --listen 127.0.0.1:18080 --upstream 10.203.0.2:8080 --delay-ms 150

It prints "listening" once it accepts connections, and stops with its parent (stdin closes).
"""

import argparse
import asyncio
import sys


async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((asyncio.get_running_loop().time() + delay, data or None))
            if not data:
                break
    except (ConnectionError, OSError):
        queue.put_nowait((0, None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


async def serve(listen, upstream, delay):
    async def handle(client_reader, client_writer):
        try:
            host, port = upstream
            server_reader, server_writer = await asyncio.open_connection(host, port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer, delay), pump(server_reader, client_writer, delay))

    host, port = listen
    server = await asyncio.start_server(handle, host, port)
    print("listening", flush=True)
    # The parent holds our stdin: when it goes (even killed), so do we.
    loop = asyncio.get_running_loop()
    closed = loop.create_future()
    loop.add_reader(sys.stdin.fileno(), lambda: closed.done() or (sys.stdin.buffer.read1(4096) or closed.set_result(None)))
    async with server:
        await closed


def address(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", type=address, required=True)
    parser.add_argument("--upstream", type=address, required=True)
    parser.add_argument("--delay-ms", type=float, default=100)
    options = parser.parse_args()
    asyncio.run(serve(options.listen, options.upstream, options.delay_ms / 1000))


if __name__ == "__main__":
    main()
