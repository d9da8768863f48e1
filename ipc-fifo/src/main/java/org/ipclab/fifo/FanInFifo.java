package org.ipclab.fifo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;

import jnr.constants.platform.OpenFlags;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import org.ipclab.core.Framing;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.NativeException;
import org.ipclab.core.StreamChannel;
import org.ipclab.core.Units;
import org.ipclab.core.io.IoRoute;

/**
 * N writers into one FIFO, the classic use of a named pipe ({@code ipc bench --clients N}, spec
 * option {@link org.ipclab.core.ChannelSpec#FAN_IN_WRITERS}). pipe(7): a write of at most
 * {@link #PIPE_BUF} bytes to a pipe or FIFO is atomic, never interleaved with other writers'
 * bytes; a larger one may be. So a writer's frame (header and message) is ONE write(2) of at most
 * PIPE_BUF bytes, and the reader sees whole frames from N writers in some order. A writer killed
 * mid-run cannot leave half a frame, and the stream ends only when the last writer has closed.
 *
 * <p>One way only: the writers open to-server and nothing else (no to-client FIFO is made), since
 * a reply in a shared FIFO would reach whichever writer reads first.
 */
final class FanInFifo {
    /** pipe(7): the most one write(2) to a pipe or FIFO keeps whole (Linux: 4096). */
    static final int PIPE_BUF = 4096;
    /** The largest message whose frame (4-byte header + message) is one atomic write. */
    static final int MAX_MESSAGE = PIPE_BUF - Framing.HEADER_BYTES;
    /** What the limit is and why, for the mechanism's description (bench quotes it in its refusal). */
    static final String LIMIT = "N writers into one FIFO: a frame (" + Framing.HEADER_BYTES + "-byte header + message) is one write(2)"
            + " of at most PIPE_BUF = " + PIPE_BUF + " bytes, which pipe(7) keeps whole";

    private FanInFifo() {
    }

    /** A writer's end: sends only, each frame one whole write. */
    static StreamChannel writer(FileChannel toServer, IoRoute route) throws IOException {
        return new Writer(new WholeWrites(route.wrap(toServer)));
    }

    /**
     * The server's one channel that all writers share. A FIFO's FileChannel cannot wait with a
     * timeout except by closing (StreamChannel's deadline), and the fan-in reader waits in slices
     * until the last writer has spoken: so it waits in poll(2) on a second descriptor of the same
     * FIFO (the JDK does not hand out the first one's number), then reads what is there.
     */
    static StreamChannel reader(FileChannel toServer, Path fifo, IoRoute route) throws IOException {
        int pollFd = FifoFiles.posix().open(fifo.toString(),
                OpenFlags.O_RDONLY.intValue() | OpenFlags.O_NONBLOCK.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0);
        if (pollFd < 0) throw new NativeException("open(" + fifo + ", O_RDONLY|O_NONBLOCK)", FifoFiles.posix().errno());
        return new Reader(route.wrap(toServer), pollFd);
    }

    /** Hands each buffer to one write call and refuses a partial write: two calls could interleave with another writer's frame. */
    static final class WholeWrites implements WritableByteChannel {
        private final WritableByteChannel out;

        WholeWrites(WritableByteChannel out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer frame) throws IOException {
            int length = frame.remaining();
            if (length > PIPE_BUF) {
                throw new IpcException("fifo fan-in: a frame of " + length + " bytes is over PIPE_BUF = " + PIPE_BUF
                        + ", the most one write(2) keeps whole among N writers");
            }
            int n = out.write(frame);
            if (n != length) {
                throw new IpcException("fifo fan-in: write(2) took " + n + " of a " + length + "-byte frame; the rest could"
                        + " interleave with another writer's, so the channel is broken");
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    private static final class Writer extends StreamChannel {
        Writer(WritableByteChannel out) {
            super(FifoProvider.NAME, Channels.newChannel(InputStream.nullInputStream()), out, MAX_MESSAGE);
        }

        @Override
        public int receive(ByteBuffer into, Duration timeout) throws IOException {
            throw noReturnPath();
        }

        @Override
        public int tryReceive(ByteBuffer into) throws IOException {
            throw noReturnPath();
        }

        private static IpcException noReturnPath() {
            return new IpcException("fifo fan-in writer: no return path (N writers share to-server; nothing is sent back to one of them)");
        }
    }

    private static final class Reader extends StreamChannel {
        private static final short POLLIN = 0x1;
        private final int pollFd;
        private final Pointer pollfd = Memory.allocateDirect(Poll.RUNTIME, 8);

        Reader(java.nio.channels.ReadableByteChannel in, int pollFd) {
            super(FifoProvider.NAME, in, Channels.newChannel(java.io.OutputStream.nullOutputStream()), MAX_MESSAGE,
                    () -> FifoFiles.posix().close(pollFd));
            this.pollFd = pollFd;
        }

        /** Waits up to {@code timeout} in poll(2); a timeout leaves the channel open (the next writer's frame may be on its way). */
        @Override
        public int receive(ByteBuffer into, Duration timeout) throws IOException {
            if (!frameBuffered() && !readable(timeout)) throw new IpcTimeoutException("fifo fan-in receive", timeout);
            // Data or end of stream is there; writes are whole frames, so the read does not wait for the rest of one.
            return super.receive(into, timeout);
        }

        @Override
        public void send(ByteBuffer message, Duration timeout) throws IOException {
            throw new IpcException("fifo fan-in: the server end only reads (a reply would reach whichever writer reads first)");
        }

        @Override
        public boolean trySend(ByteBuffer message) throws IOException {
            send(message, Duration.ZERO);
            return false;
        }

        /** True when the FIFO holds bytes or has no writer left (POLLHUP: the read returns end of stream). */
        private boolean readable(Duration timeout) throws IOException {
            long deadline = System.nanoTime() + Units.nanos(timeout);
            while (true) {
                long left = deadline - System.nanoTime();
                int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (left + 999_999) / 1_000_000));
                pollfd.putInt(0, pollFd);
                pollfd.putShort(4, POLLIN);
                pollfd.putShort(6, (short) 0);
                int r = Poll.LIBC.poll(pollfd, 1, millis);
                if (r > 0) return true;
                if (r == 0) {
                    if (deadline - System.nanoTime() <= 0) return false;
                    continue;
                }
                int errno = Poll.RUNTIME.getLastError();
                if (errno != jnr.constants.platform.Errno.EINTR.intValue()) throw new NativeException("poll(fifo fan-in)", errno);
            }
        }
    }

    /** poll(2), which jnr-posix does not expose. */
    public interface PollLibC {
        int poll(Pointer fds, long nfds, int timeout);
    }

    private static final class Poll {
        static final PollLibC LIBC = LibraryLoader.create(PollLibC.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    }
}
