from dataclasses import dataclass, field
from typing import Literal

import pytest

from refinery.config import ConfigError, check, load_config, parse_overrides


@dataclass
class Inner:
    backend: Literal["a", "b"] = "a"
    ratio: float = 0.5

    def __post_init__(self):
        check(0 <= self.ratio <= 1, "ratio", "must be within [0, 1]")


@dataclass
class Outer:
    name: str = "x"
    batch_size: int = 10
    fields: list[str] = field(default_factory=list)
    inner: Inner = field(default_factory=Inner)
    spark: dict[str, str] = field(default_factory=dict)


def _write(tmp_path, text):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    return str(p)


def test_defaults_yaml_and_overrides(tmp_path):
    assert load_config(None, Outer) == Outer()
    cfg = load_config(_write(tmp_path, "batch_size: 5\ninner:\n  backend: b\n"), Outer, parse_overrides(["inner.ratio=1", "fields=[a, b]"]))
    assert (cfg.batch_size, cfg.inner.backend, cfg.inner.ratio, cfg.fields) == (5, "b", 1.0, ["a", "b"])


@pytest.mark.parametrize(
    "text, message",
    [
        ("batch_sise: 5\n", "batch_sise: unknown key"),
        ("inner:\n  backnd: a\n", "inner.backnd: unknown key"),
        ("inner:\n  backend: c\n", "inner.backend: expected one of"),
        ("batch_size: five\n", "batch_size: expected int"),
        ("inner:\n  ratio: 2\n", "inner.ratio: must be within"),
        ("fields: a\n", "fields: expected a list"),
        ("- a\n", "top level must be a mapping"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, text), Outer)


def test_bad_override_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="dotted.key=value"):
        parse_overrides(["nonsense"])
    with pytest.raises(ConfigError, match="config file"):
        load_config(str(tmp_path / "missing.yaml"), Outer)
