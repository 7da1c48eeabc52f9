"""Beyond one process: SFU workers on one machine, nodes through Redis."""
