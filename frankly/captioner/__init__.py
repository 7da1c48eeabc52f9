"""Live captions in rooms: the server's captioner participant and its supervisor.

Two halves that never share a process. `supervisor` runs inside `frankly
serve`: it starts one captioner process per room whose host turned captions
on, watches it, restarts it when it crashes and says where captions are
(the `captions` state). `program` is that process: it joins the room through
the SDK with an invite the server signed for it, holds keys like anyone,
feeds each speaker's audio to frankly/captions and sends back caption lines
sealed like chat. The server thus never runs speech recognition on its event
loop, and a captioner that dies takes nothing of the meeting with it.
"""
