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


def test_link_budget_caps_on_congestion_holds_then_frees() -> None:
    from frankly.sfu.layers import link_budget

    # Loss: plan for what got through.
    budget, since = link_budget(remb=0, loss=0.2, sending=1e6, now=100.0, congested_at=0.0)
    assert budget == 800_000 and since == 100.0
    # REMB well below what is sent: REMB is the ceiling.
    assert link_budget(300_000, 0.0, 1e6, 101.0, since) == (300_000, 101.0)
    # Clean again, but too soon: hold at what is sent.
    assert link_budget(1e6, 0.0, 500_000, 105.0, 101.0) == (500_000, 101.0)
    # Clean for long enough: free to climb.
    assert link_budget(600_000, 0.0, 500_000, 112.0, 101.0) == (float("inf"), 101.0)


def test_real_heights_of_a_640x480_camera_pick_the_layer_that_fills_the_tile() -> None:
    q, h, f = LayerInfo("q", 120, 150_000), LayerInfo("h", 240, 500_000), LayerInfo("f", 0, 0)
    assert choose([q, h, f], current=1, wanted_height=167, budget=10e6) == 1
    assert choose([q, h, f], current=0, wanted_height=120, budget=10e6) == 0
    assert choose([q, h, f], current=1, wanted_height=480, budget=10e6) == 1  # the largest there is
