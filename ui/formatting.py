"""How numbers read on screen: durations, speeds and remaining time."""
from domain.media import format_bytes


def format_duration(seconds: float | None) -> str:
    """Like a video player: 0:42, 12:05, 1:02:03."""
    if seconds is None:
        return ''
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{secs:02d}' if hours else f'{minutes}:{secs:02d}'


def format_speed(bytes_per_second: float | None) -> str:
    return f'{format_bytes(int(bytes_per_second))}/s' if bytes_per_second else ''


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ''
    return 'less than a second left' if seconds < 1 else f'{format_duration(seconds)} left'
