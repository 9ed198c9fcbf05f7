"""How fast, and in how much memory, a large file reaches the library: the real upload route against its ceilings.

One run measures, on this machine, with the page cache warm and the same disk throughout:
1. `cp` of the file: what disk and page cache allow at best;
2. a bare Starlette route that only streams the body to a file (bench/bare_server.py): what any ASGI app manages;
3. the real route, POST /api/media/upload, on the real server (`python main.py`, started by tests/live_server.py);
4. concurrent uploads to the real route, each stored file checked against its source's sha256.

The client sends with http.client and `socket.sendfile`, so it costs the two shared cores next to nothing and the
servers set the pace. Run from the project root: `.venv/bin/python -m bench.ingest --help`.
"""
import argparse
import hashlib
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.live_server import LiveServer, free_port, live_server, stop_process

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
MB = 1_000_000  # throughput in MB/s, as FACTS.md and most tools count it
MP4_START = b'\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2'  # a real ftyp box, so the type check passes
GENERATE_BLOCK = 8 * MIB
SAMPLE_SECONDS = 0.02
EMAIL, PASSWORD = 'bench@example.org', 'bench password 123'
TARGET_RATIO = 0.85
TARGET_RSS_MIB = 32
FINISHED_STAGES = frozenset({'ready', 'failed', 'cancelled'})


@dataclass(frozen=True)
class Source:
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class Upload:
    status: int
    body: bytes
    seconds: float
    client_cpu: float

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Row:
    """One line of the table: every run's figures, reduced to a median (time) or the worst case (memory)."""

    name: str
    size: int
    seconds: list[float] = field(default_factory=list)
    rss_growth: list[int] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    client_cpu: list[float] = field(default_factory=list)

    @property
    def mb_per_s(self) -> float:
        return self.size / statistics.median(self.seconds) / MB


@dataclass
class Concurrent:
    row: Row
    count: int
    failures: list[str]
    response_matches: int
    stored_matches: bool
    stored_files: int


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m bench.ingest', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--size-mib', type=int, default=1024, help='the one big file (default: 1024)')
    parser.add_argument('--runs', type=int, default=3, help='runs per measurement, median reported (default: 3)')
    parser.add_argument('--concurrent', type=int, default=10, help='simultaneous uploads (default: 10)')
    parser.add_argument('--each-mib', type=int, default=100, help='size of each concurrent upload (default: 100)')
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix='mediashelf-bench-', dir=temp_root()))
    try:
        return run(work, size=args.size_mib * MIB, runs=args.runs, concurrent=args.concurrent,
                   each=args.each_mib * MIB)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, *, size: int, runs: int, concurrent: int, each: int) -> int:
    log(f'work dir {work}: writing {size // MIB} MiB of random bytes')
    big = write_random_file(work / 'big.mp4', size)
    warmup = write_random_file(work / 'warmup.mp4', MIB)
    copy = measure_cp(big, work / 'copy.mp4', runs)
    bare = measure_bare(big, warmup, work / 'bare-upload', runs)
    log(f'writing {concurrent} x {each // MIB} MiB of random bytes')
    parallel_sources = [write_random_file(work / f'parallel-{index}.mp4', each) for index in range(concurrent)]
    with real_server(work / 'data') as (server, cookie):
        warm_up(server, cookie, warmup)
        route = measure_route(server, cookie, big, runs)
        parallel = measure_concurrent(server, cookie, parallel_sources)
    return report(work, runs=runs, copy=copy, bare=bare, route=route, parallel=parallel)


def temp_root() -> Path:
    """The big files belong on the disk the app writes to; /tmp only when it is that disk (so no tmpfs)."""
    tmp = Path(tempfile.gettempdir())
    return tmp if os.stat(tmp).st_dev == os.stat(ROOT).st_dev else ROOT


def write_random_file(path: Path, size: int) -> Source:
    """MP4_START and then random bytes: accepted as a video, incompressible, different every time."""
    hasher = hashlib.sha256()
    with path.open('wb') as file:
        written = 0
        while written < size:
            block = os.urandom(min(GENERATE_BLOCK, size - written))
            if written == 0:
                block = MP4_START + block[len(MP4_START):]
            file.write(block)
            hasher.update(block)
            written += len(block)
    return Source(path=path, size=size, sha256=hasher.hexdigest())


def restamp(source: Source) -> Source:
    """New bytes right after the header: a new sha256, so no run of the real route takes the duplicate path."""
    with source.path.open('r+b') as file:
        file.seek(len(MP4_START))
        file.write(os.urandom(16))
    return Source(path=source.path, size=source.size, sha256=file_sha256(source.path))


def file_sha256(path: Path) -> str:
    with path.open('rb') as file:
        return hashlib.file_digest(file, 'sha256').hexdigest()


def measure_cp(source: Source, target: Path, runs: int) -> Row:
    row = Row('`cp`, page cache warm (ceiling)', source.size)
    for index in range(runs):
        os.sync()  # every run starts without a backlog of dirty pages from the one before
        start = time.perf_counter()
        subprocess.run(['cp', str(source.path), str(target)], check=True)
        row.seconds.append(time.perf_counter() - start)
        target.unlink()
        log(f'cp run {index + 1}/{runs}: {row.seconds[-1]:.2f} s')
    return row


def measure_bare(source: Source, warmup: Source, target: Path, runs: int) -> Row:
    row = Row('bare Starlette route (baseline)', source.size)
    with bare_server(target) as (port, pid):
        post_file(port, '/upload', warmup)
        for index in range(runs):
            os.sync()
            with ProcessWatch(pid) as watch:
                sent = post_file(port, '/upload', source)
            if sent.status != 201 or sent.json()['bytes'] < source.size:
                raise RuntimeError(f'bare route answered {sent.status}: {sent.body[:200]!r}')
            record(row, sent, watch)
            log(f'bare run {index + 1}/{runs}: {sent.seconds:.2f} s, RSS +{watch.growth / MIB:.1f} MiB')
    target.unlink(missing_ok=True)
    return row


def measure_route(server: LiveServer, cookie: str, source: Source, runs: int) -> Row:
    row = Row('POST /api/media/upload (real app)', source.size)
    assert server.process is not None
    for index in range(runs):
        source = restamp(source)
        os.sync()
        with ProcessWatch(server.process.pid) as watch:
            sent, operation_id = send_to_route(server, cookie, source)
        if sent.status != 201 or sent.json()['sha256'] != source.sha256:
            raise RuntimeError(f'upload route answered {sent.status}: {sent.body[:300]!r}')
        record(row, sent, watch)
        log(f'route run {index + 1}/{runs}: {sent.seconds:.2f} s, RSS +{watch.growth / MIB:.1f} MiB')
        wait_until_finished(server, cookie, [operation_id])  # its background processing stays out of the next run
    return row


def measure_concurrent(server: LiveServer, cookie: str, sources: list[Source]) -> Concurrent:
    """All at once on separate connections; every stored blob is hashed again, not just taken at its word."""
    row = Row(f'{len(sources)} x {sources[0].size // MIB} MiB concurrent, aggregate', sum(s.size for s in sources))
    stored_root = server.data_dir / 'media' / 'media'
    before = set(stored_root.rglob('*'))
    results: list[tuple[Upload, str] | BaseException | None] = [None] * len(sources)
    barrier = threading.Barrier(len(sources))

    def send(index: int) -> None:
        barrier.wait()
        try:
            results[index] = send_to_route(server, cookie, sources[index])
        except Exception as error:  # counted as a failure below
            results[index] = error

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(sources))]
    os.sync()
    assert server.process is not None
    with ProcessWatch(server.process.pid) as watch:
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        row.seconds.append(time.perf_counter() - start)
    row.rss_growth.append(watch.growth)
    row.server_cpu.append(watch.cpu_seconds)
    failures, matches, operations = [], 0, []
    for source, result in zip(sources, results, strict=True):
        if not isinstance(result, tuple):
            failures.append(f'{source.path.name}: {result!r}')
            continue
        sent, operation_id = result
        operations.append(operation_id)
        if sent.status != 201:
            failures.append(f'{source.path.name}: HTTP {sent.status} {sent.body[:200]!r}')
        elif sent.json()['sha256'] == source.sha256:
            matches += 1
        else:
            failures.append(f'{source.path.name}: the response has another sha256')
    row.client_cpu.append(sum(result[0].client_cpu for result in results if isinstance(result, tuple)))
    log(f'concurrent: {row.seconds[0]:.2f} s, {len(failures)} failures, RSS +{watch.growth / MIB:.1f} MiB')
    wait_until_finished(server, cookie, operations)
    stored = [path for path in set(stored_root.rglob('*')) - before if path.is_file()]
    stored_hashes = {file_sha256(path) for path in stored}
    return Concurrent(row=row, count=len(sources), failures=failures, response_matches=matches,
                      stored_files=len(stored), stored_matches=stored_hashes == {source.sha256 for source in sources})


def record(row: Row, sent: Upload, watch: 'ProcessWatch') -> None:
    row.seconds.append(sent.seconds)
    row.client_cpu.append(sent.client_cpu)
    row.rss_growth.append(watch.growth)
    row.server_cpu.append(watch.cpu_seconds)


def send_to_route(server: LiveServer, cookie: str, source: Source) -> tuple[Upload, str]:
    operation_id = str(uuid.uuid4())
    sent = post_file(server.port, f'/api/media/upload?operation_id={operation_id}', source, cookie=cookie)
    return sent, operation_id


def warm_up(server: LiveServer, cookie: str, source: Source) -> None:
    """One small upload first, so imports and first-request set-up are not timed."""
    sent, operation_id = send_to_route(server, cookie, source)
    if sent.status != 201:
        raise RuntimeError(f'warm-up upload answered {sent.status}: {sent.body[:300]!r}')
    wait_until_finished(server, cookie, [operation_id])


def post_file(port: int, path: str, source: Source, *, cookie: str = '') -> Upload:
    """One multipart POST, the file passed to sendfile(2): the kernel copies it and the client's Python idles."""
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
            'Content-Type: video/mp4\r\n\r\n').encode()
    tail = f'\r\n--{boundary}--\r\n'.encode()
    headers = {'Content-Type': f'multipart/form-data; boundary={boundary}',
               'Content-Length': str(len(head) + source.size + len(tail)), 'X-File-Size': str(source.size)}
    if cookie:
        headers['Cookie'] = cookie
        headers['Origin'] = f'http://127.0.0.1:{port}'  # as a browser would: cookie-authenticated changes need it
    cpu_start, start = time.thread_time(), time.perf_counter()
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=600)
    try:
        connection.putrequest('POST', path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(head)
        try:
            with source.path.open('rb') as file:
                connection.sock.sendfile(file)
            connection.sock.sendall(tail)
        except OSError:  # the server may answer early (401, 413) and close; its answer says why
            pass
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return Upload(status=response.status, body=body, seconds=time.perf_counter() - start,
                  client_cpu=time.thread_time() - cpu_start)


def wait_until_finished(server: LiveServer, cookie: str, operation_ids: list[str], *, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.url, headers={'Cookie': cookie}) as client:
        for operation_id in operation_ids:
            while client.get(f'/api/media/upload-progress/{operation_id}').json()['stage'] not in FINISHED_STAGES:
                if time.monotonic() > deadline:
                    raise TimeoutError(f'upload {operation_id} was still being processed after {timeout} s')
                time.sleep(0.1)


@contextmanager
def bare_server(target: Path) -> Iterator[tuple[int, int]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, '-m', 'bench.bare_server', str(port), str(target)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f'http://127.0.0.1:{port}/ready', timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError('the bare server did not start') from None
                time.sleep(0.1)
        yield port, process.pid
    finally:
        stop_process(process)


@contextmanager
def real_server(data_dir: Path) -> Iterator[tuple[LiveServer, str]]:
    with live_server(data_dir) as server:
        server.create_instructor(EMAIL, PASSWORD)
        server.start()
        yield server, server.session_cookie(EMAIL, PASSWORD)


class ProcessWatch:
    """A process's peak RSS growth and CPU time over one measured stretch.

    The peak is the larger of VmHWM (reset first through clear_refs, where the kernel allows it) and VmRSS sampled
    every 20 ms from a thread; the growth is that minus VmRSS just before: what the upload cost, not the app's size.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = self.peak = 0
        self.cpu_seconds = 0.0
        self._hwm_reset = False
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> 'ProcessWatch':
        self.baseline = self.peak = self._status('VmRSS')
        try:
            Path(f'/proc/{self.pid}/clear_refs').write_text('5')
            self._hwm_reset = True
        except OSError:
            self._hwm_reset = False
        self._cpu_start = self._cpu()
        self._sampler.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._sampler.join()
        self.cpu_seconds = self._cpu() - self._cpu_start
        self.peak = max(self.peak, self._status('VmRSS'), self._status('VmHWM') if self._hwm_reset else 0)

    @property
    def growth(self) -> int:
        return max(0, self.peak - self.baseline)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, self._status('VmRSS'))

    def _status(self, key: str) -> int:
        for line in Path(f'/proc/{self.pid}/status').read_text().splitlines():
            if line.startswith(f'{key}:'):
                return int(line.split()[1]) * 1024
        raise KeyError(key)

    def _cpu(self) -> float:
        fields = Path(f'/proc/{self.pid}/stat').read_text().rpartition(')')[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')  # utime + stime


def report(work: Path, *, runs: int, copy: Row, bare: Row, route: Row, parallel: Concurrent) -> int:
    """The table, the targets and the raw runs; exit status 1 when a target is missed."""
    ratio = route.mb_per_s / bare.mb_per_s
    route_rss = max(route.rss_growth) / MIB
    header = ['measurement', 'median s', 'MB/s', 'vs bare', 'peak RSS growth', 'server CPU s', 'client CPU s']
    lines = [[copy.name, f'{statistics.median(copy.seconds):.2f}', f'{copy.mb_per_s:.0f}',
              f'{copy.mb_per_s / bare.mb_per_s:.2f}', '-', '-', '-']]
    for row in (bare, route, parallel.row):
        lines.append([row.name, f'{statistics.median(row.seconds):.2f}', f'{row.mb_per_s:.0f}',
                      f'{row.mb_per_s / bare.mb_per_s:.2f}', f'{max(row.rss_growth) / MIB:.1f} MiB',
                      f'{statistics.median(row.server_cpu):.2f}', f'{statistics.median(row.client_cpu):.2f}'])
    checks = [
        ('route / bare throughput', f'{ratio:.2f}', f'>= {TARGET_RATIO}', ratio >= TARGET_RATIO),
        (f'route RSS growth, {route.size // MIB} MiB file', f'{route_rss:.1f} MiB', f'<= {TARGET_RSS_MIB} MiB',
         route_rss <= TARGET_RSS_MIB),
        ('concurrent failures', str(len(parallel.failures)), '0', not parallel.failures),
        ('concurrent sha256 in responses', f'{parallel.response_matches}/{parallel.count}', f'{parallel.count}',
         parallel.response_matches == parallel.count),
        ('concurrent stored files hashed', f'{parallel.stored_files} new files, hash set '
         f'{"equal" if parallel.stored_matches else "differs"}', 'equal', parallel.stored_matches),
    ]
    print(f'\nUploads on {os.cpu_count()} cores; medians of {runs} runs; temp dir {work.parent} (same disk as the app)')
    print(table(header, lines))
    print()
    print(table(['target', 'measured', 'target value', 'ok'],
                [[name, value, goal, 'PASS' if ok else 'FAIL'] for name, value, goal, ok in checks]))
    print('\nruns (s): ' + '; '.join(f'{row.name.split(" (")[0]}: ' + ', '.join(f'{s:.2f}' for s in row.seconds)
                                     for row in (copy, bare, route)))
    for failure in parallel.failures:
        print(f'failure: {failure}')
    return 0 if all(ok for *_, ok in checks) else 1


def table(header: list[str], lines: list[list[str]]) -> str:
    widths = [max(len(cells[column]) for cells in [header, *lines]) for column in range(len(header))]

    def line(cells: list[str]) -> str:
        return '| ' + ' | '.join(cell.ljust(width) if column == 0 else cell.rjust(width)
                                  for column, (cell, width) in enumerate(zip(cells, widths, strict=True))) + ' |'

    return '\n'.join([line(header), '|' + '|'.join('-' * (width + 2) for width in widths) + '|', *map(line, lines)])


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == '__main__':
    sys.exit(main())
