"""How close the app's upload route comes to boto3 itself when the library lives in an S3 bucket.

One run, one SeaweedFS (`weed mini`, as the tests use it) on this machine, the same random file throughout:
1. boto3's own `upload_fileobj` from the file on disk, with the app's client settings, part size and in-flight
   limit: the ceiling for this server and this client library;
2. POST /api/media/upload on the real server (`python main.py` with MEDIASHELF_STORAGE=s3, started by
   tests/live_server.py): the browser's bytes are received, checked, hashed and streamed into a multipart upload.
Runs alternate between the two, so drift (page cache, SeaweedFS compactions) hits both alike. Every object the
route stored is read back from the bucket and hashed. Run from the project root: `.venv/bin/python -m bench.s3`.
"""
import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig

from bench.ingest import (
    EMAIL,
    MIB,
    PASSWORD,
    ProcessWatch,
    Row,
    Source,
    log,
    post_file,
    restamp,
    table,
    temp_root,
    wait_until_finished,
    write_random_file,
)
from storage.s3 import PART_SIZE, PARTS_IN_FLIGHT
from tests.live_server import LiveServer, live_server
from tests.s3_server import BUCKET, SeaweedFS, seaweedfs

TARGET_RATIO = 0.8
APP_PREFIX = 'bench-app'
BOTO_PREFIX = 'bench-boto3'


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m bench.s3', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--size-mib', type=int, default=300, help='the file (default: 300)')
    parser.add_argument('--runs', type=int, default=3, help='runs of each, median reported (default: 3)')
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix='mediashelf-bench-s3-', dir=temp_root()))
    try:
        return run(work, size=args.size_mib * MIB, runs=args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, *, size: int, runs: int) -> int:
    log(f'work dir {work}: writing {size // MIB} MiB of random bytes')
    source = write_random_file(work / 'big.mp4', size)
    warmup = write_random_file(work / 'warmup.mp4', MIB)
    boto = Row(f'boto3 upload_fileobj ({PART_SIZE // MIB} MiB parts, {PARTS_IN_FLIGHT} in flight)', size)
    route = Row('POST /api/media/upload, MEDIASHELF_STORAGE=s3', size)
    verified = []
    with (seaweedfs(work / 'seaweedfs') as s3, app_on(s3, work / 'data') as (server, cookie),
          bucket_client(s3) as client):
        send_to_route(server, cookie, warmup)  # imports and first-request set-up are not timed
        upload_with_boto3(client, warmup)
        for index in range(runs):
            os.sync()
            boto.seconds.append(upload_with_boto3(client, source))
            log(f'boto3 run {index + 1}/{runs}: {boto.seconds[-1]:.2f} s')
            source = restamp(source)  # new bytes, so the route never takes the duplicate path
            os.sync()
            seconds, watch = send_to_route(server, cookie, source)
            route.seconds.append(seconds)
            route.rss_growth.append(watch.growth)
            route.server_cpu.append(watch.cpu_seconds)
            verified.append(stored_sha256(client, APP_PREFIX) == source.sha256)
            log(f'route run {index + 1}/{runs}: {seconds:.2f} s, RSS +{watch.growth / MIB:.1f} MiB, '
                f'stored object {"verified" if verified[-1] else "DIFFERS"}')
    return report(boto=boto, route=route, runs=runs, verified=verified)


@contextmanager
def app_on(s3: SeaweedFS, data_dir: Path) -> Iterator[tuple[LiveServer, str]]:
    with live_server(data_dir, **s3.app_settings(s3_prefix=APP_PREFIX)) as server:
        server.create_instructor(EMAIL, PASSWORD)
        server.start()
        yield server, server.session_cookie(EMAIL, PASSWORD)


@contextmanager
def bucket_client(s3: SeaweedFS) -> Iterator[Any]:
    client = s3.client()
    try:
        yield client
    finally:
        client.close()


def upload_with_boto3(client: Any, source: Source) -> float:
    """The transfer manager with the app's part size and in-flight limit, on a client configured as the app's."""
    config = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE,
                            max_concurrency=PARTS_IN_FLIGHT)
    key = f'{BOTO_PREFIX}/{uuid.uuid4().hex}'
    start = time.perf_counter()
    with source.path.open('rb') as file:
        client.upload_fileobj(file, BUCKET, key, Config=config)
    seconds = time.perf_counter() - start
    if client.head_object(Bucket=BUCKET, Key=key)['ContentLength'] != source.size:
        raise RuntimeError('boto3 stored an object of the wrong size')
    return seconds


def send_to_route(server: LiveServer, cookie: str, source: Source) -> tuple[float, ProcessWatch]:
    """One upload, timed until the response; the thumbnailing that follows finishes before anything else runs."""
    operation_id = str(uuid.uuid4())
    assert server.process is not None
    with ProcessWatch(server.process.pid) as watch:
        sent = post_file(server.port, f'/api/media/upload?operation_id={operation_id}', source, cookie=cookie)
    if sent.status != 201 or sent.json()['sha256'] != source.sha256:
        raise RuntimeError(f'upload route answered {sent.status}: {sent.body[:300]!r}')
    wait_until_finished(server, cookie, [operation_id])
    return sent.seconds, watch


def stored_sha256(client: Any, prefix: str) -> str:
    """The newest media object under the app's prefix, read back from the bucket."""
    pages = client.get_paginator('list_objects_v2').paginate(Bucket=BUCKET, Prefix=f'{prefix}/media/')
    newest = max((item for page in pages for item in page.get('Contents', [])), key=lambda item: item['LastModified'])
    body = client.get_object(Bucket=BUCKET, Key=newest['Key'])['Body']
    hasher = hashlib.sha256()
    for chunk in body.iter_chunks(MIB):
        hasher.update(chunk)
    return hasher.hexdigest()


def report(*, boto: Row, route: Row, runs: int, verified: list[bool]) -> int:
    """The table and the target; exit status 1 when it is missed or a stored object differs."""
    ratio = route.mb_per_s / boto.mb_per_s
    header = ['measurement', 'median s', 'MB/s', 'MiB/s', 'vs boto3', 'app peak RSS growth', 'app CPU s']
    lines = [[boto.name, f'{statistics.median(boto.seconds):.2f}', f'{boto.mb_per_s:.0f}',
              f'{boto.mb_per_s * 1e6 / MIB:.0f}', '1.00', '-', '-'],
             [route.name, f'{statistics.median(route.seconds):.2f}', f'{route.mb_per_s:.0f}',
              f'{route.mb_per_s * 1e6 / MIB:.0f}', f'{ratio:.2f}', f'{max(route.rss_growth) / MIB:.1f} MiB',
              f'{statistics.median(route.server_cpu):.2f}']]
    checks = [('route / boto3 throughput', f'{ratio:.2f}', f'>= {TARGET_RATIO}', ratio >= TARGET_RATIO),
              ('objects stored by the route, sha256', f'{sum(verified)}/{len(verified)} equal', 'all equal',
               all(verified))]
    print(f'\n{boto.size // MIB} MiB to SeaweedFS (weed mini) on {os.cpu_count()} cores; medians of {runs} runs')
    print(table(header, lines))
    print()
    print(table(['target', 'measured', 'target value', 'ok'],
                [[name, value, goal, 'PASS' if ok else 'FAIL'] for name, value, goal, ok in checks]))
    print('\nruns (s): ' + '; '.join(f'{row.name.split(" (")[0].split(",")[0]}: '
                                     + ', '.join(f'{s:.2f}' for s in row.seconds) for row in (boto, route)))
    return 0 if all(ok for *_, ok in checks) else 1


if __name__ == '__main__':
    sys.exit(main())
