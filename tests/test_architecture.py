"""docs/architecture.md opens with the picture of the layers: it must be the `layers` contract that `make lint`
checks (pyproject.toml), row by row, so that the page a newcomer reads first stays true."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def contract_rows() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    # "chibo.urls : chibo.views" (the top's modules) and "a | b" (siblings): the packages of a row.
    return [{name.strip().split(".")[0] for name in re.split(r"[|:]", row)} for row in contract["layers"]]


def picture_rows() -> list[set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## The layers", 1)[1]
    picture = section.split("```", 2)[1]
    rows = []
    for line in picture.splitlines():
        line = line.strip()
        if not line or line == "│":
            continue
        if line.startswith("chibo ") and not line.startswith("chibo.lib"):
            rows.append({"chibo"})  # the top row names chibo's modules after the package
        else:
            rows.append({name.strip() for name in line.split("│")})
    return rows


def test_the_picture_is_the_layers_contract() -> None:
    rows = contract_rows()
    rows[-1] = {"chibo.lib"} if rows[-1] == {"chibo"} else rows[-1]
    assert picture_rows() == rows


def test_every_app_is_in_the_layers() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = set(config["tool"]["importlinter"]["root_packages"])
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"chibo"}
    assert apps <= packages
    assert set().union(*contract_rows()) == packages
