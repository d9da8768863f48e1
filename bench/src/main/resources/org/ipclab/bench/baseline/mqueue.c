/*
 * Message queues: POSIX (mq_open, one queue per direction, O_CREAT|O_EXCL 0600, mq_maxmsg 10,
 * mq_msgsize = max(size, 64): within the defaults fs.mqueue.msg_max=10, msgsize_max=8192) and
 * System V (msgget(IPC_PRIVATE, 0600), one queue per direction, mtype 1; limits kernel.msgmax
 * and kernel.msgmnb). The peer inherits the descriptors/ids through fork. POSIX queue names are
 * unlinked once the peer said HELLO; System V queues have no name and are removed
 * (IPC_RMID) at exit and on SIGINT/SIGTERM/SIGHUP — a SIGKILLed runner leaves them behind
 * (`ipcs -q`, owner = you, mode 600).
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <unistd.h>

static long read_limit(const char *path, long fallback) {
    long v = fallback;
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%ld", &v) != 1) v = fallback;
        fclose(f);
    }
    return v;
}

static void nothing(void) {}

/* ------------------------------------------------------------ POSIX */

static mqd_t q_down = (mqd_t)-1, q_up = (mqd_t)-1, q_out, q_in;
static char n_down[128], n_up[128];

static size_t posix_max(void) { return (size_t)read_limit("/proc/sys/fs/mqueue/msgsize_max", 8192); }

static mqd_t open_queue(char *name, size_t cap, const char *purpose, size_t size) {
    char base[100];
    unique_name(base, sizeof base, purpose);
    snprintf(name, cap, "/%s", base);
    struct mq_attr a;
    memset(&a, 0, sizeof a);
    a.mq_maxmsg = 10;
    a.mq_msgsize = (long)(size > 64 ? size : 64);
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &a);
    if (q == (mqd_t)-1) fail_errno("mq_open", name);
    register_posix_mq(name);
    return q;
}

static void posix_setup(size_t size) {
    q_down = open_queue(n_down, sizeof n_down, "down", size);
    q_up = open_queue(n_up, sizeof n_up, "up", size);
    struct mq_attr a;
    mq_getattr(q_down, &a);
    snprintf(mq_posix.params, sizeof mq_posix.params, "mq_maxmsg=%ld mq_msgsize=%ld", a.mq_maxmsg, a.mq_msgsize);
}

static void posix_attach(int role) {
    q_out = role == ROLE_RUNNER ? q_down : q_up;
    q_in = role == ROLE_RUNNER ? q_up : q_down;
}

static void posix_send(const void *buf, size_t len) {
    while (mq_send(q_out, buf, len, 0) != 0)
        if (errno != EINTR) fail_errno("mq_send", "");
}

static ssize_t posix_recv(void *buf, size_t cap) {
    static char *big;
    static size_t big_cap;
    struct mq_attr a;
    if (!big) { /* mq_receive wants a buffer of at least mq_msgsize */
        if (mq_getattr(q_in, &a) != 0) fail_errno("mq_getattr", "");
        big_cap = (size_t)a.mq_msgsize;
        big = malloc(big_cap);
        if (!big) fail_errno("malloc", "");
    }
    char *target = cap >= big_cap ? buf : big;
    for (;;) {
        ssize_t n = mq_receive(q_in, target, big_cap, NULL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno("mq_receive", "");
        if ((size_t)n > cap) fail(1, "protocol error: a %zd-byte message is over the %zu-byte buffer", n, cap);
        if (target != buf) memcpy(buf, target, (size_t)n);
        return n;
    }
}

static void posix_connected(void) { cleanup_objects(); }

transport mq_posix = {"mqueue", posix_max, 0, posix_setup, posix_attach, posix_connected, posix_send, posix_recv, NULL, ""};

/* ------------------------------------------------------------ System V */

static int id_down = -1, id_up = -1, id_out, id_in;
static struct msgbuf_ipclab {
    long mtype;
    char text[];
} *m_out, *m_in;
static size_t m_cap;

static size_t sysv_max(void) { return (size_t)read_limit("/proc/sys/kernel/msgmax", 8192); }

static void sysv_setup(size_t size) {
    if ((id_down = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) < 0) fail_errno("msgget", "IPC_PRIVATE");
    register_sysv_mq(id_down);
    if ((id_up = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) < 0) fail_errno("msgget", "IPC_PRIVATE");
    register_sysv_mq(id_up);
    m_cap = size > 64 ? size : 64;
    m_out = malloc(sizeof(long) + m_cap);
    m_in = malloc(sizeof(long) + m_cap);
    if (!m_out || !m_in) fail_errno("malloc", "");
    struct msqid_ds ds;
    msgctl(id_down, IPC_STAT, &ds);
    snprintf(mq_sysv.params, sizeof mq_sysv.params, "msg_qbytes=%lu msgmax=%ld", (unsigned long)ds.msg_qbytes,
             read_limit("/proc/sys/kernel/msgmax", -1));
}

static void sysv_attach(int role) {
    id_out = role == ROLE_RUNNER ? id_down : id_up;
    id_in = role == ROLE_RUNNER ? id_up : id_down;
}

static void sysv_send(const void *buf, size_t len) {
    m_out->mtype = 1;
    memcpy(m_out->text, buf, len);
    while (msgsnd(id_out, m_out, len, 0) != 0)
        if (errno != EINTR) fail_errno("msgsnd", "");
}

static ssize_t sysv_recv(void *buf, size_t cap) {
    for (;;) {
        ssize_t n = msgrcv(id_in, m_in, m_cap, 0, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EIDRM) return RECV_EOF;
        if (n < 0) fail_errno("msgrcv", "");
        if ((size_t)n > cap) fail(1, "protocol error: a %zd-byte message is over the %zu-byte buffer", n, cap);
        memcpy(buf, m_in->text, (size_t)n);
        return n;
    }
}

transport mq_sysv = {"sysv-mqueue", sysv_max, 0, sysv_setup, sysv_attach, nothing, sysv_send, sysv_recv, NULL, ""};
