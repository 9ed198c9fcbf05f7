"""Drag and drop into the library in real Chromium: progress moves, items appear, reloads keep the upload."""
import re
from pathlib import Path

from nicegui.testing import Screen
from selenium.webdriver.common.by import By

from tests.browser.drag_and_drop import DroppedFile, drop_files, throttle_uploads, unthrottle
from tests.media_samples import make_mp4, make_png

MB = 1_000_000


def texts(screen: Screen, css: str) -> list[str]:
    return [element.text for element in screen.selenium.find_elements(By.CSS_SELECTOR, css)]


def bytes_sent(screen: Screen) -> float:
    """The MB figure in the first upload row ('3.1 MB of 8.0 MB'), as the server last reported it."""
    for text in texts(screen, '.upload-size'):
        if match := re.match(r'([\d.]+) (KB|MB|B) of', text):
            return float(match[1]) * {'B': 1 / 1024 ** 2, 'KB': 1 / 1024, 'MB': 1}[match[2]]
    return -1.0


def test_dropped_files_upload_with_moving_progress_and_appear_with_previews(signed_in: Screen,
                                                                            tmp_path: Path) -> None:
    screen = signed_in
    clip = make_mp4(tmp_path / 'clip.mp4', seconds=3.0)
    picture = make_png(tmp_path / 'picture.png')
    throttle_uploads(screen, 2 * MB)
    drop_files(screen, [DroppedFile(clip, 'Lecture 1.mp4', 'video/mp4', padding=6 * MB),
                        DroppedFile(picture, 'diagram.png', 'image/png')])
    screen.should_contain('Lecture 1.mp4')
    seen: set[float] = set()
    screen.wait_for(lambda: seen.add(bytes_sent(screen)) or len({value for value in seen if value > 0}) >= 3)
    unthrottle(screen)
    screen.should_contain('2 completed')
    screen.wait_for(lambda: '0:03' in texts(screen, '.media-duration'))
    screen.wait_for(lambda: len(screen.selenium.find_elements(By.CSS_SELECTOR, '.media-thumbnail img')) == 2)
    assert sorted(texts(screen, '.media-name')) == ['Lecture 1.mp4', 'diagram.png']


def test_a_reloaded_tab_still_shows_an_upload_in_flight(signed_in: Screen, tmp_path: Path) -> None:
    screen = signed_in
    clip = make_mp4(tmp_path / 'clip.mp4', seconds=1.0)
    screen.switch_to(1)
    screen.open('/library')  # a second tab of the same instructor
    screen.switch_to(0)
    throttle_uploads(screen, 1 * MB)
    drop_files(screen, [DroppedFile(clip, 'long talk.mp4', 'video/mp4', padding=8 * MB)])
    screen.switch_to(1)
    screen.should_contain('long talk.mp4')
    screen.wait_for(lambda: bytes_sent(screen) > 0.5)
    before_reload = bytes_sent(screen)
    screen.selenium.refresh()
    screen.should_contain('long talk.mp4')  # picked up from the server, not restarted
    screen.wait_for(lambda: bytes_sent(screen) > before_reload)
    screen.should_contain('Uploading')
    screen.switch_to(0)
    unthrottle(screen)
    screen.switch_to(1)
    screen.should_contain('1 completed')
    screen.wait_for(lambda: texts(screen, '.media-name') == ['long talk.mp4'])
