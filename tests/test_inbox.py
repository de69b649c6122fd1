"""The inbox: what is read (regular files inside it), what is named and skipped, and file names
printed as one safe line."""

import os
import shutil
from pathlib import Path

from orchestration.build.inbox import scan
from orchestration.build.printable import printable
from tests.truth import PDF_DIR

REPORT = PDF_DIR / "nantong_culture_2023.pdf"
OUTSIDE_REASON = "link to a file outside the inbox: not read"


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(REPORT, inbox / "good.pdf")
    return inbox


def test_link_to_a_file_outside_the_inbox_is_rejected_unread(tmp_path):
    inbox = _inbox(tmp_path)
    (inbox / "passwd.pdf").symlink_to("/etc/passwd")
    result = scan(inbox)
    [refused] = [f for f in result.files if f.path.name == "passwd.pdf"]
    assert (refused.sha256, refused.error) == (None, OUTSIDE_REASON)
    assert [f.path.name for f in result.accepted] == ["good.pdf"]


def test_link_to_a_report_kept_elsewhere_is_not_loaded(tmp_path):
    inbox = _inbox(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(PDF_DIR / "suzhou_education_2021.pdf", elsewhere / "report.pdf")
    (inbox / "sub").mkdir()
    (inbox / "sub" / "linked.pdf").symlink_to(elsewhere / "report.pdf")
    (inbox / "folder_link").symlink_to(elsewhere)
    result = scan(inbox)
    assert result.years() == [2023]  # the 2021 report outside was not read through either link
    assert [(f.path.relative_to(inbox).as_posix(), f.error) for f in result.rejected] == [
        ("sub/linked.pdf", OUTSIDE_REASON)
    ]
    assert [(p.name, why) for p, why in result.skipped] == [
        ("folder_link", "link to a folder outside the inbox: not followed")
    ]


def test_link_inside_the_inbox_is_read(tmp_path):
    inbox = _inbox(tmp_path)
    (inbox / "alias.pdf").symlink_to(inbox / "good.pdf")
    result = scan(inbox)
    assert [(a.name, b.name) for a, b in result.duplicates] == [("good.pdf", "alias.pdf")]
    assert result.rejected == ()


def test_dangling_links_fifos_and_devices_named_pdf_are_skipped_with_a_reason(tmp_path):
    inbox = _inbox(tmp_path)
    (inbox / "gone.pdf").symlink_to(tmp_path / "deleted.pdf")
    os.mkfifo(inbox / "pipe.pdf")
    (inbox / "null.pdf").symlink_to(inbox / "pipe.pdf")
    (inbox / "dev.pdf").symlink_to("/dev/null")  # outside the inbox, and a device
    result = scan(inbox)  # a FIFO opened for reading would block here forever
    assert [(p.name, why) for p, why in result.skipped] == [
        ("gone.pdf", "dangling link (its target does not exist)"),
        ("null.pdf", "link to a FIFO, not a regular file"),
        ("pipe.pdf", "not a regular file (FIFO)"),
    ]
    assert [(f.path.name, f.error) for f in result.rejected] == [("dev.pdf", OUTSIDE_REASON)]
    assert [f.path.name for f in result.accepted] == ["good.pdf"]


def test_printable_escapes_control_characters_and_newlines():
    assert printable("a\x1b[2Jb\nc\td\\e.pdf") == "a\\x1b[2Jb\\nc\\td\\\\e.pdf"


def test_printable_escapes_bidi_overrides_and_undecodable_bytes():
    name = os.fsdecode(b"r\xe9port\xe2\x80\xaefdp.exe")  # Latin-1 é, then U+202E as UTF-8
    assert printable(name) == "r\\xe9port\\u202efdp.exe"


def test_printable_keeps_chinese_names_and_ideographic_spaces():
    assert printable(Path("苏州市　公安局 2022.pdf")) == "苏州市　公安局 2022.pdf"
