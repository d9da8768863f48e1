/*
 * Message-preserving sockets: unix-dgram, unix-seqpacket, udp (loopback). One send(2) per message,
 * one recv(2) per message, no framing: the kernel keeps the boundaries.
 *   unix-dgram: two sockets bound to paths in a private 0700 directory and connected to each other.
 *     Reliable: a full receive queue blocks the sender. SO_SNDBUF is raised to fit the message.
 *   unix-seqpacket: listen/accept like a stream socket, boundaries kept, reliable.
 *   udp: two sockets on 127.0.0.1, connected to each other; a full receive buffer drops datagrams
 *     (reported as lost). Max 65507 bytes.
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/time.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fd = -1;
static int other_fd = -1, listen_fd = -1; /* before attach: the peer's socket / the listener */

static void dgram_send(const void *buf, size_t len) {
    for (;;) {
        ssize_t n = send(fd, buf, len, 0);
        if (n == (ssize_t)len) return;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ENOBUFS) continue; /* udp: transient, try again */
        if (n >= 0) fail(1, "short datagram send: %zd of %zu bytes", n, len);
        fail_errno("send", "message");
    }
}

static ssize_t dgram_recv(void *buf, size_t cap) {
    for (;;) {
        ssize_t n = recv(fd, buf, cap, MSG_TRUNC);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno("recv", "message");
        if ((size_t)n > cap) fail(1, "protocol error: a %zd-byte message is over the %zu-byte buffer", n, cap);
        if (n == 0 && listen_fd == -2) return RECV_EOF; /* seqpacket: orderly shutdown */
        return n;
    }
}

/* udp: a blocking recv bounded by SO_RCVTIMEO, one system call per message as on Java's FFM route
 * (a poll before the recv would be a second one); the option is set again only when the timeout
 * changes. A timeout (EAGAIN) returns -1: the datagram is counted lost. */
static ssize_t dgram_recv_within(void *buf, size_t cap, int timeout_ms) {
    static int set_ms = -1;
    if (timeout_ms != set_ms) {
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000L};
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) fail_errno("setsockopt", "SO_RCVTIMEO");
        set_ms = timeout_ms;
    }
    for (;;) {
        ssize_t n = recv(fd, buf, cap, MSG_TRUNC);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -1;
        if (n < 0) fail_errno("recv", "message");
        if ((size_t)n > cap) fail(1, "protocol error: a %zd-byte message is over the %zu-byte buffer", n, cap);
        return n;
    }
}

static void buffer_sizes(int s, size_t size, transport *t) {
    int want = (int)(size + 4096), snd = 0, rcv = 0;
    socklen_t l = sizeof snd;
    getsockopt(s, SOL_SOCKET, SO_SNDBUF, &snd, &l);
    if (snd < want) setsockopt(s, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
    l = sizeof rcv;
    getsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, &l);
    if (rcv < want) setsockopt(s, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    l = sizeof snd;
    getsockopt(s, SOL_SOCKET, SO_SNDBUF, &snd, &l);
    l = sizeof rcv;
    getsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, &l);
    snprintf(t->params, sizeof t->params, "so_sndbuf=%d so_rcvbuf=%d", snd, rcv);
}

static void pair_attach(int role) {
    if (role == ROLE_RUNNER) {
        close(other_fd);
    } else {
        close(fd);
        fd = other_fd;
    }
}

static void nothing(void) {}
static void unlink_all(void) { cleanup_objects(); }

/* ------------------------------------------------------------ unix-dgram */

static char dir[80]; /* leaves room for "/name" in sun_path (108) */

/* A Unix datagram must fit the sender's SO_SNDBUF, which setsockopt caps at 2 x net.core.wmem_max. */
static size_t unix_dgram_max(void) {
    long wmem = 212992;
    FILE *f = fopen("/proc/sys/net/core/wmem_max", "r");
    if (f) {
        if (fscanf(f, "%ld", &wmem) != 1) wmem = 212992;
        fclose(f);
    }
    size_t max = (size_t)wmem * 2 - 4096;
    return max < MAX_MESSAGE ? max : MAX_MESSAGE;
}

static int bound_unix(int type, const char *name, struct sockaddr_un *a) {
    int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (s < 0) fail_errno("socket", "AF_UNIX");
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, name);
    if (bind(s, (struct sockaddr *)a, sizeof *a) != 0) fail_errno("bind", a->sun_path);
    register_path(a->sun_path);
    chmod(a->sun_path, 0600);
    return s;
}

static void unix_dgram_setup(size_t size) {
    struct sockaddr_un a, b;
    private_dir(dir, sizeof dir, "dgram");
    fd = bound_unix(SOCK_DGRAM, "runner", &a);
    other_fd = bound_unix(SOCK_DGRAM, "peer", &b);
    if (connect(fd, (struct sockaddr *)&b, sizeof b) != 0) fail_errno("connect", b.sun_path);
    if (connect(other_fd, (struct sockaddr *)&a, sizeof a) != 0) fail_errno("connect", a.sun_path);
    buffer_sizes(fd, size, &dgram_unix);
    buffer_sizes(other_fd, size, &dgram_unix);
}

transport dgram_unix = {"unix-dgram", unix_dgram_max, 0, unix_dgram_setup, pair_attach, unlink_all, dgram_send, dgram_recv, NULL, ""};

/* ------------------------------------------------------------ unix-seqpacket */

static struct sockaddr_un sp_addr;

static void seqpacket_setup(size_t size) {
    private_dir(dir, sizeof dir, "seqpacket");
    listen_fd = bound_unix(SOCK_SEQPACKET, "sock", &sp_addr);
    if (listen(listen_fd, 1) != 0) fail_errno("listen", sp_addr.sun_path);
    (void)size;
}

static void seqpacket_attach(int role) {
    if (role == ROLE_RUNNER) {
        while ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
            if (errno != EINTR) fail_errno("accept4", sp_addr.sun_path);
    } else {
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0) fail_errno("socket", "AF_UNIX SOCK_SEQPACKET");
        if (connect(fd, (struct sockaddr *)&sp_addr, sizeof sp_addr) != 0) fail_errno("connect", sp_addr.sun_path);
    }
    close(listen_fd);
    listen_fd = -2; /* from now on a 0-byte read is the peer's shutdown */
    buffer_sizes(fd, msg_size, &dgram_seqpacket);
}

transport dgram_seqpacket = {"unix-seqpacket", unix_dgram_max, 0, seqpacket_setup, seqpacket_attach, unlink_all, dgram_send, dgram_recv, NULL, ""};

/* ------------------------------------------------------------ udp */

static size_t udp_max(void) { return 65507; }

static int bound_udp(struct sockaddr_in *a) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) fail_errno("socket", "AF_INET SOCK_DGRAM");
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof *a;
    if (bind(s, (struct sockaddr *)a, sizeof *a) != 0) fail_errno("bind", "127.0.0.1:0");
    if (getsockname(s, (struct sockaddr *)a, &l) != 0) fail_errno("getsockname", "");
    return s;
}

static void udp_setup(size_t size) {
    struct sockaddr_in a, b;
    fd = bound_udp(&a);
    other_fd = bound_udp(&b);
    if (connect(fd, (struct sockaddr *)&b, sizeof b) != 0) fail_errno("connect", "udp");
    if (connect(other_fd, (struct sockaddr *)&a, sizeof a) != 0) fail_errno("connect", "udp");
    buffer_sizes(fd, size, &dgram_udp);
    buffer_sizes(other_fd, size, &dgram_udp);
}

transport dgram_udp = {"udp", udp_max, 1, udp_setup, pair_attach, nothing, dgram_send, dgram_recv, dgram_recv_within, ""};
