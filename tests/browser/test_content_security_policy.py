"""The Content-Security-Policy in real Chromium: the library, a video and a PDF preview (the file route framed by
our own page) all work under it without a single console error, while framing a page is refused.

The screen fixture fails a test on any console error, so the other browser tests (library, course editor, video
seeking) check the policy on their pages too; this one adds what only it covers.
"""
from pathlib import Path

from nicegui.testing import Screen
from selenium.webdriver.common.by import By

from tests.browser.conftest import sign_in
from tests.browser.drag_and_drop import DroppedFile, drop_files
from tests.media_samples import make_mp4, make_pdf

_HEADER = '''
const done = arguments[arguments.length - 1];
fetch(arguments[0]).then(r => done(r.headers.get('content-security-policy')), e => done(String(e)));
'''
_FRAME = '''
const done = arguments[arguments.length - 1];
const frame = document.createElement('iframe');
frame.addEventListener('load', () => done(frame.contentDocument === null ? 'refused' : frame.contentDocument.title));
frame.src = arguments[0];
document.body.appendChild(frame);
'''


def click_name(screen: Screen, name: str) -> None:
    next(e for e in screen.selenium.find_elements(By.CSS_SELECTOR, '.media-name') if e.text == name).click()


def console_errors(screen: Screen) -> list[str]:
    return [entry['message'] for entry in screen.selenium.get_log('browser')
            if str(entry.get('level', '')).upper() in {'SEVERE', 'ERROR'}]


def test_previews_work_under_the_policy_and_pages_refuse_framing(screen: Screen, make_instructor,
                                                                 tmp_path: Path) -> None:
    make_instructor('ada@example.org')
    sign_in(screen, 'ada@example.org')
    screen.selenium.set_script_timeout(10)
    policy = screen.selenium.execute_async_script(_HEADER, '/library')
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy  # the policy really is in force

    drop_files(screen, [DroppedFile(make_pdf(tmp_path / 'notes.pdf'), 'notes.pdf', 'application/pdf'),
                        DroppedFile(make_mp4(tmp_path / 'clip.mp4'), 'clip.mp4', 'video/mp4')])
    screen.should_contain('2 completed')
    screen.wait_for(lambda: sorted(e.text for e in screen.selenium.find_elements(By.CSS_SELECTOR, '.media-name'))
                    == ['clip.mp4', 'notes.pdf'])

    click_name(screen, 'notes.pdf')
    frame = screen.selenium.find_element(By.CSS_SELECTOR, '.q-dialog iframe')
    screen.wait_for(lambda: screen.selenium.execute_script(
        'const d = arguments[0].contentDocument; return d !== null && d.contentType', frame) == 'application/pdf')
    screen.selenium.find_element(By.XPATH, '//*[contains(@class, "q-dialog")]//button[.//i[text()="close"]]').click()
    screen.wait_for(lambda: not screen.selenium.execute_script("return document.querySelector('.q-dialog iframe')"))

    click_name(screen, 'clip.mp4')
    video = screen.selenium.find_element(By.CSS_SELECTOR, '.q-dialog video')
    screen.wait_for(lambda: screen.selenium.execute_script('return arguments[0].readyState', video) >= 1)
    assert console_errors(screen) == []  # read (and so emptied) here: the refusal below is expected to log one

    assert screen.selenium.execute_async_script(_FRAME, '/library') == 'refused'
    assert any('frame-ancestors' in message for message in console_errors(screen))


def test_the_api_docs_page_is_not_blocked_by_the_policy(screen: Screen) -> None:
    """Swagger UI comes from a CDN, which this offline machine cannot reach: network errors are expected, but the
    browser must have tried (a CSP refusal never tries)."""
    screen.open('/api/docs')
    screen.wait_for(lambda: screen.selenium.execute_script('return document.readyState') == 'complete')
    errors = console_errors(screen)
    assert not [message for message in errors if 'Content Security Policy' in message], errors
    assert any('swagger-ui' in message for message in errors) or \
        screen.selenium.find_elements(By.CSS_SELECTOR, '.swagger-ui')  # offline: failed to load; online: loaded
