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
 * <li><b>the same ordering with the System V pair</b>: a segment from {@code shmget}/{@code shmat}
 *     and a semaphore set from {@code semget}/{@code semop}, with no name in any file system.</li>
 * </ol>
 *
 * Along the way it shows the kernel's view: the file in /dev/shm, the {@code sem.*} files glibc
 * keeps for named semaphores, the mapping in {@code /proc/<pid>/maps} of both processes, and the
 * System V objects in {@code ipcs -m}/{@code ipcs -s} and {@code /proc/sysvipc/shm}/{@code sem}
 * (who created a segment, how many processes are attached: nattch); at the end, that none of the
 * three families holds anything of ours any more.
 *
 * <p>How to run and what you should see: {@code ipc demo shm [--n 200000]} — a non-zero "lost"
 * count in step 1 (rarely 0 if the two loops happened not to overlap: raise --n), exact totals in
 * steps 2 and 3 with step 3 several times faster, a consumer that waited about 300 ms in step 4, and in step 5 a segment with nattch 2 that,
 * marked for destruction, lives on until the last process detaches.
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
    /** The System V ids this process's demo runs made, for the closing check (ids are reused once freed). */
    private static final java.util.Set<Integer> demoSegments = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.Set<String> demoSets = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public String name() {
        return "shm";
    }

    @Override
    public String summary() {
        return "shared counter race between two processes: no lock, POSIX semaphore, compare-and-set; semaphore for ordering, POSIX and System V";
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
        int rc;
        try (Resources r = ExitCleanup.register(new Resources())) {
            try {
                rc = steps(r, n, out);
            } finally {
                ExitCleanup.forget(r);
            }
        }
        return afterwards(out) ? rc : 1;
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
        if (!systemV(r, out)) ok = false;
        out.println();
        out.println("Cleanup: sem_unlink both semaphores, unlink the file (`ipc clean` removes them after a crash).");
        return ok ? 0 : 1;
    }

    /**
     * Step 5: the ordering of step 4 again, with the System V pair. While the consumer sleeps in
     * semop, all three families are in view; then the segment is marked for destruction while both
     * processes are attached, and the kernel keeps it until the last one detaches.
     */
    private boolean systemV(Resources r, PrintStream out) throws Exception {
        long me = ProcessHandle.current().pid();
        out.println("== 5. The same with System V: shmget/shmat and semget/semop ==");
        r.shmid = SysvShm.create(SIZE);
        demoSegments.add(r.shmid);
        r.sysvMapping = SysvShm.attach(r.shmid, SIZE);
        java.nio.ByteBuffer seg = r.sysvMapping.buffer;
        out.printf("shmget(0x%08x, %d, IPC_CREAT|IPC_EXCL|0600) = shmid %d; shmat(%d) — no file: the key and the id are the names%n",
                SysvShmSweeper.Row.parse(sysvRow(SysvShmSweeper.SYSVIPC_SHM, r.shmid)).key(), SIZE, r.shmid, r.shmid);
        r.sysvSem = SysvSemaphores.create(1);
        demoSets.add(Integer.toString(r.sysvSem.semid));
        out.println("semget(" + String.format("0x%08x", r.sysvSem.key) + ", 1, IPC_CREAT|IPC_EXCL|0600) = semid " + r.sysvSem.semid
                + "; its value is 0: a semop of -1 sleeps");
        Process consumer = r.child = startWorker(r, "sysv-consume", 1);
        awaitReady(seg, consumer);
        ShmLayout.LONG.setVolatile(seg, GO, 1L);
        out.println("consumer (pid " + consumer.pid() + "): shmat(" + r.shmid + "), then semop(" + r.sysvSem.semid + ", -1) — it sleeps");
        Thread.sleep(100);
        out.println();
        out.println("All three families at once, as the kernel shows them:");
        out.println("  POSIX shared memory and semaphores, /dev/shm:");
        for (Path p : List.of(r.file, Path.of(NamedSemaphore.file(r.mutexName)), Path.of(NamedSemaphore.file(r.orderName)))) {
            out.printf("    %s %6d  %s%n", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), Files.size(p), p);
        }
        out.println("  System V shared memory, ipcs -m (key, id, owner, perms, bytes, nattch = processes attached):");
        ipcs(out, "-m", r.shmid);
        out.println("  System V semaphores, ipcs -s (key, id, owner, perms, nsems):");
        ipcs(out, "-s", r.sysvSem.semid);
        out.println("  /proc/sysvipc/shm (the key in decimal): cpid " + me + " created it, lpid " + consumer.pid() + " attached last, nattch 2:");
        out.println("    " + header(SysvShmSweeper.SYSVIPC_SHM) + "\n    " + sysvRow(SysvShmSweeper.SYSVIPC_SHM, r.shmid));
        out.println("  /proc/sysvipc/sem:");
        out.println("    " + header(SysvSemSweeper.SYSVIPC_SEM) + "\n    " + sysvRow(SysvSemSweeper.SYSVIPC_SEM, r.sysvSem.semid));
        out.println();
        SysvShm.remove(r.shmid);
        out.println("shmctl(" + r.shmid + ", IPC_RMID) with both attached: marked for destruction, not destroyed —");
        out.println("the key becomes 0x00000000 (no new shmget finds it), status \"dest\", the memory stays while nattch > 0:");
        ipcs(out, "-m", r.shmid);
        ShmLayout.LONG.setRelease(seg, SLOT, 42L);
        r.sysvSem.member(0).release();
        out.println("producer: writes 42 into the segment, then semop(" + r.sysvSem.semid + ", +1)");
        if (!consumer.waitFor(30, TimeUnit.SECONDS) || consumer.exitValue() != 0) throw new IOException("the System V consumer did not finish");
        long seen = (long) ShmLayout.LONG.getVolatile(seg, RESULT_VALUE);
        out.printf("consumer: woke after %.0f ms, read %d and exited — exit detaches it%n",
                (long) ShmLayout.LONG.getVolatile(seg, RESULT_WAITED_NANOS) / 1e6, seen);
        out.println("  " + sysvRow(SysvShmSweeper.SYSVIPC_SHM, r.shmid) + "   <- key 0, perms 1600 (SHM_DEST|0600), nattch 1: only this process");
        r.sysvMapping.detach();
        r.sysvMapping = null;
        String gone = sysvRow(SysvShmSweeper.SYSVIPC_SHM, r.shmid);
        out.println("this process detaches (ipclab maps private zeros over the attachment, which drops it as shmdt would, and no stray"
                + " access can crash the JVM); the last detach destroys it: " + (gone.isEmpty() ? "no row in /proc/sysvipc/shm any more" : "STILL THERE: " + gone));
        r.sysvSem.remove();
        out.println("semctl(" + r.sysvSem.semid + ", IPC_RMID): a semaphore set has no attachments, it goes at once (a sleeper would get EIDRM)");
        r.sysvSem = null;
        r.shmid = -1;
        return seen == 42 && gone.isEmpty();
    }

    /** The header and our row of {@code ipcs -m|-s}, or /proc's row when ipcs is not installed. */
    private static void ipcs(PrintStream out, String kind, int id) {
        try {
            Process p = new ProcessBuilder("ipcs", kind).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            for (String l : text.lines().toList()) {
                String[] f = l.trim().split("\\s+");
                if (l.startsWith("key") || (f.length > 1 && f[1].equals(Integer.toString(id)))) out.println("    " + l.stripTrailing());
            }
        } catch (IOException | InterruptedException e) {
            out.println("    (ipcs: " + e.getMessage() + ")");
        }
    }

    private static String header(Path proc) throws IOException {
        return Files.readAllLines(proc).get(0).replaceAll("\\s+", " ").trim();
    }

    /** The /proc/sysvipc row of an id (second column), spaces squeezed; "" when it is gone. */
    static String sysvRow(Path proc, int id) throws IOException {
        for (String l : Files.readAllLines(proc)) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 1 && f[1].equals(Integer.toString(id))) return l.replaceAll("\\s+", " ").trim();
        }
        return "";
    }

    /** Says what is left of ours in each family (nothing, if all went well); false if anything is. */
    static boolean afterwards(PrintStream out) throws IOException {
        long me = ProcessHandle.current().pid();
        String mine = "ipclab-" + me + "-demo";
        List<String> left = new ArrayList<>();
        try (var files = Files.list(Path.of("/dev/shm"))) {
            files.filter(f -> f.getFileName().toString().contains(mine)).forEach(f -> left.add(f.toString()));
        }
        for (String l : Files.readAllLines(SysvShmSweeper.SYSVIPC_SHM)) {
            SysvShmSweeper.Row row = SysvShmSweeper.Row.parse(l);
            if (row != null && row.cpid() == me && demoSegments.contains(row.shmid())) left.add("System V shmid " + row.shmid());
        }
        for (String l : Files.readAllLines(SysvSemSweeper.SYSVIPC_SEM)) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 1 && demoSets.contains(f[1])) left.add("System V semid " + f[1]);
        }
        out.println("Afterwards: " + (left.isEmpty()
                ? "nothing of ours in /dev/shm, /proc/sysvipc/shm or /proc/sysvipc/sem (ipcs -m and ipcs -s agree)"
                : "LEFT BEHIND: " + String.join(", ", left)));
        return left.isEmpty();
    }

    private static Process startWorker(Resources r, String mode, int n) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(org.ipclab.core.peer.PeerLauncher.javaBinary());
        cmd.addAll(new ShmProvider().describe().peerJvmFlags()); // jnr-ffi calls native code
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ShmDemoWorker.class.getName());
        cmd.add(mode.startsWith("sysv") ? Integer.toString(r.shmid) : r.file.toString());
        cmd.add(mode);
        cmd.add(Integer.toString(n));
        cmd.add(mode.startsWith("sysv") ? Integer.toString(r.sysvSem.semid) : r.mutexName);
        cmd.add(r.orderName);
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void awaitReady(java.nio.ByteBuffer buf, Process child) throws IOException, InterruptedException {
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
        int shmid = -1;
        SysvShm.Mapping sysvMapping;
        SysvSemaphores sysvSem;
        Process child;

        @Override
        public void close() throws IOException {
            if (child != null && child.isAlive()) child.destroyForcibly();
            if (shmid >= 0) {
                demoSegments.add(shmid);
                SysvShm.remove(shmid); // destroyed on the last detach: ours below, the child's as it dies
            }
            if (sysvMapping != null) sysvMapping.detach();
            if (sysvSem != null) {
                demoSets.add(Integer.toString(sysvSem.semid));
                sysvSem.remove();
            }
            if (mutex != null) mutex.close();
            if (order != null) order.close();
            if (mutexName != null) NamedSemaphore.unlink(mutexName);
            if (orderName != null) NamedSemaphore.unlink(orderName);
            if (file != null) Files.deleteIfExists(file);
        }
    }
}
