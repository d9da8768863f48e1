package org.ipclab.labs.lab2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.ipclab.core.Names;
import org.ipclab.labs.Checks;
import org.ipclab.labs.Jvm;
import org.ipclab.labs.Seeded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/** Lab 2 check. Tasks and hints: {@link org.ipclab.labs.LabCatalog}. */
class Lab2Check {
    @RegisterExtension
    final Seeded seeded = new Seeded();
    private final java.util.Random random = seeded.random();
    private Path dir;

    @BeforeEach
    void makeDir() throws Exception {
        dir = Names.privateDirectory("lab2");
    }

    @AfterEach
    void cleanUp() throws Exception {
        Checks.stopChildren();
        Checks.deleteRecursively(dir);
    }

    @Test
    @Timeout(10)
    void task1_makeCreatesAFifo() throws Exception {
        Path p = dir.resolve("f");
        Fifos.make(p);
        assertTrue(Files.exists(p, LinkOption.NOFOLLOW_LINKS), "no file at " + p + " after make");
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertEquals(0010000, mode & 0170000, "file type: not a FIFO (ls -l should show 'p' first)");
        assertEquals(0600, mode & 0777, "permissions: expected rw------- (0600), got 0" + Integer.toOctalString(mode & 0777));
        assertThrows(FileAlreadyExistsException.class, () -> Fifos.make(p), "make on an existing path must refuse");
    }

    /** Starts the student's server in another JVM and waits until both FIFOs exist. */
    private Process startServer(int count) throws Exception {
        Process server = new ProcessBuilder(Jvm.command("org.ipclab.labs.lab2.FifoServer", dir.toString(), String.valueOf(count)))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (!(Files.exists(dir.resolve("requests"), LinkOption.NOFOLLOW_LINKS) && Files.exists(dir.resolve("replies"), LinkOption.NOFOLLOW_LINKS))) {
            if (!server.isAlive()) {
                String err = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                String todo = err.lines().filter(l -> l.contains("TODO(")).findFirst().orElse(null);
                if (todo != null) throw new UnsupportedOperationException(todo.substring(todo.indexOf("TODO(")));
                throw new AssertionError("the server exited (" + server.exitValue() + ") before creating both FIFOs: "
                        + err.lines().findFirst().orElse(""));
            }
            if (System.nanoTime() > deadline) throw new AssertionError("the server did not create dir/requests and dir/replies within 8 s");
            Thread.sleep(10);
        }
        return server;
    }

    @Test
    @Timeout(10) // a client that opens replies first deadlocks with the server: this timeout ends it
    void task2_unrelatedClientAndServer() throws Exception {
        int count = 30 + random.nextInt(41);
        Process server = startServer(count);
        String word = org.ipclab.core.Names.random(6);
        List<String> msgs = IntStream.rangeClosed(1, count).mapToObj(i -> word + " " + random.nextInt(1_000_000)).collect(Collectors.toList());
        List<String> replies = FifoClient.ask(dir, msgs);
        assertEquals(msgs.stream().map(m -> "ECHO " + m).collect(Collectors.toList()), replies);
        assertTrue(server.waitFor(5, TimeUnit.SECONDS), "the server did not exit after answering " + count + " requests");
        assertEquals(0, server.exitValue(), "the server's exit code");
    }

    @Test
    @Timeout(20)
    void task3_serverRemovesItsFifos() throws Exception {
        // A client that goes away early: the server sees end of input after 1 of 5 requests.
        Process server = startServer(5);
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("requests"), StandardCharsets.UTF_8, StandardOpenOption.WRITE);
             BufferedReader in = Files.newBufferedReader(dir.resolve("replies"), StandardCharsets.UTF_8)) {
            out.write("only one");
            out.newLine();
            out.flush();
            assertEquals("ECHO only one", in.readLine());
        }
        assertTrue(server.waitFor(5, TimeUnit.SECONDS), "the server did not exit when its client closed the FIFO");
        assertFalse(Files.exists(dir.resolve("requests"), LinkOption.NOFOLLOW_LINKS), "dir/requests left behind");
        assertFalse(Files.exists(dir.resolve("replies"), LinkOption.NOFOLLOW_LINKS), "dir/replies left behind");
    }
}
