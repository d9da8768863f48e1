package org.ipclab.core;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LibraryLoader;

/**
 * Removing files and directories without being tricked into removing someone else's.
 *
 * <p>Every step works relative to an open directory: a subdirectory is entered with
 * {@code openat(O_DIRECTORY|O_NOFOLLOW)} on its parent's descriptor, and stat, list and unlink
 * go through a {@link SecureDirectoryStream} on that very directory ({@code fstatat},
 * {@code unlinkat}). So a subdirectory swapped for a symbolic link between the listing and the
 * removal is at worst removed as the link itself, never followed, and one swapped for a FIFO
 * is refused at once instead of blocking the open (the JDK's own
 * {@code SecureDirectoryStream.newDirectoryStream} opens without {@code O_DIRECTORY}, and an
 * open of a FIFO waits for a writer). Nothing outside the tree is touched.
 */
public final class OwnedFiles {
    /** Tests only: runs after a directory was listed and before its entries are removed (to swap one of them). */
    static volatile Consumer<Path> afterListing = p -> { };
    /** Tests only: runs after an entry was seen to be a directory and before it is entered. */
    static volatile Consumer<Path> beforeEntering = p -> { };

    private OwnedFiles() {
    }

    /** The libc calls for entering directories by descriptor. */
    public interface LibC {
        int open(String path, int flags, int mode);

        int openat(int dirfd, String path, int flags, int mode);

        int close(int fd);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
        static final int DIRECTORY = OpenFlags.O_RDONLY.intValue() | OpenFlags.O_DIRECTORY.intValue() | OpenFlags.O_CLOEXEC.intValue();
        static final int NOFOLLOW = OpenFlags.O_NOFOLLOW.intValue() | OpenFlags.O_NONBLOCK.intValue();
    }

    /**
     * Removes {@code path} (a file, a link, or a directory with everything below it) when it is
     * owned by {@code owner}; refuses it otherwise. Its parent must be a directory others cannot
     * rename entries in (sticky /tmp, /dev/shm, or one of ours): the owner is checked by name there.
     */
    public static void removeTree(Path path, int owner) throws IOException {
        Path abs = path.toAbsolutePath();
        Path parent = abs.getParent();
        Path name = abs.getFileName();
        if (parent == null || name == null) throw new IOException("refusing to remove " + path);
        try (OpenDir dir = OpenDir.of(parent)) {
            int uid = Users.ownerOf(abs);
            if (uid < 0) return; // already gone
            if (uid != owner) {
                throw new IOException(path + " belongs to " + Users.describe(uid) + ", not " + Users.describe(owner) + "; left alone");
            }
            removeEntry(dir, parent, name);
        }
    }

    /** Removes the entry {@code name} of the open directory {@code dir} ({@code dirPath} only names it in messages), recursively. */
    private static void removeEntry(OpenDir dir, Path dirPath, Path name) throws IOException {
        BasicFileAttributes a;
        try {
            a = dir.stream.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException gone) {
            return;
        }
        if (!a.isDirectory()) {
            deleteFile(dir.stream, name);
            return;
        }
        Path here = dirPath.resolve(name);
        beforeEntering.accept(here);
        try (OpenDir sub = dir.child(name, here)) {
            if (sub == null) {
                deleteFile(dir.stream, name); // no longer a directory (a link, a FIFO...): removed as what it is now
                return;
            }
            List<Path> names = new ArrayList<>();
            for (Path p : sub.stream) names.add(p.getFileName());
            afterListing.accept(here);
            for (Path n : names) removeEntry(sub, here, n);
        }
        try {
            dir.stream.deleteDirectory(name);
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        }
    }

    private static void deleteFile(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        try {
            dir.deleteFile(name);
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        }
    }

    /**
     * Removes one file (not a directory) when it is still {@code owner}'s, relative to its parent
     * directory: for a socket or FIFO under a path the user chose, the parent of which may be shared.
     */
    public static void removeFileIfOwned(Path file, int owner) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() == null) return;
        try (OpenDir dir = OpenDir.of(abs.getParent())) {
            Path name = abs.getFileName();
            BasicFileAttributes a;
            try {
                a = dir.stream.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            } catch (NoSuchFileException gone) {
                return;
            }
            if (a.isDirectory() || Users.ownerOf(abs) != owner) return; // not what we made: leave it
            deleteFile(dir.stream, name);
        } catch (NoSuchFileException gone) {
            // the directory is gone, and our file with it
        }
    }

    /** A directory held by descriptor, with a secure stream on that very directory (through /proc/self/fd/N). */
    private static final class OpenDir implements Closeable {
        final int fd;
        final SecureDirectoryStream<Path> stream;

        private OpenDir(int fd, Path shownAs) throws IOException {
            this.fd = fd;
            try {
                DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/proc/self/fd/" + fd));
                if (!(s instanceof SecureDirectoryStream)) {
                    s.close();
                    throw new IOException("this platform cannot remove files relative to an open directory; refusing to remove anything in " + shownAs);
                }
                this.stream = (SecureDirectoryStream<Path>) s;
            } catch (IOException | RuntimeException e) {
                Holder.LIBC.close(fd);
                throw e;
            }
        }

        /** The directory the caller named (links in that path are the caller's own). */
        static OpenDir of(Path dir) throws IOException {
            int fd = Holder.LIBC.open(dir.toString(), Holder.DIRECTORY, 0);
            if (fd < 0) {
                int errno = Holder.RUNTIME.getLastError();
                if (errno == Errno.ENOENT.intValue()) throw new NoSuchFileException(dir.toString());
                throw new NativeException("open(" + dir + ", O_DIRECTORY)", errno);
            }
            return new OpenDir(fd, dir);
        }

        /** The subdirectory {@code name}, never through a link; null when it is no longer a directory. */
        OpenDir child(Path name, Path shownAs) throws IOException {
            int c = Holder.LIBC.openat(fd, name.toString(), Holder.DIRECTORY | Holder.NOFOLLOW, 0);
            if (c >= 0) return new OpenDir(c, shownAs);
            int errno = Holder.RUNTIME.getLastError();
            if (errno == Errno.ELOOP.intValue() || errno == Errno.ENOTDIR.intValue() || errno == Errno.ENOENT.intValue()) return null;
            throw new NativeException("openat(" + shownAs + ", O_DIRECTORY|O_NOFOLLOW)", errno);
        }

        @Override
        public void close() throws IOException {
            try {
                stream.close();
            } finally {
                Holder.LIBC.close(fd);
            }
        }
    }
}
