"""A spill file is closed when it is dropped, quietly: a scan drops its columns rather than
closing each one, and the file's own finaliser would warn (ResourceWarning) about every one."""

import gc
import os
import warnings

import pytest

from samen.online.engine.spill import SpillFile


def test_a_dropped_spill_file_is_closed_without_a_warning():
    spill = SpillFile("samen-test-")
    spill.append(b"abc")
    fd = spill._handle().fileno()
    assert spill.read(0, 3) == b"abc"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del spill
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    with pytest.raises(OSError):
        os.fstat(fd)


def test_a_closed_spill_file_reads_empty_and_can_be_closed_twice():
    spill = SpillFile("samen-test-")
    spill.append(b"abc")
    spill.close()
    spill.close()
    assert spill.size == 0
    assert spill.read(0, 3) == b""
