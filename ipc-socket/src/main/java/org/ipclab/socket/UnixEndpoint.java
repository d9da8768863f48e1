package org.ipclab.socket;

import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Names;
import org.ipclab.core.OwnedFiles;
import org.ipclab.core.Users;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Where a junixsocket Unix server listens: a socket file (by default {@code ipc.sock} in a fresh
 * private 0700 directory, made 0600 after bind; under a user's {@code --path}, see
 * {@link UnixSocketFiles.Staging}: it appears at its name already 0600) or, with {@code abstract=true}, a name in Linux's
 * abstract namespace — no file at all, gone when the last socket closes, and <em>no permission
 * bits</em>: anyone in the same network namespace can connect, so the peer-credential check is
 * the only guard there.
 */
final class UnixEndpoint {
    final AFUNIXSocketAddress address;
    /** The socket file, or null in the abstract namespace. */
    final Path file;
    /** The private directory we created for it, or null. */
    final Path privateDir;
    /** The abstract name (without the leading NUL), or null. */
    final String abstractName;
    /** For a user's path: where the socket is bound before it gets its name, or null. */
    private final UnixSocketFiles.Staging staging;

    private UnixEndpoint(AFUNIXSocketAddress address, Path file, Path privateDir, String abstractName) {
        this(address, file, privateDir, abstractName, null);
    }

    private UnixEndpoint(AFUNIXSocketAddress address, Path file, Path privateDir, String abstractName, UnixSocketFiles.Staging staging) {
        this.address = address;
        this.file = file;
        this.privateDir = privateDir;
        this.abstractName = abstractName;
        this.staging = staging;
    }

    static MechanismOption[] options() {
        return new MechanismOption[] {
                MechanismOption.text("path", null, "socket file to bind (server) or connect to (client), at most 107 bytes;"
                        + " with abstract=true: the abstract name (default: a socket file in a fresh private directory)").withShortcut(),
                MechanismOption.flag("abstract", false, "true: a name in the Linux abstract namespace instead of a socket file"),
                MechanismOption.size("sndbuf", null, "SO_SNDBUF request in bytes (the result shows what the kernel set)"),
                MechanismOption.size("rcvbuf", null, "SO_RCVBUF request in bytes (the result shows what the kernel set)")};
    }

    /** The server's address: creates the private directory, or checks and reclaims the given path. */
    static UnixEndpoint forServer(ChannelSpec spec, String mechanism, AFSocketType type) throws IOException {
        if (spec.flag("abstract", false)) {
            String name = spec.option("path").orElseGet(() -> Names.unique(mechanism.replace("-", "")));
            return new UnixEndpoint(abstractAddress(name), null, null, name);
        }
        Optional<String> given = spec.option("path");
        if (given.isPresent()) {
            Path path = Path.of(given.get()).toAbsolutePath();
            UnixSocketFiles.checkLength(path);
            UnixSocketFiles.reclaimIfStale(path, type);
            UnixSocketFiles.Staging staging = UnixSocketFiles.Staging.beside(path);
            return new UnixEndpoint(AFUNIXSocketAddress.of(staging.socket), path, null, null, staging);
        }
        Path dir = Names.privateDirectory(mechanism.replace("-", ""));
        Path path = dir.resolve("ipc.sock");
        try {
            UnixSocketFiles.checkLength(path);
            return new UnixEndpoint(AFUNIXSocketAddress.of(path), path, dir, null);
        } catch (RuntimeException | SocketException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    /** The address a client connects to, from the server's {@link #peerSpec}. */
    static AFUNIXSocketAddress forClient(ChannelSpec spec, String mechanism) throws SocketException {
        String p = spec.option("path").orElseThrow(() -> new BadInputException(mechanism + " connect needs a socket path (--path FILE)"));
        if (spec.flag("abstract", false)) return abstractAddress(p);
        Path path = Path.of(p).toAbsolutePath();
        UnixSocketFiles.checkLength(path);
        return AFUNIXSocketAddress.of(path);
    }

    /** An abstract address of exactly this name: "\0name", not padded to 108 bytes (so /proc/net/unix shows "@name"). */
    static AFUNIXSocketAddress abstractAddress(String name) throws SocketException {
        byte[] bytes = ("\0" + name).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > UnixSocketFiles.MAX_PATH_BYTES + 1) {
            throw new BadInputException("abstract socket name is " + (bytes.length - 1) + " bytes, over the limit of "
                    + UnixSocketFiles.MAX_PATH_BYTES + ": " + name);
        }
        return AFUNIXSocketAddress.of(bytes);
    }

    /**
     * After bind: the socket file is made owner-only — in our private directory, where nobody else
     * can reach it — and, for a user's path, then given its final name.
     */
    void restrict() throws IOException {
        if (staging != null) staging.publish(true);
        else if (file != null) Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    ChannelSpec peerSpec(ChannelSpec spec) {
        return abstractName != null ? spec.with("abstract", "true").with("path", abstractName) : spec.with("path", file.toString());
    }

    /** "@name" for an abstract name (as {@code ss} and /proc/net/unix show it), else the path. */
    String describe() {
        return abstractName != null ? "@" + abstractName : file.toString();
    }

    List<String> createdObjects() {
        List<String> objects = new ArrayList<>();
        if (abstractName != null) objects.add("abstract-socket:@" + abstractName);
        if (file != null) objects.add("socket:" + file);
        if (privateDir != null) objects.add("dir:" + privateDir);
        return objects;
    }

    /** Removes the socket file and our private directory (with anything a client bound in it). */
    void remove() throws IOException {
        if (staging != null) staging.discard();
        if (staging != null && staging.published()) OwnedFiles.removeFileIfOwned(file, Users.uid());
        if (privateDir != null) OwnedFiles.removeTree(privateDir, Users.uid()); // never follows a link
    }
}
