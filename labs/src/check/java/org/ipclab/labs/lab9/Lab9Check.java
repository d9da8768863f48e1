package org.ipclab.labs.lab9;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.ipclab.core.Names;
import org.ipclab.labs.Checks;
import org.ipclab.labs.Jvm;
import org.ipclab.labs.Seeded;
import org.ipclab.labs.support.PosixMq;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Lab 9 check. Every queue it names is unlinked afterwards. Tasks and hints: {@link org.ipclab.labs.LabCatalog}. */
class Lab9Check {
    private static final Path MQUEUE_FS = Path.of("/dev/mqueue");
    @RegisterExtension
    final Seeded seeded = new Seeded();
    private final Random random = seeded.random();
    private final List<String> names = new ArrayList<>();

    @AfterEach
    void removeQueues() {
        for (String n : names) PosixMq.unlink(n);
        Checks.stopChildren();
    }

    private String name() {
        String n = "/" + Names.unique("lab9");
        names.add(n);
        return n;
    }

    /** The check's own queue (its own calls, so that each task depends only on the code it grades). */
    private static int queue(String name, int maxmsg, int msgsize) {
        int mqd = PosixMq.open(name, PosixMq.O_RDWR | PosixMq.O_CREAT | PosixMq.O_EXCL, maxmsg, msgsize);
        assertTrue(mqd >= 0, "the check could not create " + name + ": errno " + -mqd);
        return mqd;
    }

    private static long msgMax() throws IOException {
        // readAllLines, not readString: files in /proc report size 0, and readString may return only their first byte
        return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/mqueue/msg_max")).get(0).strip());
    }

    @Test
    @Timeout(10)
    void task1_createExclusiveWithLimitsAndRemove() throws Exception {
        String name = name();
        int maxmsg = 1 + random.nextInt((int) Math.min(10, msgMax()));
        int msgsize = 16 + random.nextInt(500);
        int mqd = Queues.create(name, maxmsg, msgsize);
        try {
            PosixMq.Attributes a = PosixMq.attributes(mqd);
            assertNotNull(a, "create(" + name + ") returned " + mqd + ", which is not a queue descriptor");
            assertEquals(maxmsg, a.maxmsg(), "mq_maxmsg of the new queue (create(name, " + maxmsg + ", " + msgsize + "))");
            assertEquals(msgsize, a.msgsize(), "mq_msgsize of the new queue");
            assertEquals(0, a.flags() & PosixMq.O_NONBLOCK, "create's descriptor should block (no O_NONBLOCK)");
            if (Files.isRegularFile(MQUEUE_FS.resolve(name.substring(1)))) {
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(MQUEUE_FS.resolve(name.substring(1)))), "mode of " + MQUEUE_FS + name);
            }
            assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> Queues.create(name, maxmsg, msgsize),
                    "creating " + name + " again must fail with FileAlreadyExistsException (O_EXCL), never reuse the queue");
        } finally {
            PosixMq.close(mqd);
        }
        Queues.remove(name);
        int again = PosixMq.open(name, PosixMq.O_RDONLY, 0, 0);
        if (again >= 0) PosixMq.close(again);
        assertEquals(-PosixMq.ENOENT, again, "after remove(" + name + ") the name should be gone (mq_open: ENOENT)");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Queues.remove(name), "removing a queue that is not there");
    }

    private record Sent(String text, int priority, int order) {
    }

    /** The order mq_receive(3) gives: the highest priority first, the oldest first within a priority. */
    private static List<Sent> deliveryOrder(List<Sent> sent) {
        List<Sent> expected = new ArrayList<>(sent);
        expected.sort(Comparator.comparingInt(Sent::priority).reversed().thenComparingInt(Sent::order));
        return expected;
    }

    private List<Sent> randomMessages(int n) {
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) sent.add(new Sent("m" + i + "-" + Names.random(4), random.nextInt(4) * 10 + random.nextInt(3), i));
        return sent;
    }

    @Test
    @Timeout(10)
    void task2_priorityDecidesTheOrder() throws Exception {
        String name = name();
        int mqd = queue(name, 10, 64);
        try {
            List<Sent> sent = randomMessages(5 + random.nextInt(6));
            for (Sent s : sent) Queues.send(mqd, s.text(), s.priority());
            List<String> got = new ArrayList<>();
            int[] errno = new int[1];
            for (int i = 0; i < sent.size(); i++) {
                PosixMq.Message m = PosixMq.receive(mqd, Duration.ofSeconds(2), errno);
                assertNotNull(m, "message " + (i + 1) + " of " + sent.size() + " sent with send() never arrived (errno " + errno[0] + ")");
                got.add(m.text() + "@" + m.priority());
            }
            List<String> expected = deliveryOrder(sent).stream().map(s -> s.text() + "@" + s.priority()).toList();
            assertEquals(expected, got, "sent " + sent.stream().map(s -> s.text() + "@" + s.priority()).toList()
                    + " (text@priority): the kernel delivers the highest priority first; does send() pass the priority?");

            sent = randomMessages(5 + random.nextInt(6));
            for (Sent s : sent) assertEquals(0, PosixMq.send(mqd, s.text().getBytes(StandardCharsets.UTF_8), s.priority()));
            List<String> received = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                CompletableFuture<Queues.Message> next = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Queues.receive(mqd);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Queues.Message m = next.get(3, TimeUnit.SECONDS);
                received.add(m.text() + "@" + m.priority());
            }
            assertEquals(deliveryOrder(sent).stream().map(s -> s.text() + "@" + s.priority()).toList(), received,
                    "receive() should return each message with the priority it was sent with, in the kernel's order");
        } finally {
            PosixMq.close(mqd);
        }
    }

    @Test
    @Timeout(15)
    void task3_aFullQueueBlocksOrRefuses() throws Exception {
        String name = name();
        int k = 2 + random.nextInt(5);
        int mqd = queue(name, k, 32);
        int offer = Queues.openForOffer(name);
        try {
            PosixMq.Attributes a = PosixMq.attributes(offer);
            assertNotNull(a, "openForOffer returned " + offer + ", which is not a queue descriptor");
            for (int i = 0; i < k; i++) assertTrue(Queues.offer(offer, "o" + i, 1), "offer " + (i + 1) + " of " + k + " into a queue with room");
            CompletableFuture<Boolean> full = CompletableFuture.supplyAsync(() -> {
                try {
                    return Queues.offer(offer, "one too many", 1);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Boolean accepted;
            try {
                accepted = full.get(2, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                int[] errno = new int[1];
                while (PosixMq.receive(mqd, Duration.ofMillis(200), errno) != null) {
                    // make room: the waiting send completes and the task can end
                }
                throw new AssertionError("offer() on a full queue (mq_maxmsg " + k + ") waited instead of returning false at once: "
                        + "a send to a full queue blocks unless the descriptor has O_NONBLOCK (mq_send(3): EAGAIN)");
            }
            assertFalse(accepted, "offer() into a full queue (" + k + " of mq_maxmsg " + k + ") must return false");
            assertEquals(k, PosixMq.attributes(mqd).curmsgs(), "messages in the queue after " + k + " offers and one refused");

            // The blocking side: send() on a full queue waits until a receive makes room.
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    Queues.send(mqd, "waited", 2);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(300);
            assertFalse(waiting.isDone(), "send() on a full queue returned at once (" + (waiting.isCompletedExceptionally()
                    ? "with an error" : "without waiting") + "): on a blocking descriptor mq_send waits for room");
            int[] errno = new int[1];
            assertNotNull(PosixMq.receive(mqd, Duration.ofSeconds(1), errno), "receive one to make room");
            waiting.get(5, TimeUnit.SECONDS);
            assertEquals(k, PosixMq.attributes(mqd).curmsgs(), "after one receive and the waiting send, the queue is full again");
        } finally {
            PosixMq.close(offer);
            PosixMq.close(mqd);
        }
    }

    /** The descriptors of this process that refer to the queue (an mqd_t is a file descriptor on Linux). */
    private static long openDescriptors(String name) throws IOException {
        long n = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(name)) n++;
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        }
        return n;
    }

    @Test
    @Timeout(30)
    void task4_aQueueOutlivesItsCreator() throws Exception {
        String name = name();
        int k = 2 + random.nextInt(7);
        Process p = new ProcessBuilder(Jvm.command("org.ipclab.labs.lab9.Producer", name, String.valueOf(k))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "Producer did not end");
        String todo = err.lines().filter(l -> l.contains("TODO(")).findFirst().orElse(null);
        if (todo != null) throw new UnsupportedOperationException(todo.substring(todo.indexOf("TODO(")));
        assertEquals(0, p.exitValue(), "Producer " + name + " " + k + " exit status; its stderr: " + err.lines().findFirst().orElse("(empty)"));
        assertEquals("sent " + k, out.strip(), "Producer's output");
        int mqd = PosixMq.open(name, PosixMq.O_RDONLY | PosixMq.O_NONBLOCK, 0, 0);
        assertTrue(mqd >= 0, "the queue " + name + " is gone once its creator exited (errno " + -mqd + "): did Producer remove it? "
                + "A queue lives in the kernel until mq_unlink, not as long as its process");
        try {
            assertEquals(k, PosixMq.attributes(mqd).curmsgs(), "messages the kernel holds for the exited Producer");
            long before = openDescriptors(name);
            assertTrue(before >= 1, "the check's own descriptor of " + name + " should show in /proc/self/fd");
            assertEquals(k, Queues.pending(name), "pending(" + name + ")");
            assertEquals(before, openDescriptors(name), "pending() left a descriptor of " + name + " open: close what you open");
            Path file = MQUEUE_FS.resolve(name.substring(1));
            if (Files.isRegularFile(file)) { // mq_overview(7): QSIZE, the bytes of data in all messages
                long bytes = 0;
                for (int i = 0; i < k; i++) bytes += ("message " + i).length();
                String says = String.join("\n", Files.readAllLines(file));
                assertTrue(says.startsWith("QSIZE:" + bytes + " "), file + " says: " + says);
            }
            int[] errno = new int[1];
            for (int i = 0; i < k; i++) {
                PosixMq.Message m = PosixMq.receive(mqd, errno);
                assertEquals("message " + i, m == null ? "(none, errno " + errno[0] + ")" : m.text(), "message " + i + " from Producer");
            }
        } finally {
            PosixMq.close(mqd);
        }
    }
}
