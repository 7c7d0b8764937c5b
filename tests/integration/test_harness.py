"""The harness itself: a sanitizer report in a child's output fails the test
that stops it (so sanitizer builds cannot pass with findings)."""

import pytest

import harness


@pytest.mark.parametrize("report", ["==1==ERROR: AddressSanitizer: heap-use-after-free",
                                    "x.cpp:3:5: runtime error: signed integer overflow",
                                    "==1==ERROR: LeakSanitizer: detected memory leaks"])
def test_a_sanitizer_report_fails_the_stop(report):
    process = harness.Process(["sh", "-c", f"echo '{report}'"])
    with pytest.raises(AssertionError, match="sanitizer finding"):
        process.wait_exit()


def test_clean_output_passes():
    process = harness.Process(["sh", "-c", "echo fine"])
    assert process.wait_exit() == 0
