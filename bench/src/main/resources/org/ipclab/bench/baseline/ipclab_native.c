/*
 * The runner and the peer loop of ipclab-native (see ipclab_native.h for the protocol).
 *
 * Latency: closed-loop ping-pong after a time-based warm-up; every round trip is timed with
 * CLOCK_MONOTONIC, kept (as u32 nanoseconds) and sorted at the end: p50/p90/p99/p99.9/max/mean.
 * Percentiles pick the value at rank max(1, round(p * count)), like HdrHistogram.
 * Throughput: SINK, a one-way stream of probes for the duration, SINK_END [sent]; the peer
 * verifies every probe and answers STATS; msgs/s = received / (time from the first send to the
 * peer's answer), as docs/benchmark-methodology.md defines it. MB = 10^6 payload bytes.
 * A warm-up stream of the same kind runs first and is discarded.
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ipclab-native writes the little-endian wire format with memcpy: little-endian hosts only"
#endif

/* ---------------------------------------------------------------- control messages (peer.Control) */

/* Room for the largest probe or control message. */
static size_t buf_cap;

size_t ctl_write(uint8_t *b, uint32_t op, int nargs, const uint64_t *args) {
    uint64_t magic = CTL_MAGIC;
    memcpy(b, &magic, 8);
    memcpy(b + 8, &op, 4);
    for (int i = 0; i < nargs; i++) memcpy(b + CTL_HEADER + 8 * i, &args[i], 8);
    return CTL_HEADER + 8 * (size_t)nargs;
}

uint32_t ctl_opcode(const uint8_t *b, ssize_t len) {
    uint64_t magic;
    uint32_t op;
    if (len < CTL_HEADER) return 0;
    memcpy(&magic, b, 8);
    if (magic != CTL_MAGIC) return 0;
    memcpy(&op, b + 8, 4);
    return op;
}

uint64_t ctl_arg(const uint8_t *b, int i) {
    uint64_t v;
    memcpy(&v, b + CTL_HEADER + 8 * i, 8);
    return v;
}

/* ---------------------------------------------------------------- CRC32C (Castagnoli) */

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
        crc_table[i] = c;
    }
}

static uint32_t crc32c_table(uint32_t crc, const uint8_t *p, size_t len) {
    while (len--) crc = (crc >> 8) ^ crc_table[(crc ^ *p++) & 0xff];
    return crc;
}

#if defined(__x86_64__)
/*
 * The JVM's CRC32C is an SSE4.2 intrinsic that runs three independent crc32 chains side by side
 * (one crc32 instruction has a latency of 3 cycles but a throughput of 1 per cycle); so does this
 * one, or a large message's verification would cost the C peer three times what it costs Java,
 * and the C "floor" would be slower than Java at 1 MiB for a reason that has nothing to do with IPC.
 * Three blocks A|B|C are summed from registers c, 0, 0 and combined: crc(A|B|C) =
 * shift(shift(cA) ^ cB) ^ cC, where shift(x) = crc of x followed by CRC_BLOCK zero bytes (linear, so a table).
 */
#define CRC_BLOCK 4096
static uint32_t crc_shift[4][256];

static void crc_shift_init(void) {
    static const uint8_t zeros[CRC_BLOCK];
    uint32_t basis[32];
    for (int bit = 0; bit < 32; bit++) basis[bit] = crc32c_table(1u << bit, zeros, CRC_BLOCK);
    for (int k = 0; k < 4; k++)
        for (int b = 0; b < 256; b++) {
            uint32_t v = 0;
            for (int bit = 0; bit < 8; bit++)
                if (b & (1 << bit)) v ^= basis[8 * k + bit];
            crc_shift[k][b] = v;
        }
}

static inline uint32_t crc_shift_block(uint32_t x) {
    return crc_shift[0][x & 0xff] ^ crc_shift[1][(x >> 8) & 0xff] ^ crc_shift[2][(x >> 16) & 0xff] ^ crc_shift[3][x >> 24];
}

/* The JVM's CRC32C is an SSE4.2 intrinsic; so is this one when the CPU has it. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p, size_t len) {
    uint64_t c = crc;
    while (len >= 3 * CRC_BLOCK) {
        uint64_t c0 = c, c1 = 0, c2 = 0;
        for (size_t i = 0; i < CRC_BLOCK; i += 8) {
            uint64_t a, b, d;
            memcpy(&a, p + i, 8);
            memcpy(&b, p + CRC_BLOCK + i, 8);
            memcpy(&d, p + 2 * CRC_BLOCK + i, 8);
            c0 = __builtin_ia32_crc32di(c0, a);
            c1 = __builtin_ia32_crc32di(c1, b);
            c2 = __builtin_ia32_crc32di(c2, d);
        }
        c = crc_shift_block(crc_shift_block((uint32_t)c0) ^ (uint32_t)c1) ^ (uint32_t)c2;
        p += 3 * CRC_BLOCK;
        len -= 3 * CRC_BLOCK;
    }
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        len -= 8;
    }
    crc = (uint32_t)c;
    while (len--) crc = __builtin_ia32_crc32qi(crc, *p++);
    return crc;
}
static int have_sse42;

/*
 * On CPUs with AVX-512 and VPCLMULQDQ the JVM's CRC32C intrinsic does not use the crc32
 * instruction at all (it is capped at 8 bytes per cycle): it folds 256 bytes per step with
 * carry-less multiplies, about 3.5 times faster (1 MiB in ~12 us against ~40 us here). A C peer
 * verifying a 1 MiB probe with the crc32 loop above would be slower than the Java peer for the
 * checksum alone, so this does what the JVM does:
 *
 *   Message bits are reflected: byte 0 bit 0 is the highest power. A 16-byte block A, its low
 *   qword a0 (the higher powers) and high qword a1, moved D bytes further along is
 *   A * x^(8D) = a0 * x^(8D+64) + a1 * x^(8D) (mod P). PCLMULQDQ of two reflected 64-bit lanes
 *   yields their product times x in the reflected 128-bit frame, so the constants are
 *   x^(8D+63) mod P and x^(8D-1) mod P (computed at start-up, below), and the folded block is
 *   XORed into the block D bytes on. What is left in the end, one 16-byte block and < 16 tail
 *   bytes, has the same remainder as the whole message and is finished with crc32 instructions.
 */
#define CRC32C_POLY 0x11EDC6F41ull
static uint64_t crc_fold_k[4][2]; /* {for a0, for a1} at D = 16, 48, 64, 256 bytes */
static int have_fold;

/* x^e mod P as a reflected 64-bit lane (the coefficient of x^d in bit 63-d). */
static uint64_t xpow_mod_reflected(unsigned e) {
    uint64_t r = 1;
    for (unsigned i = 0; i < e; i++) {
        r <<= 1;
        if (r >> 32) r ^= CRC32C_POLY;
    }
    uint64_t lane = 0;
    for (int d = 0; d < 32; d++)
        if (r >> d & 1) lane |= 1ull << (63 - d);
    return lane;
}

static void crc_fold_init(void) {
    static const unsigned distance[4] = {16, 48, 64, 256};
    for (int i = 0; i < 4; i++) {
        crc_fold_k[i][0] = xpow_mod_reflected(8 * distance[i] + 63);
        crc_fold_k[i][1] = xpow_mod_reflected(8 * distance[i] - 1);
    }
}

#include <immintrin.h>
#define FOLD_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,vpclmulqdq,pclmul,sse4.2")))

FOLD_TARGET static inline __m512i fold512(__m512i a, __m512i k, __m512i next) {
    return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(a, k, 0x00), _mm512_clmulepi64_epi128(a, k, 0x11), next, 0x96);
}

FOLD_TARGET static inline __m128i fold128(__m128i a, __m128i k, __m128i next) {
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_clmulepi64_si128(a, k, 0x11)), next);
}

FOLD_TARGET static __m128i k128(int i) { return _mm_set_epi64x((long long)crc_fold_k[i][1], (long long)crc_fold_k[i][0]); }

/* `crc` is the running register (already inverted); len >= 256. */
FOLD_TARGET static uint32_t crc32c_fold(uint32_t crc, const uint8_t *p, size_t len) {
    __m512i x0 = _mm512_loadu_si512(p), x1 = _mm512_loadu_si512(p + 64), x2 = _mm512_loadu_si512(p + 128),
            x3 = _mm512_loadu_si512(p + 192);
    x0 = _mm512_xor_si512(x0, _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc))); /* the register enters as the first 4 bytes */
    p += 256;
    len -= 256;
    __m512i k = _mm512_broadcast_i32x4(k128(3));
    while (len >= 256) {
        x0 = fold512(x0, k, _mm512_loadu_si512(p));
        x1 = fold512(x1, k, _mm512_loadu_si512(p + 64));
        x2 = fold512(x2, k, _mm512_loadu_si512(p + 128));
        x3 = fold512(x3, k, _mm512_loadu_si512(p + 192));
        p += 256;
        len -= 256;
    }
    k = _mm512_broadcast_i32x4(k128(2));
    x1 = fold512(x0, k, x1);
    x2 = fold512(x1, k, x2);
    x3 = fold512(x2, k, x3);
    while (len >= 64) {
        x3 = fold512(x3, k, _mm512_loadu_si512(p));
        p += 64;
        len -= 64;
    }
    /* the four 16-byte lanes of x3 into its last one: lanes 0, 1, 2 are 48, 32, 16 bytes before it */
    __m128i k16 = k128(0);
    __m128i r = _mm512_extracti32x4_epi32(x3, 0);
    r = fold128(r, k16, _mm512_extracti32x4_epi32(x3, 1));
    r = fold128(r, k16, _mm512_extracti32x4_epi32(x3, 2));
    r = fold128(r, k16, _mm512_extracti32x4_epi32(x3, 3));
    while (len >= 16) {
        r = fold128(r, k16, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }
    uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(r));
    c = _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(r, 1));
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        p += 8;
        len -= 8;
    }
    crc = (uint32_t)c;
    while (len--) crc = _mm_crc32_u8(crc, *p++);
    return crc;
}
#endif

/* Standard CRC32C of buf, continuing `crc` (pass 0 to start), like java.util.zip.CRC32C. */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len) {
    crc = ~crc;
#if defined(__x86_64__)
    if (have_fold && len >= 256) return ~crc32c_fold(crc, buf, len);
    if (have_sse42) return ~crc32c_sse42(crc, buf, len);
#endif
    return ~crc32c_table(crc, buf, len);
}

/* ---------------------------------------------------------------- probes (peer.Probe) */

/* A signal carries only si_value (8 bytes): such a probe is u32 seq + u32 CRC32C(seq), no timestamp;
 * a 4-byte probe (sival_int, what the Java sigqueue route carries) is the seq alone. */
#define SHORT_PROBE 8
#define TINY_PROBE 4

void probe_fill(uint8_t *b, size_t size) {
    memset(b, 0, size);
    for (size_t i = PROBE_MIN; i < size; i++) b[i] = (uint8_t)(i * 31 + size);
}

uint32_t probe_fill_crc(const uint8_t *b, size_t size) {
    return size > PROBE_MIN ? crc32c(0, b + PROBE_MIN, size - PROBE_MIN) : crc32c(0, b + PROBE_MIN, 0);
}

void probe_stamp(uint8_t *b, size_t size, uint32_t seq, uint64_t nanos, uint32_t fill_crc) {
    memcpy(b, &seq, 4);
    if (size == TINY_PROBE) return;
    if (size < PROBE_MIN) {
        uint32_t c = crc32c(0, b, 4);
        memcpy(b + 4, &c, 4);
        return;
    }
    memcpy(b + 8, &nanos, 8);
    uint32_t c = crc32c(crc32c(0, b, 4), b + 8, 8) ^ fill_crc; /* covers the sequence, as peer.Probe */
    memcpy(b + 4, &c, 4);
}

int probe_verify(const uint8_t *b, ssize_t len) {
    uint32_t want;
    if (len == TINY_PROBE && msg_size == TINY_PROBE) return 1; /* nothing to check but the order */
    if (len == SHORT_PROBE && msg_size == SHORT_PROBE) {
        memcpy(&want, b + 4, 4);
        return want == crc32c(0, b, 4);
    }
    if (len < PROBE_MIN) return 0;
    memcpy(&want, b + 4, 4);
    return want == (crc32c(crc32c(0, b, 4), b + 8, 8) ^ crc32c(0, b + PROBE_MIN, (size_t)len - PROBE_MIN));
}

uint32_t probe_seq(const uint8_t *b) {
    uint32_t s;
    memcpy(&s, b, 4);
    return s;
}

/* peer.Integrity: a window of the last INTEGRITY_WINDOW sequence numbers tells a second copy
 * (duplicates, not received again) from a late one (reordered). */
#define INTEGRITY_WINDOW 4096
typedef struct {
    uint64_t received, reordered, corrupt, bytes, next_expected, duplicates;
    uint64_t seen[INTEGRITY_WINDOW / 64];
} integrity;

static void integrity_mark(integrity *in, uint64_t s, int arrived) {
    uint64_t bit = 1ull << (s & 63);
    if (arrived) in->seen[(s % INTEGRITY_WINDOW) / 64] |= bit;
    else in->seen[(s % INTEGRITY_WINDOW) / 64] &= ~bit;
}

static void integrity_record(integrity *in, uint32_t seq, int valid, size_t len) {
    if (!valid) {
        in->received++;
        in->bytes += len;
        in->corrupt++;
        return;
    }
    int32_t gap = (int32_t)(seq - (uint32_t)in->next_expected);
    if (gap >= 0) {
        uint64_t arrived = in->next_expected + (uint64_t)gap;
        uint64_t from = arrived >= INTEGRITY_WINDOW && arrived - INTEGRITY_WINDOW + 1 > in->next_expected
                ? arrived - INTEGRITY_WINDOW + 1 : in->next_expected;
        for (uint64_t s = from; s < arrived; s++) integrity_mark(in, s, 0);
        integrity_mark(in, arrived, 1);
        in->next_expected = arrived + 1;
    } else {
        uint64_t back = (uint64_t)(-(int64_t)gap);
        if (back <= INTEGRITY_WINDOW && back <= in->next_expected) {
            uint64_t s = in->next_expected - back;
            if (in->seen[(s % INTEGRITY_WINDOW) / 64] & (1ull << (s & 63))) {
                in->duplicates++;
                return;
            }
            integrity_mark(in, s, 1);
        }
        in->reordered++;
    }
    in->received++;
    in->bytes += len;
}

/* ---------------------------------------------------------------- errors, names, cleanup */

static int role = ROLE_RUNNER;
static const char *mechanism_name = "?";
pid_t other_pid;
size_t msg_size;
static volatile pid_t child_pid; /* read by the signal handlers */
static volatile sig_atomic_t stopping;

#define MAX_OBJECTS 16
static char obj_names[MAX_OBJECTS][160];
static int obj_kinds[MAX_OBJECTS]; /* 1 path, 2 dir, 3 posix mq, 4 posix sem, 5 sysv mq */
static int obj_ids[MAX_OBJECTS];
static volatile sig_atomic_t obj_count;
static atomic_flag cleaned = ATOMIC_FLAG_INIT;

static void register_object(int kind, const char *name, int id) {
    if (obj_count >= MAX_OBJECTS) fail(1, "internal: too many kernel objects registered");
    int i = obj_count;
    snprintf(obj_names[i], sizeof obj_names[i], "%s", name ? name : "");
    obj_ids[i] = id;
    obj_kinds[i] = kind;
    obj_count = i + 1;
}

void register_path(const char *path) { register_object(1, path, 0); }
void register_dir(const char *path) { register_object(2, path, 0); }
void register_posix_mq(const char *name) { register_object(3, name, 0); }
void register_posix_sem(const char *name) { register_object(4, name, 0); }
void register_sysv_mq(int id) { register_object(5, NULL, id); }

/* Only the runner owns the objects; safe to call again (it then does nothing new). */
void cleanup_objects(void) {
    if (role != ROLE_RUNNER) return;
    int saved = errno;
    /* Files first, directories last (a dir holds the fifos and sockets). */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < obj_count; i++) {
            int k = obj_kinds[i];
            if (k == 0 || (pass == 0) == (k == 2)) continue;
            switch (k) {
                case 1: unlink(obj_names[i]); break;
                case 2: rmdir(obj_names[i]); break;
                case 3: mq_unlink(obj_names[i]); break;
                case 4: sem_unlink(obj_names[i]); break;
                case 5: msgctl(obj_ids[i], IPC_RMID, NULL); break;
            }
            obj_kinds[i] = 0;
        }
    }
    errno = saved;
}

static void kill_child(void) {
    if (role == ROLE_RUNNER && child_pid > 0) {
        stopping = 1;
        kill(child_pid, SIGKILL);
        waitpid(child_pid, NULL, 0);
        child_pid = 0;
    }
}

static const char *errno_name(int e) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    const char *n = strerrorname_np(e);
    if (n) return n;
#endif
    static char num[24];
    snprintf(num, sizeof num, "errno %d", e);
    return num;
}

static const char *who(void) { return role == ROLE_RUNNER ? "ipclab-native" : "ipclab-native peer"; }

void fail_errno(const char *call, const char *what) {
    int e = errno;
    fprintf(stderr, "%s %s: %s(%s) failed: %s (%s)\n", who(), mechanism_name, call, what ? what : "",
            errno_name(e), strerror(e));
    if (role == ROLE_RUNNER) {
        kill_child();
        cleanup_objects();
    }
    _exit(1);
}

void fail(int code, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s: %s\n", who(), mechanism_name, line);
    if (role == ROLE_RUNNER) {
        kill_child();
        cleanup_objects();
    }
    _exit(code);
}

void unique_name(char *out, size_t cap, const char *purpose) {
    static unsigned long counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long r = ((unsigned long)ts.tv_nsec * 2654435761u) ^ ((unsigned long)getpid() << 16) ^ ++counter;
    snprintf(out, cap, "ipclab-%ld-native-%s-%06lx", (long)getpid(), purpose, r & 0xffffff);
}

void private_dir(char *out, size_t cap, const char *purpose) {
    snprintf(out, cap, "/tmp/ipclab-%ld-native-%s-XXXXXX", (long)getpid(), purpose);
    if (!mkdtemp(out)) fail_errno("mkdtemp", out); /* mkdtemp makes it 0700 */
    register_dir(out);
}

void write_all(int fd, const void *buf, size_t len, const char *what) {
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("write", what);
        }
        p += n;
        len -= (size_t)n;
    }
}

/* ---- async-signal-safe reporting from handlers ---- */

static void say(const char *s) {
    ssize_t r = write(2, s, strlen(s));
    (void)r;
}

static void say_num(long v) {
    char b[24];
    int i = sizeof b;
    b[--i] = 0;
    int neg = v < 0;
    unsigned long u = neg ? (unsigned long)-v : (unsigned long)v;
    do b[--i] = (char)('0' + u % 10); while ((u /= 10) && i > 1);
    if (neg) b[--i] = '-';
    say(b + i);
}

static void on_terminate(int sig) {
    if (role != ROLE_RUNNER) _exit(128 + sig);
    if (atomic_flag_test_and_set(&cleaned)) _exit(128 + sig);
    stopping = 1;
    if (child_pid > 0) kill(child_pid, SIGKILL);
    cleanup_objects();
    say("ipclab-native: interrupted by signal ");
    say_num(sig);
    say("; kernel objects removed\n");
    _exit(128 + sig);
}

static void on_alarm(int sig) {
    (void)sig;
    stopping = 1;
    if (child_pid > 0) kill(child_pid, SIGKILL);
    cleanup_objects();
    say("ipclab-native ");
    say(mechanism_name);
    say(": timed out (watchdog): the peer stopped answering\n");
    _exit(1);
}

static void on_child(int sig) {
    (void)sig;
    if (stopping || child_pid <= 0) return;
    int status;
    int saved = errno;
    pid_t p = waitpid(child_pid, &status, WNOHANG);
    if (p != child_pid) {
        errno = saved;
        return;
    }
    child_pid = 0;
    cleanup_objects();
    say("ipclab-native ");
    say(mechanism_name);
    if (WIFSIGNALED(status)) {
        say(": peer died from signal ");
        say_num(WTERMSIG(status));
    } else {
        say(": peer exited early with status ");
        say_num(WEXITSTATUS(status));
    }
    say("\n");
    _exit(1);
}

static void install(int sig, void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    /* One handler at a time: an interrupt that kills the peer must not also report "peer died". */
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaddset(&sa.sa_mask, SIGALRM);
    sigaddset(&sa.sa_mask, SIGCHLD);
    sa.sa_flags = handler == on_child ? SA_NOCLDSTOP | SA_RESTART : 0;
    if (sigaction(sig, &sa, NULL) != 0) fail_errno("sigaction", "");
}

/* ---------------------------------------------------------------- time */

static uint64_t cpu_ns(clockid_t clock) {
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- the peer (PeerMain.serve) */

static const transport *T;

static void peer_loop(void) {
    uint8_t *buf = malloc(buf_cap);
    uint8_t reply[CONTROL_MAX + 4];
    if (!buf) fail_errno("malloc", "receive buffer");
    uint64_t hello = (uint64_t)getpid();
    T->send(reply, ctl_write(reply, CTL_HELLO, 1, &hello));
    integrity in = {0};
    int sinking = 0;
    uint64_t first = 0, last = 0, end_sent = 0;
    int end_pending = 0;
    for (;;) {
        ssize_t n = T->recv(buf, buf_cap);
        if (n == RECV_EOF) return;
        uint32_t op = ctl_opcode(buf, n);
        if (op == CTL_STOP) return;
        if (op == CTL_SINK) {
            sinking = 1;
            memset(&in, 0, sizeof in);
            first = last = 0;
            end_pending = 0;
        } else if (op == CTL_SINK_END) {
            /* A mechanism may hand over SINK_END before the last probes (signals: control travels
             * on a lower-numbered, so preferred, real-time signal): answer once all have arrived. */
            end_sent = ctl_arg(buf, 0);
            end_pending = 1;
        } else if (sinking && op == 0) {
            last = now_ns();
            if (!first) first = last;
            integrity_record(&in, probe_seq(buf), probe_verify(buf, n), (size_t)n);
        } else if (!sinking) {
            T->send(buf, (size_t)n);
        }
        if (end_pending && (T->lossy || in.received >= end_sent)) {
            /* A control message is at most CONTROL_MAX (a signal train, a 64-byte queue message): the
             * C pair's STATS carries duplicates where Java's has the last arrival, which the C runner
             * does not read. */
            uint64_t a[6] = {in.received, in.reordered, in.corrupt, in.bytes, first, in.duplicates};
            (void)last;
            T->send(reply, ctl_write(reply, CTL_STATS, 6, a));
            sinking = 0;
            end_pending = 0;
        }
    }
}

/* ---------------------------------------------------------------- the runner */

typedef struct {
    uint64_t sent, received, lost, reordered, corrupt, duplicates;
    uint64_t count;
    double p50, p90, p99, p999, max, mean; /* µs; negative = not measured */
    double msgs_per_s, mb_per_s, elapsed_s;
    double cpu_runner_ns, cpu_peer_ns;     /* per message (latency: per round trip) */
    double target_rate, raw_p50, raw_p99;  /* open loop only; 0 = closed loop */
} result;

static uint8_t *sbuf, *rbuf;
static uint32_t fill_crc;
static clockid_t peer_clock;
static int have_peer_clock;

/* Waits for the next message; lossy mechanisms give up after timeout_ms (returns -1). */
static ssize_t runner_recv(int timeout_ms) {
    ssize_t n = T->lossy && T->recv_within ? T->recv_within(rbuf, buf_cap, timeout_ms) : T->recv(rbuf, buf_cap);
    if (n < 0) return -1;
    if (n == RECV_EOF) fail(1, "the peer closed the channel");
    return n;
}

static void send_ctl(uint32_t op, int nargs, const uint64_t *args) {
    uint8_t b[CONTROL_MAX + 4];
    T->send(b, ctl_write(b, op, nargs, args));
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Keep at most 64 Mi round trips (256 MiB); a run that long stops measuring there. */
#define MAX_SAMPLES (64u << 20)

static double at_percentile(const uint32_t *s, size_t n, double p) {
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.5);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return s[rank - 1] / 1000.0;
}

/* STOP, then wait up to 2 s for the peer to exit (a lossy mechanism gets a second STOP). */
static int peer_status, peer_stopped;

static void stop_peer(void) {
    pid_t pid = child_pid;
    stopping = 1;
    send_ctl(CTL_STOP, 0, NULL);
    int status = 0, exited = 0;
    for (int ms = 0; ms < 2000 && !exited; ms++) {
        exited = waitpid(pid, &status, WNOHANG) == pid;
        if (!exited && ms == 200 && T->lossy) send_ctl(CTL_STOP, 0, NULL); /* the first STOP may be lost */
        if (!exited) nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    if (!exited) { /* an idle echo peer that missed STOP: nothing of value is lost */
        if (!T->lossy) fprintf(stderr, "ipclab-native %s: warning: the peer did not exit within 2 s of STOP; killed\n", mechanism_name);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        status = 0;
    }
    child_pid = 0;
    peer_status = status;
    peer_stopped = 1;
}

/* IPCLAB_SAMPLES=FILE (ipc bench --pairs): every measured RTT, as "nanoseconds count" lines of
 * the sorted samples, so that the Java side merges N C pairs' distributions into one histogram
 * exactly instead of averaging their percentiles. */
static void write_samples(const uint32_t *sorted, size_t n) {
    const char *path = getenv("IPCLAB_SAMPLES");
    if (!path || !*path) return;
    FILE *f = fopen(path, "w");
    if (!f) fail_errno("fopen", path);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && sorted[j] == sorted[i]) j++;
        fprintf(f, "%u %zu\n", sorted[i], j - i);
        i = j;
    }
    if (fclose(f) != 0) fail_errno("fclose", path);
}

static void run_latency(result *r, uint64_t warmup_ns, uint64_t duration_ns) {
    size_t cap = 1 << 16, n = 0;
    uint32_t *rtt = malloc(cap * sizeof *rtt);
    if (!rtt) fail_errno("malloc", "samples");
    uint32_t seq = 0;
    int measuring = 0;
    uint64_t t = now_ns(), phase_end = t + warmup_ns, start = 0, cpu_r0 = 0, cpu_p0 = 0;
    for (;;) {
        if (t >= phase_end) {
            if (measuring) break;
            measuring = 1;
            counters_begin();
            start = t = now_ns();
            phase_end = start + duration_ns;
            cpu_r0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
            cpu_p0 = have_peer_clock ? cpu_ns(peer_clock) : 0;
        }
        uint64_t t0 = now_ns();
        probe_stamp(sbuf, msg_size, seq, t0, fill_crc);
        T->send(sbuf, msg_size);
        ssize_t len;
        for (;;) {
            len = runner_recv(200); /* lossy only: an echo not back within 200 ms is lost (as in Java) */
            if (len < 0 || len != (ssize_t)msg_size || probe_seq(rbuf) == seq || !T->lossy) break;
            /* lossy: a late echo of an older probe; skip it */
        }
        t = now_ns();
        if (!measuring) {
            seq++;
            continue;
        }
        r->sent++;
        if (len < 0) {
            r->lost++;
        } else {
            r->received++;
            if (!probe_verify(rbuf, len) || len != (ssize_t)msg_size) r->corrupt++;
            else if (probe_seq(rbuf) != seq) r->reordered++;
            if (n == cap) {
                if (cap >= MAX_SAMPLES) break;
                cap *= 2;
                uint32_t *g = realloc(rtt, cap * sizeof *rtt);
                if (!g) break;
                rtt = g;
            }
            uint64_t d = t - t0;
            rtt[n++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
        }
        seq++;
    }
    uint64_t end = now_ns();
    double cpu_r = (double)(cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_r0);
    counters_end();
    double cpu_p = have_peer_clock ? (double)(cpu_ns(peer_clock) - cpu_p0) : -1;
    /* Stop the peer before sorting: a busy-spinning peer would otherwise burn the other core
     * (or this one, on a loaded machine) while we sort. */
    stop_peer();
    qsort(rtt, n, sizeof *rtt, cmp_u32);
    write_samples(rtt, n);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += rtt[i];
    r->count = n;
    r->elapsed_s = (end - start) / 1e9;
    if (n > 0) {
        r->p50 = at_percentile(rtt, n, 50);
        r->p90 = at_percentile(rtt, n, 90);
        r->p99 = at_percentile(rtt, n, 99);
        r->p999 = at_percentile(rtt, n, 99.9);
        r->max = rtt[n - 1] / 1000.0;
        r->mean = sum / (double)n / 1000.0;
        r->cpu_runner_ns = cpu_r / (double)n;
        r->cpu_peer_ns = cpu_p < 0 ? -1 : cpu_p / (double)n;
    }
    r->msgs_per_s = r->elapsed_s > 0 ? (double)n / r->elapsed_s : 0;
    r->mb_per_s = r->msgs_per_s * (double)msg_size / 1e6;
    free(rtt);
}

/*
 * Open loop (--rate): a sender thread sends probe i at start + i/rate whatever the echoes do, and
 * stamps it with that intended time; this thread receives the echoes. Latency runs from the
 * intended send time (a stall delays every probe scheduled during it: coordinated omission
 * corrected), as the Java runner measures it; the raw figure, from the actual send time, is kept
 * beside it. A warm-up ping-pong of the same length as the Java one runs first.
 */
typedef struct {
    uint64_t first, period, total;
    uint64_t *actual;             /* actual send time by seq, written by the sender */
    _Atomic uint64_t sent;
    uint64_t last_send;
} open_loop;

static void *open_loop_sender(void *arg) {
    open_loop *o = arg;
    uint8_t *b = malloc(buf_cap);
    if (!b) fail_errno("malloc", "sender buffer");
    memcpy(b, sbuf, buf_cap);
    for (uint64_t i = 0; i < o->total; i++) {
        uint64_t intended = o->first + i * o->period, now;
        while ((now = now_ns()) < intended) {
            if (intended - now > 100000) nanosleep(&(struct timespec){0, (long)(intended - now - 50000)}, NULL);
        }
        probe_stamp(b, msg_size, (uint32_t)i, intended, fill_crc);
        o->actual[i] = now_ns();
        T->send(b, msg_size);
        o->last_send = o->actual[i];
        atomic_store_explicit(&o->sent, i + 1, memory_order_release);
    }
    free(b);
    return NULL;
}

static void run_open_loop(result *r, uint64_t warmup_ns, uint64_t duration_ns, double rate) {
    /* closed-loop warm-up, as the Java runner does before its open-loop phase */
    uint64_t warm_end = now_ns() + warmup_ns;
    for (uint32_t seq = 0; now_ns() < warm_end; seq++) {
        probe_stamp(sbuf, msg_size, seq, now_ns(), fill_crc);
        T->send(sbuf, msg_size);
        for (;;) {
            ssize_t len = runner_recv(200);
            if (len < 0 || !T->lossy || (len == (ssize_t)msg_size && probe_seq(rbuf) == seq)) break;
        }
    }
    open_loop o;
    memset(&o, 0, sizeof o);
    o.period = (uint64_t)(1e9 / rate + 0.5);
    if (o.period == 0) o.period = 1;
    o.total = duration_ns / o.period;
    if (o.total == 0) o.total = 1;
    if (o.total > MAX_SAMPLES) fail(2, "rate x duration is over %u messages", MAX_SAMPLES);
    o.actual = calloc(o.total, sizeof *o.actual);
    uint32_t *lat = malloc(o.total * sizeof *lat), *raw = malloc(o.total * sizeof *raw);
    uint8_t *got = calloc(o.total, 1); /* a second copy is a duplicate, not an echo */
    if (!o.actual || !lat || !raw || !got) fail_errno("malloc", "open-loop samples");
    counters_begin();
    uint64_t cpu_r0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID), cpu_p0 = have_peer_clock ? cpu_ns(peer_clock) : 0;
    uint64_t start = now_ns();
    o.first = start + o.period;
    pthread_t sender;
    if (pthread_create(&sender, NULL, open_loop_sender, &o) != 0) fail(1, "pthread_create failed");
    size_t n = 0;
    uint64_t received = 0;
    while (received < o.total) {
        ssize_t len = runner_recv(200);
        if (len < 0) { /* lossy only: quiet for 200 ms */
            if (atomic_load_explicit(&o.sent, memory_order_acquire) < o.total) continue;
            break;
        }
        uint64_t now = now_ns();
        received++;
        if (len != (ssize_t)msg_size || !probe_verify(rbuf, len)) { r->corrupt++; continue; }
        uint64_t seq = probe_seq(rbuf), intended;
        memcpy(&intended, rbuf + 8, 8);
        if (seq >= o.total) { r->corrupt++; continue; }
        if (got[seq]) { received--; r->duplicates++; continue; }
        got[seq] = 1;
        uint64_t d = now - intended, dr = now - o.actual[seq];
        lat[n] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
        raw[n] = dr > UINT32_MAX ? UINT32_MAX : (uint32_t)dr;
        n++;
    }
    pthread_join(sender, NULL);
    double cpu_r = (double)(cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_r0);
    double cpu_p = have_peer_clock ? (double)(cpu_ns(peer_clock) - cpu_p0) : -1;
    counters_end();
    stop_peer();
    r->sent = o.total;
    r->received = received;
    r->lost = o.total - received;
    qsort(lat, n, sizeof *lat, cmp_u32);
    qsort(raw, n, sizeof *raw, cmp_u32);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += lat[i];
    r->count = n;
    double seconds = (o.last_send - start) / 1e9;
    r->elapsed_s = seconds;
    if (n > 0) {
        r->p50 = at_percentile(lat, n, 50);
        r->p90 = at_percentile(lat, n, 90);
        r->p99 = at_percentile(lat, n, 99);
        r->p999 = at_percentile(lat, n, 99.9);
        r->max = lat[n - 1] / 1000.0;
        r->mean = sum / (double)n / 1000.0;
        r->raw_p50 = at_percentile(raw, n, 50);
        r->raw_p99 = at_percentile(raw, n, 99);
        r->cpu_runner_ns = cpu_r / (double)n;
        r->cpu_peer_ns = cpu_p < 0 ? -1 : cpu_p / (double)n;
    }
    r->target_rate = rate;
    r->msgs_per_s = seconds > 0 ? (double)o.total / seconds : 0; /* achieved sending rate */
    r->mb_per_s = r->msgs_per_s * (double)msg_size / 1e6;
    free(o.actual);
    free(got);
    free(lat);
    free(raw);
}

/* One SINK ... SINK_END stream of `duration_ns`; fills r when `measured`. */
static void sink_session(result *r, uint64_t duration_ns, int measured) {
    if (measured) counters_begin();
    send_ctl(CTL_SINK, 0, NULL);
    uint64_t cpu_r0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
    uint64_t cpu_p0 = have_peer_clock ? cpu_ns(peer_clock) : 0;
    uint64_t start = now_ns(), end = start + duration_ns, sent = 0;
    for (;;) {
        probe_stamp(sbuf, msg_size, (uint32_t)sent, now_ns(), fill_crc);
        T->send(sbuf, msg_size);
        sent++;
        if ((sent & 7) == 0 && now_ns() >= end) break;
    }
    ssize_t n = -1;
    for (int attempt = 0; attempt < 50 && n < 0; attempt++) {
        send_ctl(CTL_SINK_END, 1, &sent);
        for (;;) {
            n = runner_recv(200);
            if (n < 0 || ctl_opcode(rbuf, n) == CTL_STATS) break;
            /* lossy only: a stray echo; keep waiting for STATS */
        }
    }
    uint64_t done = now_ns();
    if (n < 0) fail(1, "no STATS from the peer after SINK_END (50 tries)");
    if (T->lossy) /* duplicate STATS answering repeated SINK_ENDs must not leak into the next session */
        while (runner_recv(50) >= 0) {}
    if (!measured) return;
    double cpu_r = (double)(cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_r0);
    counters_end();
    double cpu_p = have_peer_clock ? (double)(cpu_ns(peer_clock) - cpu_p0) : -1;
    r->sent = sent;
    r->received = ctl_arg(rbuf, 0);
    r->reordered = ctl_arg(rbuf, 1);
    r->corrupt = ctl_arg(rbuf, 2);
    r->duplicates = ctl_arg(rbuf, 5); /* the C peer's slot for them, see peer_loop */
    uint64_t bytes = ctl_arg(rbuf, 3);
    r->lost = sent > r->received ? sent - r->received : 0;
    r->count = r->received;
    r->elapsed_s = (done - start) / 1e9; /* first send to the peer's answer, as the Java runner counts */
    r->msgs_per_s = r->elapsed_s > 0 ? (double)r->received / r->elapsed_s : 0;
    r->mb_per_s = r->elapsed_s > 0 ? (double)bytes / r->elapsed_s / 1e6 : 0;
    r->p50 = r->p90 = r->p99 = r->p999 = r->max = r->mean = -1;
    if (r->received > 0) {
        r->cpu_runner_ns = cpu_r / (double)r->received;
        r->cpu_peer_ns = cpu_p < 0 ? -1 : cpu_p / (double)r->received;
    }
}

static void print_num(const char *key, double v) {
    if (v < 0) printf(",\"%s\":null", key);
    else printf(",\"%s\":%.3f", key, v);
}

static void print_result(const char *mode, const result *r) {
    printf("{\"mechanism\":\"%s\",\"mode\":\"%s\",\"size\":%zu,\"count\":%llu", mechanism_name, mode, msg_size,
           (unsigned long long)r->count);
    print_num("p50_us", r->p50);
    print_num("p90_us", r->p90);
    print_num("p99_us", r->p99);
    print_num("p999_us", r->p999);
    print_num("max_us", r->max);
    print_num("mean_us", r->mean);
    print_num("msgs_per_s", r->msgs_per_s);
    print_num("mb_per_s", r->mb_per_s);
    print_num("elapsed_s", r->elapsed_s);
    print_num("cpu_runner_ns_per_msg", r->cpu_runner_ns);
    print_num("cpu_peer_ns_per_msg", r->cpu_peer_ns);
    if (r->target_rate > 0) {
        print_num("target_rate", r->target_rate);
        print_num("raw_p50_us", r->raw_p50);
        print_num("raw_p99_us", r->raw_p99);
    }
    printf(",\"sent\":%llu,\"received\":%llu,\"lost\":%llu,\"reordered\":%llu,\"corrupt\":%llu,\"duplicates\":%llu",
           (unsigned long long)r->sent, (unsigned long long)r->received, (unsigned long long)r->lost,
           (unsigned long long)r->reordered, (unsigned long long)r->corrupt, (unsigned long long)r->duplicates);
    counters_print();
    printf(",\"params\":\"");
    for (const char *p = T->params; *p; p++)
        if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) putchar(*p);
    printf("\"}\n");
    fflush(stdout);
}

/* ---------------------------------------------------------------- main */

static const struct {
    const char *name;
    transport *t;
} MECHANISMS[] = {
    {"pipe", &stream_pipe},         {"fifo", &stream_fifo},         {"unix", &stream_unix},
    {"tcp", &stream_tcp},           {"unix-dgram", &dgram_unix},    {"unix-seqpacket", &dgram_seqpacket},
    {"udp", &dgram_udp},            {"shm-spin", &shm_spin},        {"shm-semaphore", &shm_semaphore},
    {"shm-header", &shm_header},
    {"mqueue", &mq_posix},          {"sysv-mqueue", &mq_sysv},      {"signal", &sig_queue},
};
#define N_MECHANISMS (sizeof MECHANISMS / sizeof MECHANISMS[0])

static void usage(const char *why) {
    fprintf(stderr, "ipclab-native: %s\nusage: ipclab-native <mechanism> latency|throughput <size> <warmup_ms> <duration_ms> [rate_per_s]\nmechanisms:", why);
    for (size_t i = 0; i < N_MECHANISMS; i++) fprintf(stderr, " %s", MECHANISMS[i].name);
    fprintf(stderr, "\n");
    exit(2);
}

static unsigned long long parse_num(const char *what, const char *s, unsigned long long min, unsigned long long max) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
        char why[200];
        snprintf(why, sizeof why, "%s must be a whole number from %llu to %llu, got '%s'", what, min, max, s);
        usage(why);
    }
    return v;
}

/* The placement the Java run had (ipc bench --pin RUNNER,PEER): the runner and the forked peer
 * each move to their CPU, so that Java and C are compared on the same CPUs. */
static void pin_from_env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(atoi(v), &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) fail_errno("sched_setaffinity", name);
}

#if defined(__x86_64__)
/* The folding CRC must agree with the table, bit for bit, at every length and alignment it takes. */
static void crc_fold_check(void) {
    static uint8_t b[1300];
    for (size_t i = 0; i < sizeof b; i++) b[i] = (uint8_t)(i * 131 + 7);
    for (size_t off = 0; off < 3; off++)
        for (size_t len = 256; len + off <= sizeof b; len += 13) {
            uint32_t want = ~crc32c_table(~0x1234u, b + off, len);
            uint32_t got = ~crc32c_fold(~0x1234u, b + off, len);
            if (want != got) fail(1, "internal: the folding CRC32C disagrees with the table at length %zu", len);
        }
    have_fold = 1;
}
#endif

int main(int argc, char **argv) {
    crc_init();
#if defined(__x86_64__)
    __builtin_cpu_init();
    have_sse42 = __builtin_cpu_supports("sse4.2");
    if (have_sse42) crc_shift_init();
    if (have_sse42 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul")) {
        crc_fold_init();
        crc_fold_check();
    }
#endif
    if (argc != 6 && argc != 7) usage("expected 5 arguments, or 6 with an open-loop rate");
    for (size_t i = 0; i < N_MECHANISMS; i++)
        if (strcmp(argv[1], MECHANISMS[i].name) == 0) T = MECHANISMS[i].t;
    if (!T) {
        char why[120];
        snprintf(why, sizeof why, "unknown mechanism '%.60s'", argv[1]);
        usage(why);
    }
    mechanism_name = T->name;
    int latency = strcmp(argv[2], "latency") == 0;
    if (!latency && strcmp(argv[2], "throughput") != 0) usage("mode must be latency or throughput");
    msg_size = parse_num("size", argv[3], 1, MAX_MESSAGE);
    uint64_t warmup_ms = parse_num("warmup_ms", argv[4], 0, 3600000);
    uint64_t duration_ms = parse_num("duration_ms", argv[5], 1, 3600000);
    double rate = argc == 7 ? (double)parse_num("rate_per_s", argv[6], 1, 10000000) : 0;
    size_t limit = T->max_size();
    if (limit == SHORT_PROBE) {
        if (msg_size != SHORT_PROBE && msg_size != TINY_PROBE)
            fail(2, "size %zu: a %s message is one si_value: 4 bytes (u32 seq) or 8 bytes (u32 seq, u32 CRC32C of it)",
                 msg_size, T->name);
    } else if (msg_size < PROBE_MIN) {
        fail(2, "size %zu is below the probe header of %d bytes (seq, checksum, timestamp)", msg_size, PROBE_MIN);
    } else if (msg_size > limit) {
        fail(2, "size %zu is over the %s limit of %zu bytes", msg_size, T->name, limit);
    }
    if (rate > 0 && (!latency || msg_size < PROBE_MIN))
        fail(2, "an open-loop rate needs latency mode and a probe with a timestamp (at least %d bytes)", PROBE_MIN);
    const char *clients = getenv("IPCLAB_CLIENTS"); /* ipc bench --clients N: fan-in instead of a pair */
    if (clients && *clients) {
        if (rate > 0) fail(2, "a fan-in run (IPCLAB_CLIENTS) is closed loop; give no rate");
        return fanin_main(T->name, latency, msg_size, warmup_ms, duration_ms, (int)parse_num("IPCLAB_CLIENTS", clients, 1, 100000));
    }
    buf_cap = msg_size > CONTROL_MAX + 4 ? msg_size : CONTROL_MAX + 4;
    sbuf = malloc(buf_cap);
    rbuf = malloc(buf_cap);
    if (!sbuf || !rbuf) fail_errno("malloc", "message buffers");
    probe_fill(sbuf, msg_size);
    fill_crc = probe_fill_crc(sbuf, msg_size);

    install(SIGINT, on_terminate);
    install(SIGTERM, on_terminate);
    install(SIGHUP, on_terminate);
    install(SIGALRM, on_alarm);
    install(SIGCHLD, on_child);
    signal(SIGPIPE, SIG_IGN); /* a vanished reader shows up as EPIPE, reported with its errno */
    alarm((unsigned)((warmup_ms + duration_ms) / 1000 + 30));

    T->setup(msg_size);
    pin_from_env("IPCLAB_PIN_RUNNER");
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) fail_errno("fork", "peer");
    if (pid == 0) {
        role = ROLE_PEER;
        alarm(0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGALRM, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail_errno("prctl", "PR_SET_PDEATHSIG");
        if (getppid() != parent) _exit(3); /* the runner died before prctl took effect */
        other_pid = parent;
        pin_from_env("IPCLAB_PIN_PEER");
        T->attach(ROLE_PEER);
        peer_loop();
        _exit(0);
    }
    child_pid = pid;
    other_pid = pid;
    have_peer_clock = clock_getcpuclockid(pid, &peer_clock) == 0;
    if (!getenv("IPCLAB_NO_COUNTERS")) counters_open(getpid(), pid); /* ipc bench --no-counters: as the Java side */
    T->attach(ROLE_RUNNER);
    ssize_t n = runner_recv(5000);
    if (n < 0 || ctl_opcode(rbuf, n) != CTL_HELLO) fail(1, "the peer's first message was not HELLO");
    T->connected();

    result r;
    memset(&r, 0, sizeof r);
    if (latency) {
        if (rate > 0) run_open_loop(&r, warmup_ms * 1000000u, duration_ms * 1000000u, rate);
        else run_latency(&r, warmup_ms * 1000000u, duration_ms * 1000000u);
    } else {
        if (warmup_ms > 0) sink_session(&r, warmup_ms * 1000000u, 0);
        sink_session(&r, duration_ms * 1000000u, 1);
    }
    if (!peer_stopped) stop_peer();
    child_pid = 0;
    alarm(0);
    atomic_flag_test_and_set(&cleaned);
    cleanup_objects();
    print_result(latency ? "latency" : "throughput", &r);
    int status = peer_status;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail(1, "peer ended with %s %d", WIFSIGNALED(status) ? "signal" : "status",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    if (r.corrupt || r.reordered || r.duplicates || (!T->lossy && r.lost))
        fail(3, "integrity failure: sent %llu, received %llu, lost %llu, reordered %llu, corrupt %llu, duplicates %llu",
             (unsigned long long)r.sent, (unsigned long long)r.received, (unsigned long long)r.lost,
             (unsigned long long)r.reordered, (unsigned long long)r.corrupt, (unsigned long long)r.duplicates);
    return 0;
}
