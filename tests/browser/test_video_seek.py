"""Seeking in a real Chromium: the player jumps to 0:05 and plays on from there, which needs byte ranges.

Chromium treats a source whose server does not answer ranges as a stream: only what it has downloaded is
seekable. `seekable` covering the whole duration is its own statement that ranges work.
"""
from pathlib import Path

from nicegui.testing import Screen
from selenium.webdriver.common.by import By

from tests.browser.drag_and_drop import DroppedFile, drop_files
from tests.media_samples import make_mp4

SECONDS = 8.0
PADDING = 4_000_000  # an MP4 'free' box after the clip: too much to be fetched in passing

_SEEK_AND_PLAY = '''
const done = arguments[arguments.length - 1];
const video = document.querySelector('.q-dialog video');
const event = (name) => new Promise(resolve => video.addEventListener(name, resolve, {once: true}));
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));
(async () => {
  if (video.readyState < HTMLMediaElement.HAVE_METADATA) await event('loadedmetadata');
  video.muted = true;
  const seeked = event('seeked');
  video.currentTime = 5;
  await seeked;
  const afterSeek = video.currentTime;
  await video.play();
  const atPlay = video.currentTime;
  const started = performance.now();
  while (video.currentTime < 5.3 && performance.now() - started < 4000) await sleep(50);
  video.pause();
  done({afterSeek, atPlay, currentTime: video.currentTime, duration: video.duration,
        seekable: Array.from({length: video.seekable.length},
                             (_, i) => [video.seekable.start(i), video.seekable.end(i)]),
        error: video.error && video.error.message});
})().catch(error => done({error: String(error)}));
'''


def test_the_player_seeks_to_five_seconds_and_plays_on(signed_in: Screen, tmp_path: Path) -> None:
    screen = signed_in
    clip = make_mp4(tmp_path / 'clip.mp4', seconds=SECONDS)
    drop_files(screen, [DroppedFile(clip, 'seek test.mp4', 'video/mp4', padding=PADDING)])
    screen.wait_for(lambda: [e.text for e in screen.selenium.find_elements(By.CSS_SELECTOR, '.media-duration')]
                    == ['0:08'])

    screen.selenium.find_element(By.CSS_SELECTOR, '.media-name').click()
    screen.wait_for(lambda: bool(screen.selenium.find_elements(By.CSS_SELECTOR, '.q-dialog video')))
    screen.selenium.set_script_timeout(15)
    result = screen.selenium.execute_async_script(_SEEK_AND_PLAY)

    assert result['error'] is None, result
    assert abs(result['duration'] - SECONDS) < 0.2, result
    assert result['afterSeek'] >= 5, result  # the jump landed where it was asked to, not back at 0
    assert result['atPlay'] >= 5, result
    assert 5.1 < result['currentTime'] < SECONDS, result  # and playback went on from there, within 4 s
    assert len(result['seekable']) == 1, result
    start, end = result['seekable'][0]
    assert start == 0 and end >= result['duration'] - 0.05, result  # every second can be reached
