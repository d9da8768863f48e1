package org.ipclab.pipe;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jnr.constants.platform.Errno;

import org.ipclab.core.PipeCapacity;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Demo;
import org.ipclab.core.NativeException;
import org.ipclab.core.Units;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;

/**
 * {@code ipc demo pipe}: what an anonymous pipe is, step by step, with the kernel's view.
 *
 * <ol>
 *   <li>two pipes between this JVM and a child JVM, as {@code /proc/<pid>/fd} shows them;</li>
 *   <li>capacity: write without reading until the write would block; then after F_SETPIPE_SZ;</li>
 *   <li>PIPE_BUF: several writers, records of 4096 bytes never interleave, larger ones can;</li>
 *   <li>end of file only when the last writer closes;</li>
 *   <li>broken pipe: EPIPE when nobody can read any more (the JVM survives SIGPIPE);</li>
 *   <li>the explicit route: pipe() + posix_spawnp with dup2 and close actions, as a shell does.</li>
 * </ol>
 *
 * <p>How to run and what you should see: {@code ipc demo pipe} — step 2 prints 65536 bytes (the
 * default capacity, 16 pages) and then the size you asked for; step 3 prints 0 torn records at
 * 4096 bytes and usually some at 65536; the exit code is 0 when every fact held.
 */
public final class PipeDemo implements Demo {
    private static final Duration STEP = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "pipe";
    }

    @Override
    public String summary() {
        return "anonymous pipes: /proc fds, capacity, PIPE_BUF atomicity, EOF, EPIPE, pipe()+posix_spawnp";
    }

    @Override
    public List<String> usage() {
        return List.of(
                "--pipe-size SIZE   capacity to ask for in step 2 (default: /proc/sys/fs/pipe-max-size, at most 1m)",
                "--writers N        concurrent writers in step 3 (default 4, 2..16)",
                "--records N        records per writer in step 3 (default 200)");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        long max = PipeCapacity.maxSize();
        int pipeSize = (int) Math.min(max > 0 ? max : 1 << 20, 1 << 20);
        int writers = 4;
        int records = 200;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (i + 1 >= args.size()) throw new BadInputException("demo pipe: " + a + " needs a value (see --help)");
            String v = args.get(++i);
            switch (a) {
                case "--pipe-size": pipeSize = PipeCapacity.validate(Units.parseSize("--pipe-size", v)); break;
                case "--writers": writers = intIn("--writers", v, 2, 16); break;
                case "--records": records = intIn("--records", v, 1, 100_000); break;
                default: throw new BadInputException("demo pipe: unknown option " + a + " (known: --pipe-size, --writers, --records)");
            }
        }
        boolean ok = true;
        out.println("An anonymous pipe is a kernel buffer with two descriptors: bytes written to one end are read,");
        out.println("in order and exactly once, from the other. One direction, no message boundaries, no name:");
        out.println("only processes that inherit the descriptors (a parent and its children) can use it.");
        ok &= twoPipes(out);
        ok &= capacity(out, pipeSize);
        ok &= atomicity(out, writers, records);
        ok &= endOfFile(out);
        ok &= brokenPipe(out);
        ok &= spawn(out);
        out.println();
        out.println(ok ? "Every step showed what it should." : "Some step did NOT show what it should (see above).");
        out.println("Measure it: ipc bench --mechanism pipe --sizes 64,4k,64k --mode latency   (man 7 pipe, man 2 pipe, man 2 fcntl)");
        return ok ? 0 : 1;
    }

    private static int intIn(String what, String v, int lo, int hi) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= lo && n <= hi) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new BadInputException("demo pipe: " + what + " " + v + " must be a whole number from " + lo + " to " + hi);
    }

    private static void step(PrintStream out, String title) {
        out.println();
        out.println("== " + title);
    }

    /** Step 1: a child JVM whose stdin/stdout are our two pipes; /proc/<pid>/fd of both. */
    private static boolean twoPipes(PrintStream out) throws Exception {
        step(out, "Step 1. Two pipes, one per direction, between this JVM and a child JVM");
        out.println("ProcessBuilder.Redirect.PIPE: the JDK calls pipe(2) twice and hands the child one end of each as fd 0 and 1.");
        try (PeerSession peer = PeerLauncher.launch(ChannelSpec.of("pipe"), Duration.ofSeconds(30))) {
            Map<String, String> eff = peer.effectiveParameters();
            String toPeer = eff.get("pipe-to-peer");
            String fromPeer = eff.get("pipe-from-peer");
            String stderr = PipeEnds.target(peer.pid(), 2);
            long self = ProcessHandle.current().pid();
            out.println("parent (pid " + self + "), pipe entries in /proc/" + self + "/fd:");
            for (String line : PipeEnds.pipeDescriptors(self)) out.println("    " + label(self, line, toPeer, fromPeer, stderr));
            out.println("child (pid " + peer.pid() + "), all of /proc/" + peer.pid() + "/fd:");
            for (String line : PipeEnds.pipeDescriptorsAndOthers(peer.pid())) {
                if (line.contains("/modules") || line.endsWith(".jar")) continue;
                out.println("    " + label(peer.pid(), line, toPeer, fromPeer, stderr));
            }
            out.println("  (jar and modules descriptors left out.) The child re-opened its pipe ends on new descriptors and");
            out.println("  pointed fd 0 at /dev/null and fd 1 at stderr, so that a stray println cannot corrupt the stream.");
            out.println("  Same inode on both sides = the same kernel pipe; 'w' in one process, 'r' in the other.");
            Channel ch = peer.channel();
            ByteBuffer msg = ByteBuffer.allocateDirect(64);
            ByteBuffer in = ByteBuffer.allocateDirect(ch.maxMessageSize());
            long[] rtt = new long[1000];
            for (int i = 0; i < rtt.length; i++) {
                long t0 = System.nanoTime();
                ch.send(msg.clear(), STEP);
                ch.receive(in.clear(), STEP);
                rtt[i] = System.nanoTime() - t0;
            }
            Arrays.sort(rtt);
            out.printf("  1000 round trips of 64 B (parent -> pipe -> child -> pipe -> parent): median %.1f µs"
                    + " (a noisy glance; ipc bench measures properly)%n", rtt[rtt.length / 2] / 1000.0);
            out.println("  Pipe capacity on these pipes: " + eff.get("pipe-size") + " bytes.");
        }
        return true;
    }

    private static String label(long pid, String line, String toPeer, String fromPeer, String stderr) {
        int arrow = line.indexOf(" -> ");
        int fd = Integer.parseInt(line.substring(0, arrow));
        String target = line.substring(arrow + 4);
        String mode = PipeLab.accessMode(pid, fd);
        String role = target.equals(toPeer) ? "parent -> child" : target.equals(fromPeer) ? "child -> parent"
                : target.equals(stderr) ? "child's stderr -> parent (a third pipe)"
                : target.startsWith("pipe:") ? "(another pipe of this JVM, not the child's)" : "";
        return String.format("%3d -> %-18s %-10s %s", fd, target, mode.isEmpty() ? "" : "(" + mode + ")", role);
    }

    /** Step 2: fill a pipe nobody reads. */
    private static boolean capacity(PrintStream out, int pipeSize) throws Exception {
        step(out, "Step 2. Capacity: write without reading until the next write would block");
        out.println("pipe(2), O_NONBLOCK on the write end, write 4096-byte chunks until write fails with EAGAIN.");
        long[] def = PipeLab.measureCapacity(0);
        out.printf("  default pipe:    %,9d bytes fit; fcntl(F_GETPIPE_SZ) says %,9d%n", def[0], def[1]);
        long[] set = PipeLab.measureCapacity(pipeSize);
        out.printf("  F_SETPIPE_SZ %s: %,9d bytes fit; fcntl(F_GETPIPE_SZ) says %,9d%s%n", Units.formatSize(pipeSize),
                set[0], set[1], set[1] != pipeSize ? " (the kernel rounds up to a power of two pages)" : "");
        out.println("  Without O_NONBLOCK that write would sleep until a reader makes room: a writer is throttled");
        out.println("  by its reader. The limit for F_SETPIPE_SZ is /proc/sys/fs/pipe-max-size = " + PipeCapacity.maxSize()
                + " (EPERM above it without CAP_SYS_RESOURCE).");
        boolean ok = def[0] == def[1] && set[0] == set[1];
        if (!ok) out.println("  !! measured capacity differs from F_GETPIPE_SZ");
        return ok;
    }

    /** Step 3: PIPE_BUF. */
    private static boolean atomicity(PrintStream out, int writers, int records) throws Exception {
        step(out, "Step 3. PIPE_BUF: are concurrent writes kept whole?");
        out.println(writers + " writers share one write descriptor (threads here; forked processes sharing an inherited fd behave");
        out.println("the same: the guarantee is per write(2) call). Each writes " + records
                + " records filled with its own id;");
        out.println("a reader takes a page at a time, cuts the stream into records and counts the mixed ones.");
        boolean ok = true;
        for (int size : new int[] {512, PipeLab.PIPE_BUF, PipeLab.PIPE_BUF + 1, 8 * 1024, 64 * 1024}) {
            PipeLab.Tearing t = PipeLab.atomicity(writers, size, records);
            String verdict = size <= PipeLab.PIPE_BUF ? (t.tornRecords() == 0 ? "never torn, as POSIX promises" : "TORN: unexpected!")
                    : (t.tornRecords() > 0 ? "torn: writes over PIPE_BUF may interleave" : "none torn this time, but nothing promises it");
            out.printf("  %,7d-byte records: %,6d of %,6d torn  — %s%n", size, t.tornRecords(), t.records(), verdict);
            if (size <= PipeLab.PIPE_BUF && t.tornRecords() != 0) ok = false;
            if (t.bytes() != (long) size * t.records()) ok = false;
        }
        out.println("  PIPE_BUF is " + PipeLab.PIPE_BUF + " on Linux: a write of at most that many bytes goes in whole or (O_NONBLOCK) not at all.");
        return ok;
    }

    /** Step 4: EOF. */
    private static boolean endOfFile(PrintStream out) throws Exception {
        step(out, "Step 4. End of file comes only when the LAST writer closes");
        PipeLab.EndOfFile r = PipeLab.endOfFile();
        out.println("  write(\"hello\"), dup() the write end, close the original, then read (O_NONBLOCK):");
        out.println("    read -> \"" + r.firstRead() + "\"");
        out.println("    read -> -1 " + NativeException.describe(r.errnoWhileAWriterRemains())
                + ": no data, but a writer (the dup) still exists, so more may come");
        out.println("    close(dup); read -> " + r.readAfterLastWriterClosed() + " = end of file");
        out.println("  A forgotten copy of the write end (e.g. inherited by a child) is why a reader 'hangs' forever.");
        return r.firstRead().equals("hello") && r.errnoWhileAWriterRemains() == Errno.EAGAIN.intValue() && r.readAfterLastWriterClosed() == 0;
    }

    /** Step 5: EPIPE. */
    private static boolean brokenPipe(PrintStream out) throws Exception {
        step(out, "Step 5. Broken pipe: writing when no reader is left");
        int errno = PipeLab.writeWithoutReader();
        out.println("  close(read end); write(write end, 1 byte) -> -1 " + NativeException.describe(errno));
        out.println("  The kernel also sends SIGPIPE, whose default action kills a C program (that is how `yes | head` ends).");
        out.println("  SIGPIPE in this JVM: " + PipeLab.sigpipeDisposition() + ". HotSpot's handler does nothing with it,");
        out.println("  so the process lives on and Java sees an IOException \"Broken pipe\" (ipclab: \"peer closed the connection\").");
        return errno == Errno.EPIPE.intValue();
    }

    /** Step 6: the explicit route. */
    private static boolean spawn(PrintStream out) throws Exception {
        step(out, "Step 6. The explicit route, as a shell builds `A | B`: pipe() + posix_spawnp");
        out.println("  pipe() twice; posix_spawnp(\"tr a-z A-Z\") with file actions dup2(pipe, 0), dup2(pipe, 1) and close(fd)");
        out.println("  for every other descriptor of ours; then we close the child's ends in the parent.");
        PipeSpawn.Result r;
        try {
            r = PipeSpawn.run(List.of("tr", "a-z", "A-Z"), "hello through two pipes\n");
        } catch (NativeException e) {
            out.println("  skipped: " + e.getMessage());
            return true;
        }
        out.println("  this JVM holds " + r.inheritable() + " descriptors without O_CLOEXEC that a spawned child would inherit;");
        out.println("  the child (pid " + r.pid() + ") got only:");
        for (String line : r.childDescriptors()) out.println("    " + line);
        out.println("  sent \"hello through two pipes\", closed our write end (EOF for tr), read back: \"" + r.output().trim() + "\"");
        out.println("  exit status " + r.exitStatus());
        return r.output().equals("HELLO THROUGH TWO PIPES\n") && r.exitStatus() == 0 && r.childDescriptors().size() <= 3;
    }
}
