"""Dropping files on the drop zone the way a person does: DragEvents carrying a DataTransfer.

Files are built inside the page (a real small file sent once, optionally followed by an MP4 `free` box of
padding made in JavaScript), so large uploads need not travel through WebDriver.
"""
import base64
from dataclasses import dataclass
from pathlib import Path

from nicegui.testing import Screen
from selenium.webdriver.common.by import By

_START_DRAG = '''
const [files, selector] = arguments;
const transfer = new DataTransfer();
for (const {name, type, base64, padding} of files) {
  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  const parts = [bytes];
  if (padding > 0) {
    const header = new Uint8Array(8);
    new DataView(header.buffer).setUint32(0, padding + 8);
    header.set([102, 114, 101, 101], 4);  // 'free': players skip this box
    parts.push(header, new Uint8Array(padding));
  }
  transfer.items.add(new File(parts, name, {type}));
}
window.__mediashelfTransfer = transfer;
const zone = document.querySelector(selector);
for (const kind of ['dragenter', 'dragover']) {
  zone.dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true, dataTransfer: transfer}));
}
'''
_DROP = '''
const overlay = document.querySelector(arguments[0] + ' .q-uploader__dnd');
overlay.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true,
                                             dataTransfer: window.__mediashelfTransfer}));
'''


@dataclass
class DroppedFile:
    path: Path
    name: str
    mime: str
    padding: int = 0  # extra bytes appended as an MP4 'free' box (only meaningful for MP4 files)


def drop_files(screen: Screen, files: list[DroppedFile], *, selector: str = '.mediashelf-dropzone') -> None:
    payload = [{'name': f.name, 'type': f.mime, 'base64': base64.b64encode(f.path.read_bytes()).decode(),
                'padding': f.padding} for f in files]
    screen.selenium.execute_script(_START_DRAG, payload, selector)
    screen.selenium.find_element(By.CSS_SELECTOR, f'{selector} .q-uploader__dnd')  # Quasar shows it a tick later
    screen.selenium.execute_script(_DROP, selector)


def throttle_uploads(screen: Screen, bytes_per_second: int) -> None:
    """Slow this tab's uploads down, so a test can watch progress that would otherwise finish at once."""
    screen.selenium.execute_cdp_cmd('Network.enable', {})
    screen.selenium.execute_cdp_cmd('Network.emulateNetworkConditions', {
        'offline': False, 'latency': 0, 'downloadThroughput': -1, 'uploadThroughput': bytes_per_second})


def unthrottle(screen: Screen) -> None:
    screen.selenium.execute_cdp_cmd('Network.emulateNetworkConditions', {
        'offline': False, 'latency': 0, 'downloadThroughput': -1, 'uploadThroughput': -1})
