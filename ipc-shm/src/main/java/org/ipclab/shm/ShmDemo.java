package org.ipclab.shm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Demo;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.Names;

/**
 * {@code ipc demo shm}: why shared memory needs synchronization. Two processes — this one and a
 * child JVM — map the same file in /dev/shm and each add 1 to a shared counter N times:
 *
 * <ol>
 * <li><b>no lock</b>: read, add, write. Both read the same value, both write value+1: one update is
 *     lost. The total comes out short, by a different amount each run.</li>
 * <li><b>POSIX semaphore initialised to 1, used as a mutex</b>: P ({@code sem_wait}) before, V
 *     ({@code sem_post}) after. Exact, but every contended P/V pair is a system call.</li>
 * <li><b>compare-and-set</b> ({@code lock cmpxchg}): retry when the other process got there first.
 *     Exact, and far faster: no system call, no sleeping.</li>
 * <li><b>a semaphore initialised to 0 for ordering</b>: the consumer's P blocks until the
 *     producer's V — the producer writes first, the consumer reads after, whatever the scheduler does.</li>
 * </ol>
 *
 * Along the way it shows the kernel's view: the file in /dev/shm, the {@code sem.*} files glibc
 * keeps for named semaphores, and the mapping in {@code /proc/<pid>/maps} of both processes.
 *
 * <p>How to run and what you should see: {@code ipc demo shm [--n 200000]} — a non-zero "lost"
 * count in step 1 (rarely 0 if the two loops happened not to overlap: raise --n), exact totals in
 * steps 2 and 3 with step 3 several times faster, and a consumer that waited about 300 ms in step 4.
 */
public final class ShmDemo implements Demo {
    // The demo's own small layout (one page): every field on its own 128-byte block.
    static final int COUNTER = 0;
    static final int READY = 128;
    static final int GO = 256;
    static final int SLOT = 384;
    static final int RESULT_VALUE = 512;
    static final int RESULT_WAITED_NANOS = 520;
    static final int CHILD_LOOP_NANOS = 640;
    static final int SIZE = 4096;
    static final int DEFAULT_N = 200_000;

    @Override
    public String name() {
        return "shm";
    }

    @Override
    public String summary() {
        return "shared counter race between two processes: no lock, POSIX semaphore, compare-and-set; semaphore for ordering";
    }

    @Override
    public List<String> usage() {
        return List.of("--n N   increments per process in each round (default " + DEFAULT_N + ")");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        int n = DEFAULT_N;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--n") && i + 1 < args.size()) {
                String v = args.get(++i);
                try {
                    n = Integer.parseInt(v.replace("_", ""));
                } catch (NumberFormatException e) {
                    throw new BadInputException("--n " + v + " is not a number");
                }
                if (n < 1 || n > 100_000_000) throw new BadInputException("--n " + v + " is out of range (1 to 100000000)");
            } else {
                throw new BadInputException("unknown argument '" + a + "' (usage: ipc demo shm [--n N])");
            }
        }
        try (Resources r = ExitCleanup.register(new Resources())) {
            try {
                return steps(r, n, out);
            } finally {
                ExitCleanup.forget(r);
            }
        }
    }

    private int steps(Resources r, int n, PrintStream out) throws Exception {
        String base = Names.unique("demo");
        r.file = Path.of("/dev/shm", base);
        r.mutexName = "/" + base + "-mutex";
        r.orderName = "/" + base + "-order";

        out.println("== Shared memory: one file, mapped by two processes ==");
        Files.createFile(r.file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        MappedByteBuffer buf;
        try (FileChannel ch = FileChannel.open(r.file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(SIZE)); // real pages now, not a SIGBUS later
            buf = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
        }
        buf.order(ByteOrder.nativeOrder());
        out.println("open(\"" + r.file + "\", O_CREAT|O_EXCL, 0600); write " + SIZE + " zero bytes; mmap(MAP_SHARED)");
        r.mutex = NamedSemaphore.create(r.mutexName, 1);
        out.println("sem_open(\"" + r.mutexName + "\", O_CREAT|O_EXCL, 0600, 1)   <- a mutex: one process at a time");
        r.order = NamedSemaphore.create(r.orderName, 0);
        out.println("sem_open(\"" + r.orderName + "\", O_CREAT|O_EXCL, 0600, 0)   <- ordering: P blocks until someone does V");
        out.println();
        out.println("The kernel's view, /dev/shm (glibc keeps a named semaphore as the file sem.NAME):");
        for (Path p : List.of(r.file, Path.of(NamedSemaphore.file(r.mutexName)), Path.of(NamedSemaphore.file(r.orderName)))) {
            out.printf("  %s %6d  %s%n", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), Files.size(p), p);
        }
        out.println("and in this process's address space, /proc/" + ProcessHandle.current().pid() + "/maps:");
        mapsLines(ProcessHandle.current().pid(), r.file).forEach(l -> out.println("  " + l));
        out.println();

        boolean ok = true;
        long[] nanos = new long[3];
        String[] modes = {"nolock", "semaphore", "cas"};
        String[] titles = {
            "1. No lock: counter = counter + 1 (a load, then a store)",
            "2. POSIX semaphore initialised to 1 as a mutex: sem_wait; counter++; sem_post",
            "3. Compare-and-set: do { v = counter; } while (!CAS(counter, v, v + 1))",
        };
        for (int m = 0; m < modes.length; m++) {
            out.println("== " + titles[m] + " ==");
            ShmLayout.LONG.setVolatile(buf, COUNTER, 0L);
            ShmLayout.LONG.setVolatile(buf, READY, 0L);
            ShmLayout.LONG.setVolatile(buf, GO, 0L);
            ShmLayout.LONG.setVolatile(buf, CHILD_LOOP_NANOS, 0L);
            Process child = r.child = startWorker(r, modes[m], n);
            awaitReady(buf, child);
            if (m == 0) {
                out.println("the child (pid " + child.pid() + ") maps the same file, /proc/" + child.pid() + "/maps:");
                mapsLines(child.pid(), r.file).forEach(l -> out.println("  " + l));
            }
            ShmLayout.LONG.setVolatile(buf, GO, 1L);
            long start = System.nanoTime();
            ShmDemoWorker.count(buf, modes[m], n, r.mutex);
            long ours = System.nanoTime() - start;
            if (!child.waitFor(120, TimeUnit.SECONDS)) throw new IOException("the child did not finish within 120 s");
            // the slower of the two loops, not counting the child's exit
            nanos[m] = Math.max(ours, (long) ShmLayout.LONG.getVolatile(buf, CHILD_LOOP_NANOS));
            if (child.exitValue() != 0) throw new IOException("the child exited with code " + child.exitValue());
            long total = (long) ShmLayout.LONG.getVolatile(buf, COUNTER);
            long expected = 2L * n;
            out.printf("  2 processes x %,d increments: expected %,d, counter = %,d, lost %,d  (%.1f ms)%n",
                    n, expected, total, expected - total, nanos[m] / 1e6);
            if (m == 0) {
                out.println(total < expected
                        ? "  Lost updates: both processes loaded the same value and both stored value+1."
                        : "  No update lost this time: the two loops did not overlap. Try a larger --n.");
            } else if (total != expected) {
                out.println("  WRONG: this round must be exact.");
                ok = false;
            } else {
                out.println("  Exact.");
            }
            out.println();
        }
        double ratio = (double) nanos[1] / Math.max(1, nanos[2]);
        if (ratio > 1) {
            out.printf("CAS vs semaphore: %.1fx faster (no system call; a contended sem_wait sleeps in futex(2))%n%n", ratio);
        } else {
            out.printf("CAS vs semaphore: not faster this time (%.1fx): with a small --n the loops barely overlap, "
                    + "so the semaphore is rarely contended; try --n 1000000%n%n", ratio);
        }

        out.println("== 4. A semaphore initialised to 0 orders two processes ==");
        ShmLayout.LONG.setVolatile(buf, READY, 0L);
        ShmLayout.LONG.setVolatile(buf, GO, 0L);
        ShmLayout.LONG.setVolatile(buf, SLOT, 0L);
        Process consumer = r.child = startWorker(r, "consume", 1);
        awaitReady(buf, consumer);
        ShmLayout.LONG.setVolatile(buf, GO, 1L);
        out.println("consumer (pid " + consumer.pid() + "): sem_wait(order) — the count is 0, so it sleeps");
        Thread.sleep(300);
        ShmLayout.LONG.setRelease(buf, SLOT, 42L);
        out.println("producer (pid " + ProcessHandle.current().pid() + "): 300 ms later writes 42 into the segment, then sem_post(order)");
        r.order.release();
        if (!consumer.waitFor(30, TimeUnit.SECONDS) || consumer.exitValue() != 0) throw new IOException("the consumer did not finish");
        long seen = (long) ShmLayout.LONG.getVolatile(buf, RESULT_VALUE);
        long waited = (long) ShmLayout.LONG.getVolatile(buf, RESULT_WAITED_NANOS);
        out.printf("consumer: woke after %.0f ms and read %d%s%n", waited / 1e6, seen,
                seen == 42 ? " — never the value from before the write" : " — WRONG");
        if (seen != 42) ok = false;
        out.println();
        out.println("Cleanup: sem_unlink both semaphores, unlink the file (`ipc clean` removes them after a crash).");
        return ok ? 0 : 1;
    }

    private static Process startWorker(Resources r, String mode, int n) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(new ShmProvider().describe().peerJvmFlags()); // jnr-ffi calls native code
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ShmDemoWorker.class.getName());
        cmd.add(r.file.toString());
        cmd.add(mode);
        cmd.add(Integer.toString(n));
        cmd.add(r.mutexName);
        cmd.add(r.orderName);
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void awaitReady(MappedByteBuffer buf, Process child) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while ((long) ShmLayout.LONG.getVolatile(buf, READY) == 0) {
            if (!child.isAlive()) throw new IOException("the child exited with code " + child.exitValue() + " before it was ready");
            if (System.nanoTime() > deadline) throw new IOException("the child was not ready within 60 s");
            Thread.sleep(1);
        }
    }

    static List<String> mapsLines(long pid, Path file) {
        try {
            List<String> lines = new ArrayList<>();
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
                if (l.endsWith(file.toString())) lines.add(l.replaceAll("\\s+", " "));
            }
            return lines;
        } catch (IOException e) {
            return List.of("(cannot read /proc/" + pid + "/maps: " + e.getMessage() + ")");
        }
    }

    /** Everything the demo creates, removed at the end, on failure and on Ctrl-C. */
    private static final class Resources implements AutoCloseable {
        Path file;
        String mutexName;
        String orderName;
        NamedSemaphore mutex;
        NamedSemaphore order;
        Process child;

        @Override
        public void close() throws IOException {
            if (child != null && child.isAlive()) child.destroyForcibly();
            if (mutex != null) mutex.close();
            if (order != null) order.close();
            if (mutexName != null) NamedSemaphore.unlink(mutexName);
            if (orderName != null) NamedSemaphore.unlink(orderName);
            if (file != null) Files.deleteIfExists(file);
        }
    }
}
