package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.ipclab.core.peer.Control;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ipc bench --connect} distrusts the server: a fake one that speaks the documented wire
 * format (HELLO first, frames of [u32 LE length][payload]) but lies, chatters, stays silent or
 * echoes too much gets a one-line error within the timeout, exit 1, and what was measured before
 * is saved, marked partial.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FakeServerTest {
    @TempDir
    Path dir;

    /** How a fake server answers once it has greeted. */
    enum Behaviour { LIES_IN_STATS, CHATTERS_INSTEAD_OF_STATS, SILENT, ECHOES_TOO_MUCH }

    @Test
    void countsThatMakeNoSenseAreRefused() throws Exception {
        CliTest.Run r = benchAgainst(Behaviour.LIES_IN_STATS, "throughput");
        assertFailedWith(r, "make no sense");
    }

    @Test
    void aServerThatStreamsAnythingButStatsIsCutOffAtTheTimeout() throws Exception {
        long start = System.nanoTime();
        CliTest.Run r = benchAgainst(Behaviour.CHATTERS_INSTEAD_OF_STATS, "throughput");
        assertFailedWith(r, "STATS");
        assertTrue((System.nanoTime() - start) / 1_000_000 < 60_000, "took far longer than the 2 s timeout");
    }

    @Test
    void aSilentServerIsATimeoutNotAHang() throws Exception {
        CliTest.Run r = benchAgainst(Behaviour.SILENT, "latency");
        assertFailedWith(r, "timed out");
    }

    @Test
    void anEchoLargerThanTheProbeIsNotAValidResult() throws Exception {
        CliTest.Run r = benchAgainst(Behaviour.ECHOES_TOO_MUCH, "latency");
        assertEquals(1, r.exit(), r.all());
        assertFalse(r.all().contains("\tat "), "stack trace printed: " + r.all());
    }

    private void assertFailedWith(CliTest.Run r, String words) throws IOException {
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.all().contains(words), "'" + words + "' missing from: " + r.all());
        assertFalse(r.all().contains("\tat "), "stack trace printed: " + r.all());
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("r.json")));
        assertTrue(json.path("partial").asBoolean(), "the saved results say they are partial: " + json.path("partial"));
        assertEquals("failed", json.path("measurements").get(0).path("status").asText(), json.toString());
    }

    private CliTest.Run benchAgainst(Behaviour behaviour, String mode) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> serve(listener, behaviour), "fake-server");
            server.setDaemon(true);
            server.start();
            return CliTest.ipc("bench", "-m", "tcp", "--connect", "127.0.0.1:" + listener.getLocalPort(), "--sizes", "64",
                    "--mode", mode, "--duration", "200ms", "--warmup", "0ms", "--repeat", "1", "--timeout", "2s",
                    "--json", dir.resolve("r.json").toString(), "-q");
        }
    }

    private static void serve(ServerSocket listener, Behaviour behaviour) {
        try (Socket s = listener.accept()) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            send(out, Control.message(Control.HELLO, 4242));
            if (behaviour == Behaviour.SILENT) {
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
            long sunk = 0;
            boolean sinking = false;
            while (true) {
                ByteBuffer frame = read(in);
                if (frame == null) return;
                int op = Control.opcode(frame, frame.limit());
                if (op == Control.SINK) {
                    sinking = true;
                } else if (op == Control.SINK_END) {
                    if (behaviour == Behaviour.CHATTERS_INSTEAD_OF_STATS) {
                        ByteBuffer junk = ByteBuffer.allocate(64);
                        while (true) send(out, junk.clear());
                    }
                    send(out, Control.message(Control.STATS, sunk + 1000, 0, 0, 64 * (sunk + 1000), 0, 0));
                    sinking = false;
                } else if (sinking) {
                    sunk++;
                } else if (behaviour == Behaviour.ECHOES_TOO_MUCH) {
                    ByteBuffer bigger = ByteBuffer.allocate(frame.limit() + 8);
                    bigger.put(frame).position(bigger.capacity()).flip();
                    send(out, bigger);
                } else {
                    send(out, frame);
                }
            }
        } catch (IOException ignored) {
            // the client went away: the test is over
        }
    }

    private static ByteBuffer read(DataInputStream in) throws IOException {
        byte[] header = new byte[4];
        try {
            in.readFully(header);
        } catch (java.io.EOFException e) {
            return null;
        }
        int length = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] payload = new byte[length];
        in.readFully(payload);
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void send(OutputStream out, ByteBuffer payload) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(payload.remaining()).put(payload.duplicate()).flip();
        out.write(frame.array(), 0, frame.limit());
        out.flush();
    }

}
