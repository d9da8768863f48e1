package org.ipclab.socket.demo;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Demo;
import org.ipclab.core.Names;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;

/**
 * {@code ipc demo unix}: a Unix domain socket seen from the file system, from /proc and from both
 * processes — then the two things only Unix sockets can do: tell you who is on the other end
 * (SO_PEERCRED), and hand over an open file descriptor (SCM_RIGHTS).
 *
 * <p>How to run and what you should see: {@code ipc demo unix}. A socket file of type {@code s};
 * the same pid/uid/gid reported by the kernel on both sides; a file read by a process that never
 * opened it (its path was deleted before the read); an abstract name listed in /proc/net/unix as
 * {@code @ipclab-...} that {@code ls} cannot find.
 */
public final class UnixDemo implements Demo {
    @Override
    public String name() {
        return "unix";
    }

    @Override
    public String summary() {
        return "Unix domain sockets: socket file, peer credentials from both sides, abstract names, passing a file descriptor";
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        if (!args.isEmpty()) throw new BadInputException("ipc demo unix takes no arguments, got " + args);
        Path dir = Names.privateDirectory("demo-unix");
        int failures = 0;
        try {
            failures += socketFileAndPeers(dir, out);
            failures += abstractName(out);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
        out.println();
        out.println(failures == 0 ? "Every step showed what it should." : failures + " step(s) did not show what they should (see above).");
        return failures == 0 ? 0 : 1;
    }

    private int socketFileAndPeers(Path dir, PrintStream out) throws Exception {
        int failures = 0;
        Path path = dir.resolve("demo.sock");
        out.println("1. socket(AF_UNIX, SOCK_STREAM) + bind(\"" + path + "\") + listen()");
        try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance()) {
            server.bind(AFUNIXSocketAddress.of(path), 1);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            String mode = ProcView.lsMode(path);
            out.println("   ls -l: " + mode + "  " + path + "      <- 's': a socket file; 0600: only we may connect");
            out.println("   in " + path.getParent() + " (" + ProcView.lsMode(path.getParent()) + ", a private directory)");
            if (mode.charAt(0) != 's') failures++;
            out.println("   /proc/net/unix (Num RefCount Protocol Flags Type St Inode Path; St 01 = listening):");
            for (String l : ProcView.unixLines(path.toString())) out.println("     " + l);
            out.println("   the file is only a name to meet at: data never touches it (its size stays " + Files.size(path) + ").");

            out.println();
            out.println("2. a second process connect()s; accept() returns a NEW socket, the listening one stays");
            server.setSoTimeout(20_000);
            try (Child child = Child.start(out, UnixDemoChild.class.getName(), path.toString());
                 AFUNIXSocket conn = server.accept()) {
                out.println("   our socket descriptors now (listening + accepted; each a different inode):");
                for (String fd : ProcView.socketFds()) out.println("     " + fd);
                AFUNIXSocketCredentials peer = conn.getPeerCredentials();
                out.println("   SO_PEERCRED on our end says the peer is: pid=" + peer.getPid() + " uid=" + peer.getUid() + " gid=" + peer.getGid());
                boolean same = peer.getPid() == child.pid();
                out.println("   the child we started has pid " + child.pid() + (same ? ": the kernel is right." : ": MISMATCH"));
                if (!same) failures++;
                BufferedReader in = new BufferedReader(new InputStreamReader(conn.getInputStream(), StandardCharsets.UTF_8));
                OutputStream os = conn.getOutputStream();
                String selfReport = in.readLine();
                out.println("   the child says of itself: " + selfReport);

                out.println();
                out.println("3. descriptor passing (SCM_RIGHTS): we open a file and send the open descriptor");
                Path secret = dir.resolve("secret.txt");
                String text = "a line only the descriptor leads to (" + Names.unique("secret") + ")";
                Files.writeString(secret, text);
                try (FileInputStream file = new FileInputStream(secret.toFile())) {
                    conn.setOutboundFileDescriptors(file.getFD());
                    os.write('!');               // the descriptor travels with this one byte
                    os.flush();
                    conn.setOutboundFileDescriptors();
                    Files.delete(secret);        // the path is gone: the child cannot open it, only read through the descriptor
                    out.println("   sent descriptor of " + secret + " with 1 byte, then deleted the path");
                }
                String echoed = in.readLine();
                boolean ok = text.equals(echoed);
                out.println("   the child read through the descriptor: \"" + echoed + "\"" + (ok ? "  (matches)" : "  (MISMATCH)"));
                if (!ok) failures++;
                int code = child.await(20);
                if (code != 0) {
                    out.println("   the child exited with " + code);
                    failures++;
                }
            }
        }
        if (Files.exists(path)) Files.delete(path);
        out.println("   closing the listener does not remove the socket file: we unlink it (a leftover is 'stale', see docs)");
        return failures;
    }

    private int abstractName(PrintStream out) throws Exception {
        int failures = 0;
        String name = Names.unique("demo");
        out.println();
        out.println("4. the abstract namespace (Linux): bind to \"\\0" + name + "\" - a name, not a file");
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(("\0" + name).getBytes(StandardCharsets.UTF_8));
        try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance()) {
            server.bind(address, 1);
            List<String> lines = ProcView.unixLines("@" + name);
            out.println("   /proc/net/unix shows it with a leading '@':");
            for (String l : lines) out.println("     " + l);
            if (lines.isEmpty()) failures++;
            boolean onDisk = Files.exists(Names.tempRoot().resolve(name)) || Files.exists(Path.of("@" + name));
            out.println("   on the file system: " + (onDisk ? "FOUND (unexpected)" : "nothing - no file to chmod, to clean up, or to go stale"));
            if (onDisk) failures++;
            try (AFUNIXSocket client = AFUNIXSocket.connectTo(address); AFUNIXSocket conn = server.accept()) {
                out.println("   a client connects by the name; SO_PEERCRED: " + describe(conn.getPeerCredentials()));
            }
            out.println("   but no permission bits either: anyone in this network namespace may connect, so a server");
            out.println("   must check SO_PEERCRED (ipclab's do, and refuse another uid).");
        }
        out.println("   closed: the name is gone at once (" + (ProcView.unixLines("@" + name).isEmpty() ? "not in /proc/net/unix any more" : "STILL LISTED") + ")");
        return failures;
    }

    private static String describe(AFUNIXSocketCredentials c) {
        return "pid=" + c.getPid() + " uid=" + c.getUid() + " gid=" + c.getGid();
    }
}
