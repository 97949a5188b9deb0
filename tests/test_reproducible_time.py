"""SOURCE_DATE_EPOCH: the packet's date unless the caller gives a valid time."""

from __future__ import annotations

import os

import pytest

from packet.build import reproducible_time
from packet.content.model import Packet
from packet.errors import PacketError


@pytest.mark.parametrize(
    "value", ["yesterday", "-1", "1.5", "1e9", " 1700000000", "１７００", "99999999999999999999"]
)
def test_a_value_that_is_not_seconds_since_1970_is_refused(
    sample: Packet, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(PacketError) as error, reproducible_time(sample):
        pass
    message = error.value.format_message()
    assert f"SOURCE_DATE_EPOCH is {value!r}, which is not a time" in message
    assert "Unset it (unset SOURCE_DATE_EPOCH)" in message
    assert "give seconds since 1970" in message
    assert os.environ["SOURCE_DATE_EPOCH"] == value  # left as the user set it


@pytest.mark.parametrize("value", ["0", "1700000000", "253402300799"])
def test_a_valid_value_is_used_as_given(
    sample: Packet, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with reproducible_time(sample):
        assert os.environ["SOURCE_DATE_EPOCH"] == value
    assert os.environ["SOURCE_DATE_EPOCH"] == value


@pytest.mark.parametrize("value", [None, ""])
def test_unset_or_empty_means_the_packet_date(
    sample: Packet, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with reproducible_time(sample):
        assert os.environ["SOURCE_DATE_EPOCH"] == "1793491200"  # packet.yaml's 2026-11-01
    assert os.environ.get("SOURCE_DATE_EPOCH") == value
