from frankly.sfu.layers import LayerInfo, choose

LOW, MID, HIGH = (
    LayerInfo("q", 180, 150_000),
    LayerInfo("h", 360, 500_000),
    LayerInfo("f", 720, 1_700_000),
)


def test_tile_size_picks_the_smallest_layer_that_fills_it() -> None:
    assert choose([LOW, MID, HIGH], current=1, wanted_height=300, budget=10e6) == 1
    assert choose([LOW, MID, HIGH], current=0, wanted_height=100, budget=10e6) == 0


def test_up_one_step_at_a_time_down_at_once() -> None:
    assert choose([LOW, MID, HIGH], current=0, wanted_height=720, budget=10e6) == 1
    assert choose([LOW, MID, HIGH], current=1, wanted_height=720, budget=10e6) == 2
    assert choose([LOW, MID, HIGH], current=2, wanted_height=720, budget=300_000) == 0


def test_bandwidth_caps_the_layer() -> None:
    assert choose([LOW, MID, HIGH], current=2, wanted_height=720, budget=1_000_000) == 1


def test_idle_layers_are_skipped() -> None:
    idle_mid = LayerInfo("h", 360, 0)
    assert choose([LOW, idle_mid, HIGH], current=0, wanted_height=720, budget=10e6) == 2
    assert choose([LayerInfo("q", 0, 0)], current=-1, wanted_height=720, budget=10e6) == -1


def test_no_layer_fits_the_budget_keeps_the_lowest() -> None:
    assert choose([LOW, MID, HIGH], current=1, wanted_height=720, budget=10_000) == 0
