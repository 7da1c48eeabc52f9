"""The selective forwarding unit: packets in, packets out, never decoded.

Leaf modules (stun, rtp, rtcp, codecs, ...) import nothing of the project;
the transport and router above them do.
"""
