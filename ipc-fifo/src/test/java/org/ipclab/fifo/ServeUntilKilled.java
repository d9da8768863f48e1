package org.ipclab.fifo;

import java.time.Duration;
import java.util.Optional;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ServerEnd;

/** Test helper run as a separate JVM: makes the FIFOs in DIR, says "ready", waits for a partner that never comes, until killed. */
public final class ServeUntilKilled {
    private ServeUntilKilled() {
    }

    public static void main(String[] args) throws Exception {
        ServerEnd end = new FifoProvider().open(ChannelSpec.of("fifo").with("path", args[0]));
        System.out.println("ready");
        System.out.flush();
        end.accept(Duration.ofSeconds(60), Optional.empty());
    }
}
