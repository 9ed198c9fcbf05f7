"""With S3 storage, the app hands files out by redirecting to short-lived presigned URLs; seeking still works
because the bucket answers byte ranges itself."""
import hashlib
from pathlib import Path

import httpx
import pytest
from nicegui.testing import User

from tests.media_samples import make_mp4
from tests.s3_server import SeaweedFS
from tests.ui.helpers import signed_in


@pytest.fixture
def s3_storage(s3_server: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in s3_server.app_settings(s3_prefix='served').items():
        monkeypatch.setenv(f'MEDIASHELF_{name.upper()}', value)


async def test_content_redirects_to_a_presigned_url_that_serves_ranges(s3_storage: None, user: User,
                                                                       make_instructor, tmp_path: Path) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    clip = make_mp4(tmp_path / 'clip.mp4', seconds=2.0).read_bytes()
    uploaded = await user.http_client.post('/api/media/upload', files={'file': ('Öl talk.mp4', clip)})
    assert uploaded.status_code == 201
    content = f'/api/media/{uploaded.json()["id"]}/content'
    redirect = await user.http_client.get(content)
    assert redirect.status_code == 307
    url = redirect.headers['location']
    assert 'X-Amz-Expires=' in url and 'X-Amz-Signature=' in url
    async with httpx.AsyncClient() as bucket:
        whole = await bucket.get(url)
        part = await bucket.get(url, headers={'Range': 'bytes=100-199'})
        download = await user.http_client.get(f'{content}?download=1')
        attachment = await bucket.get(download.headers['location'])
    assert whole.status_code == 200
    assert hashlib.sha256(whole.content).hexdigest() == hashlib.sha256(clip).hexdigest()
    assert whole.headers['content-type'] == 'video/mp4'
    assert whole.headers['content-disposition'].startswith('inline;')
    assert part.status_code == 206
    assert part.content == clip[100:200]
    assert attachment.headers['content-disposition'].startswith('attachment;')
