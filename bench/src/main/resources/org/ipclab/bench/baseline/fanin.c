/*
 * Fan-in (ipc bench --clients N, told through IPCLAB_CLIENTS=N): N forked client processes against
 * ONE server process, the shape the Java fan-in measures. The server accepts one connection per
 * client on one listening socket and serves each on its own thread (as the Java server does): it
 * echoes probes, or counts and checks a SINK stream per connection (each client's own sequence
 * numbers) and answers SINK_END with STATS. Every client waits on one pipe until all are
 * connected, so that all measure over the same window; its figures go to a slot of a shared
 * mapping: counts, and a log-linear histogram of its round trips (1024 sub-buckets per power of
 * two, as HdrHistogram with 3 significant digits) that the server merges bucket by bucket.
 *
 * Output: the same one JSON line as a pair run, the aggregate (rate = the clients' rates summed,
 * percentiles from the merged histogram), with "clients", "min_share" and "max_share".
 * Mechanisms: unix and tcp (byte streams, ipclab frames), unix-seqpacket (one message per packet);
 * mqueue: ONE POSIX queue and N writers, throughput only (a reply in a shared queue reaches
 * whichever writer reads first): each writer's probes carry its number in the timestamp field, the
 * server counts and checks every writer's sequence apart, as the Java fan-in over a queue does.
 * sysv-mqueue: the same over ONE System V queue (msgget(IPC_PRIVATE), mtype 1).
 * unix-dgram, udp: the same into ONE datagram socket left unconnected (AF_UNIX SOCK_DGRAM bound in a
 * private directory; AF_INET SOCK_DGRAM on 127.0.0.1) that every writer connects to; one recv per
 * message. udp may lose: loss is counted per writer, not a failure, and the reader does not wait for
 * a SINK_END that may be lost (the writers' counts are in the shared mapping).
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Log-linear histogram of nanoseconds below 2^42 (over an hour). */
#define SUB 1024
#define BUCKETS (32 * SUB + 2 * SUB)

static int f_kind; /* 1 unix stream, 2 tcp, 3 unix seqpacket */
static size_t f_size;
static struct sockaddr_un f_unix;
static struct sockaddr_in f_tcp;
static int f_listen = -1;

typedef struct {
    uint64_t sent, received, lost, reordered, corrupt, messages;
    double seconds, sum_ns, cpu_ns; /* cpu_ns: this client process's CPU over its measured window */
    int done;
    _Atomic int port; /* tcp: the client's own port, bound before it connects, so that the server can tell it from a stranger */
    fanin_client_counters counted; /* its measuring thread's own switches and run-queue times over its window */
    uint64_t hist[]; /* BUCKETS in latency mode */
} slot;

static uint8_t *slots;
static size_t slot_bytes;
static _Atomic int *ready;

static slot *slot_of(int i) { return (slot *)(slots + (size_t)i * slot_bytes); }

/*
 * The kernel's counters of a fan-in row, as the Java fan-in reads them: each working thread reads
 * its own /proc/self/task/TID at its window's edges. A client's window is its own; the server's
 * session threads take the common one, opened and closed by the CPU window's thread (win_phase:
 * 0 before, 1 open, 2 over), each at its first message after an edge: one atomic load per message.
 */
static int fan_counting; /* not with IPCLAB_NO_COUNTERS (ipc bench --no-counters) */
static _Atomic int win_phase;
static pthread_mutex_t srv_lock = PTHREAD_MUTEX_INITIALIZER;
static long long srv_ctr[FANIN_COUNTERS];
static int srv_ok = 1;


void fanin_edges_take(fanin_edges *e) {
    if (!fan_counting || e->phase == 2) return;
    int w = atomic_load_explicit(&win_phase, memory_order_acquire);
    if (e->phase == 0 && w >= 1) {
        e->ok = counters_thread_sample(e->before);
        e->phase = 1;
    }
    if (e->phase == 1 && w >= 2) {
        e->ok &= counters_thread_sample(e->after);
        e->phase = 2;
    }
}

/* A session ending inside the window closes it for itself; its counts join the server's. */
void fanin_edges_settle(fanin_edges *e) {
    if (!fan_counting || e->phase == 0) return;
    if (e->phase == 1) e->ok &= counters_thread_sample(e->after);
    pthread_mutex_lock(&srv_lock);
    srv_ok &= e->ok;
    for (int k = 0; k < FANIN_COUNTERS; k++) srv_ctr[k] += e->after[k] - e->before[k];
    pthread_mutex_unlock(&srv_lock);
}

void fanin_print_counters_of(pid_t first_client, const long long clients_total[FANIN_COUNTERS], int clients_ok) {
    if (fan_counting) counters_print_fanin(getpid(), srv_ctr, srv_ok, first_client, clients_total, clients_ok);
}

/* ,"counters":{...}: the server's threads summed, the clients' summed (totals; the reader divides). */
static void fanin_print_counters(pid_t first_client, int clients) {
    fanin_client_counters sum = {.ok = 1};
    for (int i = 0; i < clients; i++) fanin_client_add(&sum, &slot_of(i)->counted);
    fanin_print_counters_of(first_client, sum.delta, sum.ok);
}

void fanin_client_edge(fanin_client_counters *c, int last) {
    if (!fan_counting) return;
    if (!last) {
        c->ok = counters_thread_sample(c->before);
        return;
    }
    long long after[FANIN_COUNTERS];
    c->ok &= counters_thread_sample(after);
    for (int k = 0; k < FANIN_COUNTERS; k++) c->delta[k] = after[k] - c->before[k];
}

void fanin_client_add(fanin_client_counters *sum, const fanin_client_counters *c) {
    sum->ok &= c->ok;
    for (int k = 0; k < FANIN_COUNTERS; k++) sum->delta[k] += c->delta[k];
}

static size_t bucket(uint64_t v) {
    if (v >= (1ULL << 42)) v = (1ULL << 42) - 1;
    if (v < 2 * SUB) return (size_t)v;
    int m = 63 - __builtin_clzll(v);
    return (size_t)(m - 10) * SUB + (size_t)(v >> (m - 10));
}

/* The middle of a bucket, in ns. */
static double bucket_value(size_t i) {
    if (i < 2 * SUB) return (double)i;
    int m = (int)(i / SUB) + 9;
    uint64_t q = i - (size_t)(m - 10) * SUB;
    return (double)(q << (m - 10)) + (double)((1ULL << (m - 10)) - 1) / 2.0;
}

/* ---------------------------------------------------------------- one connection */

typedef struct {
    int fd;
    uint8_t *in;
    size_t cap, start, end;
} conn;

static void conn_init(conn *c, int fd) {
    c->fd = fd;
    c->cap = 2 * (f_size + 4) > 65536 ? 2 * (f_size + 4) : 65536;
    c->in = malloc(c->cap);
    if (!c->in) fail_errno("malloc", "connection buffer");
    c->start = c->end = 0;
}

/* One whole message; 0 when the other end is gone. */
static int conn_send(conn *c, const void *buf, size_t len) {
    if (f_kind == 3) {
        for (;;) {
            ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
            if (n == (ssize_t)len) return 1;
            if (n < 0 && errno == EINTR) continue;
            return 0;
        }
    }
    uint32_t header = (uint32_t)len;
    struct iovec iov[2] = {{&header, 4}, {(void *)buf, len}};
    size_t total = 4 + len;
    int i = 0;
    while (total > 0) {
        struct msghdr mh = {.msg_iov = iov + i, .msg_iovlen = (size_t)(2 - i)};
        ssize_t n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return 0;
        }
        total -= (size_t)n;
        while (n > 0 && i < 2) {
            size_t k = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;
            iov[i].iov_base = (uint8_t *)iov[i].iov_base + k;
            iov[i].iov_len -= k;
            n -= (ssize_t)k;
            if (iov[i].iov_len == 0) i++;
        }
    }
    return 1;
}

static int conn_fill(conn *c, size_t need) {
    while (c->end - c->start < need) {
        if (c->start > 0 && c->cap - c->start < need) {
            memmove(c->in, c->in + c->start, c->end - c->start);
            c->end -= c->start;
            c->start = 0;
        }
        ssize_t n = read(c->fd, c->in + c->end, c->cap - c->end);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        c->end += (size_t)n;
    }
    return 1;
}

/* The next message into buf: its length, or -1 when the other end is gone or broke the framing. */
static ssize_t conn_recv(conn *c, uint8_t *buf, size_t cap) {
    if (f_kind == 3) {
        for (;;) {
            ssize_t n = recv(c->fd, buf, cap, 0);
            if (n < 0 && errno == EINTR) continue;
            return n <= 0 ? -1 : n;
        }
    }
    if (!conn_fill(c, 4)) return -1;
    uint32_t len;
    memcpy(&len, c->in + c->start, 4);
    if (len > cap || len > c->cap - 4 || !conn_fill(c, 4 + (size_t)len)) return -1;
    memcpy(buf, c->in + c->start + 4, len);
    c->start += 4 + (size_t)len;
    if (c->start == c->end) c->start = c->end = 0;
    return len;
}

/* ---------------------------------------------------------------- probes (peer.Probe) */

static uint32_t fill_crc;

/* The probe every client sends, filled once: only seq, time and checksum change per message. */
static void fill(uint8_t *b) {
    probe_fill(b, f_size);
    fill_crc = probe_fill_crc(b, f_size);
}

static void stamp(uint8_t *b, uint32_t seq, uint64_t nanos) { probe_stamp(b, f_size, seq, nanos, fill_crc); }

/* ---------------------------------------------------------------- the server: one thread per client */

static void *serve(void *arg_fd) {
    conn c;
    conn_init(&c, (int)(intptr_t)arg_fd);
    size_t cap = f_size > 128 ? f_size : 128;
    uint8_t *buf = malloc(cap), reply[128];
    if (!buf) fail_errno("malloc", "server buffer");
    uint64_t hello = (uint64_t)getpid();
    conn_send(&c, reply, ctl_write(reply, CTL_HELLO, 1, &hello));
    uint64_t received = 0, reordered = 0, corrupt = 0, bytes = 0, next = 0, first = 0, last = 0;
    int sinking = 0;
    fanin_edges e = {0};
    for (;;) {
        ssize_t n = conn_recv(&c, buf, cap);
        if (n < 0) break;
        fanin_edges_take(&e);
        uint32_t op = ctl_opcode(buf, n);
        if (op == CTL_STOP) break;
        if (op == CTL_SINK) {
            sinking = 1;
            received = reordered = corrupt = bytes = next = first = last = 0;
        } else if (op == CTL_SINK_END) {
            uint64_t a[6] = {received, reordered, corrupt, bytes, first, last};
            sinking = 0;
            if (!conn_send(&c, reply, ctl_write(reply, CTL_STATS, 6, a))) break;
        } else if (sinking) {
            last = now_ns();
            if (!first) first = last;
            received++;
            bytes += (uint64_t)n;
            if (!probe_verify(buf, n)) {
                corrupt++;
                continue;
            }
            int32_t gap = (int32_t)(probe_seq(buf) - (uint32_t)next); /* peer.Integrity */
            if (gap == 0) next++;
            else if (gap > 0) next += (uint64_t)gap + 1;
            else reordered++;
        } else if (!conn_send(&c, buf, (size_t)n)) {
            break;
        }
    }
    fanin_edges_settle(&e);
    close(c.fd);
    free(c.in);
    free(buf);
    return NULL;
}

/*
 * Which forked client an accepted connection is, or -1 for a stranger (anyone else on the machine may
 * connect to 127.0.0.1, and the same user to the private socket): unix by the peer's pid
 * (SO_PEERCRED), tcp by the peer's port, which each client binds and records before it connects.
 */
static int which_client(int fd, const pid_t *pids, int clients) {
    if (f_kind == 2) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || peer.sin_addr.s_addr != htonl(INADDR_LOOPBACK)) return -1;
        for (int j = 0; j < clients; j++)
            if (atomic_load(&slot_of(j)->port) == ntohs(peer.sin_port)) return j;
        return -1;
    }
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    for (int j = 0; j < clients; j++)
        if (pids[j] == cred.pid) return j;
    return -1;
}

/* ---------------------------------------------------------------- a client */

static int client_connect(slot *s) {
    int fd = socket(f_kind == 2 ? AF_INET : AF_UNIX, (f_kind == 3 ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) fail_errno("socket", "client");
    if (f_kind == 2) { /* its port, known before the server can accept it */
        struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof me;
        if (bind(fd, (struct sockaddr *)&me, sizeof me) != 0 || getsockname(fd, (struct sockaddr *)&me, &len) != 0)
            fail_errno("bind", "client 127.0.0.1:0");
        atomic_store(&s->port, ntohs(me.sin_port));
    }
    struct sockaddr *addr = f_kind == 2 ? (struct sockaddr *)&f_tcp : (struct sockaddr *)&f_unix;
    socklen_t len = f_kind == 2 ? sizeof f_tcp : sizeof f_unix;
    while (connect(fd, addr, len) != 0)
        if (errno != EINTR) fail_errno("connect", "fan-in server");
    if (f_kind == 2) {
        int one = 1;
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) fail_errno("setsockopt", "TCP_NODELAY");
    }
    return fd;
}

static ssize_t must_recv(conn *c, uint8_t *buf, size_t cap) {
    ssize_t n = conn_recv(c, buf, cap);
    if (n < 0) fail(1, "the fan-in server closed a client's connection");
    return n;
}

static void must_send(conn *c, const void *buf, size_t len) {
    if (!conn_send(c, buf, len)) fail_errno("send", "fan-in client");
}

/* One SINK ... SINK_END/STATS stream; fills the slot when measured. */
static void client_sink(conn *c, uint8_t *out, uint8_t *in, size_t cap, uint64_t duration_ns, slot *s) {
    uint8_t b[128];
    uint64_t zero = 0;
    must_send(c, b, ctl_write(b, CTL_SINK, 1, &zero));
    if (s) fanin_client_edge(&s->counted, 0);
    double cpu0 = fanin_process_cpu_ns();
    uint64_t start = now_ns(), end = start + duration_ns, sent = 0;
    for (;;) {
        stamp(out, (uint32_t)sent, 0);
        must_send(c, out, f_size);
        sent++;
        if ((sent & 15) == 0 && now_ns() >= end) break;
    }
    must_send(c, b, ctl_write(b, CTL_SINK_END, 1, &sent));
    ssize_t n;
    while (ctl_opcode(in, n = must_recv(c, in, cap)) != CTL_STATS) {}
    uint64_t done = now_ns();
    if (!s) return;
    fanin_client_edge(&s->counted, 1);
    s->sent = sent;
    s->received = ctl_arg(in, 0);
    s->reordered = ctl_arg(in, 1);
    s->corrupt = ctl_arg(in, 2);
    s->lost = sent > s->received ? sent - s->received : 0;
    s->messages = sent;
    s->seconds = (done - start) / 1e9;
    s->cpu_ns = fanin_process_cpu_ns() - cpu0;
}

static void client(int i, int go, int latency, uint64_t warmup_ns, uint64_t duration_ns) {
    slot *s = slot_of(i);
    /* IPCLAB_FANIN_CLIENT_DELAY_MS: the clients wait before they connect, so that a test's strangers connect first */
    const char *delay = getenv("IPCLAB_FANIN_CLIENT_DELAY_MS");
    if (delay) {
        unsigned long ms = strtoul(delay, NULL, 10);
        nanosleep(&(struct timespec){(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L}, NULL);
    }
    conn c;
    conn_init(&c, client_connect(s));
    size_t cap = f_size > 128 ? f_size : 128;
    uint8_t *out = malloc(cap), *in = malloc(cap);
    if (!out || !in) fail_errno("malloc", "client buffers");
    fill(out);
    if (ctl_opcode(in, must_recv(&c, in, cap)) != CTL_HELLO) fail(1, "client %d: the server's first message was not HELLO", i + 1);
    atomic_fetch_add(ready, 1);
    char x;
    while (read(go, &x, 1) < 0 && errno == EINTR) {} /* EOF: all are connected, go */
    if (latency) {
        uint32_t seq = 0;
        uint64_t t = now_ns(), phase_end = t + warmup_ns, start = 0;
        double cpu0 = 0;
        int measuring = 0;
        for (;;) {
            if (t >= phase_end) {
                if (measuring) break;
                measuring = 1;
                fanin_client_edge(&s->counted, 0);
                cpu0 = fanin_process_cpu_ns();
                start = t = now_ns();
                phase_end = start + duration_ns;
            }
            uint64_t t0 = now_ns();
            stamp(out, seq, t0);
            must_send(&c, out, f_size);
            ssize_t n = must_recv(&c, in, cap);
            t = now_ns();
            if (measuring) {
                s->sent++;
                s->received++;
                if (n != (ssize_t)f_size || !probe_verify(in, n)) s->corrupt++;
                else if (probe_seq(in) != seq) s->reordered++;
                s->hist[bucket(t - t0)]++;
                s->sum_ns += (double)(t - t0);
                s->messages++;
            }
            seq++;
        }
        s->seconds = (now_ns() - start) / 1e9;
        s->cpu_ns = fanin_process_cpu_ns() - cpu0;
        fanin_client_edge(&s->counted, 1);
    } else {
        if (warmup_ns > 0) client_sink(&c, out, in, cap, warmup_ns, NULL);
        client_sink(&c, out, in, cap, duration_ns, s);
    }
    uint8_t b[64];
    must_send(&c, b, ctl_write(b, CTL_STOP, 0, NULL));
    s->done = 1;
}

/* ---------------------------------------------------------------- the run */

static void on_stop(int sig) {
    cleanup_objects();
    signal(sig, SIG_DFL);
    raise(sig);
}

static double percentile(const uint64_t *h, uint64_t total, double p) {
    uint64_t rank = (uint64_t)(p / 100.0 * (double)total + 0.5), seen = 0;
    if (rank < 1) rank = 1;
    for (size_t i = 0; i < BUCKETS; i++) {
        seen += h[i];
        if (seen >= rank) return bucket_value(i) / 1000.0;
    }
    return 0;
}

double fanin_process_cpu_ns(void) {
    struct timespec t;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0) return -1;
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static uint64_t win_warmup_ns, win_duration_ns;
static double win_cpu_ns = -1;
static pthread_t win_thread;
static int win_started;

static void sleep_ns(uint64_t ns) {
    struct timespec t = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {}
}

static void *cpu_window(void *unused) {
    (void)unused;
    sleep_ns(win_warmup_ns);
    atomic_store_explicit(&win_phase, 1, memory_order_release);
    double before = fanin_process_cpu_ns();
    sleep_ns(win_duration_ns);
    double after = fanin_process_cpu_ns();
    atomic_store_explicit(&win_phase, 2, memory_order_release);
    win_cpu_ns = before >= 0 && after > before ? after - before : -1;
    return NULL;
}

void fanin_cpu_window_start(uint64_t warmup_ns, uint64_t duration_ns) {
    win_warmup_ns = warmup_ns;
    win_duration_ns = duration_ns;
    win_started = pthread_create(&win_thread, NULL, cpu_window, NULL) == 0;
}

double fanin_cpu_window_end(void) {
    if (win_started) pthread_join(win_thread, NULL);
    win_started = 0;
    return win_cpu_ns;
}

void fanin_print_cpu(double server_ns, double clients_ns, uint64_t messages) {
    if (messages > 0 && server_ns > 0) printf(",\"cpu_runner_ns_per_msg\":%.3f", server_ns / (double)messages);
    else printf(",\"cpu_runner_ns_per_msg\":null");
    if (messages > 0 && clients_ns > 0) printf(",\"cpu_peer_ns_per_msg\":%.3f", clients_ns / (double)messages);
    else printf(",\"cpu_peer_ns_per_msg\":null");
}

int fanin_supported(const char *mechanism) {
    return !strcmp(mechanism, "unix") || !strcmp(mechanism, "tcp") || !strcmp(mechanism, "unix-seqpacket")
           || !strcmp(mechanism, "mqueue") || !strcmp(mechanism, "sysv-mqueue")
           || !strcmp(mechanism, "unix-dgram") || !strcmp(mechanism, "udp") || !strcmp(mechanism, "fifo");
}

/* ---------------------------------------------------------------- one queue, N writers */

#define WARM_UP (1ULL << 62)

/* The one channel N writers share: a POSIX queue; a System V queue (msgrcv has no timeout, so a
 * 200 ms timer's SIGUSR1 without SA_RESTART ends a wait with EINTR, where the POSIX reader's timeout
 * would); or a datagram socket, unconnected, that every writer connects to (SO_RCVTIMEO 200 ms). */
enum { Q_POSIX, Q_SYSV, Q_UNIX_DGRAM, Q_UDP };
static const char *const q_names[] = {"mqueue", "sysv-mqueue", "unix-dgram", "udp"};
static int q_kind;
#define q_sysv (q_kind == Q_SYSV)
#define q_socket (q_kind == Q_UNIX_DGRAM || q_kind == Q_UDP)
#define q_lossy (q_kind == Q_UDP)
static mqd_t q_posix;
static int q_id = -1;
static struct { long mtype; uint8_t mtext[65536]; } *q_msg;
static int q_fd = -1;                  /* the reader's socket; in a writer, its own, connected to q_addr */
static struct sockaddr_storage q_addr; /* where the reader's socket is bound */
static socklen_t q_addr_len;

static int queue_kind(const char *mechanism) {
    for (int k = Q_POSIX; k <= Q_UDP; k++)
        if (!strcmp(mechanism, q_names[k])) return k;
    return Q_POSIX;
}

/* SO_SNDBUF/SO_RCVBUF at least one message and some room, as the pair baseline (dgram.c) sets them. */
static int q_buffer(int fd, int option) {
    int want = (int)(f_size + 4096), have = 0;
    socklen_t l = sizeof have;
    getsockopt(fd, SOL_SOCKET, option, &have, &l);
    if (have < want) setsockopt(fd, SOL_SOCKET, option, &want, sizeof want);
    l = sizeof have;
    getsockopt(fd, SOL_SOCKET, option, &have, &l);
    return have;
}

/* The reader's socket, bound (unix-dgram: "sock" in a private 0700 directory); fills params. */
static void q_open_socket(char *name, size_t name_cap, char *params, size_t params_cap, int clients) {
    int unix_dgram = q_kind == Q_UNIX_DGRAM;
    q_fd = socket(unix_dgram ? AF_UNIX : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (q_fd < 0) fail_errno("socket", unix_dgram ? "AF_UNIX SOCK_DGRAM" : "AF_INET SOCK_DGRAM");
    memset(&q_addr, 0, sizeof q_addr);
    if (unix_dgram) {
        char dir[80]; /* leaves room for "/sock" in sun_path (108) */
        private_dir(dir, sizeof dir, "fanin");
        struct sockaddr_un *a = (struct sockaddr_un *)&q_addr;
        a->sun_family = AF_UNIX;
        snprintf(a->sun_path, sizeof a->sun_path, "%s/sock", dir);
        q_addr_len = sizeof *a;
        if (bind(q_fd, (struct sockaddr *)a, q_addr_len) != 0) fail_errno("bind", a->sun_path);
        register_path(a->sun_path);
        chmod(a->sun_path, 0600);
        snprintf(name, name_cap, "%s", a->sun_path);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&q_addr;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        q_addr_len = sizeof *a;
        if (bind(q_fd, (struct sockaddr *)a, q_addr_len) != 0) fail_errno("bind", "127.0.0.1:0");
        if (getsockname(q_fd, (struct sockaddr *)a, &q_addr_len) != 0) fail_errno("getsockname", "udp");
        snprintf(name, name_cap, "udp 127.0.0.1:%d", ntohs(a->sin_port));
    }
    int rcvbuf = q_buffer(q_fd, SO_RCVBUF);
    struct timeval slice = {0, 200000};
    if (setsockopt(q_fd, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof slice) != 0) fail_errno("setsockopt", "SO_RCVTIMEO");
    long qlen = -1;
    FILE *f = unix_dgram ? fopen("/proc/sys/net/unix/max_dgram_qlen", "r") : NULL;
    if (f) {
        if (fscanf(f, "%ld", &qlen) != 1) qlen = -1;
        fclose(f);
    }
    if (unix_dgram)
        snprintf(params, params_cap, "clients=%d so_rcvbuf=%d max_dgram_qlen=%ld one unconnected socket, %d writers", clients, rcvbuf, qlen, clients);
    else
        snprintf(params, params_cap, "clients=%d so_rcvbuf=%d one unconnected socket, %d writers", clients, rcvbuf, clients);
}

/* In a writer, after fork: its own socket, connected to the reader's (which it does not read). */
static void q_attach_writer(void) {
    if (!q_socket) return;
    close(q_fd);
    q_fd = socket(q_addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (q_fd < 0) fail_errno("socket", "fan-in writer");
    q_buffer(q_fd, SO_SNDBUF); /* a Unix datagram must fit the sender's SO_SNDBUF */
    while (connect(q_fd, (struct sockaddr *)&q_addr, q_addr_len) != 0)
        if (errno != EINTR) fail_errno("connect", "fan-in socket");
}

/* A System V writer sends as the Java one does (SysvChannel.send): msgsnd has no timeout, so Java
 * sends with IPC_NOWAIT and, on a full queue, yields once, then sleeps 10 us doubling to 1 ms. A C
 * writer blocking in msgsnd instead is woken once per freed slot, a context switch per message with
 * N writers waiting (measured: 0.44 M msgs/s at 4 writers against Java's 1.47 M), so the ratio
 * would compare two strategies, not two languages. */
static void q_send(const void *b, size_t n) {
    if (q_socket) { /* one send: unix-dgram blocks while the reader's queue is full; udp drops there instead */
        for (;;) {
            ssize_t sent = send(q_fd, b, n, 0);
            if (sent == (ssize_t)n) return;
            if (sent < 0 && (errno == EINTR || errno == ENOBUFS)) continue; /* ENOBUFS (udp): transient, as in dgram.c */
            if (sent >= 0) fail(1, "short datagram send: %zd of %zu bytes", sent, n);
            fail_errno("send", "fan-in socket");
        }
    }
    if (q_sysv) {
        q_msg->mtype = 1;
        memcpy(q_msg->mtext, b, n);
        long backoff_ns = 0;
        while (msgsnd(q_id, q_msg, n, IPC_NOWAIT) != 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) fail_errno("msgsnd", "fan-in queue");
            if (backoff_ns == 0) {
                sched_yield();
                backoff_ns = 10000;
            } else {
                struct timespec pause = {0, backoff_ns};
                nanosleep(&pause, NULL);
                backoff_ns = backoff_ns * 2 > 1000000 ? 1000000 : backoff_ns * 2;
            }
        }
        return;
    }
    while (mq_send(q_posix, (const char *)b, n, 1) != 0)
        if (errno != EINTR) fail_errno("mq_send", "fan-in queue");
}

/* A message's length, or -1 when the wait ended quiet (timeout, or the timer's EINTR). */
static ssize_t q_receive(uint8_t *in, size_t cap, const char *name) {
    if (q_socket) {
        ssize_t n = recv(q_fd, in, cap, MSG_TRUNC);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return -1; /* an SO_RCVTIMEO slice: quiet */
            fail_errno("recv", name);
        }
        if ((size_t)n > cap) fail(1, "protocol error: a %zd-byte datagram is over the %zu-byte buffer", n, cap);
        return n;
    }
    if (q_sysv) {
        ssize_t n = msgrcv(q_id, q_msg, cap, 0, 0);
        if (n < 0) {
            if (errno == EINTR) return -1;
            fail_errno("msgrcv", name);
        }
        memcpy(in, q_msg->mtext, (size_t)n);
        return n;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 200000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    ssize_t n = mq_timedreceive(q_posix, (char *)in, cap, NULL, &deadline);
    if (n < 0) {
        if (errno == EINTR || errno == ETIMEDOUT) return -1;
        fail_errno("mq_timedreceive", name);
    }
    return n;
}

static void on_tick(int sig) { (void)sig; }

static void writer(int i, int go, uint64_t warmup_ns, uint64_t duration_ns) {
    slot *s = slot_of(i);
    uint8_t *out = malloc(f_size > 128 ? f_size : 128);
    if (!out) fail_errno("malloc", "writer buffer");
    fill(out);
    q_attach_writer();
    atomic_fetch_add(ready, 1);
    char x;
    while (read(go, &x, 1) < 0 && errno == EINTR) {}
    for (int measured = 0; measured < 2; measured++) {
        uint64_t tag = (uint64_t)(i + 1) | (measured ? 0 : WARM_UP);
        if (measured) fanin_client_edge(&s->counted, 0);
        double cpu0 = fanin_process_cpu_ns();
        uint64_t start = now_ns(), end = start + (measured ? duration_ns : warmup_ns), sent = 0;
        while ((sent & 15) != 0 || now_ns() < end) {
            stamp(out, (uint32_t)sent, tag);
            q_send(out, f_size);
            sent++;
        }
        if (measured) {
            s->sent = s->messages = sent;
            s->seconds = (now_ns() - start) / 1e9;
            s->cpu_ns = fanin_process_cpu_ns() - cpu0;
            fanin_client_edge(&s->counted, 1);
        }
    }
    uint8_t b[64];
    uint64_t a[2] = {s->sent, (uint64_t)(i + 1)};
    size_t n = ctl_write(b, CTL_SINK_END, 2, a);
    q_send(b, n);
    __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE); /* after the last send: the reader may stop at the next quiet slice */
}

/* Every writer has sent all it will (its SINK_END included). */
static int q_all_done(int clients) {
    for (int i = 0; i < clients; i++)
        if (!__atomic_load_n(&slot_of(i)->done, __ATOMIC_ACQUIRE)) return 0;
    return 1;
}

static int fanin_queue(int clients, uint64_t warmup_ms, uint64_t duration_ms) {
    char base[100], name[128];
    unique_name(base, sizeof base, "fanin");
    snprintf(name, sizeof name, "/%s", base);
    struct mq_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.mq_maxmsg = 10; /* as the pair baseline: within fs.mqueue.msg_max's default */
    attr.mq_msgsize = (long)(f_size > 64 ? f_size : 64);
    char params[160];
    if (q_socket) {
        q_open_socket(name, sizeof name, params, sizeof params, clients);
    } else if (q_sysv) {
        if (f_size > sizeof q_msg->mtext) fail(2, "sysv-mqueue fan-in: size %zu is above this program's %zu", f_size, sizeof q_msg->mtext);
        if (!(q_msg = malloc(sizeof *q_msg))) fail_errno("malloc", "message");
        if ((q_id = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) < 0) fail_errno("msgget", "IPC_PRIVATE");
        register_sysv_mq(q_id);
        struct msqid_ds ds;
        if (msgctl(q_id, IPC_STAT, &ds) != 0) fail_errno("msgctl", "IPC_STAT");
        snprintf(name, sizeof name, "msqid %d", q_id);
        snprintf(params, sizeof params, "clients=%d msqid=%d msg_qbytes=%lu one queue, %d writers", clients, q_id, (unsigned long)ds.msg_qbytes,
                 clients);
    } else {
        q_posix = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
        if (q_posix == (mqd_t)-1) fail_errno("mq_open", name);
        register_posix_mq(name);
        snprintf(params, sizeof params, "clients=%d mq_maxmsg=%ld mq_msgsize=%ld one queue, %d writers", clients, attr.mq_maxmsg,
                 attr.mq_msgsize, clients);
    }
    slot_bytes = (sizeof(slot) + 63) & ~(size_t)63;
    void *shared = mmap(NULL, (size_t)clients * slot_bytes + 64, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) fail_errno("mmap", "writer slots");
    ready = shared;
    slots = (uint8_t *)shared + 64;
    uint64_t *received = calloc((size_t)clients, sizeof *received), *reordered = calloc((size_t)clients, sizeof *reordered);
    uint64_t *corrupt = calloc((size_t)clients, sizeof *corrupt), *next = calloc((size_t)clients, sizeof *next);
    int64_t *announced = malloc((size_t)clients * sizeof *announced);
    pid_t *pids = calloc((size_t)clients, sizeof *pids);
    if (!received || !reordered || !corrupt || !next || !announced || !pids) fail_errno("calloc", "writers");
    for (int i = 0; i < clients; i++) announced[i] = -1;
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0) fail_errno("pipe2", "go");
    pid_t parent = getpid();
    fflush(NULL);
    for (int i = 0; i < clients; i++) {
        pid_t pid = fork();
        if (pid < 0) fail_errno("fork", "writer");
        if (pid == 0) {
            signal(SIGINT, SIG_DFL);
            signal(SIGTERM, SIG_DFL);
            signal(SIGHUP, SIG_DFL);
            alarm(0);
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail_errno("prctl", "PR_SET_PDEATHSIG");
            if (getppid() != parent) _exit(3);
            close(go[1]);
            writer(i, go[0], warmup_ms * 1000000u, duration_ms * 1000000u);
            _exit(0);
        }
        pids[i] = pid;
    }
    close(go[0]);
    for (int waited = 0; atomic_load(ready) < clients; waited++) {
        if (waited > 30000) fail(1, "only %d of %d fan-in writers started within 30 s", atomic_load(ready), clients);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    close(go[1]); /* go */
    fanin_cpu_window_start(warmup_ms * 1000000u, duration_ms * 1000000u);
    if (q_sysv) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_tick; /* no SA_RESTART: msgrcv returns EINTR */
        sigaction(SIGUSR1, &sa, NULL);
        struct sigevent ev;
        memset(&ev, 0, sizeof ev);
        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = SIGUSR1;
        timer_t t;
        if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0) fail_errno("timer_create", "reader tick");
        struct itimerspec every = {{0, 200000000}, {0, 200000000}};
        if (timer_settime(t, 0, &every, NULL) != 0) fail_errno("timer_settime", "reader tick");
    }
    size_t cap = (size_t)attr.mq_msgsize;
    uint8_t *in = malloc(cap);
    if (!in) fail_errno("malloc", "reader buffer");
    fanin_edges e = {0}; /* the one reader's own counters over the common window */
    for (int ended = 0; ended < clients;) {
        int drained = q_lossy && q_all_done(clients); /* udp: a SINK_END may be lost; a quiet slice after all are done ends it */
        ssize_t n = q_receive(in, cap, name);
        fanin_edges_take(&e);
        if (n < 0) {
            if (drained) break;
            for (int i = 0; i < clients; i++) { /* quiet: a writer that died will never say SINK_END */
                int status;
                if (announced[i] < 0 && waitpid(pids[i], &status, WNOHANG) == pids[i] && !slot_of(i)->done)
                    fail(1, "fan-in writer %d ended with %s %d", i + 1, WIFSIGNALED(status) ? "signal" : "status",
                         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            }
            continue;
        }
        if (ctl_opcode(in, n) == CTL_SINK_END) {
            uint64_t w = ctl_arg(in, 1);
            if (w >= 1 && w <= (uint64_t)clients && announced[w - 1] < 0) {
                announced[w - 1] = (int64_t)ctl_arg(in, 0);
                ended++;
            }
            continue;
        }
        uint64_t tag;
        memcpy(&tag, in + 8, 8);
        uint64_t w = tag & 0xFFFFFFFFu;
        if (n != (ssize_t)f_size || !probe_verify(in, n) || w < 1 || w > (uint64_t)clients) {
            corrupt[0]++;
            received[0]++;
            continue;
        }
        if (tag & WARM_UP) continue;
        w--;
        received[w]++;
        int32_t gap = (int32_t)(probe_seq(in) - (uint32_t)next[w]); /* peer.Integrity */
        if (gap == 0) next[w]++;
        else if (gap > 0) next[w] += (uint64_t)gap + 1;
        else reordered[w]++;
    }
    for (int i = 0; i < clients; i++) {
        int status;
        while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR) {}
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail(1, "fan-in writer %d ended with %s %d", i + 1, WIFSIGNALED(status) ? "signal" : "status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    cleanup_objects();
    fanin_edges_settle(&e);
    double server_cpu = fanin_cpu_window_end(), clients_cpu = 0;
    uint64_t sent = 0, recv_total = 0, lost = 0, reord = 0, corr = 0;
    double rate = 0, elapsed = 0, min_share = 1, max_share = 0;
    for (int i = 0; i < clients; i++) recv_total += received[i];
    for (int i = 0; i < clients; i++) {
        slot *s = slot_of(i);
        sent += s->sent;
        lost += s->sent > received[i] ? s->sent - received[i] : 0;
        reord += reordered[i];
        corr += corrupt[i];
        if (s->seconds > 0) rate += (double)received[i] / s->seconds;
        if (s->seconds > elapsed) elapsed = s->seconds;
        clients_cpu += s->cpu_ns;
        double share = recv_total ? (double)received[i] / (double)recv_total : 0;
        if (share < min_share) min_share = share;
        if (share > max_share) max_share = share;
    }
    printf("{\"mechanism\":\"%s\",\"mode\":\"throughput\",\"size\":%zu,\"count\":%llu", q_names[q_kind], f_size, (unsigned long long)recv_total);
    printf(",\"p50_us\":null,\"p90_us\":null,\"p99_us\":null,\"p999_us\":null,\"max_us\":null,\"mean_us\":null");
    printf(",\"msgs_per_s\":%.3f,\"mb_per_s\":%.3f,\"elapsed_s\":%.3f", rate, rate * (double)f_size / 1e6, elapsed);
    fanin_print_cpu(server_cpu, clients_cpu, sent);
    fanin_print_counters(pids[0], clients);
    printf(",\"sent\":%llu,\"received\":%llu,\"lost\":%llu,\"reordered\":%llu,\"corrupt\":%llu",
           (unsigned long long)sent, (unsigned long long)recv_total, (unsigned long long)lost, (unsigned long long)reord,
           (unsigned long long)corr);
    printf(",\"clients\":%d,\"min_share\":%.6f,\"max_share\":%.6f,\"params\":\"%s\"}\n", clients, min_share, max_share, params);
    fflush(stdout);
    if (corr || (!q_lossy && (reord || lost))) /* udp may lose (and reorder): counted above, as a pair run does */
        fail(3, "integrity failure: sent %llu, received %llu, lost %llu, reordered %llu, corrupt %llu",
             (unsigned long long)sent, (unsigned long long)recv_total, (unsigned long long)lost,
             (unsigned long long)reord, (unsigned long long)corr);
    return 0;
}

int fanin_main(const char *mechanism, int latency, size_t size, uint64_t warmup_ms, uint64_t duration_ms, int clients) {
    fan_counting = !getenv("IPCLAB_NO_COUNTERS");
    if (!fanin_supported(mechanism))
        fail(2, "no C fan-in for %s: it is built for unix, tcp, unix-seqpacket (a connection per client), mqueue, sysv-mqueue (one queue, N writers), unix-dgram and udp (one socket, N writers), fifo (one FIFO, N writers)", mechanism);
    f_kind = !strcmp(mechanism, "unix") ? 1 : !strcmp(mechanism, "tcp") ? 2 : !strcmp(mechanism, "unix-seqpacket") ? 3 : 4;
    q_kind = queue_kind(mechanism);
    f_size = size;
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    signal(SIGHUP, on_stop);
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)((warmup_ms + duration_ms) / 1000 + 60));
    if (!strcmp(mechanism, "fifo")) return fanin_fifo(latency, size, warmup_ms, duration_ms, clients); /* fanin_fifo.c */
    if (f_kind == 4) {
        if (latency) fail(2, "%s fan-in is throughput only: N writers share one queue or socket, with no return path to one writer", mechanism);
        return fanin_queue(clients, warmup_ms, duration_ms);
    }
    char dir[80]; /* leaves room for "/sock" in sun_path (108) */
    if (f_kind == 2) {
        memset(&f_tcp, 0, sizeof f_tcp);
        f_tcp.sin_family = AF_INET;
        f_tcp.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof f_tcp;
        if ((f_listen = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) fail_errno("socket", "AF_INET");
        if (bind(f_listen, (struct sockaddr *)&f_tcp, sizeof f_tcp) != 0) fail_errno("bind", "127.0.0.1:0");
        if (getsockname(f_listen, (struct sockaddr *)&f_tcp, &len) != 0) fail_errno("getsockname", "");
    } else {
        private_dir(dir, sizeof dir, "fanin");
        memset(&f_unix, 0, sizeof f_unix);
        f_unix.sun_family = AF_UNIX;
        snprintf(f_unix.sun_path, sizeof f_unix.sun_path, "%s/sock", dir);
        if ((f_listen = socket(AF_UNIX, (f_kind == 3 ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC, 0)) < 0) fail_errno("socket", "AF_UNIX");
        if (bind(f_listen, (struct sockaddr *)&f_unix, sizeof f_unix) != 0) fail_errno("bind", f_unix.sun_path);
        register_path(f_unix.sun_path);
        chmod(f_unix.sun_path, 0600);
    }
    if (listen(f_listen, clients) != 0) fail_errno("listen", mechanism);

    slot_bytes = sizeof(slot) + (latency ? BUCKETS * sizeof(uint64_t) : 0);
    slot_bytes = (slot_bytes + 63) & ~(size_t)63;
    void *shared = mmap(NULL, (size_t)clients * slot_bytes + 64, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) fail_errno("mmap", "client slots");
    ready = shared;
    slots = (uint8_t *)shared + 64;
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0) fail_errno("pipe2", "go");
    pid_t parent = getpid();
    pid_t *pids = calloc((size_t)clients, sizeof *pids);
    pthread_t *threads = calloc((size_t)clients, sizeof *threads);
    if (!pids || !threads) fail_errno("calloc", "clients");
    fflush(NULL);
    for (int i = 0; i < clients; i++) {
        pid_t pid = fork();
        if (pid < 0) fail_errno("fork", "client");
        if (pid == 0) {
            signal(SIGINT, SIG_DFL);
            signal(SIGTERM, SIG_DFL);
            signal(SIGHUP, SIG_DFL);
            alarm(0);
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail_errno("prctl", "PR_SET_PDEATHSIG");
            if (getppid() != parent) _exit(3);
            close(go[1]);
            close(f_listen);
            client(i, go[0], latency, warmup_ms * 1000000u, duration_ms * 1000000u);
            _exit(0);
        }
        pids[i] = pid;
    }
    close(go[0]);
    char *served = calloc((size_t)clients, 1);
    if (!served) fail_errno("calloc", "clients");
    int strangers = 0;
    for (int i = 0; i < clients; i++) {
        struct pollfd p = {f_listen, POLLIN, 0};
        int r;
        while ((r = poll(&p, 1, 30000)) < 0 && errno == EINTR) {}
        if (r == 0) fail(1, "only %d of %d fan-in clients connected within 30 s", i, clients);
        int fd = accept4(f_listen, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                i--;
                continue;
            }
            fail_errno("accept4", mechanism);
        }
        int who = which_client(fd, pids, clients);
        if (who < 0 || served[who]) { /* a stranger takes no client's place: closed, not counted */
            close(fd);
            strangers++;
            i--;
            continue;
        }
        served[who] = 1;
        if (f_kind == 2) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        if (pthread_create(&threads[i], NULL, serve, (void *)(intptr_t)fd) != 0) fail(1, "pthread_create failed for client %d", who + 1);
    }
    free(served);
    close(f_listen);
    cleanup_objects(); /* everyone is connected: the name is no longer needed */
    for (int waited = 0; atomic_load(ready) < clients; waited++) {
        if (waited > 30000) fail(1, "only %d of %d fan-in clients got the server's HELLO within 30 s", atomic_load(ready), clients);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    close(go[1]); /* go */
    fanin_cpu_window_start(warmup_ms * 1000000u, duration_ms * 1000000u);
    for (int i = 0; i < clients; i++) {
        int status;
        while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR) {}
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail(1, "fan-in client %d ended with %s %d", i + 1, WIFSIGNALED(status) ? "signal" : "status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    for (int i = 0; i < clients; i++) pthread_join(threads[i], NULL);

    double server_cpu = fanin_cpu_window_end(), clients_cpu = 0;
    uint64_t cpu_messages = 0;
    uint64_t sent = 0, received = 0, lost = 0, reordered = 0, corrupt = 0, total = 0, count = 0;
    double rate = 0, elapsed = 0, sum = 0, min_share = 1, max_share = 0;
    uint64_t *merged = latency ? calloc(BUCKETS, sizeof *merged) : NULL;
    if (latency && !merged) fail_errno("calloc", "histogram");
    for (int i = 0; i < clients; i++) total += latency ? slot_of(i)->messages : slot_of(i)->received;
    for (int i = 0; i < clients; i++) {
        slot *s = slot_of(i);
        if (!s->done) fail(1, "fan-in client %d gave no figures", i + 1);
        sent += s->sent;
        received += s->received;
        lost += s->lost;
        reordered += s->reordered;
        corrupt += s->corrupt;
        uint64_t mine = latency ? s->messages : s->received;
        if (s->seconds > 0) rate += (double)mine / s->seconds;
        if (s->seconds > elapsed) elapsed = s->seconds;
        clients_cpu += s->cpu_ns;
        cpu_messages += s->messages;
        double share = total ? (double)mine / (double)total : 0;
        if (share < min_share) min_share = share;
        if (share > max_share) max_share = share;
        if (latency) {
            for (size_t b = 0; b < BUCKETS; b++) merged[b] += s->hist[b];
            count += s->messages;
            sum += s->sum_ns;
        }
    }
    printf("{\"mechanism\":\"%s\",\"mode\":\"%s\",\"size\":%zu,\"count\":%llu", mechanism, latency ? "latency" : "throughput",
           size, (unsigned long long)(latency ? count : received));
    if (latency && count > 0) {
        uint64_t maxb = 0;
        for (size_t b = 0; b < BUCKETS; b++)
            if (merged[b]) maxb = b;
        printf(",\"p50_us\":%.3f,\"p90_us\":%.3f,\"p99_us\":%.3f,\"p999_us\":%.3f,\"max_us\":%.3f,\"mean_us\":%.3f",
               percentile(merged, count, 50), percentile(merged, count, 90), percentile(merged, count, 99),
               percentile(merged, count, 99.9), bucket_value(maxb) / 1000.0, sum / (double)count / 1000.0);
    } else {
        printf(",\"p50_us\":null,\"p90_us\":null,\"p99_us\":null,\"p999_us\":null,\"max_us\":null,\"mean_us\":null");
    }
    printf(",\"msgs_per_s\":%.3f,\"mb_per_s\":%.3f,\"elapsed_s\":%.3f", rate, rate * (double)size / 1e6, elapsed);
    fanin_print_cpu(server_cpu, clients_cpu, cpu_messages);
    fanin_print_counters(pids[0], clients);
    printf(",\"sent\":%llu,\"received\":%llu,\"lost\":%llu,\"reordered\":%llu,\"corrupt\":%llu",
           (unsigned long long)sent, (unsigned long long)received, (unsigned long long)lost,
           (unsigned long long)reordered, (unsigned long long)corrupt);
    printf(",\"clients\":%d,\"min_share\":%.6f,\"max_share\":%.6f,\"params\":\"clients=%d backlog=%d server=thread-per-client strangers-refused=%d\"}\n",
           clients, min_share, max_share, clients, clients, strangers);
    fflush(stdout);
    if (corrupt || reordered || lost)
        fail(3, "integrity failure: sent %llu, received %llu, lost %llu, reordered %llu, corrupt %llu",
             (unsigned long long)sent, (unsigned long long)received, (unsigned long long)lost,
             (unsigned long long)reordered, (unsigned long long)corrupt);
    return 0;
}
