/*
 * Fan-in over ONE FIFO (ipc bench --clients N --mechanisms fifo, told through IPCLAB_CLIENTS=N), the
 * shape the Java fan-in over a FIFO measures: mkfifo in a private 0700 directory, N forked writers
 * each open it for writing and send every frame ([u32 length][probe]) as ONE write(2) of at most
 * PIPE_BUF bytes, which pipe(7) keeps whole among writers, so frames never interleave. Each
 * writer's probes carry its number in the timestamp field (as fanin.c's queue writers'); the
 * server reads the FIFO, waiting in poll(2) only when no whole frame is buffered (as the Java
 * reader does), and checks every writer's own sequence. Throughput only: a reply in a shared FIFO
 * would reach whichever writer reads first.
 *
 * Output: the same one JSON line as fanin.c's fanin_queue, with "mechanism":"fifo".
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FF_WARM_UP (1ULL << 62)
#define FF_READ_BUFFER 65536

typedef struct {
    uint64_t sent;
    double seconds, cpu_ns; /* cpu_ns: this writer process's CPU over its measured window */
    fanin_client_counters counted; /* its own switches and run-queue times over its window */
    int done;
} ff_slot;

static size_t ff_size;
static ff_slot *ff_slots;
static _Atomic int *ff_ready;

/* ---------------------------------------------------------------- a writer */

/* One frame, one write(2): at most PIPE_BUF bytes, so the kernel writes all of it at once or nothing. */
static void ff_write_frame(int fd, uint8_t *frame, size_t len) {
    uint32_t header = (uint32_t)len;
    memcpy(frame, &header, 4);
    for (;;) {
        ssize_t n = write(fd, frame, 4 + len);
        if (n == (ssize_t)(4 + len)) return;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno("write", "fan-in fifo");
        fail(1, "fan-in fifo: write(2) took %zd of a %zu-byte frame (PIPE_BUF promises all)", n, 4 + len);
    }
}

static void ff_writer(int i, const char *path, int go, uint64_t warmup_ns, uint64_t duration_ns) {
    int fd = open(path, O_WRONLY | O_CLOEXEC); /* the reader is open already: does not block */
    if (fd < 0) fail_errno("open", path);
    uint8_t *frame = malloc(4 + (ff_size > 64 ? ff_size : 64));
    if (!frame) fail_errno("malloc", "writer buffer");
    uint8_t *out = frame + 4;
    probe_fill(out, ff_size);
    uint32_t fill_crc = probe_fill_crc(out, ff_size);
    atomic_fetch_add(ff_ready, 1);
    char x;
    while (read(go, &x, 1) < 0 && errno == EINTR) {}
    ff_slot *s = &ff_slots[i];
    for (int measured = 0; measured < 2; measured++) {
        uint64_t tag = (uint64_t)(i + 1) | (measured ? 0 : FF_WARM_UP);
        if (measured) fanin_client_edge(&s->counted, 0);
        double cpu0 = fanin_process_cpu_ns();
        uint64_t start = now_ns(), end = start + (measured ? duration_ns : warmup_ns), sent = 0;
        while ((sent & 15) != 0 || now_ns() < end) {
            probe_stamp(out, ff_size, (uint32_t)sent, tag, fill_crc);
            ff_write_frame(fd, frame, ff_size);
            sent++;
        }
        if (measured) {
            s->sent = sent;
            s->seconds = (double)(now_ns() - start) / 1e9;
            s->cpu_ns = fanin_process_cpu_ns() - cpu0;
            fanin_client_edge(&s->counted, 1);
        }
    }
    uint64_t args[2] = {s->sent, (uint64_t)(i + 1)};
    ff_write_frame(fd, frame, ctl_write(out, CTL_SINK_END, 2, args));
    close(fd);
    s->done = 1;
}

/* ---------------------------------------------------------------- the server */

/* Fails the run when a writer has died before its SINK_END (as fanin_queue does). */
static void ff_check_writers(int clients, const pid_t *pids, const int64_t *announced) {
    for (int i = 0; i < clients; i++) {
        int status;
        if (announced[i] < 0 && waitpid(pids[i], &status, WNOHANG) == pids[i] && !ff_slots[i].done)
            fail(1, "fan-in writer %d ended with %s %d", i + 1, WIFSIGNALED(status) ? "signal" : "status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
}

int fanin_fifo(int latency, size_t size, uint64_t warmup_ms, uint64_t duration_ms, int clients) {
    if (latency) fail(2, "fifo fan-in is throughput only: N writers share one FIFO, a reply would reach whichever reads first");
    if (size + 4 > PIPE_BUF)
        fail(2, "fifo fan-in: a %zu-byte message is a %zu-byte frame, over PIPE_BUF = %d, the most one write(2) keeps whole among N writers",
             size, size + 4, PIPE_BUF);
    ff_size = size;
    char dir[96], path[128];
    private_dir(dir, sizeof dir, "fanin-fifo");
    snprintf(path, sizeof path, "%s/fifo", dir);
    if (mkfifo(path, 0600) != 0) fail_errno("mkfifo", path);
    register_path(path);
    /* O_NONBLOCK: the open does not wait for a writer, and the writers' opens then do not wait for us. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) fail_errno("open", path);
    int capacity = fcntl(fd, F_GETPIPE_SZ);

    size_t shared_bytes = 64 + (size_t)clients * sizeof(ff_slot);
    void *shared = mmap(NULL, shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) fail_errno("mmap", "writer slots");
    ff_ready = shared;
    ff_slots = (ff_slot *)((uint8_t *)shared + 64);
    uint64_t *received = calloc((size_t)clients, sizeof *received), *reordered = calloc((size_t)clients, sizeof *reordered);
    uint64_t *corrupt = calloc((size_t)clients, sizeof *corrupt), *next = calloc((size_t)clients, sizeof *next);
    int64_t *announced = malloc((size_t)clients * sizeof *announced);
    pid_t *pids = calloc((size_t)clients, sizeof *pids);
    uint8_t *in = malloc(FF_READ_BUFFER);
    if (!received || !reordered || !corrupt || !next || !announced || !pids || !in) fail_errno("calloc", "writers");
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
            close(fd);
            ff_writer(i, path, go[0], warmup_ms * 1000000u, duration_ms * 1000000u);
            _exit(0);
        }
        pids[i] = pid;
    }
    close(go[0]);
    for (int waited = 0; atomic_load(ff_ready) < clients; waited++) {
        if (waited > 30000) fail(1, "only %d of %d fan-in writers opened the FIFO within 30 s", atomic_load(ff_ready), clients);
        if (waited % 200 == 0) ff_check_writers(clients, pids, announced);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    cleanup_objects(); /* every writer holds the FIFO open: the name has done its job */
    close(go[1]);      /* go */
    fanin_cpu_window_start(warmup_ms * 1000000u, duration_ms * 1000000u);
    size_t start = 0, end = 0;
    fanin_edges e = {0}; /* the reader's own counters over the common window */
    for (int ended = 0; ended < clients;) {
        uint32_t len = 0;
        if (end - start >= 4) memcpy(&len, in + start, 4);
        if (len > PIPE_BUF - 4) fail(1, "fan-in fifo: a frame of %u bytes is over PIPE_BUF - 4 = %d: not a whole writer's frame", len, PIPE_BUF - 4);
        if (end - start < 4 || end - start < 4 + (size_t)len) {
            if (start > 0) {
                memmove(in, in + start, end - start);
                end -= start;
                start = 0;
            }
            struct pollfd p = {fd, POLLIN, 0};
            int r = poll(&p, 1, 200);
            if (r < 0 && errno != EINTR) fail_errno("poll", path);
            if (r <= 0) {
                ff_check_writers(clients, pids, announced); /* quiet: a writer that died will never say SINK_END */
                continue;
            }
            ssize_t n = read(fd, in + end, FF_READ_BUFFER - end);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n < 0) fail_errno("read", path);
            if (n == 0) fail(1, "fan-in fifo: every writer closed it before %d of %d said SINK_END", clients - ended, clients);
            end += (size_t)n;
            continue;
        }
        const uint8_t *m = in + start + 4;
        start += 4 + (size_t)len;
        fanin_edges_take(&e);
        if (ctl_opcode(m, len) == CTL_SINK_END) {
            uint64_t w = ctl_arg(m, 1);
            if (w >= 1 && w <= (uint64_t)clients && announced[w - 1] < 0) {
                announced[w - 1] = (int64_t)ctl_arg(m, 0);
                ended++;
            }
            continue;
        }
        uint64_t tag = 0;
        if (len >= PROBE_MIN) memcpy(&tag, m + 8, 8);
        uint64_t w = tag & 0xFFFFFFFFu;
        if (len != ff_size || !probe_verify(m, len) || w < 1 || w > (uint64_t)clients) {
            corrupt[0]++;
            received[0]++;
            continue;
        }
        if (tag & FF_WARM_UP) continue;
        w--;
        received[w]++;
        uint32_t seq;
        memcpy(&seq, m, 4);
        int32_t gap = (int32_t)(seq - (uint32_t)next[w]); /* peer.Integrity */
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
    close(fd);
    cleanup_objects();
    fanin_edges_settle(&e);
    double server_cpu = fanin_cpu_window_end(), clients_cpu = 0;
    uint64_t sent = 0, recv_total = 0, lost = 0, reord = 0, corr = 0;
    double rate = 0, elapsed = 0, min_share = 1, max_share = 0;
    for (int i = 0; i < clients; i++) recv_total += received[i];
    for (int i = 0; i < clients; i++) {
        ff_slot *s = &ff_slots[i];
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
    printf("{\"mechanism\":\"fifo\",\"mode\":\"throughput\",\"size\":%zu,\"count\":%llu", ff_size, (unsigned long long)recv_total);
    printf(",\"p50_us\":null,\"p90_us\":null,\"p99_us\":null,\"p999_us\":null,\"max_us\":null,\"mean_us\":null");
    printf(",\"msgs_per_s\":%.3f,\"mb_per_s\":%.3f,\"elapsed_s\":%.3f", rate, rate * (double)ff_size / 1e6, elapsed);
    fanin_print_cpu(server_cpu, clients_cpu, sent);
    fanin_client_counters sum = {.ok = 1};
    for (int i = 0; i < clients; i++) fanin_client_add(&sum, &ff_slots[i].counted);
    fanin_print_counters_of(pids[0], sum.delta, sum.ok);
    printf(",\"sent\":%llu,\"received\":%llu,\"lost\":%llu,\"reordered\":%llu,\"corrupt\":%llu",
           (unsigned long long)sent, (unsigned long long)recv_total, (unsigned long long)lost, (unsigned long long)reord,
           (unsigned long long)corr);
    printf(",\"clients\":%d,\"min_share\":%.6f,\"max_share\":%.6f,\"params\":\"clients=%d pipe_capacity=%d one FIFO, %d writers,"
           " one write(2) per frame <= PIPE_BUF %d\"}\n",
           clients, min_share, max_share, clients, capacity, clients, PIPE_BUF);
    fflush(stdout);
    if (corr || reord || lost)
        fail(3, "integrity failure: sent %llu, received %llu, lost %llu, reordered %llu, corrupt %llu",
             (unsigned long long)sent, (unsigned long long)recv_total, (unsigned long long)lost,
             (unsigned long long)reord, (unsigned long long)corr);
    return 0;
}
