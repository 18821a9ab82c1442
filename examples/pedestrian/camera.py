#!/usr/bin/python3
"""The pedestrian chain's source: JPEG frames from a video file or a folder of images, or synthesised.

CAMERA_INPUT names a video file (anything OpenCV's VideoCapture reads) or a folder of .jpg/.jpeg/.png/.bmp
images, taken in name order and looped; empty or unset, the frames are synthesised: a street of noise with
figures walking across it, the same frame for the same seq. CAMERA_WIDTH and CAMERA_HEIGHT (default 320x240)
size every frame. Frame `seq` is the seq-th image of the input (a source started anew after a failure goes on
from the seq the chain acknowledged, so it resumes where the stream was).
"""
import glob
import os
import sys

import cv2
import numpy as np

import vfo_sdk


def synthesised(seq, width, height):
    """A frame of a street with two figures walking across it; the same seq gives the same frame."""
    rng = np.random.default_rng(seq)
    image = np.full((height, width, 3), 170, np.uint8)
    image += rng.integers(0, 20, size=image.shape, dtype=np.uint8)
    cv2.rectangle(image, (0, int(height * 0.8)), (width, height), (110, 110, 110), -1)
    for k, speed in enumerate((3, 5)):
        x = (seq * speed + k * width // 2) % (width + 40) - 20
        top = int(height * 0.25) + 10 * k
        body = (40, 40, 40) if k == 0 else (60, 30, 30)
        cv2.circle(image, (x, top), 9, body, -1)
        cv2.rectangle(image, (x - 10, top + 10), (x + 10, top + 60), body, -1)
        cv2.line(image, (x - 5, top + 60), (x - 12 + (seq % 6) * 2, top + 100), body, 6)
        cv2.line(image, (x + 5, top + 60), (x + 12 - (seq % 6) * 2, top + 100), body, 6)
    return image


class Camera:
    def __init__(self, source, width, height):
        self.width, self.height = width, height
        self.images, self.video, self.position = [], None, 0
        if source and os.path.isdir(source):
            for pattern in ("*.jpg", "*.jpeg", "*.png", "*.bmp"):
                self.images += glob.glob(os.path.join(source, pattern))
            self.images.sort()
            if not self.images:
                sys.exit(f"camera: CAMERA_INPUT {source}: no .jpg, .jpeg, .png or .bmp image in it")
        elif source:
            self.video = cv2.VideoCapture(source)
            if not self.video.isOpened():
                sys.exit(f"camera: CAMERA_INPUT {source}: not a folder, nor a video OpenCV can read")

    def image(self, seq):
        if self.images:
            image = cv2.imread(self.images[(seq - 1) % len(self.images)])
        elif self.video is not None:
            if seq != self.position + 1:  # a source started anew: seek to the stream's place
                frames = int(self.video.get(cv2.CAP_PROP_FRAME_COUNT)) or 1
                self.video.set(cv2.CAP_PROP_POS_FRAMES, (seq - 1) % frames)
            ok, image = self.video.read()
            if not ok:  # the end: loop
                self.video.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, image = self.video.read()
            self.position = seq
        else:
            return synthesised(seq, self.width, self.height)
        return cv2.resize(image, (self.width, self.height))

    def produce(self, seq):
        ok, jpeg = cv2.imencode(".jpg", self.image(seq), [cv2.IMWRITE_JPEG_QUALITY, 80])
        if not ok:
            raise RuntimeError(f"frame {seq}: JPEG encoding failed")
        return jpeg.tobytes()


if __name__ == "__main__":
    camera = Camera(os.environ.get("CAMERA_INPUT", ""), int(os.environ.get("CAMERA_WIDTH", "320")),
                    int(os.environ.get("CAMERA_HEIGHT", "240")))
    sys.exit(vfo_sdk.run(camera))
