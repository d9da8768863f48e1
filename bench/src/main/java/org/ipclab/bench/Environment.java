package org.ipclab.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.ipclab.core.Units;

/** The machine's fingerprint, echoed with every result: numbers mean little without it. */
public final class Environment {
    private Environment() {
    }

    public static Map<String, String> capture() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")");
        env.put("jvm flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        env.put("kernel", System.getProperty("os.name") + " " + firstLine(Path.of("/proc/sys/kernel/osrelease"))
                + " " + System.getProperty("os.arch"));
        env.put("cpu", cpuModel());
        env.put("cores", cores(Runtime.getRuntime().availableProcessors(), firstLine(Path.of("/sys/devices/system/cpu/online"))));
        env.put("governor", firstLine(Path.of("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")));
        env.put("/dev/shm free", shmFree());
        env.put("pinning", "none (the scheduler places both processes)");
        return env;
    }

    /**
     * The machine's online CPUs, and how many this process may use when its affinity is narrower
     * ({@code --pin} pins the runner before the fingerprint is taken, and the JVM counts only those).
     */
    static String cores(int usable, String onlineList) {
        int online = countCpus(onlineList);
        if (online <= 0 || online == usable) return Integer.toString(usable);
        return online + " online, " + usable + " usable by this process (its CPU affinity)";
    }

    /** The number of CPUs in a kernel CPU list such as {@code 0-3,8,10-11}; -1 when it cannot be read. */
    static int countCpus(String list) {
        int n = 0;
        try {
            for (String part : list.trim().split(",")) {
                String[] ends = part.split("-", 2);
                int first = Integer.parseInt(ends[0]);
                int last = ends.length == 2 ? Integer.parseInt(ends[1]) : first;
                n += last - first + 1;
            }
        } catch (NumberFormatException e) {
            return -1;
        }
        return n;
    }

    private static String cpuModel() {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/cpuinfo"))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException ignored) {
            // not Linux, or /proc hidden
        }
        return "unknown";
    }

    private static String shmFree() {
        try {
            FileStore store = Files.getFileStore(Path.of("/dev/shm"));
            return Units.formatSize(store.getUsableSpace()) + " of " + Units.formatSize(store.getTotalSpace());
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The first line of a small file; /proc files need a line reader (readString returned only the first byte on JDK 17 and 25). */
    static String firstLine(Path p) {
        try {
            List<String> lines = Files.readAllLines(p);
            return lines.isEmpty() ? "unknown" : lines.get(0).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
