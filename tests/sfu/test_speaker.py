from frankly.sfu.speaker import SpeakerObserver


def test_the_loudest_is_announced_once_and_silence_decays() -> None:
    announced: list[str] = []
    speakers = SpeakerObserver(announced.append)
    for _ in range(50):
        speakers.heard("ada", 0x80 | 5)  # loud: 5 dB below full scale; V flag ignored
        speakers.heard("bea", 90)  # quiet
    speakers.tick()
    speakers.tick()
    assert announced == ["ada"]
    for _ in range(10):
        speakers.tick()  # nobody speaks: levels fall below the threshold
    for _ in range(50):
        speakers.heard("bea", 10)
    speakers.tick()
    assert announced == ["ada", "bea"]


def test_quiet_rooms_announce_nobody_and_who_left_is_forgotten() -> None:
    announced: list[str] = []
    speakers = SpeakerObserver(announced.append)
    for _ in range(50):
        speakers.heard("ada", 100)  # 100 dB below full scale: background noise
    speakers.tick()
    assert announced == []
    for _ in range(50):
        speakers.heard("ada", 0)
    speakers.tick()
    speakers.left("ada")
    assert announced == ["ada"] and speakers.levels == {} and speakers.speaker == ""
