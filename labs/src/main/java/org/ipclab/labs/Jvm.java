package org.ipclab.labs;

import java.util.ArrayList;
import java.util.List;

/**
 * Starting a second JVM for a lab: the same {@code java} binary and class path as this one,
 * so the child can run any class of your lab.
 *
 * <pre>{@code
 * Process child = new ProcessBuilder(Jvm.command(PingPongChild.class)).start();
 * }</pre>
 */
public final class Jvm {
    /** Set by a check: children started from here wait this many ms before they end ({@link org.ipclab.labs.support.Linger}). */
    public static final String LINGER = "ipclab.labs.childLingerMs";

    private Jvm() {
    }

    /** {@code java -cp <this class path> <flags for a quick start> main args...}. */
    public static List<String> command(Class<?> main, String... args) {
        return command(main.getName(), args);
    }

    public static List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(org.ipclab.core.peer.PeerLauncher.javaBinary());
        // A lab's child does little work: start it quickly and small.
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xmx64m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        String labsDir = System.getProperty(LabDirs.PROPERTY);
        if (labsDir != null) cmd.add("-D" + LabDirs.PROPERTY + "=" + labsDir);
        String tmp = System.getProperty("java.io.tmpdir");
        if (tmp != null && !tmp.equals("/tmp")) cmd.add("-Djava.io.tmpdir=" + tmp); // the grader's per-submission temp directory
        String linger = System.getProperty(LINGER);
        if (linger != null && linger.matches("\\d{1,5}")) {
            cmd.add(org.ipclab.labs.support.Linger.class.getName());
            cmd.add(linger);
        }
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }
}
