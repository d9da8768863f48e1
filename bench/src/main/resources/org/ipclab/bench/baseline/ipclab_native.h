/*
 * ipclab-native: the C floor that `ipc bench --baseline native` measures beside the Java run.
 *
 *   ipclab-native <mechanism> latency|throughput <size> <warmup_ms> <duration_ms>
 *
 * One process (the runner) creates the kernel objects, forks its peer (echo / sink), and speaks
 * the same protocol as the Java runner and org.ipclab.core.peer.PeerMain:
 *   - byte streams carry ipclab frames: [u32 little-endian length][payload];
 *   - every benchmark message is a Probe: u32 seq, u32 checksum = CRC32C(bytes 8..16) XOR
 *     CRC32C(bytes 16..size), u64 send time (CLOCK_MONOTONIC ns), fill byte i = (i*31+size) mod 256;
 *   - control messages: "IPCLAB!\0", u32 opcode, u64 args (HELLO, STOP, SINK, SINK_END, STATS).
 * Output: one JSON line on stdout. Errors: one line on stderr, non-zero exit.
 *
 * This header is what the mechanism families (stream.c, dgram.c, shm.c, mqueue.c, signal.c)
 * share with the runner (ipclab_native.c). Each family fills in a `transport`.
 */
#ifndef IPCLAB_NATIVE_H
#define IPCLAB_NATIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define ROLE_RUNNER 0
#define ROLE_PEER 1

/* Largest message any mechanism is asked to carry (Framing.DEFAULT_MAX_MESSAGE). */
#define MAX_MESSAGE (1u << 20)
/* Probe.MIN_SIZE: seq, checksum, timestamp. */
#define PROBE_MIN 16
/* The longest control message (STATS: 12-byte header + 6 u64). */
#define CONTROL_MAX 60

/* Receive results besides a length. */
#define RECV_EOF (-2)

typedef struct transport {
    const char *name;
    /* Largest message this mechanism carries, given the requested size (it may read kernel limits). */
    size_t (*max_size)(void);
    /* Messages may be lost (udp): the runner retries SINK_END and does not fail on loss. */
    int lossy;
    /* Runner, before fork: create the kernel objects for messages of up to `size` bytes. */
    void (*setup)(size_t size);
    /* After fork, in each process: keep this role's ends, close the others, connect/accept. */
    void (*attach)(int role);
    /* Runner, after the peer's HELLO: names are no longer needed, unlink them now. */
    void (*connected)(void);
    /* Sends one whole message; fails (does not return) on error. */
    void (*send)(const void *buf, size_t len);
    /* Receives one whole message into buf (cap bytes): its length, or RECV_EOF. */
    ssize_t (*recv)(void *buf, size_t cap);
    /* Optional (lossy mechanisms): as recv, but gives up after timeout_ms and returns -1. */
    ssize_t (*recv_within)(void *buf, size_t cap, int timeout_ms);
    /* Free-form "key=value ..." of what the kernel applied (pipe capacity, buffers, limits). */
    char params[256];
} transport;

extern transport stream_pipe, stream_fifo, stream_unix, stream_tcp;
extern transport dgram_unix, dgram_seqpacket, dgram_udp;
extern transport shm_spin, shm_semaphore, shm_header;
extern transport mq_posix, mq_sysv;
extern transport sig_queue;

/* Fan-in (fanin.c): with IPCLAB_CLIENTS=N, N forked clients against one server instead of one pair;
 * prints the aggregate as one JSON line and returns the exit status. */
int fanin_main(const char *mechanism, int latency, size_t size, uint64_t warmup_ms, uint64_t duration_ms, int clients);
/* Fan-in over one FIFO (fanin_fifo.c): N forked writers, one write(2) per frame of at most PIPE_BUF; throughput only. */
int fanin_fifo(int latency, size_t size, uint64_t warmup_ms, uint64_t duration_ms, int clients);
/* CPU of a fan-in (fanin.c): this process's CPU time in ns; and the server's over the clients' common
 * window, by the clock as the Java fan-in samples it (go + warm-up, for the duration), from a thread
 * started at go and read after the clients are done (-1: unknown). */
double fanin_process_cpu_ns(void);
void fanin_cpu_window_start(uint64_t warmup_ns, uint64_t duration_ns);
double fanin_cpu_window_end(void);
/* The JSON's two cpu fields: the server's per message, the clients' summed per message; null when unknown. */
void fanin_print_cpu(double server_ns, double clients_ns, uint64_t messages);

/* ---- shared services (ipclab_native.c) ---- */

/* Prints "<call>(<what>) failed: ENAME (message)" and exits 1 (the runner cleans up and kills its peer). */
__attribute__((noreturn)) void fail_errno(const char *call, const char *what);
/* Prints the formatted one-line message and exits with `code`. */
__attribute__((noreturn, format(printf, 2, 3))) void fail(int code, const char *fmt, ...);

/* A unique name "ipclab-<pid>-native-<purpose>-<random>" (no leading slash). */
void unique_name(char *out, size_t cap, const char *purpose);

/* Registers an object for removal on exit, on SIGINT/SIGTERM/SIGHUP and on failure. Idempotent removal. */
void register_path(const char *path);        /* unlink(2) a file, socket or fifo */
void register_dir(const char *path);         /* rmdir(2), after the files */
void register_posix_mq(const char *name);    /* mq_unlink(3) */
void register_posix_sem(const char *name);   /* sem_unlink(3) */
void register_sysv_mq(int id);               /* msgctl(IPC_RMID) */
/* Removes everything registered so far (async-signal-safe). */
void cleanup_objects(void);

/* The peer's pid in the runner; the runner's pid in the peer. */
extern pid_t other_pid;
/* Message size under test. */
extern size_t msg_size;

/* Writes all bytes, retrying short writes and EINTR; fails on error. */
void write_all(int fd, const void *buf, size_t len, const char *what);

uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

/* ---- the wire format (ipclab_native.c): control messages as ipc-core's Control, probes as peer.Probe ---- */

#define CTL_MAGIC 0x002142414C435049ULL /* "IPCLAB!\0" little-endian */
#define CTL_HELLO 1
#define CTL_STOP 2
#define CTL_SINK 3
#define CTL_SINK_END 4
#define CTL_STATS 5
#define CTL_HEADER 12

/* Writes a control message with `nargs` u64 arguments into b; its length. */
size_t ctl_write(uint8_t *b, uint32_t op, int nargs, const uint64_t *args);
/* The opcode of a control message, or 0 when b is not one (a probe). */
uint32_t ctl_opcode(const uint8_t *b, ssize_t len);
uint64_t ctl_arg(const uint8_t *b, int i);

/* The probe's fill bytes (i*31+size) mod 256 after its header, and their CRC32C, computed once per size. */
void probe_fill(uint8_t *b, size_t size);
uint32_t probe_fill_crc(const uint8_t *b, size_t size);
/* Writes seq and the timestamp (or any 8-byte tag) and the checksum over them and the fill. */
void probe_stamp(uint8_t *b, size_t size, uint32_t seq, uint64_t nanos, uint32_t fill_crc);
/* Whether a received probe's checksum holds. */
int probe_verify(const uint8_t *b, ssize_t len);
uint32_t probe_seq(const uint8_t *b);

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Kernel counters over the measured phase (counters.c): open after fork, begin/end around the
 * phase, print inside the result object. */
void counters_open(pid_t runner, pid_t peer);
void counters_begin(void);
void counters_end(void);
void counters_print(void);
/* Fan-in (fanin.c): the calling thread's own switches and run-queue times from /proc/self/task/TID,
 * out[] = voluntary, involuntary, run_ns, wait_ns (1: read); and the result's "counters" of a fan-in
 * row, the server's session threads as "runner" and the clients' measuring threads as "peer", totals. */
#define FANIN_COUNTERS 4
int counters_thread_sample(long long out[FANIN_COUNTERS]);
void counters_print_fanin(pid_t server, const long long s[FANIN_COUNTERS], int s_ok, pid_t client,
                          const long long c[FANIN_COUNTERS], int c_ok);
/* A server thread's window edges (fanin.c): take them at every message (one atomic load), settle
 * at its end, which adds its counts to the server's; and the row's counters with the clients' totals. */
typedef struct {
    int phase, ok;
    long long before[FANIN_COUNTERS], after[FANIN_COUNTERS];
} fanin_edges;
/* A client's measuring thread over its own window: sampled at both edges, summed over the clients for the row. */
typedef struct {
    long long before[FANIN_COUNTERS], delta[FANIN_COUNTERS];
    int ok;
} fanin_client_counters;
void fanin_client_edge(fanin_client_counters *c, int last);
void fanin_client_add(fanin_client_counters *sum, const fanin_client_counters *c);
void fanin_edges_take(fanin_edges *e);
void fanin_edges_settle(fanin_edges *e);
void fanin_print_counters_of(pid_t first_client, const long long clients_total[FANIN_COUNTERS], int clients_ok);

/* A private 0700 directory "/tmp/ipclab-<pid>-native-<purpose>-XXXXXX", registered for removal. */
void private_dir(char *out, size_t cap, const char *purpose);

#endif
