"""Another instructor's ids are 404 on every API operation, exactly like ids that never existed, and using them
changes nothing of theirs.

The walk is driven by /api/openapi.json: every documented operation is called as instructor B with instructor A's
ids in its path (and, where it takes ids in its body or query, A's ids there). An operation the walk does not know
how to call fails the test, so a route added later is covered as soon as someone teaches the table below about it.
"""
import asyncio
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from nicegui.testing import User

from db.unit_of_work import SqlUnitOfWork
from domain.tokens import Tokens
from domain.uploads import UploadOperation
from tests.conftest import PASSWORD
from tests.media_samples import make_png

PATH_PARAM = re.compile(r'{([^}]+)}')
METHODS = ('get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace')
FINISHED_STAGES = {'ready', 'failed', 'cancelled'}


@dataclass
class Owner:
    """One instructor and everything of theirs the walk aims at."""

    name: str
    email: str
    id: str
    headers: dict[str, str]
    course_id: str = ''
    chapter_ids: list[str] = field(default_factory=list)
    media_ids: list[str] = field(default_factory=list)  # [made in the database, uploaded through the API]
    links: dict[str, list[str]] = field(default_factory=dict)  # chapter id -> its link ids, in order
    operation_id: str = ''

    @property
    def link_ids(self) -> list[str]:
        return [link for links in self.links.values() for link in links]

    def id_of_a(self, *ids: str) -> bool:
        return bool({*ids} & {*self.media_ids, self.course_id, *self.chapter_ids, *self.link_ids})

    def ids_for(self, param: str) -> list[str]:
        """Every id of this owner that fits a path parameter of that name."""
        return {'media_id': self.media_ids, 'course_id': [self.course_id], 'chapter_id': self.chapter_ids,
                'link_id': self.link_ids, 'operation_id': [self.operation_id]}[param]


@dataclass
class Probe:
    """One request of an operation: what it sends besides the path, and what must come back."""

    json: dict[str, Any] | None = None
    params: dict[str, str] | None = None
    upload: bool = False  # send a small PNG as the multipart field `file`
    expect: frozenset[int] = frozenset({404})
    check: Callable[[httpx.Response], None] | None = None


Plan = Callable[['Owner', 'Owner', dict[str, str]], list[Probe]]  # (A, B, A's ids in the path) -> probes


def _no_trace_of(a: Owner) -> Callable[[httpx.Response], None]:
    """A listing of B's must not mention any of A's ids, names or titles."""
    def check(response: httpx.Response) -> None:
        text = response.text
        leaked = [value for value in [a.course_id, *a.chapter_ids, *a.media_ids, *a.link_ids, a.operation_id,
                                      a.name] if value in text]
        assert not leaked, f'{response.request.method} {response.request.url} shows A\'s {leaked}'
    return check


def _is(b: Owner) -> Callable[[httpx.Response], None]:
    def check(response: httpx.Response) -> None:
        assert response.json()['id'] == b.id
    return check


def _created_for_b(a: Owner) -> Callable[[httpx.Response], None]:
    def check(response: httpx.Response) -> None:
        _no_trace_of(a)(response)
        assert response.json()['duplicate'] is False  # the same bytes in A's library are no business of B's
    return check


OK, CREATED, NO_CONTENT = frozenset({200}), frozenset({201}), frozenset({204})

# Every documented operation, keyed 'METHOD path'. Operations with an id in the path are called once for each of
# A's ids of that kind and must answer 404; the probes say what else to send (a plausible, valid body for A's
# object). Operations without path ids say what they expect themselves.
PLANS: dict[str, Plan] = {
    'GET /api/media': lambda a, b, _: [Probe(expect=OK, check=_no_trace_of(a)),
                                       Probe(params={'q': a.name}, expect=OK, check=_no_trace_of(a))],
    'GET /api/media/{media_id}': lambda a, b, _: [Probe()],
    'PATCH /api/media/{media_id}': lambda a, b, _: [Probe(json={'name': 'renamed by B.png'})],
    'DELETE /api/media/{media_id}': lambda a, b, _: [Probe(), Probe(params={'force': 'true'})],
    'GET /api/media/{media_id}/content': lambda a, b, _: [Probe(), Probe(params={'download': 'true'})],
    'GET /api/media/{media_id}/thumbnail': lambda a, b, _: [Probe()],
    'POST /api/media/upload': lambda a, b, _: [
        Probe(params={'chapter_id': chapter}, upload=True) for chapter in a.chapter_ids],
    'GET /api/media/upload-progress/{operation_id}': lambda a, b, _: [Probe()],
    'POST /api/media/link': lambda a, b, _: [  # any one of the three ids being A's is enough to refuse
        Probe(json={'media_id': media, 'course_id': course, 'chapter_id': chapter, 'order': 0})
        for media, (course, chapter) in itertools.product(
            [a.media_ids[0], b.media_ids[0]],
            [(a.course_id, a.chapter_ids[0]), (b.course_id, b.chapter_ids[0]), (b.course_id, a.chapter_ids[0]),
             (a.course_id, b.chapter_ids[0])])
        if a.id_of_a(media, course, chapter)],
    'DELETE /api/media/link/{link_id}': lambda a, b, _: [Probe()],
    'GET /api/media/links/{course_id}': lambda a, b, _: [Probe()],
    'GET /api/courses': lambda a, b, _: [Probe(expect=OK, check=_no_trace_of(a))],
    'POST /api/courses': lambda a, b, _: [Probe(json={'title': 'B made this', 'description': ''}, expect=CREATED,
                                                check=_no_trace_of(a))],
    'GET /api/courses/{course_id}': lambda a, b, _: [Probe()],
    'PATCH /api/courses/{course_id}': lambda a, b, _: [Probe(json={'title': 'hijacked', 'description': 'hijacked'}),
                                                       Probe(json={'description': 'hijacked'})],
    'DELETE /api/courses/{course_id}': lambda a, b, _: [Probe()],
    'POST /api/courses/{course_id}/chapters': lambda a, b, _: [Probe(json={'title': 'planted by B'})],
    'PUT /api/courses/{course_id}/chapters/order': lambda a, b, _: [Probe(json={'ids': a.chapter_ids[::-1]})],
    'PATCH /api/chapters/{chapter_id}': lambda a, b, _: [Probe(json={'title': 'hijacked'})],
    'DELETE /api/chapters/{chapter_id}': lambda a, b, _: [Probe()],
    'PUT /api/chapters/{chapter_id}/media/order': lambda a, b, path: [
        Probe(json={'ids': a.links[path['chapter_id']][::-1]})],
    'POST /api/session': lambda a, b, _: [  # signs B in by cookie, as B; nothing of A's to aim at
        Probe(json={'email': b.email, 'password': PASSWORD}, expect=OK, check=_is(b))],
    'DELETE /api/session': lambda a, b, _: [Probe(expect=NO_CONTENT)],
}

# Not in the OpenAPI document, but routes all the same.
UNDOCUMENTED: dict[str, Plan] = {
    'HEAD /api/media/{media_id}/content': lambda a, b, _: [Probe()],
    'HEAD /api/media/{media_id}/thumbnail': lambda a, b, _: [Probe()],
}


async def test_another_instructors_ids_are_404_on_every_operation(user: User, make_instructor, make_media,
                                                                   link_media, app_engine, tmp_path: Path) -> None:
    client = user.http_client
    client.headers.pop('Origin')  # token-authenticated scripts send none
    png = make_png(tmp_path / 'same.png').read_bytes()  # the same bytes for both: dedup must stay per instructor
    tokens = Tokens(new_uow=lambda: SqlUnitOfWork(app_engine))
    a = await _build(client, 'alpha', tokens, make_instructor, make_media, link_media, png)
    b = await _build(client, 'bravo', tokens, make_instructor, make_media, link_media, png)
    before = await _snapshot(client, a)

    schema = (await client.get('/api/openapi.json')).json()
    documented = {f'{method.upper()} {path}' for path, item in schema['paths'].items() for method in item
                  if method in METHODS}
    assert documented - PLANS.keys() == set(), 'new operations: teach PLANS how to call them as another instructor'
    assert PLANS.keys() - documented == set(), 'operations gone from the OpenAPI document: drop them from PLANS'

    called = 0
    for operation, plan in sorted({**PLANS, **UNDOCUMENTED}.items()):
        method, template = operation.split(' ', 1)
        params = PATH_PARAM.findall(template)
        assert set(params) <= {'media_id', 'course_id', 'chapter_id', 'link_id', 'operation_id'}, \
            f'{operation}: which of A\'s ids goes into {params}?'
        for values in itertools.product(*(a.ids_for(param) for param in params)):
            path_ids = dict(zip(params, values, strict=True))
            for probe in plan(a, b, path_ids):
                response = await _send(client, b, method, template.format(**path_ids), probe, png)
                called += 1
                context = f'{operation} as B with {path_ids or probe.json or probe.params}: {response.text[:300]}'
                assert response.status_code in probe.expect, context
                if probe.check is not None:
                    probe.check(response)
                if response.status_code == 404 and method != 'HEAD':
                    assert response.json()['error'] == 'not_found', context
                    _no_trace_of(a)(response)
                if params and probe.expect == {404}:  # an id of A's looks exactly like one that never existed
                    unknown = await _send(client, b, method, template.format(**{p: str(uuid4()) for p in params}),
                                          probe, png)
                    assert (unknown.status_code, unknown.content) == (response.status_code, response.content), \
                        context
        client.cookies.clear()  # POST /api/session signed B in by cookie; the rest of the walk is by token only
    assert called > 2 * len(PLANS)

    # B's own ids work on the same routes, so the 404s above are about ownership, not about broken routes
    for path in (f'/api/courses/{b.course_id}', f'/api/media/links/{b.course_id}', f'/api/media/{b.media_ids[1]}',
                 f'/api/media/{b.media_ids[1]}/content', f'/api/media/upload-progress/{b.operation_id}'):
        assert (await client.get(path, headers=b.headers)).status_code == 200, path

    assert await _snapshot(client, a) == before
    content = await client.get(f'/api/media/{a.media_ids[1]}/content', headers=a.headers)
    assert (content.status_code, content.content) == (200, png)


async def test_another_instructors_upload_id_cannot_be_taken_over(user: User, make_instructor, make_media,
                                                                  link_media, app_engine, tmp_path: Path) -> None:
    """A client may choose its upload's id; choosing one of A's neither touches A's upload nor reveals more than
    that the id is taken: not while A's upload is in this process's memory, nor for one recorded before a
    restart (which once collided with the stored record and gave a 500)."""
    client = user.http_client
    client.headers.pop('Origin')
    png = make_png(tmp_path / 'same.png').read_bytes()
    tokens = Tokens(new_uow=lambda: SqlUnitOfWork(app_engine))
    a = await _build(client, 'alpha', tokens, make_instructor, make_media, link_media, png)
    b = await _build(client, 'bravo', tokens, make_instructor, make_media, link_media, png)
    from_before_a_restart = UploadOperation(owner_id=UUID(a.id), file_name='alpha old.png', bytes_total=10)
    with SqlUnitOfWork(app_engine) as uow:
        uow.uploads.add(from_before_a_restart)
        uow.commit()
    before = await _snapshot(client, a)
    for operation_id in (a.operation_id, str(from_before_a_restart.id)):
        response = await _send(client, b, 'POST', '/api/media/upload',
                               Probe(params={'operation_id': operation_id}, upload=True), png)
        assert (response.status_code, response.json()['error']) == (409, 'conflict'), response.text
        _no_trace_of(a)(response)
    assert await _snapshot(client, a) == before
    old = await client.get(f'/api/media/upload-progress/{from_before_a_restart.id}', headers=a.headers)
    assert old.json()['file_name'] == 'alpha old.png'


async def _build(client: httpx.AsyncClient, name: str, tokens: Tokens, make_instructor, make_media, link_media,
                 png: bytes) -> Owner:
    """An instructor with a course of two chapters, an item made in the database and linked into the first, and
    an upload through the API linked into the second (processed before the walk starts)."""
    instructor = make_instructor(f'{name}@example.org')
    secret = tokens.create(instructor.id, 'script')[1]
    owner = Owner(name=name, email=instructor.email, id=str(instructor.id),
                  headers={'Authorization': f'Bearer {secret}'})
    course = await _ok(client.post('/api/courses', json={'title': f'{name} course', 'description': f'{name} notes'},
                                   headers=owner.headers))
    owner.course_id = course['id']
    for week in (1, 2):
        chapter = await _ok(client.post(f'/api/courses/{owner.course_id}/chapters',
                                        json={'title': f'{name} week {week}'}, headers=owner.headers))
        owner.chapter_ids.append(chapter['id'])
    made = make_media(instructor.id, f'{name} notes.pdf')
    link_media(made, UUID(owner.course_id), UUID(owner.chapter_ids[0]))
    uploaded = await client.post('/api/media/upload', params={'chapter_id': owner.chapter_ids[1]},
                                 files={'file': (f'{name}.png', png, 'image/png')}, headers=owner.headers)
    assert uploaded.status_code == 201, uploaded.text
    owner.media_ids = [str(made.id), uploaded.json()['id']]
    owner.operation_id = uploaded.json()['operation_id']
    await _processed(client, owner)
    linked = await _ok(client.get(f'/api/media/links/{owner.course_id}', headers=owner.headers))
    owner.links = {chapter['id']: [entry['link']['id'] for entry in chapter['media']] for chapter in linked}
    assert [len(links) for links in owner.links.values()] == [1, 1]
    return owner


async def _processed(client: httpx.AsyncClient, owner: Owner) -> None:
    """Wait for the thumbnail, so no background work runs on while the walk looks at A's things."""
    for _ in range(300):
        progress = await _ok(client.get(f'/api/media/upload-progress/{owner.operation_id}', headers=owner.headers))
        if progress['stage'] in FINISHED_STAGES:
            assert progress['stage'] == 'ready', progress
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f'upload {owner.operation_id} still {progress["stage"]}')


async def _send(client: httpx.AsyncClient, caller: Owner, method: str, path: str, probe: Probe,
                png: bytes) -> httpx.Response:
    files = {'file': ('b.png', png, 'image/png')} if probe.upload else None
    if method == 'HEAD':
        return await client.head(path, params=probe.params, headers=caller.headers)
    return await client.request(method, path, json=probe.json, params=probe.params, files=files,
                                headers=caller.headers)


async def _ok(request: Any) -> Any:
    response = await request
    assert response.status_code in {200, 201}, response.text
    return response.json()


async def _snapshot(client: httpx.AsyncClient, owner: Owner) -> dict[str, Any]:
    """What B must not be able to change, as A sees it (processing state aside, which moves on by itself)."""
    course = await _ok(client.get(f'/api/courses/{owner.course_id}', headers=owner.headers))
    media = await _ok(client.get('/api/media', params={'page_size': 96}, headers=owner.headers))
    operation = await _ok(client.get(f'/api/media/upload-progress/{owner.operation_id}', headers=owner.headers))
    courses = await _ok(client.get('/api/courses', headers=owner.headers))
    return {
        'courses': sorted((c['id'], c['title'], c['description']) for c in courses),
        'course': (course['title'], course['description']),
        'chapters': [(chapter['id'], chapter['title'], chapter['order'],
                      [(entry['link']['id'], entry['media']['id'], entry['link']['order'])
                       for entry in chapter['media']]) for chapter in course['chapters']],
        'media': sorted((item['id'], item['name'], item['size'], item['sha256']) for item in media['items']),
        'media_count': media['total'],
        'operation': {key: operation[key] for key in ('id', 'file_name', 'stage', 'media_id', 'bytes_total')},
    }
