"""Domain messages: a stable id, English text with named values, no framework."""

from __future__ import annotations

import pytest

from mescams.core.messages import MESSAGE_TEMPLATES, MessageTemplate


def test_a_message_fills_its_values_and_registers_its_id() -> None:
    template = MessageTemplate("test.example", "{count} answers to go over with {name}")
    message = template(count=2, name="the coordinator")
    assert message.english() == "2 answers to go over with the coordinator" == str(message)
    assert MESSAGE_TEMPLATES["test.example"] is template


def test_a_missing_value_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match="count"):
        MessageTemplate("test.example2", "{count} left")()


def test_one_id_cannot_carry_two_texts() -> None:
    MessageTemplate("test.example3", "one text")
    with pytest.raises(ValueError, match="test.example3"):
        MessageTemplate("test.example3", "another text")
