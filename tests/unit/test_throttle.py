"""Sign-in throttling: typos are free, guessing gets slower, success and time forgive."""
from domain.throttle import FORGET_AFTER_SECONDS, MAX_DELAY_SECONDS, SignInThrottle
from tests.unit.fakes import ManualClock


def test_three_failures_are_free_then_waits_double() -> None:
    clock = ManualClock()
    throttle = SignInThrottle(clock=clock)
    throttle.record_failure('email:a')
    throttle.record_failure('email:a')
    assert throttle.wait_seconds('email:a') == 0
    throttle.record_failure('email:a')
    assert throttle.wait_seconds('email:a') == 1
    throttle.record_failure('email:a')
    assert throttle.wait_seconds('email:a') == 2
    clock.now += 1.5
    assert throttle.wait_seconds('email:a') == 0.5


def test_the_wait_is_capped() -> None:
    throttle = SignInThrottle(clock=ManualClock())
    for _ in range(30):
        throttle.record_failure('ip:1.2.3.4')
    assert throttle.wait_seconds('ip:1.2.3.4') == MAX_DELAY_SECONDS


def test_the_address_slows_down_guessing_across_accounts() -> None:
    throttle = SignInThrottle(clock=ManualClock())
    for n in range(3):
        throttle.record_failure(f'email:user{n}', 'ip:1.2.3.4')
    assert throttle.wait_seconds('email:fresh', 'ip:1.2.3.4') > 0
    assert throttle.wait_seconds('email:fresh', 'ip:5.6.7.8') == 0


def test_success_and_time_forgive() -> None:
    clock = ManualClock()
    throttle = SignInThrottle(clock=clock)
    for _ in range(5):
        throttle.record_failure('email:a', 'email:b')
    throttle.record_success('email:a')
    assert throttle.wait_seconds('email:a') == 0
    clock.now += FORGET_AFTER_SECONDS + 1
    assert throttle.wait_seconds('email:b') == 0
