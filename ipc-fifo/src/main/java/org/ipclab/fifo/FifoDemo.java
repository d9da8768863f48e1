package org.ipclab.fifo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jnr.constants.platform.Errno;

import org.ipclab.core.PipeCapacity;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Demo;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.Names;
import org.ipclab.core.NativeException;
import org.ipclab.core.Units;

/**
 * {@code ipc demo fifo}: a named pipe is a pipe with a name in the file system.
 *
 * <ol>
 *   <li>{@code mkfifo}: the file type {@code p}, as {@code ls -l} shows it, size 0;</li>
 *   <li>{@code open} blocks until the partner arrives — here an unrelated {@code /bin/sh} that only knows the path;</li>
 *   <li>non-blocking opens without a partner: write-only fails with ENXIO, read-only succeeds and reads EOF;</li>
 *   <li>the same kernel buffer as a pipe: capacity = F_GETPIPE_SZ, while the file's size stays 0;</li>
 *   <li>the name is only for meeting: unlinked, the open pipe still works (ipclab unlinks right after the rendezvous).</li>
 * </ol>
 *
 * <p>How to run and what you should see: {@code ipc demo fifo} — a {@code prw-------} line, an
 * open that took about the delay, ENXIO, 65536 bytes held while {@code ls} says 0; exit code 0.
 */
public final class FifoDemo implements Demo {
    @Override
    public String name() {
        return "fifo";
    }

    @Override
    public String summary() {
        return "named pipes: file type p, open blocks until the partner comes, ENXIO, same buffer as a pipe";
    }

    @Override
    public List<String> usage() {
        return List.of(
                "--delay DURATION   how long the partner process waits before opening (default 500ms)",
                "--pipe-size SIZE   capacity to ask for in step 4 (default: the kernel's)");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        Duration delay = Duration.ofMillis(500);
        int pipeSize = 0;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (i + 1 >= args.size()) throw new BadInputException("demo fifo: " + a + " needs a value (see --help)");
            String v = args.get(++i);
            switch (a) {
                case "--delay":
                    delay = Units.parseDuration("--delay", v);
                    if (delay.compareTo(Duration.ofSeconds(5)) > 0) throw new BadInputException("demo fifo: --delay " + v + " is over 5s");
                    break;
                case "--pipe-size": pipeSize = PipeCapacity.validate(Units.parseSize("--pipe-size", v)); break;
                default: throw new BadInputException("demo fifo: unknown option " + a + " (known: --delay, --pipe-size)");
            }
        }
        Path dir = Names.privateDirectory("fifo-demo");
        AutoCloseable cleanup = () -> removeAll(dir);
        ExitCleanup.register(cleanup);
        boolean ok = true;
        try {
            out.println("A FIFO (named pipe) is the kernel buffer of a pipe given a name in the file system, so that");
            out.println("processes that share no descriptors — unrelated programs — can meet by path.");
            Path fifo = dir.resolve("demo.fifo");

            step(out, "Step 1. mkfifo(\"" + fifo + "\", 0600)");
            FifoFiles.create(fifo);
            out.println("  $ ls -l " + fifo);
            out.println("  " + FifoLab.listing(fifo));
            out.println("  The first letter 'p' is the file type: FIFO. Its size is 0, and stays 0: data never touches the disk.");
            out.println("  (The directory " + dir + " is ours, mode 0700.)");

            step(out, "Step 2. open() blocks until the other end is opened");
            out.println("  We open it for reading. A separate program, /bin/sh, waits " + Units.format(delay)
                    + ", then runs: echo \"hello from pid $$\" > " + fifo.getFileName());
            FifoLab.Rendezvous r = FifoLab.blockingOpen(fifo, delay.toMillis());
            out.println("  our open(O_RDONLY) returned after " + r.openMillis() + " ms — when the writer arrived");
            out.println("  read until EOF: \"" + r.received() + "\" (the shell was pid " + r.partnerPid() + ")");
            out.println("  Both sides open in a fixed order and every ipclab open has a timeout, because a blocking open");
            out.println("  with no partner waits forever (and two processes opening two FIFOs in opposite orders deadlock).");
            ok &= r.received().startsWith("hello from pid") && r.openMillis() >= delay.toMillis() / 2;

            step(out, "Step 3. Non-blocking opens when nobody is on the other side");
            FifoLab.NonBlockingOpens nb = FifoLab.nonBlockingOpens(fifo);
            out.println("  open(O_WRONLY|O_NONBLOCK) -> -1 " + NativeException.describe(nb.writeOpenErrno())
                    + ": there is no reader, and data written now could never be read");
            out.println("  open(O_RDONLY|O_NONBLOCK) -> " + (nb.readOpenSucceeded() ? "a descriptor at once" : "failed")
                    + "; read -> " + nb.readWithoutWriter() + " (end of file: no writer)");
            out.println("  open(O_RDWR) never blocks on Linux (POSIX leaves it undefined): ipclab uses it to wake its own blocked open on timeout.");
            ok &= nb.writeOpenErrno() == Errno.ENXIO.intValue() && nb.readOpenSucceeded() && nb.readWithoutWriter() == 0;

            step(out, "Step 4. The same kernel buffer as an anonymous pipe");
            long[] cap = FifoLab.capacity(fifo, pipeSize);
            out.printf("  open(O_RDWR|O_NONBLOCK), write 4096-byte chunks until EAGAIN: %,d bytes fit; F_GETPIPE_SZ says %,d%n", cap[0], cap[1]);
            out.println("  ls -l meanwhile reports size " + cap[2] + ": the bytes live in kernel memory, not in the file.");
            out.println("  When the last descriptor closes, unread data is discarded: a FIFO keeps its name, not its contents.");
            ok &= cap[0] == cap[1] && cap[2] == 0;

            step(out, "Step 5. The name is only a meeting point");
            String back = FifoLab.unlinkedStillWorks(fifo);
            out.println("  open both ends, unlink(\"" + fifo.getFileName() + "\"), then write and read: \"" + back + "\"");
            out.println("  ipclab's fifo mechanism unlinks both FIFOs as soon as both processes hold both ends,");
            out.println("  so a crash after that leaves nothing behind (before it: close, Ctrl-C and `ipc clean` remove them).");
            ok &= back.equals("still here") && !Files.exists(fifo);
        } finally {
            removeAll(dir);
            ExitCleanup.forget(cleanup);
        }
        out.println();
        out.println("Removed " + dir + ".");
        out.println(ok ? "Every step showed what it should." : "Some step did NOT show what it should (see above).");
        out.println("Measure it: ipc bench --mechanism fifo --sizes 64,4k,64k --mode latency   (man 7 fifo, man 3 mkfifo, man 7 pipe)");
        return ok ? 0 : 1;
    }

    private static void step(PrintStream out, String title) {
        out.println();
        out.println("== " + title);
    }

    private static void removeAll(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }
}
