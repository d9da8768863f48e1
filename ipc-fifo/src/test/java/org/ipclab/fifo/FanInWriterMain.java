package org.ipclab.fifo;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;

/**
 * Test helper run as a separate JVM: one of N fan-in writers. Connects with the peer spec given as
 * key=value arguments, says "ready", waits for a line on stdin (so that every writer has opened
 * to-server before any closes it), then sends {@code count} messages of {@code size} bytes that
 * carry its number and sequence, each byte derived from both ({@link #expected}), and closes.
 *
 * <pre>FanInWriterMain writer count size key=value...</pre>
 */
public final class FanInWriterMain {
    private FanInWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        int writer = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        ChannelSpec spec = ChannelSpec.of("fifo");
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            spec = spec.with(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try (Channel ch = new FifoProvider().connect(spec, Duration.ofSeconds(20))) {
            System.out.println("ready");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
            ByteBuffer msg = ByteBuffer.allocateDirect(size);
            for (int seq = 0; seq < count; seq++) {
                for (int i = 0; i < size; i++) msg.put(i, expected(writer, seq, i));
                ch.send(msg.clear(), Duration.ofSeconds(20));
            }
        }
    }

    /** Byte {@code i} of message {@code seq} of {@code writer}: the first 8 bytes are writer and seq, the rest a pattern of both. */
    static byte expected(int writer, int seq, int i) {
        if (i < 4) return (byte) (writer >>> (8 * i));
        if (i < 8) return (byte) (seq >>> (8 * (i - 4)));
        return (byte) (writer * 31 + seq * 7 + i);
    }
}
