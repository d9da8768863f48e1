package org.ipclab.mqueue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;

import org.ipclab.core.IpcException;
import org.ipclab.core.Leftover;
import org.ipclab.core.Names;
import org.ipclab.core.NativeException;
import org.ipclab.core.Sweeper;
import org.ipclab.core.Users;

/**
 * Finds the message queues a crashed run left behind, for {@code ipc clean}, with their owners.
 *
 * <ul>
 * <li>POSIX queues live in a kernel namespace, listable only through an {@code mqueue} file system.
 *     {@code /dev/mqueue} is not mounted by default, so this reads the names ipclab recorded in the
 *     per-user {@link Registry} when it created them (root: every user's) and, when
 *     {@code /dev/mqueue} is mounted, that directory too. Root also sees the kernel's complete list
 *     through a private, detached mount ({@link KernelQueueList}). A name counts only if the queue still
 *     exists ({@code mq_open} succeeds); its owner is the descriptor's ({@code fstat}).</li>
 * <li>System V queues are listed in {@code /proc/sysvipc/msg}; ours have a key with top byte 0x49
 *     that carries the creator's pid ({@link SysvQueue}), or are {@code IPC_PRIVATE} ones the
 *     registry recorded. Anyone may create a queue under such a key: its owner decides whose it is.</li>
 * </ul>
 */
public final class QueueSweeper implements Sweeper {
    static final Path DEV_MQUEUE = Path.of("/dev/mqueue");
    static final Path SYSVIPC_MSG = Path.of("/proc/sysvipc/msg");

    @Override
    public List<Leftover> find(boolean all) throws IOException {
        List<Leftover> found = new ArrayList<>();
        if (Native.unavailableBecause() != null) return found;
        TreeSet<String> names = new TreeSet<>(Registry.names(true));
        if (Users.isRoot()) KernelQueueList.names().ifPresent(names::addAll); // the complete list, registry or not
        if (Files.isDirectory(DEV_MQUEUE)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(DEV_MQUEUE, "ipclab-*")) {
                for (Path p : entries) names.add("/" + p.getFileName());
            }
        }
        for (String name : names) {
            if (Names.creatorPid(name).isEmpty()) continue;
            int mqd = Native.libc().mq_open(name, Native.O_RDONLY | Native.O_NONBLOCK, 0, null);
            if (mqd < 0) {
                int errno = Native.errno();
                if (errno == Native.ENOENT) Registry.forget(name); // removed some other way
                else if (errno == Native.EACCES) {
                    // another user's 0600 queue, seen in /dev/mqueue: its owner from there
                    int owner = Users.ownerOf(DEV_MQUEUE.resolve(name.substring(1)));
                    if (owner >= 0 && (all || Names.isStale(name))) found.add(new PosixLeftover(name, -1, owner));
                }
                continue;
            }
            long messages = -1;
            int owner;
            try {
                jnr.ffi.Pointer attr = Native.allocate(PosixQueue.ATTR_SIZE);
                if (Native.libc().mq_getattr(mqd, attr) == 0) messages = attr.getLong(PosixQueue.ATTR_CURMSGS);
                owner = ownerOfDescriptor(mqd);
            } finally {
                Native.libc().mq_close(mqd);
            }
            if (owner >= 0 && (all || Names.isStale(name))) found.add(new PosixLeftover(name, messages, owner));
        }
        if (Files.isReadable(SYSVIPC_MSG)) {
            Map<Integer, Long> recorded = Registry.sysvQueues();
            List<String> lines = Files.readAllLines(SYSVIPC_MSG);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10) continue;
                int key;
                int msqid;
                long qnum;
                int owner;
                try {
                    key = (int) Long.parseLong(f[0]);
                    msqid = Integer.parseInt(f[1]);
                    qnum = Long.parseLong(f[4]);
                    owner = Integer.parseInt(f[7]);
                } catch (NumberFormatException e) {
                    continue;
                }
                OptionalLong pid = SysvQueue.creatorPid(key);
                if (pid.isEmpty() && key == Native.IPC_PRIVATE && owner == Users.uid() && recorded.containsKey(msqid)) {
                    pid = OptionalLong.of(recorded.get(msqid));
                }
                if (pid.isEmpty()) continue;
                boolean alive = ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
                if (all || !alive) found.add(new SysvLeftover(key, msqid, qnum, pid.getAsLong(), alive, owner));
            }
        }
        return found;
    }

    /** The owner of an open queue: an mqd_t is a file descriptor on Linux, and /proc/self/fd/N stats its inode. */
    private static int ownerOfDescriptor(int fd) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String creator(long pid) {
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        return "creator pid " + pid + (alive ? " still running" : " is gone");
    }

    private static final class PosixLeftover implements Leftover {
        private final String name;
        private final long messages;
        private final int owner;

        PosixLeftover(String name, long messages, int owner) {
            this.name = name;
            this.messages = messages;
            this.owner = owner;
        }

        @Override
        public String describe() {
            return "POSIX message queue " + name + " (" + creator(Names.creatorPid(name).orElse(-1))
                    + (messages >= 0 ? ", " + messages + " messages inside" : "") + ")";
        }

        @Override
        public int ownerUid() {
            return owner;
        }

        @Override
        public void remove() throws IOException {
            int errno = PosixQueue.unlink(name);
            if (errno != 0 && errno != Native.ENOENT) throw new NativeException("mq_unlink(" + name + ")", errno);
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    private static final class SysvLeftover implements Leftover {
        private final int key;
        private final int msqid;
        private final long messages;
        private final long pid;
        private final boolean alive;
        private final int owner;

        SysvLeftover(int key, int msqid, long messages, long pid, boolean alive, int owner) {
            this.key = key;
            this.msqid = msqid;
            this.messages = messages;
            this.pid = pid;
            this.alive = alive;
            this.owner = owner;
        }

        @Override
        public String describe() {
            return String.format("System V message queue msqid %d key 0x%08x%s (creator pid %d %s, %d messages inside)",
                    msqid, key, key == Native.IPC_PRIVATE ? " (IPC_PRIVATE)" : "", pid, alive ? "still running" : "is gone", messages);
        }

        @Override
        public int ownerUid() {
            return owner;
        }

        @Override
        public void remove() throws IOException {
            int errno = SysvQueue.remove(msqid);
            if (errno != 0 && errno != Native.EINVAL && errno != Native.EIDRM) {
                throw new IpcException("msgctl(" + msqid + ", IPC_RMID) failed: " + NativeException.describe(errno));
            }
        }

        @Override
        public String toString() {
            return describe();
        }
    }
}
