package org.ipclab.mqueue;

import org.ipclab.core.PeerLiveness;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Demo;
import org.ipclab.core.Leftover;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.Names;
import org.ipclab.core.NativeException;
import org.ipclab.core.Sweeper;

/**
 * {@code ipc demo mqueue}: what a message queue is, seen from the kernel's side.
 *
 * <ol>
 * <li>The limits the kernel applies, read from /proc.</li>
 * <li>Priorities decide the order of delivery: highest first, FIFO within one priority.</li>
 * <li>A full queue: {@code mq_timedsend} blocks, then gives up with ETIMEDOUT.</li>
 * <li>A message over the limit is refused (EMSGSIZE), and so is a queue over msgsize_max (EINVAL).</li>
 * <li>System V message types: {@code msgrcv} picks a message by its type, not by arrival.</li>
 * <li>Kernel persistence: a queue outlives the process that made it, messages and all, until it is
 *     unlinked — which is what {@code ipc clean} does for a crashed run.</li>
 * </ol>
 *
 * Every queue it makes is removed at the end, also when a step fails. Exit code 0 when every step
 * showed what it should.
 */
public final class MqueueDemo implements Demo {
    private int failures;

    @Override
    public String name() {
        return "mqueue";
    }

    @Override
    public String summary() {
        return "message queues: priorities, a full queue, the size limit, System V types, a queue outliving its creator";
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        if (!args.isEmpty()) throw new BadInputException("ipc demo mqueue takes no arguments, got " + args);
        String why = Native.unavailableBecause();
        if (why != null) throw new BadInputException("mechanism 'mqueue' is not available here: " + why);
        failures = 0;
        limits(out);
        priorities(out);
        fullQueue(out);
        overTheLimit(out);
        sysvTypes(out);
        persistence(out);
        out.println();
        out.println(failures == 0 ? "Every step showed what it should." : failures + " step(s) did not show what they should.");
        return failures == 0 ? 0 : 1;
    }

    private void limits(PrintStream out) {
        out.println("== 1. The kernel's limits (mq_overview(7), sysvipc(7)) ==");
        for (String f : List.of("msg_max", "msgsize_max", "msg_default", "msgsize_default", "queues_max")) {
            out.printf("  /proc/sys/fs/mqueue/%-16s %s%n", f, Proc.text(Proc.MQUEUE.resolve(f)));
        }
        long rl = Limits.rlimitMsgqueue();
        out.printf("  RLIMIT_MSGQUEUE (ulimit -q)         %s%n", rl < 0 ? "unlimited" : rl + " bytes per user");
        for (String f : List.of("msgmax", "msgmnb", "msgmni")) {
            out.printf("  /proc/sys/kernel/%-19s %s%n", f, Proc.text(java.nio.file.Path.of("/proc/sys/kernel", f)));
        }
        out.println("  A POSIX queue holds at most msg_max messages of msgsize_max bytes; a System V queue holds msgmnb");
        out.println("  bytes in messages of at most msgmax bytes. Every message is copied into the kernel and out again.");
        out.println();
    }

    private void priorities(PrintStream out) throws IOException {
        out.println("== 2. Priorities decide the order of delivery ==");
        String name = "/" + Names.unique("demo-prio");
        try (PosixQueue q = PosixQueue.create(name, 10, 64)) {
            out.println("  mq_open(\"" + name + "\", O_RDWR|O_CREAT|O_EXCL, 0600, {maxmsg=10, msgsize=64})");
            String[][] sends = {{"routine report", "1"}, {"FIRE ALARM", "9"}, {"lunch order", "5"}, {"second lunch order", "5"}};
            for (String[] s : sends) {
                q.send(s[0].getBytes(StandardCharsets.US_ASCII), Integer.parseInt(s[1]), Duration.ofSeconds(1));
                out.printf("  mq_send(prio %s)  \"%s\"%n", s[1], s[0]);
            }
            StringBuilder order = new StringBuilder();
            for (int i = 0; i < sends.length; i++) {
                PosixQueue.Message m = q.receive(Duration.ofSeconds(1));
                String text = new String(m.data(), StandardCharsets.US_ASCII);
                out.printf("  mq_receive -> prio %d  \"%s\"%n", m.priority(), text);
                order.append(text).append('|');
            }
            check(out, order.toString().equals("FIRE ALARM|lunch order|second lunch order|routine report|"),
                    "highest priority first; equal priorities in the order they were sent");
        } finally {
            PosixQueue.unlink(name);
        }
        out.println();
    }

    private void fullQueue(PrintStream out) throws IOException {
        out.println("== 3. A full queue: send blocks, then times out ==");
        String name = "/" + Names.unique("demo-full");
        try (PosixQueue q = PosixQueue.create(name, 3, 64)) {
            out.println("  a queue with maxmsg=3; nobody receives");
            for (int i = 1; i <= 3; i++) q.send(("m" + i).getBytes(StandardCharsets.US_ASCII), 1, Duration.ofSeconds(1));
            out.println("  3 x mq_send: ok, mq_getattr says " + q.attributes().curmsgs() + " messages queued");
            long start = System.nanoTime();
            int errno = q.send("m4".getBytes(StandardCharsets.US_ASCII), 1, Duration.ofMillis(500));
            long ms = (System.nanoTime() - start) / 1_000_000;
            out.println("  mq_timedsend(m4, timeout 500 ms) -> " + (errno == 0 ? "sent?!" : NativeException.describe(errno)) + " after " + ms + " ms");
            check(out, errno == Native.ETIMEDOUT && ms >= 450, "the sender waited for room, then gave up at its timeout");
        } finally {
            PosixQueue.unlink(name);
        }
        out.println();
    }

    private void overTheLimit(PrintStream out) throws IOException {
        out.println("== 4. A message over the limit is refused, naming the limit ==");
        String name = "/" + Names.unique("demo-size");
        try (PosixQueue q = PosixQueue.create(name, 10, 64)) {
            int errno = q.send(new byte[65], 1, Duration.ofSeconds(1));
            out.println("  kernel: mq_send(65 bytes) to a queue with mq_msgsize=64 -> " + NativeException.describe(errno));
            boolean kernelRefused = errno == Native.EMSGSIZE;
            try (MqChannel ch = new MqChannel(q, q, 64, 1, PeerLiveness.nobody())) {
                ch.send(ByteBuffer.allocate(65), Duration.ofSeconds(1));
                check(out, false, "ipclab refuses it before the kernel sees it");
            } catch (MessageTooLargeException e) {
                out.println("  ipclab: " + e.getMessage());
                check(out, kernelRefused && e.getMessage().contains("64"), "refused, and the limit is named");
            }
        } finally {
            PosixQueue.unlink(name);
        }
        long sizeMax = Proc.mqueue("msgsize_max", 8192);
        try {
            new MqueueProvider().open(ChannelSpec.of("mqueue", java.util.Map.of("msgsize", Long.toString(sizeMax + 1)))).close();
            check(out, false, "a queue over msgsize_max is refused");
        } catch (BadInputException e) {
            out.println("  " + e.getMessage());
            check(out, e.getMessage().contains("EINVAL"), "a queue over msgsize_max is refused (EINVAL) without CAP_SYS_RESOURCE");
        }
        out.println();
    }

    private void sysvTypes(PrintStream out) throws IOException {
        out.println("== 5. System V message types: msgrcv chooses by type ==");
        SysvQueue q = SysvQueue.create();
        try {
            out.println("  msgget(key, IPC_CREAT|IPC_EXCL|0600) -> " + q.describe());
            ByteBuffer b = ByteBuffer.allocateDirect(8 + 64).order(ByteOrder.nativeOrder());
            long address = Native.baseAddress(b);
            long[] types = {3, 1, 2, 1};
            String[] texts = {"for worker 3", "for worker 1 (a)", "for worker 2", "for worker 1 (b)"};
            for (int i = 0; i < types.length; i++) {
                byte[] t = texts[i].getBytes(StandardCharsets.US_ASCII);
                b.clear();
                b.putLong(0, types[i]);
                b.position(8);
                b.put(t);
                Native.libc().msgsnd(q.msqid, address, t.length, Native.IPC_NOWAIT);
                out.printf("  msgsnd(type %d) \"%s\"%n", types[i], texts[i]);
            }
            StringBuilder got = new StringBuilder();
            for (long want : new long[] {2, 1, 0, -3}) {
                long n = Native.libc().msgrcv(q.msqid, address, 64, want, Native.IPC_NOWAIT);
                String text = n < 0 ? NativeException.describe(Native.errno())
                        : "type " + b.getLong(0) + " \"" + StandardCharsets.US_ASCII.decode(b.duplicate().position(8).limit(8 + (int) n)) + "\"";
                out.printf("  msgrcv(msgtyp %2d) -> %s%s%n", want, text,
                        want == 0 ? "   (0: the oldest message)" : want < 0 ? "   (-3: the lowest type <= 3)" : "");
                got.append(n < 0 ? "?" : Long.toString(b.getLong(0)));
            }
            check(out, got.toString().equals("2131"), "a receiver takes only the type it asks for; 0 takes the oldest");
            out.println("  (ipclab's sysv-mqueue channel uses types to tell data from its control messages.)");
        } finally {
            SysvQueue.remove(q.msqid);
        }
        out.println();
    }

    private void persistence(PrintStream out) throws Exception {
        out.println("== 6. Kernel persistence: a queue outlives the process that made it ==");
        String javaBin = org.ipclab.core.peer.PeerLauncher.javaBinary();
        Process p = new ProcessBuilder(List.of(javaBin, "-cp", System.getProperty("java.class.path"), OrphanQueue.class.getName(), "posix"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String name = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        out.println("  child pid " + p.pid() + " created " + name + ", sent 3 messages and exited (code " + p.exitValue() + ") without mq_unlink");
        try {
            boolean alive = ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false);
            try (PosixQueue q = PosixQueue.open(name, Native.O_RDONLY)) {
                long count = q.attributes().curmsgs();
                out.println("  creator alive? " + alive + "; mq_open(\"" + name + "\") still works: " + count + " messages inside");
                PosixQueue.Message m = q.receive(Duration.ofSeconds(1));
                out.println("  mq_receive -> \"" + new String(m.data(), StandardCharsets.US_ASCII) + "\" at prio " + m.priority() + " (written by a process that no longer exists)");
                check(out, !alive && count == 3, "the queue and its messages outlived their creator");
            }
            if (!java.nio.file.Files.isDirectory(QueueSweeper.DEV_MQUEUE)) {
                out.println("  (/dev/mqueue is not mounted here, so `ls` cannot show it; as root: mount -t mqueue none /dev/mqueue)");
            }
            out.println("  ipc clean (the sweepers) finds:");
            int removed = 0;
            for (Sweeper s : ServiceLoader.load(Sweeper.class)) {
                for (Leftover l : s.find(false)) {
                    if (!l.describe().contains(name)) continue; // the demo only removes its own orphan
                    out.println("    " + l.describe() + " -> removed");
                    l.remove();
                    removed++;
                }
            }
            int errno = 0;
            int mqd = Native.libc().mq_open(name, Native.O_RDONLY, 0, null);
            if (mqd >= 0) Native.libc().mq_close(mqd);
            else errno = Native.errno();
            out.println("  mq_open(\"" + name + "\") now -> " + (mqd >= 0 ? "still there" : NativeException.describe(errno)));
            check(out, removed == 1 && errno == Native.ENOENT, "ipc clean removed it; only mq_unlink (or a reboot) ends a queue");
        } finally {
            PosixQueue.unlink(name);
        }
    }

    private void check(PrintStream out, boolean ok, String claim) {
        out.println("  " + (ok ? "[ok] " : "[!!] ") + claim);
        if (!ok) failures++;
    }
}
