"""The JSON API as a script uses it: personal tokens, courses, chapters, links, media; errors as JSON."""
from pathlib import Path

import pytest
from nicegui.testing import User

from db.unit_of_work import SqlUnitOfWork
from domain.tokens import Tokens
from tests.media_samples import make_png
from tests.ui.helpers import signed_in


@pytest.fixture
def token(make_instructor, app_engine) -> str:
    ada = make_instructor('ada@example.org')
    return Tokens(new_uow=lambda: SqlUnitOfWork(app_engine)).create(ada.id, 'script')[1]


@pytest.fixture
def api(user: User, token: str) -> User:
    user.http_client.headers.pop('Origin')  # scripts send no Origin; the token is what counts
    user.http_client.headers['Authorization'] = f'Bearer {token}'
    return user


async def test_a_script_builds_a_course_and_links_an_upload(api: User, tmp_path: Path) -> None:
    client = api.http_client
    course = (await client.post('/api/courses', json={'title': 'Film', 'description': '<b>bold</b>'})).json()
    assert course['description'] == '<b>bold</b>'  # round-trips as text
    chapter = (await client.post(f'/api/courses/{course["id"]}/chapters', json={'title': 'Week 1'})).json()
    uploaded = await client.post('/api/media/upload', files={'file': ('a.png', make_png(tmp_path / 'a.png')
                                                                      .read_bytes())})
    assert uploaded.status_code == 201
    media_id = uploaded.json()['id']
    body = {'media_id': media_id, 'course_id': course['id'], 'chapter_id': chapter['id']}
    link = await client.post('/api/media/link', json=body)
    assert link.status_code == 201
    again = await client.post('/api/media/link', json=body)
    assert again.json()['id'] == link.json()['id']  # linking twice is a friendly no-op
    links = (await client.get(f'/api/media/links/{course["id"]}')).json()
    assert [[entry['media']['name'] for entry in chapter_out['media']] for chapter_out in links] == [['a.png']]
    detail = (await client.get(f'/api/media/{media_id}')).json()
    assert [usage['chapter_title'] for usage in detail['used_in']] == ['Week 1']
    refused = await client.delete(f'/api/media/{media_id}')
    assert refused.status_code == 409
    assert refused.json()['error'] == 'in_use'
    assert refused.json()['used_in'][0]['course_title'] == 'Film'
    assert (await client.delete(f'/api/media/{media_id}?force=true')).status_code == 204
    assert (await client.get(f'/api/courses/{course["id"]}')).json()['chapters'][0]['media'] == []


async def test_search_and_pages(api: User, make_media, app_engine) -> None:
    with SqlUnitOfWork(app_engine) as uow:
        owner = uow.instructors.list_all()[0].id
    for name in ('Éclairage.mp4', 'sound.mp3', 'eclipse.png'):
        make_media(owner, name)
    found = (await api.http_client.get('/api/media', params={'q': 'ECLA'})).json()
    assert [item['name'] for item in found['items']] == ['Éclairage.mp4']
    bad = await api.http_client.get('/api/media', params={'kind': 'spreadsheet'})
    assert (bad.status_code, bad.json()['error']) == (400, 'invalid_input')


async def test_without_a_valid_token_nothing_is_served(user: User, token: str) -> None:
    user.http_client.headers.pop('Origin')
    for header in ('Bearer msh_not-a-real-token', 'Bearer ', 'Basic abc'):
        response = await user.http_client.get('/api/courses', headers={'Authorization': header})
        assert response.status_code == 401, header
        assert response.json()['error'] == 'unauthenticated'


async def test_cookie_changes_from_another_site_are_refused(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    await user.http_client.post('/api/session', json={'email': 'ada@example.org', 'password': 'correct horse battery'})
    forged = await user.http_client.post('/api/courses', json={'title': 'x'}, headers={'Origin': 'https://evil.example'})
    assert (forged.status_code, forged.json()['error']) == (403, 'forbidden')
    user.http_client.headers.pop('Origin')
    no_origin = await user.http_client.post('/api/courses', json={'title': 'x'})
    assert no_origin.status_code == 403
    same_site = await user.http_client.post('/api/courses', json={'title': 'x'}, headers={'Origin': 'http://test'})
    assert same_site.status_code == 201


async def test_the_api_is_documented(user: User) -> None:
    schema = (await user.http_client.get('/api/openapi.json')).json()
    assert {'/api/media', '/api/media/link', '/api/courses', '/api/media/upload'} <= set(schema['paths'])
    assert (await user.http_client.get('/api/docs')).status_code == 200


async def test_tokens_are_made_shown_once_and_revoked_on_the_account_page(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/account')
    await user.should_see('No tokens yet.')
    user.find(marker='token-purpose').type('nightly sync')
    user.find(marker='create-token').click()
    await user.should_see('Copy it now: it is not shown again.')
    secret = next(iter(user.find(marker='new-token').elements)).value
    headers = {'Authorization': f'Bearer {secret}', 'Origin': ''}
    assert (await user.http_client.get('/api/courses', headers=headers)).status_code == 200
    user.find(marker='revoke-nightly sync').click()
    await user.should_see(marker='dialog-ok')
    user.find(marker='dialog-ok').click()
    await user.should_see('No tokens yet.')
    assert (await user.http_client.get('/api/courses', headers=headers)).status_code == 401
