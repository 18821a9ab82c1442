#!/usr/bin/python3
"""The pedestrian chain's sink: what the detector found, one JSON line per frame.

DISPLAY_OUTPUT names a file the lines are appended to (relative to the agent's exec root); unset, it logs a
summary every 50 frames (its log is the VF's, `vfo logs CHAIN/display`). The sink's host keeps the account of
every frame that reached it (seqs, latency: `vfo status`), as the built-in sink's does.
"""
import json
import os
import sys

import vfo_sdk


class Display:
    def __init__(self, output):
        self.output = open(output, "a", encoding="utf-8") if output else None
        self.frames, self.people = 0, 0

    def process(self, frame):
        record = json.loads(frame.payload)
        self.frames += 1
        self.people += len(record.get("people", []))
        if self.output:
            self.output.write(json.dumps(record) + "\n")
            self.output.flush()
        elif self.frames % 50 == 0:
            print(f"display: frame {frame.seq}: {self.frames} frames, {self.people} people seen", flush=True)
        return None

    def snapshot(self):
        return json.dumps({"frames": self.frames, "people": self.people}).encode()

    def restore(self, data):
        counters = json.loads(data)
        self.frames, self.people = counters["frames"], counters["people"]


if __name__ == "__main__":
    sys.exit(vfo_sdk.run(Display(os.environ.get("DISPLAY_OUTPUT", ""))))
