import pytest

from bot.panel import PanelClient, PanelRegistry, PanelSpec, detect_dialect
from tests.fakes.panel_server import FakePanel


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("https://smmpans.com/api/v1", "v1"),
        ("https://smmpans.com/api/v1/", "v1"),
        ("https://smm.plus/api/v2", "v2"),
        ("https://smmqueen.com/api/v2", "v2"),
        ("https://panel.example/api", "v2"),
        ("sandbox", "v2"),
    ],
)
def test_detect_dialect(url: str, dialect: str) -> None:
    assert detect_dialect(url) == dialect


async def test_registry(v1: FakePanel, v2: FakePanel) -> None:
    registry = PanelRegistry(
        [
            PanelSpec("a", v1.url, v1.key),
            PanelSpec("b", v2.url, v2.key, dialect="v2", options={"max_concurrency": 2}),
            PanelSpec("demo", "sandbox", "x"),
        ],
        timeout=5.0,
    )
    try:
        assert registry.names == ["a", "b", "demo"] and "b" in registry and len(registry) == 3
        assert [c.dialect for c in registry] == ["v1", "v2", "v2"]
        assert [c.is_sandbox for c in registry] == [False, False, True]
        assert isinstance(registry.get("a"), PanelClient)
        assert (await registry.get("b").balance()).currency == "USD"
        assert await registry.get("demo").services()
        with pytest.raises(KeyError):
            registry.get("nope")
    finally:
        await registry.aclose()


def test_spec_repr_hides_key() -> None:
    assert "s3cret-key" not in repr(PanelSpec("a", "https://x/api/v2", "s3cret-key"))


def test_duplicate_names_rejected() -> None:
    with pytest.raises(ValueError):
        PanelRegistry([PanelSpec("a", "sandbox", "k"), PanelSpec("a", "sandbox", "k")])
