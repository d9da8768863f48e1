package org.ipclab.fifo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.peer.Control;

/** Test helper run as a separate JVM: a client that says HELLO, waits for STOP, then takes its time to hang up. */
public final class LingeringClient {
    private LingeringClient() {
    }

    public static void main(String[] args) throws Exception {
        try (Channel ch = new FifoProvider().connect(ChannelSpec.of("fifo").with("path", args[0]), Duration.ofSeconds(20))) {
            ch.send(Control.message(Control.HELLO, ProcessHandle.current().pid()), Duration.ofSeconds(10));
            ByteBuffer in = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            int n;
            do {
                n = ch.receive(in.clear(), Duration.ofSeconds(20));
            } while (n >= 0 && Control.opcode(in.flip(), n) != Control.STOP);
            Thread.sleep(Long.parseLong(args[1]));
        }
    }
}
