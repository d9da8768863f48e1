package org.ipclab.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
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

/**
 * Removing files and directories without being tricked into removing someone else's.
 *
 * <p>Every step works relative to an open directory ({@link SecureDirectoryStream}: {@code openat},
 * {@code fstatat}, {@code unlinkat} on Linux's default file system) and enters a subdirectory with
 * {@code O_NOFOLLOW}, so a subdirectory swapped for a symbolic link between the listing and the
 * removal is at worst removed as the link itself, never followed: nothing outside the tree is touched.
 */
public final class OwnedFiles {
    /** Tests only: runs after a directory was listed and before its entries are removed (to swap one of them). */
    static volatile Consumer<Path> afterListing = p -> { };

    private OwnedFiles() {
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
        try (SecureDirectoryStream<Path> dir = secure(parent)) {
            int uid = Users.ownerOf(abs);
            if (uid < 0) return; // already gone
            if (uid != owner) {
                throw new IOException(path + " belongs to " + Users.describe(uid) + ", not " + Users.describe(owner) + "; left alone");
            }
            removeEntry(dir, parent, name);
        }
    }

    /**
     * Removes the entry {@code name} of the open directory {@code dir} (the directory's own path is
     * only for messages), recursively, without following links.
     */
    public static void removeEntry(SecureDirectoryStream<Path> dir, Path dirPath, Path name) throws IOException {
        BasicFileAttributes a;
        try {
            a = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException gone) {
            return;
        }
        if (!a.isDirectory()) {
            deleteFile(dir, name);
            return;
        }
        SecureDirectoryStream<Path> sub;
        try {
            sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return;
        } catch (FileSystemException swapped) {
            // ELOOP/ENOTDIR: it became a link or a file since the fstatat: remove that, do not enter it
            deleteFile(dir, name);
            return;
        }
        Path here = dirPath.resolve(name);
        try (sub) {
            List<Path> names = new ArrayList<>();
            for (Path p : sub) names.add(p.getFileName());
            afterListing.accept(here);
            for (Path n : names) removeEntry(sub, here, n);
        }
        try {
            dir.deleteDirectory(name);
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
        try (SecureDirectoryStream<Path> dir = secure(abs.getParent())) {
            Path name = abs.getFileName();
            BasicFileAttributes a;
            try {
                a = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            } catch (NoSuchFileException gone) {
                return;
            }
            if (a.isDirectory() || Users.ownerOf(abs) != owner) return; // not what we made: leave it
            deleteFile(dir, name);
        } catch (NoSuchFileException gone) {
            // the directory is gone, and our file with it
        }
    }

    /** Opens a directory for relative, link-safe operations; refuses a platform without them. */
    public static SecureDirectoryStream<Path> secure(Path dir) throws IOException {
        DirectoryStream<Path> s = Files.newDirectoryStream(dir);
        if (s instanceof SecureDirectoryStream) return (SecureDirectoryStream<Path>) s;
        s.close();
        throw new IOException("this platform cannot remove files relative to an open directory; refusing to remove anything in " + dir);
    }
}
