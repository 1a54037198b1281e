"""The framework's floor for `make bench`: a bare FastAPI hello, served by the same uvicorn settings
as `stem serve` (one process, no access log, no server header), in its own process. Stem's numbers
are reported as ratios to this one, measured in the same run.

`python -m bench.bare PORT`
"""

import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def hello() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(
        "bench.bare:app",
        host="127.0.0.1",
        port=int(sys.argv[1]),
        workers=1,
        server_header=False,
        date_header=True,
        access_log=False,
        log_level="warning",
    )
