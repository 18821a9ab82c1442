#!/usr/bin/python3
"""A VF on the SDK's Python face for the runtime's tests: test_vf.cpp's twin (same roles, same payloads, a
compute stage that rewrites TEST_VF_DIRTY bytes of a TEST_VF_STATE-byte tracked state per frame)."""
import os
import sys

import vfo_sdk


class TestVf:
    def __init__(self, payload, dirty):
        self.payload, self.dirty = payload, dirty
        self.cursor, self.frames = 0, 0

    def produce(self, seq):
        return bytes((seq * 131 + i) % 251 for i in range(self.payload))

    def process(self, frame):
        state = vfo_sdk.tracked_state()
        if state is not None:
            chunk = bytes([frame.seq % 256]) * min(self.dirty, state.size)
            if self.cursor + len(chunk) > state.size:
                self.cursor = 0
            state.write(self.cursor, chunk)
            self.cursor += len(chunk)
        self.frames += 1
        return None if vfo_sdk.role() == "sink" else frame.payload

    def snapshot(self):
        return f"{self.cursor} {self.frames}".encode()

    def restore(self, data):
        self.cursor, self.frames = (int(x) for x in data.split())


if __name__ == "__main__":
    state = int(os.environ.get("TEST_VF_STATE", str(4 << 20))) if vfo_sdk.role() == "compute" else 0
    vf = TestVf(int(os.environ.get("TEST_VF_PAYLOAD", "1000")), int(os.environ.get("TEST_VF_DIRTY", "16384")))
    sys.exit(vfo_sdk.run(vf, state_bytes=state))
