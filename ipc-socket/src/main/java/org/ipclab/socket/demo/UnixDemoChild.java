package org.ipclab.socket.demo;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;

/** The second process of {@link UnixDemo}: connects, reports both views, reads a file through a received descriptor. */
public final class UnixDemoChild {
    private UnixDemoChild() {
    }

    public static void main(String[] args) throws Exception {
        long pid = ProcessHandle.current().pid();
        try (AFUNIXSocket socket = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(Path.of(args[0])))) {
            AFUNIXSocketCredentials server = socket.getPeerCredentials();
            System.out.println("connected. SO_PEERCRED on my end says the server is pid=" + server.getPid()
                    + " uid=" + server.getUid() + " gid=" + server.getGid() + " (my parent is " + ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) + ")");
            OutputStream out = socket.getOutputStream();
            out.write(("pid=" + pid + " uid=" + ProcView.uid() + " gid=" + ProcView.gid() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();

            socket.setAncillaryReceiveBufferSize(1024);
            InputStream in = socket.getInputStream();
            int b = in.read();
            FileDescriptor[] fds = socket.getReceivedFileDescriptors();
            System.out.println("read 1 byte ('" + (char) b + "') and " + (fds == null ? 0 : fds.length) + " descriptor(s) with it");
            for (Path fd : fdLinks()) System.out.println("/proc/self/fd/" + fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
            if (fds == null || fds.length == 0) {
                out.write("no descriptor\n".getBytes(StandardCharsets.UTF_8));
                System.exit(1);
            }
            try (FileInputStream file = new FileInputStream(fds[0])) {
                String text = new String(file.readAllBytes(), StandardCharsets.UTF_8);
                out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    /** Our descriptors that point at a deleted file: the one we received. */
    private static java.util.List<Path> fdLinks() throws Exception {
        java.util.List<Path> found = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().contains("secret.txt")) found.add(fd);
                } catch (Exception ignored) {
                    // vanished while listing
                }
            }
        }
        return found;
    }
}
