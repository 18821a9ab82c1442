#!/usr/bin/python3
"""The pedestrian chain's detector: OpenCV's HOG people detector on each JPEG frame.

It sends on, per frame, one JSON line: {"seq", "people": [[x, y, w, h, score], ...], "frames", "seen"}. Its
state moves with it by live migration: the counters (snapshot/restore) and a heat map of where people were
seen, a grid of 32x24 cells of 4-byte counts, kept in the SDK's tracked state (pre-copy copies it while the
detector runs, then only the cells written since). DETECT_SCALE (default 1.05) and DETECT_STRIDE (default 8)
trade accuracy for speed.
"""
import json
import os
import struct
import sys

import cv2
import numpy as np

import vfo_sdk

GRID_W, GRID_H = 32, 24
CELL_BYTES = 4


class Detect:
    def __init__(self, scale, stride):
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self.scale, self.stride = scale, stride
        self.frames, self.seen = 0, 0

    def count_in_heat_map(self, x, y, width, height):
        state = vfo_sdk.tracked_state()
        cx = min(GRID_W - 1, max(0, x * GRID_W // max(width, 1)))
        cy = min(GRID_H - 1, max(0, y * GRID_H // max(height, 1)))
        offset = (cy * GRID_W + cx) * CELL_BYTES
        (count,) = struct.unpack("<I", state.read(offset, CELL_BYTES))
        state.write(offset, struct.pack("<I", count + 1))

    def process(self, frame):
        image = cv2.imdecode(np.frombuffer(frame.payload, np.uint8), cv2.IMREAD_COLOR)
        people = []
        if image is not None:
            boxes, weights = self.hog.detectMultiScale(image, winStride=(self.stride, self.stride),
                                                       padding=(8, 8), scale=self.scale)
            for (x, y, w, h), score in zip(boxes, np.ravel(weights)):
                people.append([int(x), int(y), int(w), int(h), round(float(score), 3)])
                self.count_in_heat_map(int(x + w / 2), int(y + h / 2), image.shape[1], image.shape[0])
        self.frames += 1
        self.seen += len(people)
        record = {"seq": frame.seq, "people": people, "frames": self.frames, "seen": self.seen}
        if image is None:
            record["error"] = "not a JPEG frame"
        return json.dumps(record).encode()

    def snapshot(self):
        return json.dumps({"frames": self.frames, "seen": self.seen}).encode()

    def restore(self, data):
        counters = json.loads(data)
        self.frames, self.seen = counters["frames"], counters["seen"]


if __name__ == "__main__":
    detect = Detect(float(os.environ.get("DETECT_SCALE", "1.05")), int(os.environ.get("DETECT_STRIDE", "8")))
    sys.exit(vfo_sdk.run(detect, state_bytes=GRID_W * GRID_H * CELL_BYTES))
