package org.ipclab.mqueue;

import jnr.ffi.Pointer;

/** The kernel's queue limits, read where the kernel publishes them. */
final class Limits {
    private Limits() {
    }

    /** Soft RLIMIT_MSGQUEUE in bytes, -1 when unlimited or unknown. */
    static long rlimitMsgqueue() {
        try {
            Pointer r = Native.allocate(16);
            if (Native.libc().getrlimit(Native.RLIMIT_MSGQUEUE, r) != 0) return -1;
            return r.getLong(0);
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /**
     * What one queue charges against RLIMIT_MSGQUEUE, as ipc/mqueue.c computes it on 64-bit
     * kernels: {@code maxmsg * sizeof(struct msg_msg *) + min(maxmsg, 131072) * sizeof(struct posix_msg_tree_node) + maxmsg * msgsize}
     * — roughly maxmsg × (msgsize + 8 + 40) bytes.
     */
    static long queueBytes(long maxmsg, long msgsize) {
        return maxmsg * 8 + Math.min(maxmsg, 131072) * 40 + maxmsg * msgsize;
    }
}
