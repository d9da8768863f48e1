/*
 * Shared memory: one file in /dev/shm (0600), mapped MAP_SHARED by both processes (the peer
 * inherits the mapping through fork), holding two single-producer single-consumer byte rings,
 * runner -> peer and peer -> runner. The Java ShmChannel's algorithm, line for line:
 *
 *   record at (position & (capacity-1)), 8-aligned: u64 header = tag << 32 | length, payload
 *   (split at the end of the ring and continued at its start when it must), padded to 8 bytes.
 *   tag = (position / 8) with the top bit set, so a header is never 0.
 *
 *   producer: needs room for the record's span plus the next header word (it reads the
 *     consumer's `head` only when its cached copy says the ring is full); copies the payload in,
 *     stores 0 into the next record's header word, then publishes this header with a release store.
 *   consumer: spins on the header word at its position with acquire loads (0 = not yet, the
 *     expected tag = a record, anything else = corrupt), copies the payload out, and publishes
 *     `head` (release) for a producer that will look at it only when full.
 *
 * A hand-off thus moves the record's own cache lines and nothing else: no counter line travels
 * per message. `head` and the waiting flag sit on their own 128-byte blocks (the adjacent-line
 * prefetcher pulls lines in pairs), as in Java.
 *
 *   shm-spin: both sides busy-spin (with the CPU's pause hint). Lowest latency, one full core per
 *     waiting process. Needs two free cores to mean anything.
 *   shm-semaphore: per ring a POSIX named semaphore counts published messages (producer
 *     sem_post after the header, consumer sem_wait before reading it); a full ring parks the
 *     producer on a second semaphore that the consumer posts only when the producer said it waits.
 *
 * Ring capacity: 4 MiB per direction, the Java shm provider's default, so that both hold as many
 * records in flight at every size (three 1 MiB messages); never less than two records.
 * The independent floor it is compared with is shm-header (shm_header.c): fixed slots, no ring.
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK 128    /* one block per independently written field: two cache lines */
#define HEADER 8     /* the record header word */

typedef struct {
    _Alignas(BLOCK) _Atomic uint64_t head;              /* bytes ever consumed (consumer writes) */
    _Alignas(BLOCK) _Atomic uint32_t producer_waiting;  /* semaphore mode: producer parked on `space` */
    _Alignas(BLOCK) uint8_t data[];
} ring;

typedef struct {
    ring *r;
    uint64_t pos;          /* producer: where the next record goes; consumer: the next record to read */
    uint64_t cached_head;  /* producer: the last `head` read */
    sem_t *items, *space;  /* semaphore mode */
} end;

static uint64_t capacity, mask;
static int use_sems;
static end out, in;
static char shm_path[160];
static char sem_names[4][128];

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline uint64_t span_of(uint64_t len) { return (HEADER + len + 7) & ~7ull; }
static inline uint32_t tag_of(uint64_t pos) { return (uint32_t)(pos >> 3) | 0x80000000u; }
static inline _Atomic uint64_t *header_at(ring *r, uint64_t pos) { return (_Atomic uint64_t *)(r->data + (pos & mask)); }

static size_t shm_max(void) { return MAX_MESSAGE; }

static void sem_wait_retry(sem_t *s) {
    while (sem_wait(s) != 0)
        if (errno != EINTR) fail_errno("sem_wait", "");
}

static void shm_send(const void *buf, size_t len) {
    ring *r = out.r;
    uint64_t pos = out.pos, span = span_of(len), room = span + HEADER;
    while (pos + room - out.cached_head > capacity) {
        out.cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
        if (pos + room - out.cached_head <= capacity) break;
        if (!use_sems) {
            cpu_relax();
            continue;
        }
        atomic_store_explicit(&r->producer_waiting, 1, memory_order_seq_cst);
        out.cached_head = atomic_load_explicit(&r->head, memory_order_seq_cst);
        if (pos + room - out.cached_head <= capacity) {
            atomic_store_explicit(&r->producer_waiting, 0, memory_order_relaxed);
            break;
        }
        sem_wait_retry(out.space); /* spurious wake-ups only cost another look */
    }
    uint64_t at = (pos + HEADER) & mask, first = capacity - at < len ? capacity - at : len;
    memcpy(r->data + at, buf, first);
    if (first < len) memcpy(r->data, (const uint8_t *)buf + first, len - first); /* wrapped */
    atomic_store_explicit(header_at(r, pos + span), 0, memory_order_relaxed);  /* the consumer's next look */
    atomic_store_explicit(header_at(r, pos), (uint64_t)tag_of(pos) << 32 | len, memory_order_release);
    out.pos = pos + span;
    if (use_sems && sem_post(out.items) != 0) fail_errno("sem_post", "items");
}

static ssize_t shm_recv(void *buf, size_t cap) {
    ring *r = in.r;
    if (use_sems) sem_wait_retry(in.items);
    uint64_t pos = in.pos, h;
    _Atomic uint64_t *hp = header_at(r, pos);
    while ((h = atomic_load_explicit(hp, memory_order_acquire)) == 0) cpu_relax();
    uint64_t len = (uint32_t)h;
    if ((uint32_t)(h >> 32) != tag_of(pos) || len > capacity - 2 * HEADER)
        fail(1, "protocol error: corrupt record at position %llu (header 0x%llx)", (unsigned long long)pos, (unsigned long long)h);
    if (len > cap) fail(1, "protocol error: a %llu-byte record is over the %zu-byte buffer", (unsigned long long)len, cap);
    uint64_t at = (pos + HEADER) & mask, first = capacity - at < len ? capacity - at : len;
    memcpy(buf, r->data + at, first);
    if (first < len) memcpy((uint8_t *)buf + first, r->data, len - first); /* wrapped */
    in.pos = pos + span_of(len);
    atomic_store_explicit(&r->head, in.pos, memory_order_release);
    if (use_sems && atomic_exchange_explicit(&r->producer_waiting, 0, memory_order_seq_cst))
        if (sem_post(in.space) != 0) fail_errno("sem_post", "space");
    return (ssize_t)len;
}

static sem_t *new_sem(int i, const char *purpose) {
    char name[100];
    unique_name(name, sizeof name, purpose);
    snprintf(sem_names[i], sizeof sem_names[i], "/%s", name);
    sem_t *s = sem_open(sem_names[i], O_CREAT | O_EXCL, 0600, 0);
    if (s == SEM_FAILED) fail_errno("sem_open", sem_names[i]);
    register_posix_sem(sem_names[i]);
    return s;
}

static void setup(size_t size, int sems, transport *t) {
    use_sems = sems;
    capacity = 4u << 20;
    while (capacity < 2 * (span_of(size) + HEADER)) capacity <<= 1;
    mask = capacity - 1;
    size_t ring_bytes = (sizeof(ring) + capacity + BLOCK - 1) & ~(size_t)(BLOCK - 1);
    char name[100];
    unique_name(name, sizeof name, "shm");
    snprintf(shm_path, sizeof shm_path, "/dev/shm/%s", name);
    int fd = open(shm_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) fail_errno("open", shm_path);
    register_path(shm_path);
    if (ftruncate(fd, (off_t)(2 * ring_bytes)) != 0) fail_errno("ftruncate", shm_path);
    uint8_t *base = mmap(NULL, 2 * ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) fail_errno("mmap", shm_path);
    close(fd);
    ring *down = (ring *)base, *up = (ring *)(base + ring_bytes); /* ftruncate zeroed both: every header "not yet" */
    out.r = down;
    in.r = up;
    if (sems) {
        out.items = new_sem(0, "down-items");
        out.space = new_sem(1, "down-space");
        in.items = new_sem(2, "up-items");
        in.space = new_sem(3, "up-space");
    }
    snprintf(t->params, sizeof t->params, "shm_file=%s ring_bytes=%llu wait=%s header-polling", shm_path,
             (unsigned long long)capacity, sems ? "semaphore" : "spin");
}

/* The peer inherited the mapping and the semaphores: it only swaps directions. */
static void attach(int role) {
    if (role == ROLE_PEER) {
        end t = out;
        out = in;
        in = t;
        out.cached_head = 0;
    }
}

static void spin_setup(size_t size) { setup(size, 0, &shm_spin); }
static void sem_setup(size_t size) { setup(size, 1, &shm_semaphore); }
static void unlink_all(void) { cleanup_objects(); }

transport shm_spin = {"shm-spin", shm_max, 0, spin_setup, attach, unlink_all, shm_send, shm_recv, NULL, ""};
transport shm_semaphore = {"shm-semaphore", shm_max, 0, sem_setup, attach, unlink_all, shm_send, shm_recv, NULL, ""};
