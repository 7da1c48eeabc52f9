"""The selective forwarding unit: packets in, packets out, never decoded.

Leaf modules (stun, rtp, rtcp, codecs, cache, layers, speaker, ...) import
nothing of the project but rtp's byte helpers. Above them: transport (the
UDP port), downtrack (one track as one subscriber gets it) and router (the
maps, publish/subscribe, feedback), which feeds speaker.SpeakerObserver.
"""
