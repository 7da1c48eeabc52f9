"""The HTTP and WebSocket server: static web client, signaling, TLS."""
