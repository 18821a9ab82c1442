#ifndef VFO_SDK_H
#define VFO_SDK_H
/* The VF SDK's C ABI (libvfo-sdk.so): a program of any language that fills a vfo_function and calls vfo_run()
 * is a VF its agent can run (a manifest function of `kind: exec`). vfo_run() serves it in a function host, as
 * the built-in VFs are served: frames in and out over the data plane with their seq and epoch, replay after a
 * rewiring, duplicates dropped, fencing by epoch, and live migration of its state (docs/sdk.md).
 *
 * The agent starts the program with its manifest's command and environment plus:
 *   VFO_ROLE=source|compute|sink   the VF's place in its chain: first, between, last
 *   VFO_FPS=F                      a source's frame rate
 *   VFO_BIND=ADDRESS               where the host binds its sockets
 *   VFO_INCOMING=1                 the target of a live migration: it waits for its state
 *   VFO_KEYS_FROM_STDIN=1          the data plane's keys come on the first line of stdin
 * and speaks to it over its stdin and stdout. vfo_run() takes both for itself: from its start on, what the
 * program writes to stdout goes to stderr (the VF's log), and stdin reads as empty.
 *
 * Contracts: the callbacks are called from one thread, one at a time, frame by frame in order. A callback
 * returns 0 or more for success and a negative number for a failure, which ends the process with exit code 1
 * (after a line on stderr): the agent reports the VF ended and the orchestrator recovers it as any VF lost.
 * Bytes handed to vfo_output_set() are copied. ABI: a new version only adds at the end of vfo_function; a
 * program states the version it was built for in abi_version, and vfo_run() refuses a newer one. */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VFO_SDK_ABI_VERSION 1u

#if defined(__GNUC__)
#define VFO_SDK_EXPORT __attribute__((visibility("default")))
#else
#define VFO_SDK_EXPORT
#endif

/* One frame as a VF sees it. `payload` lives until the callback returns. */
typedef struct vfo_frame {
  uint64_t seq;       /* the source's sequence number: 1, 2, 3, ... */
  uint64_t epoch;     /* the chain's wiring epoch when it was sent */
  int64_t origin_ns;  /* when the source made it (steady clock) */
  const uint8_t* payload;
  size_t size;
} vfo_frame;

/* Where a callback puts bytes: the frame to send on, the payload made, the snapshot. */
typedef struct vfo_output vfo_output;
VFO_SDK_EXPORT void vfo_output_set(vfo_output* out, const void* data, size_t size);

/* A state the host tracks by chunks for live migration (pre-copy copies it while the VF runs, then only what
 * was written since). Write to it only with vfo_state_write(): a write that bypasses it is not moved. */
typedef struct vfo_state vfo_state;
VFO_SDK_EXPORT size_t vfo_state_size(const vfo_state* state);
VFO_SDK_EXPORT const uint8_t* vfo_state_data(const vfo_state* state);
/* 0, or -1 (and nothing written) when offset + size passes the state's end. */
VFO_SDK_EXPORT int vfo_state_write(vfo_state* state, size_t offset, const void* data, size_t size);

typedef struct vfo_function {
  uint32_t abi_version; /* VFO_SDK_ABI_VERSION */
  void* user;           /* given back to every callback */
  /* A source's payload for frame `seq` (role source); NULL: an empty payload. */
  int (*produce)(void* user, uint64_t seq, vfo_output* out);
  /* A frame: return 1 to send `out` on, 0 to send nothing (a sink, or a frame dropped on purpose). NULL: every
   * frame passes unchanged. */
  int (*process)(void* user, const vfo_frame* frame, vfo_output* out);
  /* The state outside the tracked one, as bytes, and its inverse (called on a live migration's target before
   * its first frame); NULL: none. */
  int (*snapshot)(void* user, vfo_output* out);
  int (*restore)(void* user, const uint8_t* data, size_t size);
  /* > 0: a tracked state of this many bytes (zeros at start), vfo_tracked_state() while vfo_run() runs. */
  size_t state_bytes;
} vfo_function;

/* The role the agent gave ("source", "compute" or "sink"); NULL when VFO_ROLE is not set. */
VFO_SDK_EXPORT const char* vfo_role(void);
/* The running VF's tracked state; NULL outside vfo_run() or when state_bytes is 0. */
VFO_SDK_EXPORT vfo_state* vfo_tracked_state(void);
/* Serves `vf` until its agent stops it; returns the exit code for main(): 0, 1 when the host cannot start, 2
 * for a bad environment (VFO_ROLE missing or unknown, a bad VFO_FPS) or ABI version, with one line on stderr. */
VFO_SDK_EXPORT int vfo_run(const vfo_function* vf);

#ifdef __cplusplus
}
#endif

#endif /* VFO_SDK_H */
