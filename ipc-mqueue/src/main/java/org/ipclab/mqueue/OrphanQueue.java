package org.ipclab.mqueue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.ipclab.core.Names;

/**
 * A process that creates a queue, puts three messages in it and dies without removing it — what a
 * crash does. Used by {@code ipc demo mqueue} and the tests to show kernel persistence and
 * {@code ipc clean}. Prints the queue's name (POSIX) or msqid (System V) on stdout, then halts
 * without running shutdown hooks.
 *
 * <pre>java -cp ... org.ipclab.mqueue.OrphanQueue posix|sysv</pre>
 */
public final class OrphanQueue {
    private OrphanQueue() {
    }

    public static void main(String[] args) throws Exception {
        boolean sysv = args.length > 0 && args[0].equals("sysv");
        if (sysv) {
            SysvQueue q = SysvQueue.create();
            ByteBuffer b = ByteBuffer.allocateDirect(64).order(java.nio.ByteOrder.nativeOrder());
            long address = Native.baseAddress(b);
            for (int i = 1; i <= 3; i++) {
                b.clear();
                b.putLong(0, SysvChannel.DATA);
                byte[] text = ("message " + i).getBytes(StandardCharsets.US_ASCII);
                b.position(8);
                b.put(text);
                if (Native.libc().msgsnd(q.msqid, address, text.length, Native.IPC_NOWAIT) != 0) {
                    throw new IllegalStateException("msgsnd: errno " + Native.errno());
                }
            }
            System.out.println(q.msqid);
        } else {
            String name = "/" + Names.unique("mq-orphan");
            PosixQueue q = PosixQueue.create(name, 10, 128);
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            long address = Native.baseAddress(b);
            for (int i = 1; i <= 3; i++) {
                byte[] text = ("message " + i).getBytes(StandardCharsets.US_ASCII);
                b.clear();
                b.put(text);
                jnr.ffi.Pointer ts = Native.allocate(16);
                if (Native.libc().mq_timedsend(q.mqd, address, text.length, i, ts) != 0) {
                    throw new IllegalStateException("mq_timedsend: errno " + Native.errno());
                }
            }
            System.out.println(name);
        }
        System.out.flush();
        Runtime.getRuntime().halt(0); // no shutdown hooks, no mq_unlink / IPC_RMID: the queue is orphaned
    }
}
