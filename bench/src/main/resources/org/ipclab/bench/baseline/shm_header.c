/*
 * shm-header: the shared-memory floor. A ring of fixed slots per direction in one /dev/shm file;
 * each slot starts with a 64-bit header word that says everything: 0 = empty, else the length of
 * the message in it (bit 63 set). The producer waits for its next slot's header to be 0, copies the
 * payload in and publishes the header last with a release store; the consumer spins on that same
 * header word with acquire loads, copies the payload out and hands the slot back by storing 0.
 * There are no head/tail counters: a hand-off moves the slot's first cache line (header and the
 * first 56 payload bytes) from one core to the other, once, where a ring with separate counters
 * moves the counter's line and the record's line.
 *
 * Written apart from shm.c on purpose: it is the reference the Java ring (and shm-spin, its C twin)
 * is compared with, so it shares no code with them. Both processes busy-spin: it needs two cores.
 * Slots: (8 + largest message) rounded up to 64 bytes; as many as fit in 256 KiB, at least 4.
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LINE 64
#define FULL (1ull << 63)

typedef struct {
    uint8_t *base;   /* the first slot of this direction */
    uint64_t next;   /* the slot this side uses next */
} lane;

static size_t slot_bytes, slots;
static lane tx, rx;
static char path[160];

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline _Atomic uint64_t *header(lane *l) {
    return (_Atomic uint64_t *)(l->base + (l->next % slots) * slot_bytes);
}

static size_t hdr_max(void) { return MAX_MESSAGE; }

static void hdr_send(const void *buf, size_t len) {
    _Atomic uint64_t *h = header(&tx);
    while (atomic_load_explicit(h, memory_order_acquire) != 0) relax(); /* the consumer has not handed it back */
    memcpy((uint8_t *)h + 8, buf, len);
    atomic_store_explicit(h, FULL | len, memory_order_release);
    tx.next++;
}

static ssize_t hdr_recv(void *buf, size_t cap) {
    _Atomic uint64_t *h = header(&rx);
    uint64_t v;
    while ((v = atomic_load_explicit(h, memory_order_acquire)) == 0) relax();
    size_t len = (size_t)(v & ~FULL);
    if (len > cap) fail(1, "protocol error: a %zu-byte message is over the %zu-byte buffer", len, cap);
    memcpy(buf, (uint8_t *)h + 8, len);
    atomic_store_explicit(h, 0, memory_order_release);
    rx.next++;
    return (ssize_t)len;
}

static void hdr_setup(size_t size) {
    size_t largest = size > CONTROL_MAX + 4 ? size : CONTROL_MAX + 4;
    slot_bytes = (8 + largest + LINE - 1) & ~(size_t)(LINE - 1);
    slots = (256 * 1024) / slot_bytes;
    if (slots < 4) slots = 4;
    size_t lane_bytes = slots * slot_bytes;
    char name[100];
    unique_name(name, sizeof name, "shm-header");
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) fail_errno("open", path);
    register_path(path);
    if (ftruncate(fd, (off_t)(2 * lane_bytes)) != 0) fail_errno("ftruncate", path);
    uint8_t *base = mmap(NULL, 2 * lane_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) fail_errno("mmap", path);
    close(fd);
    tx.base = base;              /* runner -> peer */
    rx.base = base + lane_bytes; /* peer -> runner; ftruncate zeroed every header */
    snprintf(shm_header.params, sizeof shm_header.params, "shm_file=%s slot_bytes=%zu slots=%zu wait=spin header-polling",
             path, slot_bytes, slots);
}

/* The peer inherited the mapping through fork: it only swaps directions. */
static void hdr_attach(int role) {
    if (role == ROLE_PEER) {
        lane t = tx;
        tx = rx;
        rx = t;
    }
}

static void hdr_connected(void) { cleanup_objects(); }

transport shm_header = {"shm-header", hdr_max, 0, hdr_setup, hdr_attach, hdr_connected, hdr_send, hdr_recv, NULL, ""};
