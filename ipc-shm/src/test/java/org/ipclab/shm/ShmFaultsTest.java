package org.ipclab.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.FileSweeper;
import org.ipclab.core.IpcException;
import org.ipclab.core.Leftover;
import org.ipclab.core.Names;
import org.ipclab.core.NativeException;
import org.ipclab.core.ProtocolException;
import org.ipclab.core.ServerEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Segments that must be refused, leftovers that `ipc clean` must find, and a full /dev/shm. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmFaultsTest {
    private static final Duration STEP = Duration.ofSeconds(10);
    private final ShmProvider provider = new ShmProvider();

    @Test
    void aFileThatIsNotASegmentIsRefusedByMagic() throws IOException {
        Path file = Path.of("/dev/shm", Names.unique("shm"));
        try {
            Files.write(file, new byte[(int) ShmLayout.segmentLength(64)]);
            ByteBuffer garbage = ByteBuffer.allocate(8).putLong(0, 0x1122334455667788L);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(garbage, 0);
            }
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> provider.connect(ChannelSpec.of("shm").with(ShmProvider.SEGMENT_FILE, file.toString()), STEP));
            assertTrue(e.getMessage().contains("not an ipclab shm segment") && e.getMessage().contains("magic"), e.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aSegmentOfAnotherLayoutVersionIsRefused() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("shm").with("capacity", "4k"))) {
            Path file = Path.of(server.effectiveParameters().get("segmentFile"));
            ByteBuffer version = ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(0, ShmLayout.VERSION + 1);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(version, ShmLayout.VERSION_OFFSET);
            }
            ProtocolException e = assertThrows(ProtocolException.class, () -> provider.connect(server.peerSpec(), STEP));
            assertTrue(e.getMessage().contains("layout version " + (ShmLayout.VERSION + 1)), e.getMessage());
        }
    }

    @Test
    void aNonexistentSegmentIsAClearError() {
        IpcException e = assertThrows(IpcException.class,
                () -> provider.connect(ChannelSpec.of("shm").with(ShmProvider.SEGMENT_FILE, "/dev/shm/ipclab-1-shm-nothere"), STEP));
        assertTrue(e.getMessage().contains("no segment"), e.getMessage());
    }

    /**
     * A crashed run's segment: header intact, creator gone. Attaching is refused, and `ipc clean`
     * (FileSweeper) lists and removes both the segment and its {@code sem.*} files.
     */
    @Test
    void aCrashedRunsSegmentIsRefusedAndSweptWithItsSemaphores() throws Exception {
        long dead = deadPid();
        Path file = Path.of("/dev/shm", "ipclab-" + dead + "-shm-crashd");
        ShmSegment segment = ShmSegment.create(file, 64, WaitStrategy.SEMAPHORE);
        List<String> sems = ShmSegment.semaphoreNames(file);
        try {
            for (String s : sems) NamedSemaphore.create(s, 0).close();
            ShmLayout.LONG.setRelease(segment.buffer, ShmLayout.CREATOR_PID_OFFSET, dead);

            IpcException e = assertThrows(IpcException.class,
                    () -> provider.connect(ChannelSpec.of("shm").with(ShmProvider.SEGMENT_FILE, file.toString()), STEP));
            assertTrue(e.getMessage().contains("stale segment") && e.getMessage().contains("ipc clean"), e.getMessage());

            List<Leftover> found = new FileSweeper().find(false).stream()
                    .filter(l -> l.describe().contains("ipclab-" + dead + "-shm-crashd")).collect(Collectors.toList());
            assertEquals(5, found.size(), "the segment and 4 semaphores: " + found.stream().map(Leftover::describe).collect(Collectors.toList()));
            for (Leftover l : found) l.remove();
            assertFalse(Files.exists(file));
            for (String s : sems) assertFalse(Files.exists(Path.of(NamedSemaphore.file(s))), s);
        } finally {
            Files.deleteIfExists(file);
            for (String s : sems) NamedSemaphore.unlink(s);
        }
    }

    /**
     * /dev/shm full: posix_fallocate reserves the whole segment up front, so the error is ENOSPC at
     * open, not a SIGBUS when a page is first touched. Needs a small tmpfs: mounted here when we may
     * (root), skipped otherwise.
     */
    @Test
    void aFullTmpfsIsAnEnospcErrorAtOpenAndLeavesNothing() throws Exception {
        Path dir = Names.privateDirectory("enospc");
        boolean mounted = false;
        try {
            mounted = run("mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "ipclab-test", dir.toString()) == 0;
            assumeTrue(mounted, "cannot mount a small tmpfs here (not root?)");
            NativeException e = assertThrows(NativeException.class,
                    () -> provider.open(ChannelSpec.of("shm").with("path", dir.toString()).with("capacity", "1m")));
            assertEquals("ENOSPC", e.errnoName(), e.getMessage());
            assertTrue(e.getMessage().startsWith("posix_fallocate(" + dir), e.getMessage());
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "left behind in the full tmpfs");
            }
            // The same directory takes a segment that fits.
            try (ServerEnd ok = provider.open(ChannelSpec.of("shm").with("path", dir.toString()).with("capacity", "64k"))) {
                assertTrue(Files.exists(Path.of(ok.effectiveParameters().get("segmentFile"))));
            }
        } finally {
            if (mounted) run("umount", "-l", dir.toString()); // lazy: our mapping of the small segment lives until GC
            Files.deleteIfExists(dir);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"semaphore", "futex", "spin"})
    void peerDeathWhileWaitingIsAnErrorNotAHang(String wait) throws Exception {
        // The server end watches the peer's pid from the header; a pid that is gone ends the wait.
        try (ServerEnd server = provider.open(ChannelSpec.of("shm").with("capacity", "4k").with("wait", wait))) {
            ShmSegment attached = ShmSegment.attach(Path.of(server.effectiveParameters().get("segmentFile")));
            long dead = deadPid();
            ShmLayout.LONG.setRelease(attached.buffer, ShmLayout.PEER_PID_OFFSET, dead);
            var ch = server.accept(STEP, Optional.empty());
            long start = System.nanoTime();
            IpcException e = assertThrows(IpcException.class, () -> ch.receive(ByteBuffer.allocate(64), Duration.ofSeconds(20)));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().contains("pid " + dead) && e.getMessage().contains("died"), e.getMessage());
            assertTrue(ms < 5_000, "noticed after " + ms + " ms");
            ch.close();
        }
    }

    /** The pid of a process that has exited (and was reaped). */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assumeTrue(ProcessHandle.of(pid).isEmpty(), "pid reused already");
        return pid;
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
