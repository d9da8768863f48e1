/*
 * Signals: real-time signals queued with sigqueue(3), each carrying 8 bytes in si_value, received
 * with sigwaitinfo(2) while blocked (no handler runs). Both processes block the signals before the
 * fork, so none can arrive unblocked. A benchmark message is exactly one signal on SIGRTMIN+1
 * ("data"): size 8: si_value = u32 seq | u32 CRC32C(seq) << 32; size 4: the seq alone (sival_int,
 * as the Java sigqueue route carries).
 * Control messages (12..60 bytes) travel on SIGRTMIN as a train: one signal with the length, then
 * one per 8 bytes. SIGRTMIN is lower, so a receiver with both pending takes control first; the
 * peer therefore answers SINK_END only once `sent` probes have arrived.
 * Flow control: every 256 data signals received, the receiver sends one credit on SIGRTMIN+2; a
 * sender with 1024 data signals not yet credited waits for credit. That keeps the queue far below
 * RLIMIT_SIGPENDING, which is per user and shared with everything else the user runs.
 * Only signals queued by the other process (si_pid, si_code == SI_QUEUE) are accepted.
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CREDIT_EVERY 256
#define WINDOW 1024

static int sig_ctl, sig_data, sig_credit;
static sigset_t both, ctl_only, credit_only;
static uint64_t data_sent, credit_bytes_granted, data_received;

static size_t sig_max(void) { return 8; }

static void queue(int sig, uint64_t v) {
    union sigval sv;
    memset(&sv, 0, sizeof sv);
    sv.sival_ptr = (void *)(uintptr_t)v;
    while (sigqueue(other_pid, sig, sv) != 0) {
        if (errno == EAGAIN) { /* RLIMIT_SIGPENDING reached (other processes of this user too) */
            sched_yield();
            continue;
        }
        if (errno != EINTR) fail_errno("sigqueue", sig == sig_data ? "data" : sig == sig_ctl ? "control" : "credit");
    }
}

/* Next accepted signal from `set`, with its 8-byte value. */
static int take(const sigset_t *set, uint64_t *value) {
    siginfo_t si;
    for (;;) {
        int s = sigwaitinfo(set, &si);
        if (s < 0) {
            if (errno == EINTR) continue;
            fail_errno("sigwaitinfo", "");
        }
        if (si.si_code != SI_QUEUE || si.si_pid != other_pid) continue; /* not from our peer: ignore */
        *value = (uint64_t)(uintptr_t)si.si_value.sival_ptr;
        return s;
    }
}

static void sig_send(const void *buf, size_t len) {
    if (len <= 8 && len == msg_size) {
        while (data_sent - credit_bytes_granted >= WINDOW) {
            uint64_t v;
            take(&credit_only, &v);
            credit_bytes_granted += CREDIT_EVERY;
        }
        uint64_t v = 0;
        memcpy(&v, buf, len);
        queue(sig_data, v);
        data_sent++;
        return;
    }
    if (len < 12 || len > CONTROL_MAX) fail(1, "a %zu-byte message does not fit a signal (%zu bytes)", len, msg_size);
    queue(sig_ctl, len);
    const uint8_t *p = buf;
    for (size_t off = 0; off < len; off += 8) {
        uint64_t w = 0;
        memcpy(&w, p + off, len - off < 8 ? len - off : 8);
        queue(sig_ctl, w);
    }
}

static ssize_t sig_recv(void *buf, size_t cap) {
    uint64_t v;
    int s = take(&both, &v);
    if (s == sig_data) {
        if (cap < msg_size) fail(1, "receive buffer under %zu bytes", msg_size);
        memcpy(buf, &v, msg_size);
        if (++data_received % CREDIT_EVERY == 0) queue(sig_credit, 0);
        return (ssize_t)msg_size;
    }
    size_t len = (size_t)v;
    if (len > cap || len > CONTROL_MAX) fail(1, "protocol error: control train of %zu bytes", len);
    uint8_t *p = buf;
    for (size_t off = 0; off < len; off += 8) {
        take(&ctl_only, &v);
        memcpy(p + off, &v, len - off < 8 ? len - off : 8);
    }
    return (ssize_t)len;
}

static void sig_setup(size_t size) {
    (void)size;
    sig_ctl = SIGRTMIN;
    sig_data = SIGRTMIN + 1;
    sig_credit = SIGRTMIN + 2;
    sigemptyset(&both);
    sigaddset(&both, sig_ctl);
    sigaddset(&both, sig_data);
    sigemptyset(&ctl_only);
    sigaddset(&ctl_only, sig_ctl);
    sigemptyset(&credit_only);
    sigaddset(&credit_only, sig_credit);
    sigset_t all = both;
    sigaddset(&all, sig_credit);
    if (sigprocmask(SIG_BLOCK, &all, NULL) != 0) fail_errno("sigprocmask", "SIG_BLOCK");
    snprintf(sig_queue.params, sizeof sig_queue.params, "data=SIGRTMIN+1(%d) control=SIGRTMIN(%d) credit=SIGRTMIN+2 every %d window=%d",
             sig_data, sig_ctl, CREDIT_EVERY, WINDOW);
}

static void nothing_role(int role) { (void)role; }
static void nothing(void) {}

transport sig_queue = {"signal", sig_max, 0, sig_setup, nothing_role, nothing, sig_send, sig_recv, NULL, ""};
