package org.ipclab.labs;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.ipclab.core.BadInputException;

/** The labs in teaching order, with their tasks, points and hints. One source of truth for the CLI, the grader and the docs. */
public final class LabCatalog {
    private LabCatalog() {
    }

    private static final List<Lab> LABS = List.of(
            new Lab(1, "pipes", "Pipes: ping-pong with a child, then a pipeline like the shell's |", 45, List.of(
                    new Task(1, 2, "the child answers every 'ping N' line with 'pong N' and exits at end of input",
                            "PingPongChild.main: read System.in line by line until readLine() returns null (end of input); "
                                    + "answer each line at once. System.out flushes on println; a writer you wrap around it may not.",
                            "for (String line; (line = in.readLine()) != null; ) out.println(\"pong \" + line.substring(5));"),
                    new Task(2, 3, "the parent plays about 2000 rounds with its child over two pipes, fast",
                            "PingPong.play: the child's stdin is process.getOutputStream(), a BUFFERED stream in this process: "
                                    + "a ping that is not flushed never leaves, and both sides wait forever. No sleeping: reading the pong IS the wait.",
                            "PrintStream to = new PrintStream(child.getOutputStream(), false, UTF_8); per round: to.println(\"ping \" + i); "
                                    + "to.flush(); String answer = from.readLine(); at the end: to.close(); child.waitFor()."),
                    new Task(3, 3, "Pipeline.run connects A | B | C and streams (yes | head -n 3 ends)",
                            "Pipeline.run: all commands must run at the same time, each stdout piped into the next stdin. "
                                    + "Running them one after another, storing each output, never ends for 'yes' (and runs out of memory).",
                            "List<Process> ps = ProcessBuilder.startPipeline(builders); "
                                    + "return new String(ps.get(ps.size() - 1).getInputStream().readAllBytes(), UTF_8);"),
                    new Task(4, 2, "nothing left behind: every child process has exited and was reaped",
                            "The child ends only when its input ends (close its stdin); then wait for it: the check looks the moment "
                                    + "play() returns. In Pipeline, wait for every process: 'yes' ends by itself (SIGPIPE) once 'head' has gone.",
                            "to.close(); int code = child.waitFor(); for (Process p : ps) p.waitFor();"))),
            new Lab(2, "fifos", "FIFOs: a client and server that are not related, and the open-order trap", 45, List.of(
                    new Task(1, 2, "Fifos.make creates a FIFO (type p, mode 0600) and refuses an existing path",
                            "mkfifo(1) (or mkfifo(3)) makes the FIFO; the JDK cannot. Check its exit status, and refuse an existing path "
                                    + "with FileAlreadyExistsException before you try.",
                            "new ProcessBuilder(\"mkfifo\", \"-m\", \"600\", path.toString()).start().waitFor() == 0, else IOException."),
                    new Task(2, 4, "a server and a client in two unrelated processes exchange 30-70 requests (another number each run) through two FIFOs",
                            "open(2) of a FIFO blocks until the other end is opened too (fifo(7)). Think about the order in which each "
                                    + "side opens the two FIFOs: can both be waiting at once? Flush after every line.",
                            "Server and client open the FIFOs in the same order: requests first, then replies."),
                    new Task(3, 2, "the server removes both FIFOs when it is done",
                            "FifoServer.serve: delete requests and replies in a finally block, also when serving fails."))),
            new Lab(3, "shared-memory", "Shared memory: the lost update, a semaphore, compare-and-set, ordering", 60, List.of(
                    new Task(1, 2, "Segment.create makes an owner-only /dev/shm file, maps it, and close() removes it",
                            "A POSIX shared memory object is a file in /dev/shm (shm_overview(7)): create it owner-only, give it its "
                                    + "size, map it READ_WRITE; the name comes from org.ipclab.core.Names.unique (in ipc-core). Only the creator removes it.",
                            "Path.of(\"/dev/shm\", Names.unique(\"lab3\")); Files.createFile(p, asFileAttribute(fromString(\"rw-------\"))); "
                                    + "FileChannel.open(p, READ, WRITE).map(READ_WRITE, 0, size); close(): Files.deleteIfExists(p)."),
                    new Task(2, 3, "two processes × n increments (n changes each run) with a semaphore as a mutex: exactly 2n",
                            "The semaphore (org.ipclab.labs.support.ShmSemaphore, given) is the mutex: P before the read-add-write, V "
                                    + "after, every time, also when something throws. The check counts the P and V operations.",
                            "mutex.acquire(timeout); try { read COUNTER; write COUNTER + 1; } finally { mutex.release(); }"),
                    new Task(3, 3, "two processes × n increments (n changes each run) with compare-and-set: exactly 2n",
                            "Layout.LONG is a VarHandle: compareAndSet writes only if the slot still holds what you read; when another "
                                    + "process got there first, read again and retry.",
                            "while (true) { long v = (long) Layout.LONG.getVolatile(buf, Layout.COUNTER); "
                                    + "if (Layout.LONG.compareAndSet(buf, Layout.COUNTER, v, v + 1)) break; }"),
                    new Task(4, 2, "a semaphore initialised to 0 orders two processes: the consumer waits for the producer",
                            "A semaphore that starts at 0 is a signal: the consumer's P waits until the producer's V. Which comes first "
                                    + "in the producer, the write or the V? A sleep is not a wait: the producer may come later.",
                            "produce: write VALUE, then new ShmSemaphore(buf, Layout.READY).release(); consume: acquire(timeout), then read VALUE."))),
            new Lab(4, "ring-buffer", "A ring buffer in shared memory behind the Channel interface", 90, List.of(
                    new Task(1, 4, "Ring.offer/poll keep whole messages in order, across the wrap-around, and refuse what does not fit",
                            "Positions only grow; the byte at p is at DATA + (p & (CAPACITY-1)); free = CAPACITY - (TAIL - HEAD), and a "
                                    + "message needs HEADER + length of it. The trap: the other process may see a new TAIL before the bytes it "
                                    + "covers, or reuse bytes you have not read yet: publish each counter with release, read the other's with acquire.",
                            "offer: head = getAcquire(HEAD); tail = get(TAIL); if (CAPACITY - (tail - head) < HEADER + len) return false; "
                                    + "write length and bytes at tail (byte by byte, masked); setRelease(TAIL, tail + HEADER + len). "
                                    + "poll: tail = getAcquire(TAIL); if (tail == head) return CLOSED set ? END_OF_STREAM : NO_MESSAGE; "
                                    + "read length, check it, copy out; setRelease(HEAD, head + HEADER + len)."),
                    new Task(2, 2, "RingChannel.send/receive wait for room or a message, and give up at the timeout",
                            "No kernel object wakes you up here: the waiting is yours. Try, and between tries spin briefly, then yield or "
                                    + "park, so a waiting process does not eat a CPU; stop at the timeout. End of stream is an answer, not a wait.",
                            "long deadline = System.nanoTime() + timeout.toNanos(); for (int n = 0; !tx.offer(message); n++) { "
                                    + "if (System.nanoTime() - deadline > 0) throw new IpcTimeoutException(...); idle(n); } "
                                    + "idle: n < 1000 ? Thread.onSpinWait() : LockSupport.parkNanos(20_000); receive returns END_OF_STREAM as soon as poll does."),
                    new Task(3, 4, "your mechanism passes the project's Channel contract suite between two processes",
                            "The problem line names the contract tests that failed. Tasks 1 and 2 first; then think about the ends: what "
                                    + "does the peer see after close(), and does the largest message the channel promises fit in the ring?",
                            "close(): tx.close() sets CLOSED (the peer's receive then returns END_OF_STREAM once the ring is empty); "
                                    + "maxMessageSize() returns MAX_MESSAGE, and HEADER + MAX_MESSAGE <= CAPACITY; trySend/tryReceive call offer/poll once."))),
            new Lab(5, "sockets", "Sockets: framing a byte stream, Unix vs TCP, stream vs datagram", 60, List.of(
                    new Task(1, 3, "Frames.write/read carry whole messages over a byte stream (u32 LE length + payload)",
                            "A read may return fewer bytes than asked: loop until the buffer is full; -1 before any byte of a frame "
                                    + "is end of stream (return null), -1 inside a frame is an error; check the length against max BEFORE allocating."),
                    new Task(2, 3, "a Unix domain echo server: one listening socket, one socket per client, socket file removed on close",
                            "EchoServer.unix: ServerSocketChannel.open(StandardProtocolFamily.UNIX), bind(UnixDomainSocketAddress.of(file)); "
                                    + "accept in a thread, serve each accepted SocketChannel in its own thread; close(): close and delete the file."),
                    new Task(3, 2, "a TCP echo server that listens on loopback only",
                            "EchoServer.tcp: bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)); 0 lets the kernel pick the port."),
                    new Task(4, 2, "UDP keeps message boundaries: three datagrams come back as three",
                            "UdpEcho: DatagramChannel bound to loopback port 0; receive() one datagram, send it back to the "
                                    + "address receive() returned; a thread until close()."))),
            new Lab(6, "signals", "Signals: handlers, ignoring, the uncatchable pair, stopped processes", 55, List.of(
                    new Task(1, 3, "SignalCounter counts USR1 and HUP in handlers and ends gracefully on TERM (exit 0)",
                            "Signal.handle(new Signal(\"USR1\"), s -> say(...)) for USR1 and HUP; the TERM handler says bye and calls "
                                    + "System.exit(0). Print \"ready pid N\" only AFTER installing the handlers, then sleep in a loop."),
                    new Task(2, 2, "Signals.send runs kill, and refuses pid 1, 0, -1 and other negative pids, and names that are not names",
                            "kill(2): pid 0 is your process group, -1 every process you may signal, below -1 a group: refuse them and "
                                    + "init (1) with IllegalArgumentException before running kill(1); its non-zero exit status becomes an IOException.",
                            "if (pid <= 1 || !name.matches(\"[A-Z0-9]+\")) throw new IllegalArgumentException(...); "
                                    + "Process k = new ProcessBuilder(\"kill\", \"-\" + name, Long.toString(pid)).start(); if (k.waitFor() != 0) throw new IOException(...);"),
                    new Task(3, 2, "Signals.canCatch: yes for USR1/HUP/TERM, never for KILL and STOP; the previous handler is put back",
                            "Installing a handler for KILL or STOP is refused (sigaction(2): EINVAL; the JVM throws). Try to install "
                                    + "one, and put back the handler that was there before.",
                            "try { previous = Signal.handle(sig, s -> {}); } catch (IllegalArgumentException e) { return false; } "
                                    + "Signal.handle(sig, previous); return true;"),
                    new Task(4, 3, "Signals.state reads the kernel's view: S/R running, T after STOP, gone after KILL",
                            "proc(5): /proc/PID/stat's third field is the state, after the command name in parentheses, which may "
                                    + "itself contain spaces and ')'. A missing /proc/PID gives an IOException by itself.",
                            "String stat = Files.readString(Path.of(\"/proc\", Long.toString(pid), \"stat\")); "
                                    + "return stat.charAt(stat.lastIndexOf(')') + 2);"),
                    new Task(5, 2, "an ignored signal is discarded by the kernel, across exec; KILL and STOP cannot be ignored (EINVAL)",
                            "SIG_IGN, unlike a handler, survives execve(2) (signal(7)); the shell's trap '' NAME sets it before exec. "
                                    + "For the kernel's own answer call the given org.ipclab.labs.support.Sigaction with the signal's number.",
                            "new ProcessBuilder(\"sh\", \"-c\", \"trap '' \" + name + \"; exec sleep 60\").start(); "
                                    + "Sigaction.ignoreAndRestore(new Signal(name).getNumber())"))),
            new Lab(7, "benchmark-study", "Choosing an IPC: predict, measure with ipc bench, explain", 45, List.of(
                    new Task(1, 3, "Study.load reads an ipc bench results file into rows",
                            "Jackson: new ObjectMapper().readTree(file).get(\"measurements\"); for each: mechanism, mode, sizeBytes, "
                                    + "summary.latency.p50Us (latency) or summary.msgsPerSec (throughput); skip status != ok."),
                    new Task(2, 2, "Study.rankByLatency orders mechanisms for one size, fastest p50 first",
                            "Keep only mode latency and the given size, sort by p50Us ascending, map to mechanism."),
                    new Task(3, 3, "your own measurement: tcp and unix, latency, at least two sizes, three repeats",
                            "Run the ipc bench command from the lab text with --json labs/lab7/results.json and make "
                                    + "Answers.resultsFile() return that path."),
                    new Task(4, 2, "your prediction and your explanation are written down",
                            "Answers.predictedRanking(): the mechanisms you measured, in the order you predicted BEFORE measuring. "
                                    + "Answers.explanation(): at least 40 words that name every mechanism you measured and quote measured p50 "
                                    + "numbers of at least two of them."))),
            new Lab(8, "threads-vs-processes", "Threads vs processes: the same race and the same semaphore, no IPC needed", 40, List.of(
                    new Task(1, 3, "two threads × n increments with lab 3's semaphore as a mutex: exactly 2n, 2n P and 2n V",
                            "Threads share the process's memory: the same buffer and semaphore object serve both, no file and no "
                                    + "mapping. The race is the same as between processes: P before the read-add-write, V after, in each "
                                    + "thread; return only when both threads have ended (join).",
                            "Runnable work = () -> { for (...) { mutex.acquire(timeout); try { read; write + 1; } finally { mutex.release(); } } }; "
                                    + "start two Threads, join both, return the counter."),
                    new Task(2, 3, "ThreadCounter starts K named threads; Threads.threadNames lists them from /proc/PID/task",
                            "To the kernel a thread is a task of its process (clone(2) with CLONE_THREAD): one directory per thread in "
                                    + "/proc/PID/task, its name in comm (proc(5)). /proc/PID/comm is only the main thread's name.",
                            "new Thread(runnable, \"lab8-worker-\" + i) (daemon, sleeping); then for each dir in "
                                    + "Files.list(Path.of(\"/proc\", pid, \"task\")): Files.readString(dir.resolve(\"comm\")).strip()"))),
            new Lab(9, "message-queues", "POSIX message queues: priorities, a full queue, a queue that outlives its creator", 50, List.of(
                    new Task(1, 3, "Queues.create makes a NEW owner-only queue with the given mq_maxmsg and mq_msgsize; remove unlinks it",
                            "mq_open(3): O_CREAT alone reuses a queue that is there; O_EXCL makes an existing name an error (EEXIST). "
                                    + "The limits only take effect when the queue is created. PosixMq returns -errno: turn EEXIST and ENOENT "
                                    + "into the java.nio.file exceptions.",
                            "int mqd = PosixMq.open(name, O_RDWR | O_CREAT | O_EXCL, maxmsg, msgsize); "
                                    + "if (mqd == -EEXIST) throw new FileAlreadyExistsException(name); remove: PosixMq.unlink(name), -ENOENT -> NoSuchFileException"),
                    new Task(2, 3, "send/receive carry the priority: the kernel delivers the highest priority first, FIFO within one",
                            "mq_send(3) takes the priority; mq_receive(3) removes the oldest message of the highest priority and says "
                                    + "which priority it had. The receive buffer must be at least mq_msgsize (PosixMq.receive sizes it).",
                            "PosixMq.send(mqd, text.getBytes(UTF_8), priority); PosixMq.Message m = PosixMq.receive(mqd, errno); "
                                    + "return new Message(m.text(), m.priority());"),
                    new Task(3, 3, "a full queue: send waits for room, offer on an O_NONBLOCK descriptor returns false at once (EAGAIN)",
                            "When mq_curmsgs == mq_maxmsg, mq_send blocks, unless the open file description has O_NONBLOCK: then it "
                                    + "fails with EAGAIN. The flag belongs to the descriptor, so open a second one just for offers.",
                            "openForOffer: PosixMq.open(name, O_WRONLY | O_NONBLOCK, 0, 0); offer: rc == -EAGAIN -> false"),
                    new Task(4, 2, "Producer fills a queue and exits; the queue and its messages stay in the kernel until unlinked",
                            "POSIX queues have kernel persistence (mq_overview(7)): closing the descriptor or exiting does not remove "
                                    + "them, mq_unlink does. pending: open by name, mq_getattr's mq_curmsgs, close again.",
                            "Producer: mqd = Queues.create(name, k, 64); send k; PosixMq.close(mqd); no remove. "
                                    + "pending: mqd = PosixMq.open(name, O_RDONLY, 0, 0); try { return attributes(mqd).curmsgs(); } finally { close(mqd); }"))),
            new Lab(10, "realtime-signals", "Real-time vs standard signals: merged while blocked, or queued in order with a value", 45, List.of(
                    new Task(1, 3, "Receiver blocks its signals in one thread, says ready, then takes what is pending: one USR1, one ALRM",
                            "Block BEFORE printing ready: a USR1 or real-time signal that finds no thread blocking it ends the JVM. "
                                    + "While a standard signal is pending, another of the same number is not queued (signal(7)). Take with a "
                                    + "zero timeout until nothing is left: waiting would hang after the last.",
                            "int[] set = signals(); SigQueue.block(set); println(\"ready pid \" + pid + \" tid \" + SigQueue.tid()); readLine(); "
                                    + "for (SigQueue.Info i; (i = SigQueue.take(Duration.ZERO, set)) != null; ) println(\"got \" + i.signo() + \" \" + i.value());"),
                    new Task(2, 3, "real-time signals are all queued, each with its value: the lowest number first, each in the order sent",
                            "Each sigqueue of a real-time signal adds one entry to the pending queue; take() returns one entry per call. "
                                    + "Do not take each signal number once: take until the whole set has nothing pending.",
                            "for (SigQueue.Info i; (i = SigQueue.take(Duration.ZERO, set)) != null; ) println(...): one call per queued "
                                    + "entry, the whole set each time, so the kernel picks the order."),
                    new Task(3, 2, "Sender.send queues a signal once per value, each carrying its value, and refuses pid <= 1",
                            "SigQueue.queue is sigqueue(3) aimed at one thread: it returns -errno; a refusal (ESRCH: no such process) "
                                    + "becomes an IOException. kill(2) cannot carry a value.",
                            "if (pid <= 1 || tid <= 0) throw new IllegalArgumentException(...); for (int v : values) { int rc = SigQueue.queue(pid, tid, signo, v); "
                                    + "if (rc < 0) throw new IOException(...); }"),
                    new Task(4, 2, "Pending.of reads a thread's pending signals from /proc/PID/task/TID/status",
                            "proc(5): SigPnd is the thread's own pending set, ShdPnd the whole process's; signals aimed at a thread are "
                                    + "in SigPnd. The mask is hexadecimal, bit N-1 for signal N.",
                            "long mask = Long.parseUnsignedLong(line.substring(\"SigPnd:\".length()).strip(), 16); "
                                    + "for (int s = 1; s <= 64; s++) if ((mask >>> (s - 1) & 1) == 1) list.add(s);"))),
            new Lab(11, "shell-pipeline", "The shell's pipeline from the kernel's side: pipe, fork, dup2, exec, seen with strace", 45, List.of(
                    new Task(1, 3, "Trace.of reads a strace -f -y trace: the pipes made, the programs run, the pipes that link two processes",
                            "Each line starts with the pid. Count pipe/pipe2 lines; an execve that fails says '= -1 ENOENT' (a PATH "
                                    + "search), and a split one finishes on its pid's '<... execve resumed>' line. With -y, dup2(4<pipe:[N]>, 1) "
                                    + "names the pipe N: a link is a pipe one pid put on fd 1 and another on fd 0.",
                            "per line: pid = the first word; a pattern for dup2/dup3 whose first argument is N<pipe:[INODE]> and second 0 or 1; "
                                    + "Map<String, Set<String>> onFd1, onFd0 (inode -> pids); links = inodes whose fd-0 pids include one not in its fd-1 pids."),
                    new Task(2, 2, "Trace.record runs a command under strace, following its children, descriptors decoded, into a file",
                            "strace(1): -f follows the children (the stages ARE the shell's children), -y shows what a descriptor is, "
                                    + "-e trace=... picks the calls, -o FILE keeps the trace apart from the command's own output.",
                            "List.of(\"strace\", \"-f\", \"-y\", \"-qq\", \"-e\", \"trace=pipe,pipe2,dup2,dup3,clone,clone3,vfork,execve,close\", "
                                    + "\"-o\", out.toString()) + command; start, wait, Files.readAllLines(out)"),
                    new Task(3, 3, "Plumbing runs a Java pipeline the kernel sees as the shell's: stage k's fd 1 and stage k+1's fd 0 are one pipe",
                            "All stages at once, each stdout the next one's stdin, this JVM only at the two ends: that is one pipe per |, "
                                    + "as dup2 shows in the trace. Running them one after another through the JVM gives the same text but no "
                                    + "pipeline (and never ends for yes | head).",
                            "List<Process> ps = ProcessBuilder.startPipeline(builders); String out = new String(ps.get(ps.size() - 1)"
                                    + ".getInputStream().readAllBytes(), UTF_8); for (Process p : ps) p.waitFor();")))
    );

    public static List<Lab> all() {
        return LABS;
    }

    public static Optional<Lab> find(int number) {
        return LABS.stream().filter(l -> l.number() == number).findFirst();
    }

    /** The lab, or a one-line {@link BadInputException} that lists the labs there are. */
    public static Lab get(int number) {
        return find(number).orElseThrow(() -> new BadInputException("there is no lab " + number + "; the labs are: "
                + LABS.stream().map(l -> l.number() + " (" + l.slug() + ")").collect(Collectors.joining(", "))));
    }
}
