package org.ipclab.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;

/**
 * A client process for {@link DatagramFanInTest}: connects with the given spec, sends {@code count}
 * datagrams "TAG SEQ", says {@code sent} on stdout and keeps its socket until stdin closes.
 *
 * <pre>DatagramWriterMain TAG COUNT CONNECT_TIMEOUT_MS MECHANISM [key=value ...]</pre>
 * Exit 1, the error on stderr, when the connect or a send fails.
 */
public final class DatagramWriterMain {
    private DatagramWriterMain() {
    }

    public static void main(String[] args) throws IOException {
        String tag = args[0];
        int count = Integer.parseInt(args[1]);
        Duration timeout = Duration.ofMillis(Long.parseLong(args[2]));
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 4; i < args.length; i++) options.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        ChannelSpec spec = ChannelSpec.of(args[3], options);
        try (Channel ch = Providers.forSpec(spec).connect(spec, timeout)) {
            for (int i = 0; i < count; i++) ch.send(ByteBuffer.wrap((tag + " " + i).getBytes(StandardCharsets.US_ASCII)), Duration.ofSeconds(10));
            System.out.println("sent");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin: our socket stays while the server reads
            }
        } catch (IOException | RuntimeException e) {
            System.err.println(tag + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
