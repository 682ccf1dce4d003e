import stat

import pytest

from core.files import write_atomically


def test_writes_with_the_mode_asked_for_and_replaces_the_old_file(tmp_path):
    target = tmp_path / "token.json"
    target.write_bytes(b"old")
    write_atomically(target, lambda handle: handle.write(b"new"), mode=0o600)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["token.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "data.parquet"
    target.write_bytes(b"complete")

    def half_then_fail(handle):
        handle.write(b"half")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError, match="disk gone"):
        write_atomically(target, half_then_fail)
    assert target.read_bytes() == b"complete"
    assert [p.name for p in tmp_path.iterdir()] == ["data.parquet"]
