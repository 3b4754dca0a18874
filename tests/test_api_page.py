"""docs/api.md, the supported-API page, is what ``python -m parity.apipage`` prints."""
import pathlib

from parity.apipage import generate

PAGE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_the_supported_api_page_is_generated_from_the_code():
    assert PAGE.read_text() == generate(), (
        "docs/api.md is out of date: run python -m parity.apipage > docs/api.md")


def test_the_page_lists_the_names_tutorials_use_most():
    text = PAGE.read_text()
    for name in ["`sin`", "`einsum`", "`gather`", "`new_ones`", "`set_default_device`",
                 "`result_type`", "`Linear`", "`Adam`", "`cross_entropy`"]:
        assert f"| {name} |" in text, name
