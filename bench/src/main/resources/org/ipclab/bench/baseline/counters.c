/*
 * The kernel's own counters for the runner and its forked peer over the measured phase, printed
 * in the result line as "counters":{...} (the Java side reads them into the same row as its own):
 *   - perf_event_open(2) per process, off until the phase begins and off again when it ends:
 *     the raw_syscalls:sys_enter tracepoint (every system call), context switches, CPU migrations,
 *     page faults. Software events only (a VM has no hardware counters). Needs root or
 *     kernel.perf_event_paranoid <= -1 for the tracepoint, and tracefs for its id.
 *   - /proc/PID/task/PID/{status,stat,schedstat,io} before and after (each process has one thread).
 * A counter the kernel would not give is printed as a string saying why, never as 0.
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { C_SYSCALLS, C_CTX, C_MIGRATIONS, C_FAULTS, N_PERF };
static const char *PERF_NAMES[N_PERF] = {"syscalls", "context_switches", "cpu_migrations", "page_faults"};
enum { P_VOL, P_INVOL, P_MINFLT, P_MAJFLT, P_RUN, P_WAIT, P_SYSCR, P_SYSCW, P_RCHAR, P_WCHAR, N_PROC };
static const char *PROC_NAMES[N_PROC] = {"ctx_voluntary", "ctx_involuntary", "minor_faults", "major_faults", "run_ns",
                                         "wait_ns", "syscr", "syscw", "rchar", "wchar"};

typedef struct {
    pid_t pid;
    int fd[N_PERF];
    long long perf[N_PERF];
    long long before[N_PROC], after[N_PROC];
    char why[N_PROC][160]; /* non-empty: this /proc counter could not be read */
    char cpus[64];
    int processor;
} watched;

static watched procs[2]; /* 0 runner, 1 peer */
static char perf_why[160];
static int counting;

static long perf_open(struct perf_event_attr *a, pid_t pid, int group) {
    return syscall(SYS_perf_event_open, a, pid, -1, group, 0);
}

static int tracepoint_id(void) {
    const char *paths[] = {"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
                           "/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id"};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(paths[i], "r");
        if (!f) continue;
        int id = -1;
        if (fscanf(f, "%d", &id) != 1) id = -1;
        fclose(f);
        if (id >= 0) return id;
    }
    return -1;
}

void counters_open(pid_t runner, pid_t peer) {
    procs[0].pid = runner;
    procs[1].pid = peer;
    int tp = tracepoint_id();
    if (tp < 0) {
        snprintf(perf_why, sizeof perf_why, "no raw_syscalls:sys_enter id under /sys/kernel/tracing (tracefs not mounted?)");
        return;
    }
    for (int p = 0; p < 2; p++) {
        for (int e = 0; e < N_PERF; e++) procs[p].fd[e] = -1;
        for (int e = 0; e < N_PERF; e++) {
            struct perf_event_attr a;
            memset(&a, 0, sizeof a);
            a.size = sizeof a;
            a.disabled = e == 0; /* the group follows its leader */
            a.exclude_hv = 1;
            /* The runner's open-loop sender thread starts later: inherit counts it with the runner.
             * (The /proc figures stay those of the main thread: /proc/PID/task/PID.) */
            a.inherit = p == 0;
            if (e == C_SYSCALLS) {
                a.type = PERF_TYPE_TRACEPOINT;
                a.config = (unsigned)tp;
            } else {
                a.type = PERF_TYPE_SOFTWARE;
                a.config = e == C_CTX ? PERF_COUNT_SW_CONTEXT_SWITCHES
                         : e == C_MIGRATIONS ? PERF_COUNT_SW_CPU_MIGRATIONS : PERF_COUNT_SW_PAGE_FAULTS;
            }
            long fd = perf_open(&a, procs[p].pid, e == 0 ? -1 : procs[p].fd[0]);
            if (fd < 0) {
                snprintf(perf_why, sizeof perf_why, "perf_event_open(%s, pid %d) failed: %s (needs root or kernel.perf_event_paranoid <= -1)",
                         PERF_NAMES[e], (int)procs[p].pid, strerror(errno));
                for (int q = 0; q <= p; q++)
                    for (int k = 0; k < N_PERF; k++)
                        if (procs[q].fd[k] >= 0) { close(procs[q].fd[k]); procs[q].fd[k] = -1; }
                return;
            }
            procs[p].fd[e] = (int)fd;
        }
    }
    counting = 1;
}

static int read_file(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, cap - 1);
    int e = errno;
    close(fd);
    if (n < 0) { errno = e; return -1; }
    buf[n] = 0;
    return 0;
}

static long long field(const char *text, const char *key) {
    const char *p = strstr(text, key);
    return p ? atoll(p + strlen(key)) : -1;
}

static void sample(watched *w, long long *v, int last) {
    char path[64], buf[4096];
    int pid = (int)w->pid;
    snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, pid);
    if (read_file(path, buf, sizeof buf) == 0) {
        v[P_VOL] = field(buf, "\nvoluntary_ctxt_switches:");
        v[P_INVOL] = field(buf, "\nnonvoluntary_ctxt_switches:");
        const char *c = strstr(buf, "Cpus_allowed_list:");
        if (last && c) sscanf(c + 18, " %63s", w->cpus);
    } else {
        snprintf(w->why[P_VOL], sizeof w->why[0], "%s: %s", path, strerror(errno));
        strcpy(w->why[P_INVOL], w->why[P_VOL]);
    }
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, pid);
    if (read_file(path, buf, sizeof buf) == 0 && strrchr(buf, ')')) {
        /* fields after the name: 3 state ... 10 minflt, 12 majflt, 39 processor */
        char *s = strrchr(buf, ')') + 2;
        long long f[40] = {0};
        int n = 3;
        for (char *tok = strtok(s, " "); tok && n < 40; tok = strtok(NULL, " "), n++) f[n] = atoll(tok);
        v[P_MINFLT] = f[10];
        v[P_MAJFLT] = f[12];
        if (last) w->processor = n > 39 ? (int)f[39] : -1;
    } else {
        snprintf(w->why[P_MINFLT], sizeof w->why[0], "%s: %s", path, strerror(errno));
        strcpy(w->why[P_MAJFLT], w->why[P_MINFLT]);
    }
    snprintf(path, sizeof path, "/proc/%d/task/%d/schedstat", pid, pid);
    if (read_file(path, buf, sizeof buf) != 0 || sscanf(buf, "%lld %lld", &v[P_RUN], &v[P_WAIT]) != 2) {
        snprintf(w->why[P_RUN], sizeof w->why[0], "%s: %s", path, strerror(errno));
        strcpy(w->why[P_WAIT], w->why[P_RUN]);
    }
    snprintf(path, sizeof path, "/proc/%d/task/%d/io", pid, pid);
    if (read_file(path, buf, sizeof buf) == 0) {
        v[P_RCHAR] = field(buf, "rchar:");
        v[P_WCHAR] = field(buf, "wchar:");
        v[P_SYSCR] = field(buf, "syscr:");
        v[P_SYSCW] = field(buf, "syscw:");
    } else {
        snprintf(w->why[P_SYSCR], sizeof w->why[0], "%s: %s", path, strerror(errno));
        for (int k = P_SYSCW; k <= P_WCHAR; k++) strcpy(w->why[k], w->why[P_SYSCR]);
    }
}

/* /proc first, then perf on: the reads of /proc are not counted as the mechanism's calls. */
void counters_begin(void) {
    for (int p = 0; p < 2; p++) sample(&procs[p], procs[p].before, 0);
    if (counting)
        for (int p = 0; p < 2; p++) ioctl(procs[p].fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void counters_end(void) {
    if (counting) {
        for (int p = 0; p < 2; p++) ioctl(procs[p].fd[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
        for (int p = 0; p < 2; p++)
            for (int e = 0; e < N_PERF; e++) {
                long long v = 0;
                if (read(procs[p].fd[e], &v, sizeof v) != sizeof v) v = -1;
                procs[p].perf[e] = v;
                close(procs[p].fd[e]);
            }
    }
    for (int p = 0; p < 2; p++) sample(&procs[p], procs[p].after, 1);
}

static void print_string(const char *s) {
    putchar('"');
    for (; *s; s++)
        if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20) putchar(*s);
    putchar('"');
}

/* ,"counters":{"perf":null|"why","runner":{...},"peer":{...}}: numbers are totals over the phase. */
void counters_print(void) {
    printf(",\"counters\":{\"perf\":");
    if (counting) printf("null");
    else print_string(perf_why[0] ? perf_why : "perf_event_open was not tried");
    for (int p = 0; p < 2; p++) {
        watched *w = &procs[p];
        printf(",\"%s\":{\"pid\":%d,\"cpus_allowed\":", p == 0 ? "runner" : "peer", (int)w->pid);
        print_string(w->cpus);
        printf(",\"ran_on\":%d", w->processor);
        for (int e = 0; e < N_PERF; e++) {
            printf(",\"%s\":", PERF_NAMES[e]);
            if (counting && w->perf[e] >= 0) printf("%lld", w->perf[e]);
            else print_string(counting ? "read(perf fd) failed" : perf_why);
        }
        for (int k = 0; k < N_PROC; k++) {
            printf(",\"%s\":", PROC_NAMES[k]);
            if (w->why[k][0]) print_string(w->why[k]);
            else if (w->before[k] < 0 || w->after[k] < 0) print_string("the field is missing from /proc");
            else printf("%lld", w->after[k] - w->before[k]);
        }
        putchar('}');
    }
    putchar('}');
}

int counters_thread_sample(long long out[FANIN_COUNTERS]) {
    char path[64], buf[4096];
    int tid = (int)syscall(SYS_gettid), ok = 1;
    snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
    if (read_file(path, buf, sizeof buf) == 0) {
        out[0] = field(buf, "\nvoluntary_ctxt_switches:");
        out[1] = field(buf, "\nnonvoluntary_ctxt_switches:");
        ok = out[0] >= 0 && out[1] >= 0;
    } else {
        ok = 0;
    }
    snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", tid);
    if (read_file(path, buf, sizeof buf) != 0 || sscanf(buf, "%lld %lld", &out[2], &out[3]) != 2) ok = 0;
    return ok;
}

void counters_print_fanin(pid_t server, const long long s[FANIN_COUNTERS], int s_ok, pid_t client,
                          const long long c[FANIN_COUNTERS], int c_ok) {
    static const int read_here[FANIN_COUNTERS] = {P_VOL, P_INVOL, P_RUN, P_WAIT};
    char buf[4096], cpus[64] = "";
    if (read_file("/proc/self/status", buf, sizeof buf) == 0) {
        const char *a = strstr(buf, "Cpus_allowed_list:");
        if (a) sscanf(a + 18, " %63s", cpus); /* the clients inherit it */
    }
    printf(",\"counters\":{\"perf\":");
    print_string("not on fan-in rows: each working thread reads its own /proc status and schedstat at its window's edges");
    for (int p = 0; p < 2; p++) {
        const long long *v = p == 0 ? s : c;
        int ok = p == 0 ? s_ok : c_ok;
        printf(",\"%s\":{\"pid\":%d,\"cpus_allowed\":", p == 0 ? "runner" : "peer", (int)(p == 0 ? server : client));
        print_string(cpus);
        printf(",\"ran_on\":-1");
        for (int e = 0; e < N_PERF; e++) {
            printf(",\"%s\":", PERF_NAMES[e]);
            print_string("no perf on fan-in rows");
        }
        for (int k = 0; k < N_PROC; k++) {
            int i = -1;
            for (int j = 0; j < FANIN_COUNTERS; j++)
                if (read_here[j] == k) i = j;
            printf(",\"%s\":", PROC_NAMES[k]);
            if (i < 0) print_string("not read on fan-in rows: only status and schedstat");
            else if (!ok) print_string("a working thread could not read its /proc/self/task/TID status or schedstat");
            else printf("%lld", v[i]);
        }
        putchar('}');
    }
    putchar('}');
}
