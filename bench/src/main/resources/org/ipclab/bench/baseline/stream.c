/*
 * Byte-stream mechanisms: pipe, fifo, unix (stream socket), tcp (loopback, TCP_NODELAY).
 * Each message travels as an ipclab frame, [u32 little-endian length][payload] (ipc-core Framing):
 * one writev(2) per message; reads fill a buffer and cut frames out of it, so a small frame
 * usually costs one read(2), as in ipc-core's StreamChannel.
 */
#define _GNU_SOURCE
#include "ipclab_native.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static int rfd = -1, wfd = -1;
static uint8_t *in;
static size_t in_cap, in_start, in_end;

static size_t stream_max(void) { return MAX_MESSAGE; }

static void buffers(size_t size) {
    in_cap = 2 * (size + 4) > 65536 ? 2 * (size + 4) : 65536;
    in = malloc(in_cap);
    if (!in) fail_errno("malloc", "read buffer");
}

static void stream_send(const void *buf, size_t len) {
    uint32_t header = (uint32_t)len;
    struct iovec iov[2] = {{&header, 4}, {(void *)buf, len}};
    size_t total = 4 + len;
    int i = 0;
    while (total > 0) {
        ssize_t n = writev(wfd, iov + i, 2 - i);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("writev", "frame");
        }
        total -= (size_t)n;
        while (n > 0 && i < 2) { /* advance past what was written */
            size_t k = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;
            iov[i].iov_base = (uint8_t *)iov[i].iov_base + k;
            iov[i].iov_len -= k;
            n -= (ssize_t)k;
            if (iov[i].iov_len == 0) i++;
        }
    }
}

/* Makes at least `need` bytes available from in_start; 0 at end of stream. */
static int fill(size_t need) {
    while (in_end - in_start < need) {
        if (in_start > 0 && in_cap - in_start < need) { /* compact */
            memmove(in, in + in_start, in_end - in_start);
            in_end -= in_start;
            in_start = 0;
        }
        ssize_t n = read(rfd, in + in_end, in_cap - in_end);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("read", "frame");
        }
        if (n == 0) {
            if (in_end != in_start) fail(1, "stream ended in the middle of a frame");
            return 0;
        }
        in_end += (size_t)n;
    }
    return 1;
}

static ssize_t stream_recv(void *buf, size_t cap) {
    if (!fill(4)) return RECV_EOF;
    uint32_t len;
    memcpy(&len, in + in_start, 4);
    if (len > cap || len > in_cap - 4)
        fail(1, "protocol error: frame length %u is over the %zu-byte limit", len, cap);
    if (!fill(4 + (size_t)len)) fail(1, "stream ended in the middle of a frame");
    memcpy(buf, in + in_start + 4, len);
    in_start += 4 + (size_t)len;
    if (in_start == in_end) in_start = in_end = 0;
    return len;
}

static void nothing(void) {}

/* ------------------------------------------------------------ pipe */

static int p_down[2], p_up[2]; /* runner -> peer, peer -> runner */

static void pipe_setup(size_t size) {
    buffers(size);
    if (pipe2(p_down, O_CLOEXEC) != 0 || pipe2(p_up, O_CLOEXEC) != 0) fail_errno("pipe2", "");
    snprintf(stream_pipe.params, sizeof stream_pipe.params, "pipe_capacity=%d", fcntl(p_down[1], F_GETPIPE_SZ));
}

static void pipe_attach(int role) {
    if (role == ROLE_RUNNER) {
        wfd = p_down[1];
        rfd = p_up[0];
        close(p_down[0]);
        close(p_up[1]);
    } else {
        rfd = p_down[0];
        wfd = p_up[1];
        close(p_down[1]);
        close(p_up[0]);
    }
}

transport stream_pipe = {"pipe", stream_max, 0, pipe_setup, pipe_attach, nothing, stream_send, stream_recv, NULL, ""};

/* ------------------------------------------------------------ fifo */

static char f_dir[128], f_down[160], f_up[160];

static void fifo_setup(size_t size) {
    buffers(size);
    private_dir(f_dir, sizeof f_dir, "fifo");
    snprintf(f_down, sizeof f_down, "%s/down", f_dir);
    snprintf(f_up, sizeof f_up, "%s/up", f_dir);
    if (mkfifo(f_down, 0600) != 0) fail_errno("mkfifo", f_down);
    register_path(f_down);
    if (mkfifo(f_up, 0600) != 0) fail_errno("mkfifo", f_up);
    register_path(f_up);
}

/* Both sides open "down" first: each open blocks until the other end is opened too. */
static void fifo_attach(int role) {
    if (role == ROLE_RUNNER) {
        if ((wfd = open(f_down, O_WRONLY | O_CLOEXEC)) < 0) fail_errno("open", f_down);
        if ((rfd = open(f_up, O_RDONLY | O_CLOEXEC)) < 0) fail_errno("open", f_up);
        snprintf(stream_fifo.params, sizeof stream_fifo.params, "pipe_capacity=%d", fcntl(wfd, F_GETPIPE_SZ));
    } else {
        if ((rfd = open(f_down, O_RDONLY | O_CLOEXEC)) < 0) fail_errno("open", f_down);
        if ((wfd = open(f_up, O_WRONLY | O_CLOEXEC)) < 0) fail_errno("open", f_up);
    }
}

static void fifo_connected(void) { cleanup_objects(); }

transport stream_fifo = {"fifo", stream_max, 0, fifo_setup, fifo_attach, fifo_connected, stream_send, stream_recv, NULL, ""};

/* ------------------------------------------------------------ unix stream and tcp */

static int listen_fd = -1;
static char u_dir[80]; /* leaves room for "/sock" in sun_path (108) */
static struct sockaddr_un u_addr;
static struct sockaddr_in t_addr;

static void sock_params(transport *t, int fd) {
    int snd = 0, rcv = 0;
    socklen_t l = sizeof snd;
    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &l);
    l = sizeof rcv;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &l);
    snprintf(t->params, sizeof t->params, "so_sndbuf=%d so_rcvbuf=%d", snd, rcv);
}

static void unix_setup(size_t size) {
    buffers(size);
    private_dir(u_dir, sizeof u_dir, "unix");
    memset(&u_addr, 0, sizeof u_addr);
    u_addr.sun_family = AF_UNIX;
    snprintf(u_addr.sun_path, sizeof u_addr.sun_path, "%s/sock", u_dir);
    if ((listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) fail_errno("socket", "AF_UNIX");
    if (bind(listen_fd, (struct sockaddr *)&u_addr, sizeof u_addr) != 0) fail_errno("bind", u_addr.sun_path);
    register_path(u_addr.sun_path);
    chmod(u_addr.sun_path, 0600);
    if (listen(listen_fd, 1) != 0) fail_errno("listen", u_addr.sun_path);
}

static void tcp_setup(size_t size) {
    buffers(size);
    memset(&t_addr, 0, sizeof t_addr);
    t_addr.sin_family = AF_INET;
    t_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof t_addr;
    if ((listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) fail_errno("socket", "AF_INET");
    if (bind(listen_fd, (struct sockaddr *)&t_addr, sizeof t_addr) != 0) fail_errno("bind", "127.0.0.1:0");
    if (listen(listen_fd, 1) != 0) fail_errno("listen", "127.0.0.1");
    if (getsockname(listen_fd, (struct sockaddr *)&t_addr, &len) != 0) fail_errno("getsockname", "");
}

static void connected_socket(int fd, int tcp) {
    if (tcp) {
        int one = 1;
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) fail_errno("setsockopt", "TCP_NODELAY");
    }
    rfd = wfd = fd;
}

static void sock_attach(int role, struct sockaddr *addr, socklen_t len, int tcp, transport *t) {
    if (role == ROLE_RUNNER) {
        int fd;
        while ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
            if (errno != EINTR) fail_errno("accept4", t->name);
        close(listen_fd);
        connected_socket(fd, tcp);
        sock_params(t, fd);
        if (tcp) strncat(t->params, " tcp_nodelay=1", sizeof t->params - strlen(t->params) - 1);
    } else {
        close(listen_fd);
        int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail_errno("socket", t->name);
        if (connect(fd, addr, len) != 0) fail_errno("connect", t->name);
        connected_socket(fd, tcp);
    }
}

static void unix_attach(int role) { sock_attach(role, (struct sockaddr *)&u_addr, sizeof u_addr, 0, &stream_unix); }
static void tcp_attach(int role) { sock_attach(role, (struct sockaddr *)&t_addr, sizeof t_addr, 1, &stream_tcp); }
static void unix_connected(void) { cleanup_objects(); }

transport stream_unix = {"unix", stream_max, 0, unix_setup, unix_attach, unix_connected, stream_send, stream_recv, NULL, ""};
transport stream_tcp = {"tcp", stream_max, 0, tcp_setup, tcp_attach, nothing, stream_send, stream_recv, NULL, ""};
