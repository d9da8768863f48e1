package org.ipclab.signal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.NativeException;
import org.ipclab.core.PeerGoneException;

import sun.misc.Signal;

/**
 * The JVM-handler route: a message is the arrival of a standard signal (SIGUSR1 by default),
 * sent with {@code kill(2)} from JNR-POSIX and caught with a {@code sun.misc.Signal} handler. It
 * carries nothing ({@code maxMessageSize} 0). The other of USR1/HUP means end of stream.
 *
 * <p>What this costs, and why: the kernel runs the JVM's C handler, which only posts to a
 * semaphore; the JVM's "Signal Dispatcher" thread wakes, and starts a <b>new Java thread</b> that
 * runs our handler, which releases a {@link Semaphore} the receiver waits on — three thread
 * hand-offs and a thread creation per message. Standard signals are not queued: two USR1 sent
 * before the first is handled arrive as one. In a ping-pong only one is ever in flight.
 * A handler is process-wide, so one process holds one such channel at a time.
 */
final class HandlerChannel implements Channel {
    private static final AtomicBoolean IN_USE = new AtomicBoolean();
    private static final POSIX POSIX_ = POSIXFactory.getNativePOSIX();

    private final Signal data;
    private final Signal end;
    private final Semaphore arrivals = new Semaphore(0);
    private volatile boolean endArrived;
    private volatile Peer peer;
    private volatile boolean closed;

    /** Our handlers stay installed once installed: restoring the JVM's would let a late SIGHUP shut the JVM down. */
    private static final java.util.Map<String, Signal> INSTALLED = new java.util.HashMap<>();
    private static volatile HandlerChannel current;

    HandlerChannel(String dataName, Peer peer) {
        String endName = dataName.equals("HUP") ? "USR1" : "HUP";
        if (!IN_USE.compareAndSet(false, true)) {
            throw new BadInputException("this process already has a signal channel on the handler route (a handler is process-wide)");
        }
        try {
            this.data = install(dataName);
            this.end = install(endName);
        } catch (IllegalArgumentException e) {
            IN_USE.set(false);
            throw new BadInputException("cannot catch SIG" + dataName + ": " + e.getMessage());
        }
        this.peer = peer;
        current = this;
    }

    private static synchronized Signal install(String name) {
        Signal s = INSTALLED.get(name);
        if (s == null) {
            s = new Signal(name);
            SigLib.unignore(s.getNumber()); // started under nohup: SIGHUP would stay ignored, the stream would never end
            Signal.handle(s, HandlerChannel::arrived);
            INSTALLED.put(name, s);
        }
        return s;
    }

    /** Runs in the new thread the JVM starts for each delivery. */
    private static void arrived(Signal s) {
        HandlerChannel ch = current;
        if (ch == null) return; // no channel open: dropped
        if (s.getName().equals(ch.end.getName())) ch.endArrived = true;
        ch.arrivals.release();
    }

    void peer(Peer p) {
        this.peer = p;
    }

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        if (message.remaining() > 0) throw new MessageTooLargeException("signal (a standard signal carries no data)", message.remaining(), 0);
        kill(data);
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        send(message, Duration.ZERO);
        return true;
    }

    private void kill(Signal sig) throws IOException {
        if (closed) throw new IpcException("signal: channel is closed");
        Peer p = peer;
        p.check("send SIG" + sig.getName());
        if (POSIX_.kill((int) p.pid(), sig.getNumber()) != 0) {
            int errno = POSIX_.errno();
            if (errno == SigLib.ESRCH) throw new PeerGoneException("signal: " + p + " no longer exists");
            throw new NativeException("kill(" + p.pid() + ", SIG" + sig.getName() + ")", errno);
        }
    }

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        long end = System.nanoTime() + RtChannel.nanos(timeout);
        while (true) {
            if (closed) throw new IpcException("signal: channel is closed");
            long left = end - System.nanoTime();
            try {
                if (arrivals.tryAcquire(Math.max(0, Math.min(left, 100_000_000L)), TimeUnit.NANOSECONDS)) {
                    return endArrived ? END_OF_STREAM : 0;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpcException("signal: interrupted");
            }
            if (endArrived) return END_OF_STREAM;
            Peer p = peer;
            if (p != null) p.check("receive SIG" + data.getName());
            if (System.nanoTime() - end >= 0) throw new IpcTimeoutException("signal receive (SIG" + data.getName() + ")", timeout);
        }
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        if (arrivals.tryAcquire()) return endArrived ? END_OF_STREAM : 0;
        return endArrived ? END_OF_STREAM : NO_MESSAGE;
    }

    @Override
    public int maxMessageSize() {
        return 0;
    }

    /** Sends the end signal to a live peer, restores the previous handlers. */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            Peer p = peer;
            if (!endArrived && p != null && p.alive()) kill(end); // never answer an end with an end
        } catch (IOException | RuntimeException ignored) {
            // gone meanwhile
        } finally {
            closed = true;
            if (current == this) current = null;
            IN_USE.set(false);
        }
    }
}
