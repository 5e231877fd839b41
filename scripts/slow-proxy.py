#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# A TCP proxy on 127.0.0.1 that passes requests as they come and sends answers at a fixed
# rate, so screenshots can catch a pull half-way: slow-proxy.py LISTEN_PORT UPSTREAM_PORT BYTES_PER_S
import asyncio
import sys

listen_port, upstream_port, rate = (int(a) for a in sys.argv[1:4])


async def pipe(reader, writer, throttled):
    try:
        while data := await reader.read(16384):
            writer.write(data)
            await writer.drain()
            if throttled:
                await asyncio.sleep(len(data) / rate)
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(client_reader, client_writer):
    upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
    await asyncio.gather(pipe(client_reader, upstream_writer, False),
                         pipe(upstream_reader, client_writer, True))


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


asyncio.run(main())
