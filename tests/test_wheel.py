"""Installed from a wheel, packet still finds its templates and fonts."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_carries_templates_and_fonts(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("packet-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").iterdir():
        assert f"packet/templates/{template.name}" in names
    for font in (ROOT / "fonts").glob("*.ttf"):
        assert f"packet/fonts/{font.name}" in names
    assert "packet/fonts/OFL.txt" in names
    assert not any(name.endswith(".py") for name in names if name.startswith("packet/fonts"))
    assert "packet/resources.py" in names


def test_resources_prefer_the_package_folders(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from packet import resources

    package = tmp_path / "site-packages" / "packet"
    (package / "templates").mkdir(parents=True)
    (package / "fonts").mkdir()
    monkeypatch.setattr(resources, "_PACKAGE", package)
    resources.templates_dir.cache_clear()
    resources.fonts_dir.cache_clear()
    try:
        assert resources.templates_dir() == package / "templates"
        assert resources.fonts_dir() == package / "fonts"
    finally:
        resources.templates_dir.cache_clear()
        resources.fonts_dir.cache_clear()
