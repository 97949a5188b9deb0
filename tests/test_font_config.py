"""The font configuration lives in a folder only this user can write."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from packet.layout import fonts
from packet.resources import fonts_dir


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr("tempfile.tempdir", None)  # so TMPDIR is read again
    (tmp_path / "tmp").mkdir()
    return tmp_path / "cache" / "packet"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def names_only_the_bundled_fonts(conf: Path) -> None:
    text = conf.read_text(encoding="utf-8")
    assert f"<dir>{fonts_dir()}</dir>" in text
    assert text.count("<dir>") == 1


def test_it_is_written_to_the_per_user_cache_folder_made_private(cache: Path) -> None:
    conf = fonts.font_config_file()
    assert conf.parent == cache
    assert mode(cache) == 0o700
    names_only_the_bundled_fonts(conf)
    assert fonts.font_config_file() == conf  # the same file for the same install


def test_a_planted_configuration_in_our_own_folder_is_replaced(cache: Path) -> None:
    conf = fonts.font_config_file()
    conf.write_text("<fontconfig><dir>/usr/share/fonts</dir></fontconfig>\n")
    assert fonts.font_config_file() == conf
    names_only_the_bundled_fonts(conf)


@pytest.mark.parametrize("how", ["writable by others", "someone else's", "a link", "a file"])
def test_a_cache_folder_that_is_not_ours_alone_is_not_used(
    cache: Path, tmp_path: Path, how: str
) -> None:
    cache.parent.mkdir(parents=True)
    if how == "a file":
        cache.write_text("not a folder\n")
    elif how == "a link":
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        cache.symlink_to(tmp_path / "elsewhere")
    else:
        cache.mkdir(mode=0o700)
        if how == "writable by others":
            cache.chmod(0o777)
        elif os.geteuid() == 0:
            os.chown(cache, 65534, 65534)
        else:
            pytest.skip("only root can give a folder to someone else")
    conf = fonts.font_config_file()
    assert conf.parent.parent == tmp_path / "tmp"  # a fresh folder of its own instead
    assert mode(conf.parent) == 0o700
    names_only_the_bundled_fonts(conf)
    assert not (tmp_path / "elsewhere" / conf.name).exists()


def test_the_old_shared_name_taken_by_another_user_does_not_matter(cache: Path) -> None:
    tag = hashlib.sha256(str(fonts_dir()).encode()).hexdigest()[:12]
    (cache.parent.parent / "tmp" / f"packet-{os.getuid()}-{tag}.fonts.conf").mkdir()
    conf = fonts.font_config_file()
    assert conf.parent == cache
    names_only_the_bundled_fonts(conf)
