package org.ipclab.labs.lab4;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.ipclab.core.Channel;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;

/** Lab 4 reference solution, task 2: the {@link Channel} over two rings, with waits that end. */
public final class RingChannel implements Channel {
    private final Ring tx;
    private final Ring rx;
    private volatile boolean closed;

    /** Sends on the ring at {@code txBase}, receives from the ring at {@code rxBase}, both in {@code shared}. */
    public RingChannel(ByteBuffer shared, int txBase, int rxBase) {
        this.tx = new Ring(shared, txBase);
        this.rx = new Ring(shared, rxBase);
    }

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        checkSize(message);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int idle = 0; !tx.offer(message); idle++) {
            if (System.nanoTime() - deadline > 0) throw new IpcTimeoutException("send on lab4-ring", timeout);
            idle(idle);
        }
    }

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int idle = 0; ; idle++) {
            int n = rx.poll(into);
            if (n != NO_MESSAGE) return n;
            if (System.nanoTime() - deadline > 0) throw new IpcTimeoutException("receive on lab4-ring", timeout);
            idle(idle);
        }
    }

    /** Spin briefly (the answer is often microseconds away), then nap so that a silent peer costs no CPU. */
    private static void idle(int idle) {
        if (idle < 1000) Thread.onSpinWait();
        else LockSupport.parkNanos(20_000);
    }

    private void checkSize(ByteBuffer message) {
        if (message.remaining() > maxMessageSize()) throw new MessageTooLargeException(RingProvider.NAME, message.remaining(), maxMessageSize());
    }

    @Override
    public boolean trySend(ByteBuffer message) {
        checkSize(message);
        return tx.offer(message);
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        return rx.poll(into);
    }

    @Override
    public int maxMessageSize() {
        return RingLayout.MAX_MESSAGE;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tx.close();
        }
    }
}
