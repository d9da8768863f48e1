/*
 * Shared memory: one file in /dev/shm (0600), mapped MAP_SHARED by both processes (the peer
 * inherits the mapping through fork), holding two single-producer single-consumer byte rings,
 * runner -> peer and peer -> runner. A message is copied into the ring as a record
 * [u32 length][payload] padded to 8 bytes; a record that would cross the end is preceded by a
 * WRAP marker. `head` (producer) and `tail` (consumer) are C11 atomics on their own cache lines:
 * the producer publishes with a release store of head, the consumer reads it with an acquire load
 * (and the other way round for tail), exactly the VarHandle setRelease/getAcquire pairing Java uses.
 *
 *   shm-spin: both sides busy-spin (with the CPU's pause hint) on head/tail. Lowest latency,
 *     one full core per waiting process. Needs two free cores to mean anything.
 *   shm-semaphore: per ring a POSIX named semaphore counts published messages (producer
 *     sem_post, consumer sem_wait); a full ring parks the producer on a second semaphore that the
 *     consumer posts only when the producer said it is waiting.
 *
 * Ring capacity: 4 MiB per direction, the Java shm provider's default, so that both hold as many
 * records in flight at every size (three 1 MiB messages); never less than two records.
 *
 * This is the Java ShmChannel's algorithm (head/tail counters on their own lines, each side caching
 * the other's). Its floor is shm-header (shm_header.c): a ring whose consumer polls the record's own
 * header word, one cache-line hand-off per message instead of two.
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

#define CACHE_LINE 64
#define WRAP 0xFFFFFFFFu

typedef struct {
    _Alignas(CACHE_LINE) _Atomic uint64_t head;     /* bytes ever published (producer writes) */
    _Alignas(CACHE_LINE) _Atomic uint64_t tail;     /* bytes ever consumed (consumer writes) */
    _Alignas(CACHE_LINE) _Atomic uint32_t producer_waiting; /* semaphore mode: producer parked on `space` */
    _Alignas(CACHE_LINE) uint8_t data[];
} ring;

typedef struct {
    ring *r;
    uint64_t cached_other; /* producer: last tail seen; consumer: last head seen */
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

static size_t shm_max(void) { return MAX_MESSAGE; }

static void sem_wait_retry(sem_t *s) {
    while (sem_wait(s) != 0)
        if (errno != EINTR) fail_errno("sem_wait", "");
}

static void shm_send(const void *buf, size_t len) {
    ring *r = out.r;
    uint64_t need = (4 + len + 7) & ~7ull;
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    uint64_t pos = head & mask;
    uint64_t pad = pos + need > capacity ? capacity - pos : 0;
    while (head + pad + need - out.cached_other > capacity) {
        out.cached_other = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (head + pad + need - out.cached_other <= capacity) break;
        if (!use_sems) {
            cpu_relax();
            continue;
        }
        atomic_store_explicit(&r->producer_waiting, 1, memory_order_seq_cst);
        out.cached_other = atomic_load_explicit(&r->tail, memory_order_seq_cst);
        if (head + pad + need - out.cached_other <= capacity) {
            atomic_store_explicit(&r->producer_waiting, 0, memory_order_relaxed);
            break;
        }
        sem_wait_retry(out.space); /* spurious wake-ups only cost another look */
    }
    if (pad) {
        uint32_t w = WRAP;
        memcpy(r->data + pos, &w, 4);
        head += pad;
        pos = 0;
    }
    uint32_t l = (uint32_t)len;
    memcpy(r->data + pos, &l, 4);
    memcpy(r->data + pos + 4, buf, len);
    atomic_store_explicit(&r->head, head + need, memory_order_release);
    if (use_sems && sem_post(out.items) != 0) fail_errno("sem_post", "items");
}

static ssize_t shm_recv(void *buf, size_t cap) {
    ring *r = in.r;
    if (use_sems) sem_wait_retry(in.items);
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    for (;;) {
        while (in.cached_other == tail) {
            in.cached_other = atomic_load_explicit(&r->head, memory_order_acquire);
            if (in.cached_other == tail) cpu_relax();
        }
        uint64_t pos = tail & mask;
        uint32_t len;
        memcpy(&len, r->data + pos, 4);
        if (len == WRAP) {
            tail += capacity - pos;
            continue;
        }
        if (len > cap) fail(1, "protocol error: a %u-byte record is over the %zu-byte buffer", len, cap);
        memcpy(buf, r->data + pos + 4, len);
        atomic_store_explicit(&r->tail, tail + ((4 + (uint64_t)len + 7) & ~7ull), memory_order_release);
        if (use_sems && atomic_exchange_explicit(&r->producer_waiting, 0, memory_order_seq_cst))
            if (sem_post(in.space) != 0) fail_errno("sem_post", "space");
        return len;
    }
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
    while (capacity < 2 * (size + 8)) capacity <<= 1;
    mask = capacity - 1;
    size_t ring_bytes = (sizeof(ring) + capacity + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
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
    ring *down = (ring *)base, *up = (ring *)(base + ring_bytes); /* ftruncate zeroed both */
    out.r = down;
    in.r = up;
    if (sems) {
        out.items = new_sem(0, "down-items");
        out.space = new_sem(1, "down-space");
        in.items = new_sem(2, "up-items");
        in.space = new_sem(3, "up-space");
    }
    snprintf(t->params, sizeof t->params, "shm_file=%s ring_bytes=%llu wait=%s", shm_path,
             (unsigned long long)capacity, sems ? "semaphore" : "spin");
}

/* The peer inherited the mapping and the semaphores: it only swaps directions. */
static void attach(int role) {
    if (role == ROLE_PEER) {
        end t = out;
        out = in;
        in = t;
        out.cached_other = in.cached_other = 0;
    }
}

static void spin_setup(size_t size) { setup(size, 0, &shm_spin); }
static void sem_setup(size_t size) { setup(size, 1, &shm_semaphore); }
static void unlink_all(void) { cleanup_objects(); }

transport shm_spin = {"shm-spin", shm_max, 0, spin_setup, attach, unlink_all, shm_send, shm_recv, NULL, ""};
transport shm_semaphore = {"shm-semaphore", shm_max, 0, sem_setup, attach, unlink_all, shm_send, shm_recv, NULL, ""};
