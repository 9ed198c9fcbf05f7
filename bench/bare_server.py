"""The baseline for the upload route: a bare Starlette app whose one route streams the body to a file.

Nothing but uvicorn, Starlette's `request.stream()` and aiofiles, with uvicorn's defaults (uvloop and httptools when
installed, as under NiceGUI), so the gap between this and the real route is what parsing, checks, hashing and
NiceGUI's middleware cost. Run by bench/ingest.py: `python -m bench.bare_server PORT FILE`.
"""
import sys
from pathlib import Path

import aiofiles
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


def make_app(target: Path) -> Starlette:
    async def upload(request: Request) -> JSONResponse:
        received = 0
        async with aiofiles.open(target, 'wb') as file:
            async for chunk in request.stream():
                await file.write(chunk)
                received += len(chunk)
        return JSONResponse({'bytes': received}, status_code=201)

    async def ready(request: Request) -> PlainTextResponse:
        return PlainTextResponse('ok')

    return Starlette(routes=[Route('/upload', upload, methods=['POST']), Route('/ready', ready)])


if __name__ == '__main__':
    port, target = int(sys.argv[1]), Path(sys.argv[2])
    uvicorn.run(make_app(target), host='127.0.0.1', port=port, log_level='warning')
